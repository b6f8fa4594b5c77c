"""audit.runs: one row per refresh run, in the warehouse it built.

A run's row is written when it starts (status ``running``), filled in step by step, and
closed as ``published``, ``unchanged`` (nothing new: the served version stays) or
``failed`` (with the error). A row still ``running`` when the next run starts belongs to a
process that was killed; the next run marks it ``interrupted``. The row travels with the
work file into the served copy, so readers see the history up to the version they read.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.db import connect

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
    error varchar
)
"""


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


def start_run(db_path: Path, kind: str, input_dir: Path | None) -> RunRecord:
    """Write the run's first row; rows left ``running`` by a killed process become
    ``interrupted``."""
    started = _now()
    record = RunRecord(
        run_id=f"{started:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:6]}",
        kind=kind,
        input_dir=str(input_dir) if input_dir else None,
        started_at=started,
    )
    with connect(db_path) as con:
        _ensure(con)
        con.execute("update audit.runs set status = 'interrupted' where status = 'running'")
        marks = ", ".join("?" for _ in fields(record))
        con.execute(f"insert into audit.runs values ({marks})", record.values())
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
