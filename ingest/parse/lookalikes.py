"""Fold characters that only look like the ones a report means (seeds/lookalike_characters.csv).

PDF text layers, Word-saved PDFs above all, carry CJK radicals for ordinary characters
(`人⺠政府`, `⼯作`), full-width digits, and `〇` for a zero inside a number. The parser reads
the folded text: every replacement is one character for one, so a line number or a position
in the folded text is the same in the stored text.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from functools import cache
from pathlib import Path

from ingest.parse.reference import SEEDS_DIR

# radicals supplement, Kangxi radicals, full-width digits
_FOLDED = re.compile(r"[\u2e80-\u2eff\u2f00-\u2fdf\uff10-\uff19]")
# 〇 within a number: next to a digit, or standing alone between non-numeral characters
_NUMERALS = "一二三四五六七八九十百千〇"
_NUMERAL_ZERO = re.compile(rf"(?<=\d)〇|〇(?=\d)|(?<![{_NUMERALS}\d])〇(?![{_NUMERALS}\d年月日])")


@cache
def _tables(seeds_dir: Path = SEEDS_DIR) -> tuple[dict[int, str], str]:
    """The radical table for str.translate, and the digit that 〇 reads as."""
    radicals: dict[int, str] = {}
    zero = "0"
    with (seeds_dir / "lookalike_characters.csv").open(newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            if row["kind"] == "cjk_radical":
                radicals[ord(row["printed"])] = row["reading"]
            elif row["kind"] == "digit_zero":
                zero = row["reading"]
    for code in range(0x2F00, 0x2FE0):  # Kangxi radicals: NFKC gives the unified ideograph
        folded = unicodedata.normalize("NFKC", chr(code))
        if len(folded) == 1 and folded != chr(code):
            radicals.setdefault(code, folded)
    for code in range(0xFF10, 0xFF1A):  # full-width digits
        radicals[code] = chr(code - 0xFF10 + ord("0"))
    return radicals, zero


_INLINE_MARKUP = re.compile(r"<br\s*/?>|\*\*|__", re.IGNORECASE)


def strip_inline_markup(text: str) -> str:
    """Markdown converters' inline markup inside table cells and headings: `<br>` where a
    cell's text wrapped (marker, MinerU), `**bold**` and `__bold__` around headings. A line
    stays a line."""
    if "<" not in text and "**" not in text and "__" not in text:
        return text
    return _INLINE_MARKUP.sub(lambda m: " " if m.group(0).startswith("<") else "", text)


def fold_lookalikes(text: str) -> str:
    """`text` with radicals, full-width digits and a numeral 〇 replaced, one for one."""
    radicals, zero = _tables()
    if _FOLDED.search(text):
        text = text.translate(radicals)
    if "〇" in text:
        text = _NUMERAL_ZERO.sub(zero, text)
    return text


def reading_text(text: str) -> str:
    """The text the parser and the prose reader read: inline markup dropped, look-alike
    characters folded. Lines stay lines, so a line number is the stored text's."""
    return fold_lookalikes(strip_inline_markup(text))
