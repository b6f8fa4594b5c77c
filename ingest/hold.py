"""Landed documents held back from the marts, visibly: a row in raw.quarantine.

One bad document must not stop every run (a scheduled run would then never publish again).
A document the parser cannot read within its time limit (or at all), or whose rows fail an
expectation of the Great Expectations gate, is **held back**: raw.quarantine gets a row for
its path with the reason (the failed expectation, the time limit), its ``document_id`` and
the parser version that read it. Its raw.documents row, text and parse stay; the view
``raw.held_back`` (ingest/db.py) lists it, and every mart leaves it out from the next build
(int_reports), as the build plan does (transform/build_state.py). The rest is published.

A hold ends when what it judged changes: the file at its path gets other bytes (landing
clears the path's quarantine row, and the new document supersedes the held one), or another
parser version is installed (:func:`release_outdated`: the document is parsed again).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

# holds whose parser version is not the running one: their documents are parsed again
RELEASE_OUTDATED = (
    "delete from raw.quarantine where document_id is not null and parser_version <> ?"
)


@dataclass(frozen=True)
class Hold:
    """A landed document to hold back, and why (a sentence)."""

    document_id: str
    reason: str


def hold_back(con: Any, holds: Iterable[Hold], parser_version: str) -> int:
    """Quarantine the landed documents of ``holds`` (inside the caller's transaction): one
    raw.quarantine row per document, at its landing path. Returns how many were held."""
    rows = [(hold.document_id, hold.reason) for hold in holds]
    if not rows:
        return 0
    now = datetime.now(UTC).replace(tzinfo=None)
    con.executemany(
        """
        insert or replace into raw.quarantine
            (source_path, source_file, size_bytes, sha256, reason, quarantined_at,
             document_id, parser_version)
        select source_path, source_file, size_bytes, sha256,
               source_path || ': held back from the marts: ' || ?, ?, document_id, ?
        from raw.documents where document_id = ?
        """,
        [(reason, now, parser_version, document_id) for document_id, reason in rows],
    )
    return len(rows)


def release_outdated(con: Any, parser_version: str) -> None:
    """End the holds made under another parser version (their documents are parsed again)."""
    con.execute(RELEASE_OUTDATED, [parser_version])


def held_documents(con: Any) -> dict[str, str]:
    """document_id -> reason of every document held back."""
    return dict(con.execute("select document_id, reason from raw.held_back").fetchall())
