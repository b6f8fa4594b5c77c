"""Retire landed documents, keeping their history.

A retired document keeps its raw.documents row, its text and its parse; it gets
``retired_at`` and ``retired_reason``, and int_reports (so every mart) leaves it out from
the next build on. Nothing is deleted: audit.retirements logs each retirement, and offering
the same bytes again restores the document (ingest/land.py).

What each way of retiring means:

* by document id: that document;
* by path (relative to the inbox): the document the file at that path holds now (its last
  landing, meta.landed_files), not the earlier versions of the file (landing retired those
  as superseded when the file changed);
* ``--missing-from INBOX`` (:func:`missing_from_inbox`): every active document whose bytes
  no file under the inbox holds any more: its file was deleted, or changed (an old version).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


def record_retirements(con: Any, retirements: Iterable[tuple[str, str, str]]) -> None:
    """Retire ``(document_id, source_path, reason)`` through ``con`` (inside the caller's
    transaction) and log each in audit.retirements."""
    rows = list(retirements)
    if not rows:
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    con.execute("create schema if not exists audit")
    con.execute(RETIREMENTS_DDL)
    con.executemany(
        "update raw.documents set retired_at = ?, retired_reason = ? where document_id = ?",
        [(now, reason, doc_id) for doc_id, _, reason in rows],
    )
    con.executemany(
        "insert into audit.retirements values (?, ?, ?, ?)",
        [(doc_id, path, now, reason) for doc_id, path, reason in rows],
    )


def _file_index(con: Any) -> dict[str, tuple[str, tuple[int, ...]]]:
    """source_path -> (document_id, stamp) of meta.landed_files (empty without the table)."""
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'meta' and table_name = 'landed_files'"
    ).fetchone()
    if not found or not found[0]:
        return {}
    rows = con.execute(
        "select source_path, document_id, device, inode, size_bytes, mtime_ns, ctime_ns "
        "from meta.landed_files"
    ).fetchall()
    return {path: (doc, tuple(stamp)) for path, doc, *stamp in rows}


def _stamp(path: Path) -> tuple[int, ...] | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


def missing_from_inbox(db_path: Path | str, inbox: Path | str) -> list[str]:
    """Active documents whose bytes no file under ``inbox`` holds any more. A file whose
    stamp is the one its last landing recorded still holds that landing's document (as
    landing assumes); the other files are hashed when their size is that of a document not
    found yet (a renamed or copied file keeps its document; an edited one does not). A path
    that cannot be read is passed over: its document counts as gone only if no other file
    holds its bytes."""
    root = Path(inbox).resolve()
    if not root.is_dir():
        raise RetireError(f"inbox not found: {root}")
    files = discover_all(root).files
    with connect(db_path, read_only=True) as con:
        active = con.execute(
            "select document_id, size_bytes, sha256 from raw.documents where retired_at is null"
        ).fetchall()
        index = _file_index(con)
    present: set[str] = set()
    unknown: list[Path] = []
    for rel in files:
        indexed = index.get(rel.as_posix())
        if indexed is not None and _stamp(root / rel) == indexed[1]:
            present.add(indexed[0])
        else:
            unknown.append(rel)
    gone = {doc_id: (size, sha) for doc_id, size, sha in active if doc_id not in present}
    sizes = {size for size, _ in gone.values()}
    hashes = set()
    for rel in unknown:
        path = root / rel
        try:
            if path.stat().st_size in sizes:
                hashes.add(hashlib.sha256(path.read_bytes()).hexdigest())
        except OSError:
            continue
    return sorted(doc_id for doc_id, (_, sha) in gone.items() if sha not in hashes)


def _current_at(con: Any, paths: list[str]) -> dict[str, str]:
    """path -> the document the file at that path holds now: its last landing's, or the
    last landed active document first landed from it."""
    index = _file_index(con)
    current = {path: index[path][0] for path in paths if path in index}
    rest = [path for path in paths if path not in current]
    if rest:
        rows = con.execute(
            "select source_path, arg_max(document_id, landed_at) from raw.documents "
            "where source_path in (select unnest(?)) and retired_at is null group by 1",
            [rest],
        ).fetchall()
        current.update(dict(rows))
    return current


def retire_documents(db_path: Path | str, references: Iterable[str], reason: str) -> RetireSummary:
    """Retire the documents named by id, or by path (relative to the inbox: the document the
    file there holds now), in one transaction. An unknown reference is an error and nothing
    is retired."""
    wanted = list(dict.fromkeys(references))
    with connect(db_path) as con:
        ensure_raw_schema(con)
        by_id = {
            doc_id
            for (doc_id,) in con.execute(
                "select document_id from raw.documents where document_id in (select unnest(?))",
                [wanted],
            ).fetchall()
        }
        by_path = _current_at(con, [ref for ref in wanted if ref not in by_id])
        unknown = [ref for ref in wanted if ref not in by_id and ref not in by_path]
        if unknown:
            raise RetireError(
                "not a landed document (give a document_id or its source_path): "
                + ", ".join(unknown)
            )
        ids = sorted(by_id | set(by_path.values()))
        rows = con.execute(
            "select document_id, source_path, retired_at from raw.documents "
            "where document_id in (select unnest(?)) order by document_id",
            [ids],
        ).fetchall()
        to_retire = [(doc_id, path) for doc_id, path, retired in rows if retired is None]
        con.begin()
        record_retirements(con, [(doc_id, path, reason) for doc_id, path in to_retire])
        con.commit()
    return RetireSummary(retired=to_retire, already_retired=len(rows) - len(to_retire))
