"""The reviews store: what analysts decide in `xxgk review`, kept beside the warehouse.

The store is a DuckDB file of its own, ``<serving file stem>.reviews.duckdb``
(:func:`core.paths.reviews_store_path`), so the serving file is never written. It holds
append-only tables, laid out like ``raw.review_verdicts``, ``raw.review_corrections`` and
``raw.review_pins``
(ingest/db.py RAW_TABLES):

* a **verdict** on a failing check instance: ``printed_inconsistency`` (the report really
  prints it), ``read_error`` (the warehouse misread it) or ``pending`` (back to unjudged);
* a **correction**: the value a reviewer established for a cell (template unit), or none
  (the printed value again);
* a **pin**: the version a reviewer chose as a report's canonical one, in the format of
  seeds/canonical_choices.csv (the report, named by the report_id of one of its versions;
  the chosen version; reason, reviewer, time). A store's pin wins over the seed's
  (int_canonical_pins).

Every action is a new row with its reviewer, reason and time (UTC); nothing is updated or
deleted, and the latest row per check instance or cell holds (in dbt). :func:`append` is
the only writer.

Each run copies the store whole into its work file's ``raw.review_*`` (:func:`land_reviews`)
and lists the reports whose reviews changed in ``meta.changed_reports``: the incremental
models rebuild exactly those reports, and the reviewed layer (fct_report_metrics_reviewed,
fct_quality_checks_reviewed) applies the reviews and runs the checks again. The serving
file then shows which reviews its version applied.
"""

from __future__ import annotations

import math
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from ingest.build_ledger import ensure_build_ledger
from ingest.db import RAW_TABLES, columns, connect, ensure_raw_schema, is_lock_conflict

REVIEW_TABLES = ("review_verdicts", "review_corrections", "review_pins")
# a store written before pins existed lacks review_pins: read as none
OPTIONAL_TABLES = ("review_pins",)
VERDICTS = ("printed_inconsistency", "read_error", "pending")
_LOCK_WAIT_S = 10.0  # a run copies the store in well under a second


class ReviewError(ValueError):
    """A review action that cannot be stored; the message says what is missing or wrong."""


@dataclass(frozen=True)
class Verdict:
    """A reviewer's verdict on one check instance (fct_quality_checks' key)."""

    report_id: str
    check_code: str
    instance: str
    related_report_id: str | None
    verdict: str
    reason: str
    reviewed_by: str

    table = "review_verdicts"


@dataclass(frozen=True)
class Correction:
    """The value a reviewer established for one cell; ``corrected_value`` None restores the
    printed value."""

    report_id: str
    metric_code: str
    applicant: str
    corrected_value: float | None
    reason: str
    reviewed_by: str

    table = "review_corrections"


@dataclass(frozen=True)
class Pin:
    """A reviewer's choice of a report's canonical version (seeds/canonical_choices.csv):
    ``report_id`` names the report by one of its versions, ``chosen_report_id`` is the
    version chosen."""

    report_id: str
    chosen_report_id: str
    reason: str
    reviewed_by: str

    table = "review_pins"


Action = Verdict | Correction | Pin


def _checked(action: Action) -> Action:
    if not action.reviewed_by.strip():
        raise ReviewError("a reviewer's name is required")
    if not action.reason.strip():
        raise ReviewError("a reason is required")
    if isinstance(action, Verdict) and action.verdict not in VERDICTS:
        raise ReviewError(
            f"the verdict must be one of {', '.join(VERDICTS)}, not {action.verdict!r}"
        )
    value = action.corrected_value if isinstance(action, Correction) else None
    if value is not None and not math.isfinite(value):
        raise ReviewError(f"the corrected value must be a number, not {value}")
    return action


def _create_tables(con: duckdb.DuckDBPyConnection, schema: str = "main") -> None:
    for table in REVIEW_TABLES:
        body = ", ".join(f"{name} {kind}" for name, kind in RAW_TABLES[table])
        con.execute(f"create table if not exists {schema}.{table} ({body})")


