"""Markdown reports (`.md`, `.markdown`), as PDF converters (markitdown, MinerU, marker,
docling) and people write them.

Read line by line, because converters' tables are often broken (cut at merged cells, a
`|---|` row mid-table, rows without a header): a pipe row is a table row wherever it stands.
Each table row becomes one line of TAB-separated cells, the layout every other extractor
gives a table row (ingest/extract/html.py); a `|---|` separator row vanishes; `\\|` is a pipe
inside a cell. An HTML `<table>` inside the Markdown is read by the HTML extractor's table
code. A `#` heading is its text alone. Every other line is kept as text, one line each, so a
line of the stored text is one table row or one line of the source.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from ingest.extract.encoding import decode_text
from ingest.extract.html import table_rows
from ingest.extract.types import Extraction, normalise_newlines
from ingest.limits import IngestLimits

_HEADING = re.compile(r" {0,3}#{1,6}(?=\s|$)")
_SEPARATOR_CELL = re.compile(r"^:?-{1,}:?$")
_RULE = re.compile(r"^ {0,3}(?:(?:-\s*){3,}|(?:\*\s*){3,}|(?:_\s*){3,}|=+)$")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark: a backslash before ASCII punctuation
# bounded, so that no line costs more than linear time however it is made
_LINK = re.compile(r"!?\[([^\[\]]{0,300})\]\([^()\s]{0,500}\)")
_BREAK = re.compile(r"<br\s*/?>", re.I)
_TABLE_OPEN = re.compile(r"<table\b", re.I)
_TABLE_CLOSE = re.compile(r"</table\s*>", re.I)
_SPACE = re.compile(r"[ \t\f\v]+")


def extract_markdown(data: bytes, limits: IngestLimits | None = None) -> Extraction:
    source, encoding = decode_text(data)
    lines = markdown_lines(normalise_newlines(source).split("\n"))
    text = "\n".join(lines) + ("\n" if lines else "")
    return Extraction(text=normalise_newlines(text), encoding=encoding, media_type="md")


def markdown_lines(source: list[str]) -> list[str]:
    """The text lines of Markdown ``source`` lines (see the module docstring)."""
    out: list[str] = []
    i = 0
    while i < len(source):
        line = source[i]
        opened = _TABLE_OPEN.search(line)
        if opened:
            i = _html_table(source, i, opened.start(), out)
            continue
        out.extend(_line(line))
        i += 1
    return out


def _line(line: str) -> list[str]:
    """A Markdown line as zero or one text lines."""
    stripped = line.strip()
    if not stripped or _RULE.match(stripped):
        return []
    if stripped.startswith("|") or (stripped.endswith("|") and "|" in stripped[:-1]):
        cells = pipe_cells(stripped)
        if cells is None:
            return []
        return ["\t".join(cells)] if any(cells) else []
    text = _inline(_heading_text(line) or stripped)
    return [text] if text else []


def _heading_text(line: str) -> str | None:
    """An ATX heading's text (`## 三、… ##` -> `三、…`), or None for another line."""
    heading = _HEADING.match(line)
    if heading is None:
        return None
    text = line[heading.end() :].strip()
    closed = text.rstrip("#")
    if closed != text and (not closed or closed[-1] in " \t"):
        text = closed.strip()
    return text


def pipe_cells(row: str) -> list[str] | None:
    """The cells of a pipe-table row, or None for a separator row (`| --- | :-: |`)."""
    body = row.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    cells = [cell.strip() for cell in _UNESCAPED_PIPE.split(body)]
    if cells and all(_SEPARATOR_CELL.match(cell) for cell in cells):
        return None
    return [_inline(_BREAK.sub("", cell)) for cell in cells]


def _inline(text: str) -> str:
    """Text without Markdown's inline marks: strong emphasis, links, escapes."""
    text = _LINK.sub(r"\1", text).replace("**", "")
    text = _ESCAPE.sub(r"\1", text)
    return _SPACE.sub(" ", text).strip()


def _html_table(source: list[str], i: int, start: int, out: list[str]) -> int:
    """Read an HTML table starting at column ``start`` of line ``i`` into ``out`` (its text
    before the table, its rows, and its text after): the index of the next line to read."""
    before = source[i][:start]
    out.extend(_line(before))
    parts = [source[i][start:]]
    j = i
    depth = _depth(parts[0])
    while depth > 0 and j + 1 < len(source):  # nested tables close with their parent
        j += 1
        parts.append(source[j])
        depth += _depth(source[j])
    markup = "\n".join(parts)
    closing = list(_TABLE_CLOSE.finditer(markup))
    end = closing[-1].end() if closing else len(markup)
    soup = BeautifulSoup(markup[:end], "html.parser")
    for table in soup.find_all("table"):
        if isinstance(table, Tag) and table.find_parent("table") is None:
            out.extend("\t".join(row) for row in table_rows(table) if any(row))
    out.extend(_line(markup[end:]))
    return j + 1


def _depth(line: str) -> int:
    """Tables a line opens minus those it closes."""
    return len(_TABLE_OPEN.findall(line)) - len(_TABLE_CLOSE.findall(line))
