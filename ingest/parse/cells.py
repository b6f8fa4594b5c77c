"""Reading printed cells: numbers, units and placeholders, keeping the text as printed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

UNITS = (
    "万元",
    "亿元",
    "千元",
    "人次",
    "元",
    "万",
    "条",
    "件",
    "项",
    "个",
    "人",
    "次",
    "篇",
    "期",
    "家",
    "%",
)
_UNIT_ALT = "|".join(re.escape(u) for u in UNITS)
NUMBER = r"[-+−]?\d+(?:,\d{3})*(?:\.\d+)?"
_NUMBER_TOKEN = re.compile(rf"^({NUMBER})({_UNIT_ALT})?$")
_UNIT_SET = frozenset(UNITS)
PLACEHOLDERS = frozenset(
    {"—", "-", "--", "——", "/", "无", "空", "不适用", "N/A", "n/a", "／", "－", "–"}
)


@dataclass(frozen=True)
class CellReading:
    """One value cell: the text as printed and what it says."""

    raw_text: str
    numbers: tuple[str, ...]  # the numbers read, in order (normally one)
    unit: str | None = None

    @property
    def is_blank(self) -> bool:
        return not self.numbers


@lru_cache(maxsize=1 << 16)  # tokens (labels' words, counts) recur across rows and reports
def parse_number_token(token: str) -> tuple[str, str | None] | None:
    """'893' -> ('893', None); '80万' -> ('80', '万'); anything else -> None."""
    match = _NUMBER_TOKEN.match(token)
    if not match:
        return None
    number = match.group(1).replace("−", "-").replace(",", "").lstrip("+")
    return number, match.group(2)


def is_unit(token: str) -> bool:
    """A unit standing alone; `token` is a token or a stripped cell (no surrounding space)."""
    return token in _UNIT_SET


def is_placeholder(token: str) -> bool:
    return token.strip() in PLACEHOLDERS


@lru_cache(maxsize=1 << 16)  # cells ("0", "12", "—") recur across rows and reports
def read_cell(text: str) -> CellReading | None:
    """Read a whole table cell (from a TAB-separated line). None when it is not a value cell.

    A value cell holds numbers (each optionally followed by a unit), a placeholder, or nothing.
    Readings are immutable and shared.
    """
    raw = text.strip()
    if not raw or is_placeholder(raw):
        return CellReading(raw_text=raw, numbers=())
    tokens = raw.split()
    numbers: list[str] = []
    unit: str | None = None
    for token in tokens:
        parsed = parse_number_token(token)
        if parsed is not None:
            numbers.append(parsed[0])
            unit = parsed[1] or unit
        elif is_unit(token) and numbers:
            unit = token
        else:
            return None
    return CellReading(raw_text=raw, numbers=tuple(numbers), unit=unit)


@lru_cache(maxsize=1 << 16)  # tokens ("0", "12", "—") recur across rows and reports
def read_value_token(token: str) -> CellReading | None:
    """One space-separated token of running text read as a value cell: a number (with the
    unit glued to it) or a placeholder (a blank cell). None for anything else, a unit
    included. Readings are immutable and shared."""
    number = parse_number_token(token)
    if number is not None:
        return CellReading(raw_text=token, numbers=(number[0],), unit=number[1])
    if is_placeholder(token):
        return CellReading(raw_text=token, numbers=())
    return None
