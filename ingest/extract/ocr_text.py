"""Numbers in OCR'd text: the glyphs OCR confuses in them (seeds/ocr_confusions.csv).

Only a cell that is otherwise a number is mapped (``1O5`` → ``105``, ``l2`` → ``12``): a label
keeps every glyph as read. The engine's own reading stays in raw.ocr_boxes.text.
"""

from __future__ import annotations

import csv
import re
from functools import cache
from pathlib import Path

CONFUSIONS = Path(__file__).resolve().parents[2] / "seeds" / "ocr_confusions.csv"
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
_GROUPED = re.compile(r"(?<=\d)[,，](?=\d{3}(?:\D|$))")  # thousands separators


@cache
def confusions() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    """(letter glyph -> digit, digit -> the digits it may have been read in place of)."""
    letters: dict[str, str] = {}
    digits: dict[str, list[str]] = {}
    with CONFUSIONS.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["kind"] == "letter":
                letters[row["glyph"]] = row["reads_as"]
            else:
                digits.setdefault(row["glyph"], []).append(row["reads_as"])
    return letters, {glyph: tuple(options) for glyph, options in digits.items()}


def as_number(text: str, lone_glyph: bool) -> str | None:
    """``text`` read as a number with the confused glyphs mapped, or None when it is not
    one. A text without any digit counts only when ``lone_glyph`` allows it and it is one
    glyph (a table cell holding ``O``)."""
    compact = _GROUPED.sub("", text.strip().replace(" ", ""))
    if not compact or _NUMBER.match(compact):
        return None  # nothing to map
    letters, _ = confusions()
    mapped = "".join(letters.get(glyph, glyph) for glyph in compact)
    if not _NUMBER.match(mapped):
        return None
    if not any(glyph.isdigit() for glyph in compact) and not (lone_glyph and len(compact) == 1):
        return None
    return mapped


def map_numbers(text: str, whole_cell: bool) -> str:
    """A cell's (``whole_cell``) or a line's text with its numbers' confused glyphs mapped;
    in a line, each space-separated token is judged alone."""
    if whole_cell:
        return as_number(text, lone_glyph=True) or text
    return " ".join(as_number(token, lone_glyph=False) or token for token in text.split(" "))


def digit_alternatives(number: str) -> list[str]:
    """Other readings of ``number`` with one digit replaced by one it is confused with."""
    _, digits = confusions()
    out = []
    for index, glyph in enumerate(number):
        for other in digits.get(glyph, ()):
            candidate = number[:index] + other + number[index + 1 :]
            if candidate != number and not (len(candidate) > 1 and candidate[0] == "0"):
                out.append(candidate)
    return out
