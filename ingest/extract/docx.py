"""Word (.docx) reports: paragraphs and tables in body order."""

from __future__ import annotations

import io
import re
import zipfile

from docx import Document
from docx.opc.exceptions import PackageNotFoundError
from docx.table import Table

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
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            lines.extend("\t".join(row) for row in table_rows(block) if any(row))
        else:
            text = block.text.strip()
            if text:
                lines.append(text)
    text = "\n".join(lines) + ("\n" if lines else "")
    return Extraction(text=normalise_newlines(text), encoding=None, media_type="docx")


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
            element = cell._tc
            if element not in seen:
                out.append(_SPACE.sub(" ", cell.text).strip())
            seen.add(element)
        rows.append(out)
    return rows
