"""Cut a line that prints a whole table as running text into label and value segments.

Crawled HTML often loses the table markup, leaving `规章000规范性文件898989第二十条第（五）项…`
on one line. Each maximal run of digits outside parentheses becomes a value segment; a single
digit directly followed by `.`/`、` and a CJK character is a row number (`00000002.其他法律…`
is the run 0000000 and the row 2.其他法律…) and stays with the label. A unit printed after a
count label (`信息总数条2121`) goes with the values as the unit column, and a placeholder printed
among or before the numbers (`网站公开 条 — 3`) goes with them as a blank cell.
"""

from __future__ import annotations

import re

from ingest.parse.cells import PLACEHOLDERS, UNITS
from ingest.parse.normalise import cached_for_short_text

_CJK = r"\u4e00-\u9fff"
_UNIT_ALT = "|".join(re.escape(u) for u in UNITS if u != "%")
_NUM = r"-?\d+(?:,\d{3})*(?:\.\d+)?"
# a run of numbers, optionally with units after them, separated by spaces
# a unit after a number: money units always, count units only when no CJK word follows
_UNIT_AFTER = rf"(?:\s*(?:万元|亿元|元)|\s*(?:{_UNIT_ALT})(?![{_CJK}]))?"
# a placeholder (a blank cell) standing as a token of its own
_BLANK_ALT = "|".join(re.escape(p) for p in sorted(PLACEHOLDERS, key=len, reverse=True))
_BLANK = rf"(?:{_BLANK_ALT})(?!\S)"
_VALUE_RUN = re.compile(rf"{_NUM}{_UNIT_AFTER}(?:\s+(?:{_NUM}{_UNIT_AFTER}|{_BLANK}))*")
_ROW_NUMBER = re.compile(rf"\d[.、．]\s*[{_CJK}“\"《]")
# digits between CJK text; a count with its unit ending a cell (`条 0条`) is not glue
_GLUE = re.compile(rf"[{_CJK}）)”\"]\s*\d+(?!(?:{_UNIT_ALT})(?:\s|$))[.、．]?\s*[{_CJK}（(]")
# the unit column just before the values: after a count label (…数条) or standing alone (… 条)
_LEADING_UNIT = re.compile(rf"(?:(?<=数)|(?<=[）)])|\s)({_UNIT_ALT})\s*$")
# blank cells just before the values, after the label (and its unit column): read backwards
# from the label's end, anchored there. Searched forwards, `(?:\s+BLANK)+\s*$` tries every
# blank of a long run as a start and scans to the run's end from each: quadratic.
_BLANK_REVERSED = "|".join(re.escape(p[::-1]) for p in sorted(PLACEHOLDERS, key=len, reverse=True))
_LEADING_BLANKS_REVERSED = re.compile(rf"\s*(?:(?:{_BLANK_REVERSED})\s+)+")
_DIGITS = re.compile(r"\d+")


@cached_for_short_text  # every line is asked, and a template's lines recur across reports
def looks_glued(text: str) -> bool:
    """A line holding several table rows: CJK-digits-CJK patterns outside prose-length limits."""
    if "\t" in text:
        return False
    return len(_GLUE.findall(text)) >= 2 or (len(text) > 150 and len(_DIGITS.findall(text)) >= 6)


def leading_blanks(label: str) -> str:
    """The blank cells (placeholders standing as tokens, with the spaces before them) that
    end ``label``, or "" when none does."""
    found = _LEADING_BLANKS_REVERSED.match(label[::-1])
    return label[len(label) - found.end() :] if found else ""


def unglue(text: str) -> list[str]:
    segments: list[str] = []
    label_start = 0
    depth = 0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if depth == 0 and (
            ch.isdigit() or (ch == "-" and i + 1 < len(text) and text[i + 1].isdigit())
        ):
            run = _VALUE_RUN.match(text, i)
            if run:
                end = run.end()
                value = run.group(0)
                # the last digit may be the next row's number: '…00000002.其他法律…'
                if end < len(text) and _ROW_NUMBER.match(text, end - 1) and value[-1].isdigit():
                    end -= 1
                    value = value[:-1]
                if value.strip():
                    label = text[label_start:i]
                    blanks = leading_blanks(label)
                    if blanks:
                        label = label[: len(label) - len(blanks)]
                        value = f"{blanks.strip()} {value}"
                    unit = _LEADING_UNIT.search(label)
                    if unit:
                        label = label[: unit.start()]
                        value = f"{unit.group(1)} {value}"
                    if label.strip():
                        segments.append(label.strip())
                    segments.append(value.strip())
                    label_start = end
                    i = end
                    continue
        i += 1
    tail = text[label_start:]
    if tail.strip():
        segments.append(tail.strip())
    return segments
