"""Land report files in raw.documents (or raw.quarantine), and store parse results.

All SQL is parameterised: file names and texts never become part of a statement.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.db import connect, ensure_raw_schema, insert_sql, table_rows
from ingest.discover import discover_all
from ingest.extract import EXTRACTOR_VERSION, ExtractionError
from ingest.extract.worker import ExtractionWorker
from ingest.limits import MIB, IngestLimits


class AccountingError(RuntimeError):
    """Files offered to a run do not add up to landed + duplicates + quarantined."""


@dataclass(frozen=True)
class LandingSummary:
    offered: int = 0  # report files found under the input directory
    landed: int = 0  # new documents written to raw.documents
    already_landed: int = 0  # same bytes, same path as a document landed earlier
    duplicates: int = 0  # same bytes as another file (this run or earlier)
    quarantined: int = 0  # files that could not be read (or were refused: links leaving the input)

    @property
    def accounted(self) -> int:
        return self.landed + self.already_landed + self.duplicates + self.quarantined

    def __str__(self) -> str:
        return (
            f"{self.offered} files: {self.landed} landed, {self.already_landed} already landed, "
            f"{self.duplicates} duplicates, {self.quarantined} quarantined"
        )


def document_id(data: bytes) -> tuple[str, str]:
    """``(document_id, sha256)``: the id is the first 16 hex digits of the SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    return digest[:16], digest


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def land_documents(
    db_path: Path | str, input_dir: Path | str, limits: IngestLimits | None = None
) -> LandingSummary:
    """Land every report file under ``input_dir`` into the warehouse at ``db_path``.

    Same bytes land once (the first path and landing time are kept); a file that cannot
    be read goes to raw.quarantine with the reason, and the run goes on. Every file offered
    is accounted for (landed, already landed, duplicate or quarantined): the run checks the
    sum, records it in audit.landing_runs, and fails loudly if it does not add up.
    """
    limits = limits or IngestLimits.from_env()
    root = Path(input_dir).resolve()
    found = discover_all(root)
    counts = {"landed": 0, "already_landed": 0, "duplicates": 0, "quarantined": 0}
    started = _now()
    with connect(db_path) as con, ExtractionWorker(limits) as worker:
        ensure_raw_schema(con)
        known = dict(con.execute("select document_id, source_path from raw.documents").fetchall())
        con.begin()
        for rel, reason in found.refused:
            _quarantine(con, rel, None, None, reason)
            counts["quarantined"] += 1
        for rel in found.files:
            outcome = _land_one(con, root, rel, known, worker, limits)
            counts[outcome] += 1
        con.commit()
        summary = LandingSummary(offered=len(found.files) + len(found.refused), **counts)
        _record_run(con, root, started, summary)
    if summary.accounted != summary.offered:
        raise AccountingError(
            f"{summary.offered} files were offered but {summary.accounted} are accounted for "
            f"({summary}); see audit.landing_runs"
        )
    return summary


def _record_run(con: Any, root: Path, started: datetime, summary: LandingSummary) -> None:
    con.execute("create schema if not exists audit")
    con.execute(
        "create table if not exists audit.landing_runs (started_at timestamp, finished_at "
        "timestamp, input_dir varchar, offered integer, landed integer, already_landed integer, "
        "duplicates integer, quarantined integer, balanced boolean)"
    )
    con.execute(
        "insert into audit.landing_runs values (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            started,
            _now(),
            str(root),
            summary.offered,
            summary.landed,
            summary.already_landed,
            summary.duplicates,
            summary.quarantined,
            summary.accounted == summary.offered,
        ],
    )


def _land_one(
    con: Any,
    root: Path,
    rel: Path,
    known: dict[str, str],
    worker: ExtractionWorker,
    limits: IngestLimits,
) -> str:
    source_path = rel.as_posix()
    try:
        size = (root / rel).stat().st_size
        if size > limits.max_file_bytes:
            reason = (
                f"the file is {size / MIB:.1f} MiB, over the {limits.max_file_bytes / MIB:.0f} MiB "
                "limit (XXGK_MAX_FILE_MB); not read"
            )
            _quarantine(con, rel, size, None, reason)
            return "quarantined"
        data = (root / rel).read_bytes()
    except OSError as exc:
        _quarantine(con, rel, None, None, f"the file cannot be read ({exc.strerror or exc})")
        return "quarantined"
    doc_id, sha = document_id(data)
    if doc_id in known:
        _clear_quarantine(con, source_path)
        return "already_landed" if known[doc_id] == source_path else "duplicates"
    try:
        extraction = worker.extract(data, rel.suffix)
    except ExtractionError as exc:
        _quarantine(con, rel, len(data), sha, exc.reason)
        return "quarantined"
    except Exception as exc:  # a damaged file can break a third-party parser in any way
        _quarantine(con, rel, len(data), sha, f"extraction failed ({type(exc).__name__}: {exc})")
        return "quarantined"
    record = {
        "document_id": doc_id,
        "source_file": rel.name,
        "source_path": source_path,
        "size_bytes": len(data),
        "sha256": sha,
        "media_type": extraction.media_type,
        "encoding": extraction.encoding,
        "extraction_status": extraction.status,
        "text": extraction.text,
        "extractor_version": EXTRACTOR_VERSION,
        "landed_at": _now(),
    }
    con.executemany(insert_sql("documents"), table_rows("documents", [record], {}))
    _clear_quarantine(con, source_path)
    known[doc_id] = source_path
    return "landed"


def _quarantine(con: Any, rel: Path, size: int | None, sha: str | None, reason: str) -> None:
    source_path = rel.as_posix()
    _clear_quarantine(con, source_path)
    con.execute(
        insert_sql("quarantine"),
        [source_path, rel.name, size, sha, f"{source_path}: {reason}", _now()],
    )


def _clear_quarantine(con: Any, source_path: str) -> None:
    con.execute("delete from raw.quarantine where source_path = ?", [source_path])
