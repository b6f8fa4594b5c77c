"""Label normalisation: make printed row labels comparable with the template's labels."""

from __future__ import annotations

import re
import unicodedata

_SPACE = re.compile(r"\s+")
# "1、" / "1．" / "1 ." after an arabic digit all mean "1."
_ARABIC_ENUM = re.compile(r"(?<=\d)[、，,．]")
_QUOTES = str.maketrans(
    {"“": '"', "”": '"', "‘": "'", "’": "'", "〈": "<", "〉": ">", "《": "<", "》": ">"}
)
_DASHES = str.maketrans({"—": "-", "–": "-", "－": "-", "―": "-", "─": "-"})
_STRAY_MARKS = re.compile(r"[-→·•*?？]+")


def normalise_label(text: str) -> str:
    """NFKC, no whitespace, unified punctuation; keeps numbering such as (一) or 1."""
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES).translate(_DASHES)
    text = _SPACE.sub("", text)
    text = _ARABIC_ENUM.sub(".", text)
    text = text.replace("：", ":")
    return _STRAY_MARKS.sub("", text)


_NUMBERING = re.compile(r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|\d+\.|其中:)+")


def strip_numbering(normalised: str) -> str:
    """Drop leading numbering markers from a normalised label: '(一)收到申请数' -> '收到申请数'."""
    return _NUMBERING.sub("", normalised)


def compact(text: str) -> str:
    """Whitespace-free NFKC form used to look for signatures in running text."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text))
