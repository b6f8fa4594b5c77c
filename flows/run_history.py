"""audit.runs: one row per refresh run, in the warehouse it built.

Every run leaves a row, even one killed in its first seconds. The moment a run holds the
build lock it is announced in the run journal ``<name>.runs.json`` beside the serving file
(:func:`announce_run`: a small file, written whole), before Prefect or the work file. Its
row is written into the work file's audit.runs once that is open (status ``running``),
filled in step by step, and closed as ``published``, ``unchanged`` (nothing new: the
served version stays) or ``failed`` (with the error). A run killed before its row was
written is still in the journal, and a row still ``running`` belongs to a run that was
killed: the next run records both as ``abandoned`` (:func:`start_run`). The row travels with
the work file into the served copy, so readers see the history up to the version they read.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core.paths import sidecar
from ingest.db import connect
from serving.files import write_whole

RUNS_DDL = """
create table if not exists audit.runs (
    run_id varchar primary key,
    kind varchar not null,
    input_dir varchar,
    started_at timestamp not null,
    finished_at timestamp,
    status varchar not null,
    documents_seen bigint,
    documents_landed bigint,
    documents_skipped bigint,
    documents_quarantined bigint,
    documents_parsed bigint,
    build varchar,
    reports_changed bigint,
    models_incremental bigint,
    models_rebuilt bigint,
    tests_run bigint,
    checks_failed bigint,
    expectations_failed bigint,
    served_version integer,
    seconds double,
    error varchar,
    documents_held_back bigint
)
"""
# columns added since the first release: a table made earlier gets them (at the end, as here)
RUNS_ADDED = (("documents_held_back", "bigint"),)


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


@dataclass
class RunRecord:
    """The row of audit.runs for one run (see the module docstring)."""

    run_id: str
    kind: str  # run, reparse, scheduled, watch
    input_dir: str | None
    started_at: datetime
    finished_at: datetime | None = None
    status: str = "running"
    documents_seen: int | None = None
    documents_landed: int | None = None
    documents_skipped: int | None = None
    documents_quarantined: int | None = None
    documents_parsed: int | None = None
    build: str | None = None  # full refresh / incremental / skipped
    reports_changed: int | None = None
    models_incremental: int | None = None
    models_rebuilt: int | None = None
    tests_run: int | None = None
    checks_failed: int | None = None  # identity checks failing in the built marts
    expectations_failed: int | None = None
    served_version: int | None = None
    seconds: float | None = None
    error: str | None = None
    documents_held_back: int | None = None  # parsed or validated, and held back

    def values(self) -> list[Any]:
        return [getattr(self, f.name) for f in fields(self)]

    def summary(self) -> str:
        """The concise end-of-run summary printed on the console."""
        parts = [f"run {self.run_id} {self.status}"]
        if self.documents_seen is not None:
            parts.append(
                f"{self.documents_seen} documents seen: {self.documents_landed} landed, "
                f"{self.documents_skipped} skipped, {self.documents_quarantined} quarantined"
            )
        if self.documents_parsed is not None:
            parts.append(f"{self.documents_parsed} parsed")
        if self.documents_held_back:
            parts.append(f"{self.documents_held_back} held back (raw.quarantine)")
        if self.build:
            built = self.build
            if self.models_incremental is not None:
                built += (
                    f": {self.models_incremental} incremental models, {self.models_rebuilt} "
                    f"tables/views rebuilt, {self.tests_run} tests"
                )
            parts.append(f"dbt {built}")
        if self.checks_failed is not None:
            parts.append(f"{self.checks_failed} identity checks failing")
        if self.expectations_failed is not None:
            parts.append(f"{self.expectations_failed} expectations failed")
        if self.served_version is not None:
            parts.append(f"served version {self.served_version}")
        if self.seconds is not None:
            parts.append(f"{self.seconds:.1f} s in the refresh flow")
        if self.error:
            parts.append(f"error: {self.error.splitlines()[0]}")
        return "; ".join(parts)


def _ensure(con: Any) -> None:
    con.execute("create schema if not exists audit")
    con.execute(RUNS_DDL)
    for name, kind in RUNS_ADDED:
        con.execute(f"alter table audit.runs add column if not exists {name} {kind}")


def run_journal_path(serving_db: Path) -> Path:
    """``<name>.runs.json`` beside the serving file ``<name>.duckdb``."""
    return sidecar(serving_db, "runs.json")


def announced_runs(serving_db: Path) -> list[RunRecord]:
    """The runs the journal holds: announced, and not recorded in a work file yet."""
    return [_abandoned(entry) for entry in _announced(serving_db)]


def _announced(serving_db: Path) -> list[dict[str, Any]]:
    try:
        entries = json.loads(run_journal_path(serving_db).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return entries if isinstance(entries, list) else []


def _write_announced(serving_db: Path, entries: list[dict[str, Any]]) -> None:
    path = run_journal_path(serving_db)
    if entries:
        path.parent.mkdir(parents=True, exist_ok=True)  # a warehouse's first run
        write_whole(path, json.dumps(entries))
    else:
        path.unlink(missing_ok=True)


def announce_run(serving_db: Path, kind: str, input_dir: Path | None) -> RunRecord:
    """A new run, recorded at once in the run journal beside the serving file (the caller
    holds the build lock): if it dies before its row is written, the next run writes it."""
    started = _now()
    record = RunRecord(
        run_id=f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}",
        kind=kind,
        input_dir=str(input_dir) if input_dir else None,
        started_at=started,
    )
    entry = {
        "run_id": record.run_id,
        "kind": kind,
        "input_dir": record.input_dir,
        "started_at": started.isoformat(),
        "pid": os.getpid(),
    }
    _write_announced(serving_db, [*_announced(serving_db), entry])
    return record


def announced_run(
    serving_db: Path, run_id: str | None, kind: str, input_dir: Path | None
) -> RunRecord:
    """The run the journal announced as ``run_id`` (the command announced it as it
    started), or a new one announced now."""
    for entry in _announced(serving_db):
        if run_id is not None and entry.get("run_id") == run_id:
            return RunRecord(
                run_id=run_id,
                kind=kind,
                input_dir=str(input_dir) if input_dir else None,
                started_at=datetime.fromisoformat(str(entry["started_at"])),
            )
    return announce_run(serving_db, kind, input_dir)


def fail_announced(serving_db: Path, record: RunRecord, error: str) -> None:
    """A run that failed before its row could be written (e.g. it found the serving file
    damaged): the next run records it as failed, with ``error``."""
    entries = _announced(serving_db)
    for entry in entries:
        if entry.get("run_id") == record.run_id:
            entry.update(status="failed", error=error, finished_at=_now().isoformat())
    _write_announced(serving_db, entries)


def _abandoned(entry: dict[str, Any]) -> RunRecord:
    """The row of a run the journal holds: failed (it said why) or abandoned (it died)."""
    finished = entry.get("finished_at")
    return RunRecord(
        run_id=str(entry["run_id"]),
        kind=str(entry.get("kind") or "run"),
        input_dir=entry.get("input_dir"),
        started_at=datetime.fromisoformat(str(entry["started_at"])),
        finished_at=datetime.fromisoformat(finished) if finished else None,
        status=str(entry.get("status") or "abandoned"),
        error=entry.get("error")
        or f"the process (pid {entry.get('pid')}) ended before the run could record itself",
    )


def start_run(db_path: Path, serving_db: Path, record: RunRecord) -> RunRecord:
    """Write the run's first row into the work file at ``db_path``, with the runs the
    journal holds that died before writing theirs, and mark rows left ``running`` by a
    killed process ``abandoned``; the journal keeps nothing of them afterwards."""
    entries = _announced(serving_db)
    marks = ", ".join("?" for _ in fields(record))
    with connect(db_path) as con:
        _ensure(con)
        con.begin()
        con.execute(
            "update audit.runs set status = 'abandoned', error = coalesce(error, "
            "'the process ended before the run did') where status = 'running'"
        )
        recorded = {run_id for (run_id,) in con.execute("select run_id from audit.runs").fetchall()}
        lost = [_abandoned(e) for e in entries if e.get("run_id") not in recorded | {record.run_id}]
        for row in [*lost, record]:
            con.execute(f"insert into audit.runs values ({marks})", row.values())
        con.commit()
    _write_announced(serving_db, [])
    return record


def save_run(db_path: Path, record: RunRecord, **changes: Any) -> RunRecord:
    """Apply ``changes`` to ``record`` and store the row."""
    for name, value in changes.items():
        setattr(record, name, value)
    with connect(db_path) as con:
        _ensure(con)
        _write(con, record)
    return record


def _write(con: Any, record: RunRecord) -> None:
    names = [f.name for f in fields(record) if f.name != "run_id"]
    assignments = ", ".join(f"{name} = ?" for name in names)
    values = [getattr(record, name) for name in names]
    con.execute(f"update audit.runs set {assignments} where run_id = ?", [*values, record.run_id])


def close_run(
    db_path: Path, record: RunRecord, status: str, error: str | None = None, **changes: Any
) -> RunRecord:
    """Store the row as finished with ``status``, with ``changes`` applied (one write)."""
    finished = _now()
    seconds = (finished - record.started_at).total_seconds()
    return save_run(
        db_path,
        record,
        **changes,
        status=status,
        finished_at=finished,
        seconds=seconds,
        error=error,
    )


def mark_published(con: Any, record: RunRecord, version: int) -> None:
    """Close ``record`` as published at ``version`` and write it through ``con`` (the work
    file, in the transaction that records the version just before it is served)."""
    finished = _now()
    record.status = "published"
    record.served_version = version
    record.finished_at = finished
    record.seconds = (finished - record.started_at).total_seconds()
    _ensure(con)
    _write(con, record)


def recent_runs(db_path: Path, limit: int = 10) -> list[str]:
    """The last ``limit`` runs recorded in the warehouse at ``db_path`` (read-only), newest
    first, one summary line each."""
    import duckdb

    with connect(db_path, read_only=True) as con:
        try:
            rows = con.execute(
                "select * from audit.runs order by started_at desc limit ?", [limit]
            ).fetchall()
        except duckdb.CatalogException:
            return ["no runs recorded yet"]
    names = [f.name for f in fields(RunRecord)]
    return [
        f"{record.started_at:%Y-%m-%d %H:%M:%S} {record.kind:<8} {record.summary()}"
        for record in (RunRecord(**dict(zip(names, row, strict=True))) for row in rows)
    ]
