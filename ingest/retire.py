"""Retire landed documents whose files left the inbox, keeping their history.

A retired document keeps its raw.documents row, its text and its parse; it gets
``retired_at`` and ``retired_reason``, and int_reports (so every mart) leaves it out from
the next build on. Nothing is deleted: audit.retirements logs each retirement, and offering
the same bytes again restores the document (ingest/land.py).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from ingest.db import connect, ensure_raw_schema
from ingest.discover import discover_all

RETIREMENTS_DDL = """
create table if not exists audit.retirements (
    document_id varchar not null,
    source_path varchar not null,
    retired_at timestamp not null,
    reason varchar not null
)
"""


class RetireError(ValueError):
    """A document named for retirement is not in the warehouse."""


@dataclass(frozen=True)
class RetireSummary:
    retired: list[tuple[str, str]]  # (document_id, source_path) retired now
    already_retired: int

    def __str__(self) -> str:
        return f"{len(self.retired)} retired, {self.already_retired} already retired"


def missing_from_inbox(db_path: Path | str, inbox: Path | str) -> list[str]:
    """Active documents none of whose bytes are under ``inbox`` any more: their landing path
    is gone, and no file of the same size there has the same SHA-256 (a renamed or copied
    file keeps its document)."""
    root = Path(inbox).resolve()
    if not root.is_dir():
        raise RetireError(f"inbox not found: {root}")
    files = discover_all(root).files
    present = {path.as_posix() for path in files}
    with connect(db_path, read_only=True) as con:
        active = con.execute(
            "select document_id, source_path, size_bytes, sha256 from raw.documents "
            "where retired_at is null"
        ).fetchall()
    gone = [(doc_id, size, sha) for doc_id, path, size, sha in active if path not in present]
    if not gone:
        return []
    sizes = {size for _, size, _ in gone}
    hashes = set()
    for rel in files:
        path = root / rel
        try:
            if path.stat().st_size in sizes:
                hashes.add(hashlib.sha256(path.read_bytes()).hexdigest())
        except OSError:
            continue
    return [doc_id for doc_id, _, sha in gone if sha not in hashes]


def retire_documents(db_path: Path | str, references: Iterable[str], reason: str) -> RetireSummary:
    """Retire the documents named by id or landing path (relative to the inbox), in one
    transaction. An unknown reference is an error and nothing is retired."""
    wanted = list(dict.fromkeys(references))
    now = datetime.now(UTC).replace(tzinfo=None)
    with connect(db_path) as con:
        ensure_raw_schema(con)
        con.execute("create schema if not exists audit")
        con.execute(RETIREMENTS_DDL)
        rows = con.execute(
            "select document_id, source_path, retired_at from raw.documents "
            "where document_id in (select unnest(?)) or source_path in (select unnest(?))",
            [wanted, wanted],
        ).fetchall()
        found = {doc_id for doc_id, _, _ in rows} | {path for _, path, _ in rows}
        unknown = [ref for ref in wanted if ref not in found]
        if unknown:
            raise RetireError(
                "not a landed document (give a document_id or its source_path): "
                + ", ".join(unknown)
            )
        to_retire = [(doc_id, path) for doc_id, path, retired in rows if retired is None]
        con.begin()
        for doc_id, path in to_retire:
            con.execute(
                "update raw.documents set retired_at = ?, retired_reason = ? where document_id = ?",
                [now, reason, doc_id],
            )
            con.execute(
                "insert into audit.retirements values (?, ?, ?, ?)", [doc_id, path, now, reason]
            )
        con.commit()
    return RetireSummary(retired=to_retire, already_retired=len(rows) - len(to_retire))
