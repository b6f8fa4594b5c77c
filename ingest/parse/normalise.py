"""Label normalisation: make printed row labels comparable with the template's labels.

Every function here is pure, and the same labels and lines come back again and again (within
a document and across documents of one template), so results for short text are cached.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache, wraps
from typing import TypeVar

T = TypeVar("T")

# "1、" / "1．" / "1 ." after an arabic digit all mean "1."
_ARABIC_ENUM = re.compile(r"(?<=\d)[、，,．]")
_QUOTES = {"“": '"', "”": '"', "‘": "'", "’": "'", "〈": "<", "〉": ">", "《": "<", "》": ">"}
_DASHES = {"—": "-", "–": "-", "－": "-", "―": "-", "─": "-"}
_PUNCTUATION = str.maketrans(_QUOTES | _DASHES)  # one pass: no quote becomes a dash
_STRAY_MARKS = re.compile(r"[-→·•*?？]+")
_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+\.|其中:)+")
CACHE_SIZE = 1 << 16
CACHED_LENGTH = 300  # longer text (a page, a whole document) is computed, not kept


def cached_for_short_text(function: Callable[[str], T]) -> Callable[[str], T]:
    """`function` (pure, with an immutable result), its results for text of up to
    CACHED_LENGTH characters cached."""
    cached = lru_cache(maxsize=CACHE_SIZE)(function)

    @wraps(function)
    def wrapper(text: str) -> T:
        return cached(text) if len(text) <= CACHED_LENGTH else function(text)

    return wrapper


def nfkc(text: str) -> str:
    """`unicodedata.normalize("NFKC", text)`, line by line: a line break is a stable point
    of the normal form (nothing composes or reorders across it), so lines that are already in
    normal form (most of them) are passed through after a quick check."""
    if unicodedata.is_normalized("NFKC", text):
        return text
    if "\n" not in text:
        return unicodedata.normalize("NFKC", text)
    return "\n".join(
        line if unicodedata.is_normalized("NFKC", line) else unicodedata.normalize("NFKC", line)
        for line in text.split("\n")
    )


def without_spaces(text: str) -> str:
    """The text with every whitespace character removed (str.split's whitespace is \\s)."""
    return "".join(text.split())


@cached_for_short_text
def normalise_label(text: str) -> str:
    """NFKC, no whitespace, unified punctuation; keeps numbering such as (一) or 1."""
    # the compact form first: quotes and dashes map to non-space characters one for one, so
    # removing whitespace before unifying them gives the same label (and shares the cache)
    text = compact(text).translate(_PUNCTUATION)
    text = _ARABIC_ENUM.sub(".", text)
    text = text.replace("：", ":")
    return _STRAY_MARKS.sub("", text)


@cached_for_short_text
def strip_numbering(normalised: str) -> str:
    """Drop leading numbering markers from a normalised label: '(一)收到申请数' -> '收到申请数'."""
    return _NUMBERING.sub("", normalised)


def compact(text: str) -> str:
    """Whitespace-free NFKC form used to look for signatures in running text."""
    if len(text) <= CACHED_LENGTH:
        return _compact_short(text)
    return _compact_long(text)


def _compact(text: str) -> str:
    return without_spaces(nfkc(text))


_compact_short = lru_cache(maxsize=CACHE_SIZE)(_compact)


def _compact_lines(text: str) -> str:
    """`_compact(text)`, line by line: a line break is a stable point of the normal form and
    is whitespace, so the text's compact form is its lines' compact forms joined. Lines are
    short and recur (a template's labels and captions): they are compacted through the
    cache."""
    return "".join(
        [
            _compact_short(line) if len(line) <= CACHED_LENGTH else _compact(line)
            for line in text.split("\n")
        ]
    )


# a document's opening is compacted by several readers of its attributes: keep the last few
_compact_long = lru_cache(maxsize=8)(_compact_lines)
