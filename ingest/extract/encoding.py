"""Decode report bytes: UTF-8 first, then the Chinese legacy encodings, never a silent guess."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from ingest.extract.types import ExtractionError

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# Candidates for non-UTF-8 text. GBK and GB2312 are subsets of GB18030, which is what we read.
_CANDIDATES = ["gb18030", "gbk", "gb2312", "big5", "big5hkscs"]
_AS_READ = {"gbk": "gb18030", "gb2312": "gb18030", "cp936": "gb18030"}
_FAMILY = {"gb18030": "gb", "big5": "big5", "big5hkscs": "big5"}
_MAX_CHAOS = 0.2


def _codec_name(name: str) -> str:
    return codecs.lookup(name).name


def decode_text(data: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)`` for ``data``.

    Order: a byte-order mark; strict UTF-8; an encoding the document itself declares
    (``declared``, e.g. an HTML meta charset) if it decodes strictly; then charset-normalizer
    restricted to GB18030/GBK/GB2312/Big5. Raises :class:`ExtractionError` when the bytes are
    empty, binary, or no candidate decodes them cleanly and unambiguously.
    """
    if not data:
        raise ExtractionError("the file is empty")
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return _checked(data.decode(encoding)), encoding
            except UnicodeDecodeError as exc:
                raise ExtractionError(
                    f"the file starts with a {encoding} byte-order mark but is not valid "
                    f"{encoding} (byte {exc.start})"
                ) from exc
    if b"\x00" in data:
        utf16 = _utf16_without_bom(data)
        if utf16 is None:
            raise ExtractionError("the file contains NUL bytes: it is binary, not text")
        return utf16
    try:
        return _checked(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as exc:
        _refuse_mixed_utf8(data, exc.start)
    if declared:
        codec = _declared_codec(declared)
        if codec is not None:
            try:
                return _checked(data.decode(codec)), codec
            except UnicodeDecodeError:
                pass
    return _detect_chinese(data)


# UTF-16 without a byte-order mark: the NUL bytes are the high bytes of the ASCII characters
# (digits, spaces, line breaks), mostly at odd offsets (little-endian) or at even ones
UTF16_NUL_SHARE = 0.75  # of the NUL bytes on the side of the byte order (U+xx00 add some)
UTF16_TEXT_SHARE = 0.95  # of the characters decoded: CJK, ASCII text, punctuation, space
_TEXT_CHAR = re.compile(
    "[\t\n\r\x20-\x7e\u00a0-\u00ff\u2000-\u206f\u3000-\u303f\u3400-\u4dbf"
    "\u4e00-\u9fff\uff00-\uffef]"
)


def _utf16_without_bom(data: bytes) -> tuple[str, str] | None:
    """``(text, encoding)`` when ``data`` reads as UTF-16 text without a byte-order mark, else
    None: an even length, the NUL bytes on one side, a strict decode, and text (CJK, ASCII,
    punctuation) nearly throughout; random binary decodes to arbitrary code points."""
    if len(data) % 2:
        return None
    odd = data[1::2].count(0)
    even = data[0::2].count(0)
    if max(odd, even) < UTF16_NUL_SHARE * (odd + even):
        return None
    encoding = "utf-16-le" if odd > even else "utf-16-be"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError:
        return None
    if "\x00" in text or len(_TEXT_CHAR.findall(text)) < UTF16_TEXT_SHARE * len(text):
        return None
    return text, encoding


MIXED_UTF8_CHARS = 8


def _refuse_mixed_utf8(data: bytes, first_bad: int) -> None:
    """Chinese UTF-8 text followed by bytes that are not UTF-8 is a file of mixed encodings;
    decoding it all as GB18030 would silently garble the UTF-8 part."""
    prefix = data[:first_bad].decode("utf-8")
    multibyte = sum(1 for ch in prefix if ord(ch) > 0x7F)
    if multibyte >= MIXED_UTF8_CHARS:
        raise ExtractionError(
            f"the file mixes encodings: its first {first_bad} bytes are UTF-8 "
            f"({multibyte} non-ASCII characters) but byte {first_bad} is not; "
            "re-save it in one encoding"
        )


def _declared_codec(declared: str) -> str | None:
    try:
        name = _codec_name(declared.strip())
    except LookupError:
        return None
    return _AS_READ.get(name, name)


def _detect_chinese(data: bytes) -> tuple[str, str]:
    matches = [m for m in from_bytes(data, cp_isolation=_CANDIDATES) if m.chaos <= _MAX_CHAOS]
    if not matches:
        raise ExtractionError(
            "the text is neither UTF-8 nor cleanly decodable as GB18030/GBK or Big5; "
            "its encoding cannot be determined"
        )
    best = matches[0]
    encoding = _AS_READ.get(_codec_name(best.encoding), _codec_name(best.encoding))
    rivals = [
        m
        for m in matches[1:]
        if _FAMILY.get(_codec_name(m.encoding)) != _FAMILY.get(encoding)
        and (m.chaos, m.coherence) == (best.chaos, best.coherence)
    ]
    if rivals:
        raise ExtractionError(
            f"the encoding is ambiguous: {encoding} and {rivals[0].encoding} read the bytes "
            "equally well"
        )
    try:
        return _checked(data.decode(encoding)), encoding
    except UnicodeDecodeError as exc:
        raise ExtractionError(
            f"the text looks like {encoding} but byte {exc.start} is not valid {encoding}"
        ) from exc


def _checked(text: str) -> str:
    if "\x00" in text:
        raise ExtractionError("the file contains NUL characters: it is binary, not text")
    return text
