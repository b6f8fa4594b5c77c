"""Word (.docx) reports: paragraphs and tables in body order."""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

from ingest.adapters.python_docx import cell_element
from ingest.extract.types import Extraction, ExtractionError, normalise_newlines
from ingest.limits import MIB, IngestLimits

_SPACE = re.compile(r"\s+")


def check_unpacked_size(data: bytes, limit: int) -> None:
    """A .docx is a zip: refuse one that would unpack to more than ``limit`` bytes."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ExtractionError(f"the file is not a readable Word .docx document ({exc})") from exc
    if unpacked > limit:
        raise ExtractionError(
            f"the .docx would unpack to {unpacked / MIB:.0f} MiB, over the "
            f"{limit / MIB:.0f} MiB limit (XXGK_MAX_UNPACKED_MB): refused as a zip bomb"
        )


def extract_docx(data: bytes, limits: IngestLimits | None = None) -> Extraction:
    check_unpacked_size(data, (limits or IngestLimits()).max_unpacked_bytes)
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"the file is not a readable Word .docx document ({exc})") from exc
    lines: list[str] = []
    _content_lines(document, lines)
    text = "\n".join(lines) + ("\n" if lines else "")
    return Extraction(text=normalise_newlines(text), encoding=None, media_type="docx")


MAX_NESTING = 20  # tables inside tables deeper than this are read as plain cells


def _content_lines(container: object, lines: list[str], depth: int = 0) -> None:
    """The lines of a document body (or a table cell): paragraphs and tables in order."""
    for block in container.iter_inner_content():  # type: ignore[attr-defined]
        if isinstance(block, Table):
            if depth < MAX_NESTING and _holds_tables(block):
                _layout_lines(block, lines, depth + 1)
            else:
                lines.extend("\t".join(row) for row in table_rows(block) if any(row))
        else:
            text = block.text.strip()
            if text:
                lines.append(text)


def _holds_tables(table: Table) -> bool:
    return any(cell.tables for row in table.rows for cell in row.cells)


def _layout_lines(table: Table, lines: list[str], depth: int) -> None:
    """A layout table (its cells hold tables: a whole report laid out in a frame): each
    cell's content in reading order, as if the frame were not there."""
    seen: set[object] = set()
    for row in table.rows:
        for cell in row.cells:
            if cell_element(cell) not in seen:  # a merged cell once
                seen.add(cell_element(cell))
                _content_lines(cell, lines, depth)


def table_rows(table: Table) -> list[list[str]]:
    """Rows of their own cells; a merged cell stands once, at its first grid position, and the
    positions it covers are left out (as for HTML tables)."""
    # python-docx repeats a merged cell at every grid position it covers; the set holds the
    # cell elements themselves (lxml proxies stay identical only while referenced)
    seen: set[object] = set()
    rows: list[list[str]] = []
    for row in table.rows:
        out: list[str] = []
        for cell in row.cells:
            element = cell_element(cell)
            if element not in seen:
                out.append(_SPACE.sub(" ", cell.text).strip())
            seen.add(element)
        rows.append(out)
    return rows
