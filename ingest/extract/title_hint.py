"""A report's title as its file carries it outside the body: a PDF's metadata /Title, an HTML
page's <title>. Only a hint for the parser (ingest.parse.DocumentHints): junk titles that
name a file or a tool rather than the report are dropped."""

from __future__ import annotations

import codecs
import re

from pdfminer.pdftypes import resolve1
from pdfminer.utils import decode_text

PDF_METADATA = "pdf_metadata"
HTML_TITLE = "html_title"

_SPACE = re.compile(r"\s+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
# what office tools and printers put before or after a file name
_TOOL_PREFIX = re.compile(
    r"^(?:microsoft\s+(?:word|excel|powerpoint)\s*-\s*|wps\s*(?:文字|office)?\s*-\s*)", re.I
)
_FILE_SUFFIX = re.compile(r"\.(?:docx?|wps|wpt|pdf|txt|html?|xlsx?|rtf|ofd)$", re.I)
_JUNK = frozenset({"untitled", "无标题", "无标题文档", "文档", "document", "标题"})


def clean_title(raw: str | None) -> str | None:
    """The title, or None when it names no report: empty, a placeholder (`untitled`), a
    tool's rendering of a file name (`Microsoft Word - 1.docx`), or ASCII only (a file
    name such as `xxgk2023`). A Chinese file name keeps its words without the suffix."""
    if raw is None:
        return None
    title = _SPACE.sub(" ", raw.replace("\x00", "")).strip()
    title = _FILE_SUFFIX.sub("", _TOOL_PREFIX.sub("", title)).strip()
    if not title or title.lower() in _JUNK or not _CJK.search(title):
        return None
    return title


def pdf_text_string(value: object) -> str | None:
    """A PDF text string (an /Info value) as text. pdfminer reads UTF-16BE (BOM FE FF) and
    PDFDocEncoding; Chinese tools (WPS, Jisupdf) also write UTF-16LE with the BOM FF FE,
    which pdfminer would read as Latin letters."""
    value = resolve1(value)
    if isinstance(value, str):
        return value
    if not isinstance(value, bytes):
        return None
    if value.startswith(codecs.BOM_UTF16_LE):
        return value[2:].decode("utf-16-le", errors="replace")
    if value.startswith(codecs.BOM_UTF8):
        return value[3:].decode("utf-8", errors="replace")
    return decode_text(value)


def pdf_title(info: list[dict]) -> str | None:
    """The cleaned /Title of a PDF's document information dictionaries (pdfminer's
    ``PDFDocument.info``), or None."""
    for entry in info:
        title = clean_title(pdf_text_string(entry.get("Title")))
        if title:
            return title
    return None
