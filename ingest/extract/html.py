"""HTML reports: block elements become lines, table rows become TAB-separated lines."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag
from bs4.element import Comment, Doctype, ProcessingInstruction

from ingest.extract.encoding import decode_text
from ingest.extract.title_hint import HTML_TITLE, clean_title
from ingest.extract.types import Extraction, ExtractionError, normalise_newlines
from ingest.limits import IngestLimits

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_\-]+)""", re.I)
_SPACE = re.compile(r"[ \t\r\n\f\v]+")
_SKIP = {"script", "style", "noscript", "head", "template", "iframe", "svg"}
_PREFORMATTED = frozenset({"pre", "xmp", "listing", "plaintext"})
_BLOCK = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "center",
        "dd",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "title",
        "tr",
        "ul",
    ]
)


def extract_html(data: bytes, limits: IngestLimits | None = None) -> Extraction:
    match = _META_CHARSET.search(data[:4096])
    declared = match.group(1).decode("ascii") if match else None
    markup, encoding = decode_text(data, declared=declared)
    soup = BeautifulSoup(markup, "html.parser")
    lines: list[str] = []
    try:
        _Walker(lines).walk(soup)
    except RecursionError as exc:
        raise ExtractionError(
            "the HTML is nested too deeply to read (deeper than Python's recursion limit)"
        ) from exc
    text = "\n".join(lines) + ("\n" if lines else "")
    title = page_title(soup)
    return Extraction(
        text=normalise_newlines(text),
        encoding=encoding,
        media_type="html",
        title_hint=title,
        title_source=HTML_TITLE if title else None,
    )


def page_title(soup: BeautifulSoup) -> str | None:
    """The page's <title> (outside the body, so not in the text), when it names the report."""
    title = soup.find("title")
    return clean_title(title.get_text(" ")) if isinstance(title, Tag) else None


def _clean(text: str) -> str:
    return _SPACE.sub(" ", text).strip()


def cell_text(cell: Tag) -> str:
    return _clean(cell.get_text(" "))


def table_rows(table: Tag) -> list[list[str]]:
    """The table's rows as their own cells, left to right: a spanned cell stands once, at its
    top-left grid position, and the positions it covers are left out. A blank cell
    (`&nbsp;`) is an empty string, so value columns stay aligned with their headers' cells."""
    taken: set[tuple[int, int]] = set()
    rows = [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]
    out: list[list[str]] = []
    for r, tr in enumerate(rows):
        c = 0
        cells: list[str] = []
        for cell in tr.find_all(["td", "th"], recursive=False):
            while (r, c) in taken:
                c += 1
            rowspan = _span(cell.get("rowspan"))
            colspan = _span(cell.get("colspan"))
            for dr in range(rowspan):
                for dc in range(colspan):
                    taken.add((r + dr, c + dc))
            cells.append(cell_text(cell))
            c += colspan
        out.append(cells)
    return out


def _span(value: object) -> int:
    try:
        return max(1, min(int(str(value).strip()), 1000))
    except (TypeError, ValueError):
        return 1


class _Walker:
    """Collects lines in document order."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.buffer: list[str] = []

    def flush(self) -> None:
        line = _clean("".join(self.buffer))
        if line:
            self.lines.append(line)
        self.buffer.clear()

    def walk(self, node: Tag) -> None:
        self._visit(node)
        self.flush()

    def _visit(self, node: Tag) -> None:
        for child in node.children:
            if isinstance(child, (Comment, Doctype, ProcessingInstruction)):
                continue
            if isinstance(child, NavigableString):
                self.buffer.append(str(child))
                continue
            if not isinstance(child, Tag) or child.name in _SKIP:
                continue
            if child.name == "br":
                self.flush()
            elif child.name in _PREFORMATTED:  # its line breaks are the text's lines
                self.flush()
                self.lines.extend(
                    line for line in map(_clean, child.get_text().splitlines()) if line
                )
            elif child.name == "table":
                self.flush()
                for row in table_rows(child):
                    if any(row):
                        self.lines.append("\t".join(row))
            elif child.name in _BLOCK:
                self.flush()
                self._visit(child)
                self.flush()
            else:
                self._visit(child)