def append(store: Path, actions: Sequence[Action]) -> list[str]:
    """Store ``actions`` in one transaction, each with a new id and the current time (UTC);
    returns the ids. A run copying the store holds it for a moment: wait for it."""
    checked = [_checked(action) for action in actions]
    now = datetime.now(UTC).replace(tzinfo=None)
    rows = [
        (
            action.table,
            [
                uuid.uuid4().hex,
                *_values(action),
                action.reason.strip(),
                action.reviewed_by.strip(),
                now,
            ],
        )
        for action in checked
    ]
    deadline = time.monotonic() + _LOCK_WAIT_S
    while True:
        try:
            with connect(store) as con:
                _create_tables(con)
                con.begin()
                for table, row in rows:
                    marks = ", ".join("?" for _ in row)
                    con.execute(
                        f"insert into {table} ({', '.join(columns(table))}) values ({marks})", row
                    )
                con.commit()
            return [str(row[0]) for _, row in rows]
        except duckdb.IOException as exc:
            if not is_lock_conflict(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def _values(action: Action) -> list[object]:
    if isinstance(action, Verdict):
        return [
            action.report_id,
            action.check_code,
            action.instance,
            action.related_report_id or None,
            action.verdict,
        ]
    if isinstance(action, Pin):
        return [action.report_id, action.chosen_report_id]
    return [action.report_id, action.metric_code, action.applicant, action.corrected_value]


def stored_reviews(store: Path, report_id: str) -> dict[str, list[dict]]:
    """The store's rows of one report, newest first, per table (empty without a store)."""
    found: dict[str, list[dict]] = {table: [] for table in REVIEW_TABLES}
    if not store.is_file():
        return found
    with connect(store, read_only=True) as con:
        present = {
            row[0] for row in con.execute("select table_name from duckdb_tables()").fetchall()
        }
        for table in REVIEW_TABLES:
            if table not in present:
                continue
            cursor = con.execute(
                f"select * from {table} where report_id = ? "
                "order by reviewed_at desc, review_id desc",
                [report_id],
            )
            names = [d[0] for d in cursor.description]
            found[table] = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    return found


@dataclass(frozen=True)
class ReviewsLanding:
    """What a run took from the reviews store."""

    verdicts: int
    corrections: int
    changed_reports: int
    store: Path
    pins: int = 0

    def __str__(self) -> str:
        if not self.store.is_file():
            return f"no reviews store ({self.store.name})"
        return (
            f"{self.verdicts} verdicts, {self.corrections} corrections, {self.pins} pins "
            f"from {self.store.name}; "
            f"{self.changed_reports} reports' reviews changed"
        )


def _quoted(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def land_reviews(work_db: Path, store: Path) -> ReviewsLanding:
    """Copy the reviews store whole into ``raw.review_*`` of the work file, and list the
    reports whose reviews changed (a row added, or the store replaced) in
    ``meta.changed_reports``. Without a store the tables are emptied."""
    with connect(work_db) as con:
        ensure_raw_schema(con)
        ensure_build_ledger(con)
        if store.is_file():
            try:
                con.execute(f"attach {_quoted(store)} as reviews_store (read_only)")
            except duckdb.IOException as exc:
                if is_lock_conflict(exc):
                    raise  # `xxgk review` is storing an action: the step is retried
                raise ReviewError(f"{store}: cannot be read as a reviews store: {exc}") from exc
            except duckdb.Error as exc:
                raise ReviewError(f"{store}: cannot be read as a reviews store: {exc}") from exc
        else:
            con.execute("attach ':memory:' as reviews_store")
        try:
            present = _create_tables_if_writable(con, store)
            counts: dict[str, int] = {}
            con.begin()
            try:
                changed = _copy_store(con, counts, present)
            except BaseException:
                con.rollback()
                raise
            con.commit()
        finally:
            con.execute("detach reviews_store")
    return ReviewsLanding(
        counts["review_verdicts"],
        counts["review_corrections"],
        len(changed),
        store,
        counts["review_pins"],
    )


def _copy_store(
    con: duckdb.DuckDBPyConnection, counts: dict[str, int], present: set[str]
) -> set[str]:
    """In the caller's transaction: replace raw.review_* with the attached store's tables
    (``present``; an optional one it lacks is empty; their row counts into ``counts``);
    returns the reports whose rows differ, and lists them in meta.changed_reports."""
    changed: set[str] = set()
    for table in REVIEW_TABLES:
        cols = ", ".join(columns(table))
        stored = (
            f"reviews_store.main.{table}"
            if table in present
            else f"(select {cols} from raw.{table} where false)"
        )
        differing = con.execute(
            f"""
            select distinct report_id from (
                (select {cols} from raw.{table}
                 except select {cols} from {stored})
                union all
                (select {cols} from {stored}
                 except select {cols} from raw.{table})
            )
            """
        ).fetchall()
        changed.update(report_id for (report_id,) in differing)
        con.execute(f"delete from raw.{table}")
        con.execute(f"insert into raw.{table} ({cols}) select {cols} from {stored}")
        counted = con.execute(f"select count(*) from raw.{table}").fetchone()
        counts[table] = counted[0] if counted else 0
    if changed:
        con.executemany(
            "insert or ignore into meta.changed_reports values (?)", [(r,) for r in sorted(changed)]
        )
    return changed


def _create_tables_if_writable(con: duckdb.DuckDBPyConnection, store: Path) -> set[str]:
    """An empty store (in memory) gets the tables; a store file written by :func:`append`
    has them (one written before pins, all but OPTIONAL_TABLES), and one without them is
    refused with its name. Returns the tables the store has."""
    if not store.is_file():
        _create_tables(con, "reviews_store.main")
        return set(REVIEW_TABLES)
    present = {
        row[0]
        for row in con.execute(
            "select table_name from duckdb_tables() where database_name = 'reviews_store'"
        ).fetchall()
    }
    missing = [t for t in REVIEW_TABLES if t not in present and t not in OPTIONAL_TABLES]
    if missing:
        raise ReviewError(f"{store}: not a reviews store (no table {', '.join(missing)})")
    return present
