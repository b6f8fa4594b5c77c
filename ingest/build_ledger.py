"""The ``meta`` schema: the ledger between what was ingested and what was built.

Ingest steps list the reports whose rows changed in ``meta.changed_reports`` (the reviews
landing, ingest/reviews.py); the build plan (transform/build_state.py) adds those landed,
re-parsed or retired since the last build, the incremental models replace their rows, and a
successful build records what it covered (``meta.built_reports``, ``meta.build_state``) until
a version is published from it (``meta.unpublished_reports``).
"""

from __future__ import annotations

import duckdb

CHANGED_REPORTS_COLUMNS = (("report_id", "varchar primary key"),)
STATE_DDL = (
    "create schema if not exists meta",
    "create table if not exists meta.changed_reports (report_id varchar primary key)",
    "create table if not exists meta.built_reports (report_id varchar primary key, "
    "parser_version varchar, attributes_md5 varchar, series_key varchar, report_year integer, "
    "report_key varchar)",
    "create table if not exists meta.build_state "
    "(fingerprint varchar not null, built_at timestamp not null, full_refresh boolean not null, "
    "changed_reports bigint not null)",
    # builds made before this column were published or replaced since: true
    "alter table meta.build_state add column if not exists published boolean default true",
    "create table if not exists meta.unpublished_reports (report_id varchar primary key)",
)


def ensure_build_ledger(con: duckdb.DuckDBPyConnection) -> None:
    """Create the ``meta`` schema and its tables where they are missing."""
    for statement in STATE_DDL:
        con.execute(statement)
