"""What the last successful dbt build covered, and what the next one must rebuild.

The incremental models (macros/report_increment.sql) replace the rows of the reports listed
in ``meta.changed_reports``. Before a build, :func:`plan_build` compares the reports the
warehouse holds now (active documents with the parser version of their stored parse and a
digest of their attributes row) with
the snapshot the last successful build recorded in ``meta.built_reports``: a report landed,
re-parsed or retired since then is listed. After the build succeeded, :func:`record_build`
takes the new snapshot and clears the list.

A build that fails or is killed records nothing: the next plan lists the same reports again
(plus those of the interrupted list), and replacing a report's rows twice is harmless.

The state advances only with what was published. A build's reports stay listed in
``meta.unpublished_reports`` (and its ``meta.build_state`` row unpublished) until a version
is published from the work file (:func:`record_publication`, in the transaction that stamps
the version). So after a gate that failed, a kill or a full disk, the next run still has
those reports to validate and publish (:attr:`BuildPlan.validation_scope`), and does not
say "nothing new" while the work file holds a build the serving file does not.

A change to the models, macros, seeds or dbt settings changes the build fingerprint
(:func:`build_fingerprint`) and makes the next build a full refresh; so does a new name of
the warehouse file (its catalog name, which the staging views carry).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import duckdb

from ingest.build_ledger import CHANGED_REPORTS_COLUMNS, ensure_build_ledger
from ingest.db import connect, ensure_constraints

BUILD_INPUTS = ("models", "macros", "seeds", "dbt_project.yml", "selectors.yml", "profiles.yml")

# the reports as the marts should show them: active documents (neither retired nor held
# back), the version of their stored parse, and a digest of their attributes row (so a
# corrected raw row counts as a change)
CURRENT_REPORTS = """
select d.document_id as report_id, a.parser_version, md5(cast(a as varchar)) as attributes_md5
from raw.documents d
left join raw.report_attributes a using (document_id)
where d.retired_at is null
  and d.document_id not in (select document_id from raw.held_back)
"""
COMPARED = "report_id, parser_version, attributes_md5"
# each report's series and year, and the report it is a version of, in the build just made:
# the next incremental build also rebuilds the former series neighbours and the former
# versions of a changed report (macros/report_increment.sql)
SERIES_RELATION = ("intermediate", "int_report_series")
VERSIONS_RELATION = ("intermediate", "int_report_versions")


@dataclass(frozen=True)
class BuildPlan:
    full_refresh: bool
    reason: str  # why a full refresh (empty for an incremental build)
    changed_reports: int  # reports the incremental models replace
    fingerprint: str
    # built since the last publication and not published yet (a failed or killed run's)
    unpublished_reports: int = 0
    unpublished_full_refresh: bool = False

    @property
    def validate_everything(self) -> bool:
        """The gate validates every row: this build, or one not published since, rebuilt
        everything."""
        return self.full_refresh or self.unpublished_full_refresh

    @property
    def nothing_to_publish(self) -> bool:
        """No report changed since the last build, and that build was published."""
        return not (
            self.full_refresh
            or self.changed_reports
            or self.unpublished_reports
            or self.unpublished_full_refresh
        )

    def __str__(self) -> str:
        if self.full_refresh:
            return f"full refresh ({self.reason})"
        text = f"incremental ({self.changed_reports} changed reports)"
        if self.unpublished_full_refresh:
            text += "; an unpublished full refresh to validate"
        elif self.unpublished_reports:
            text += f"; {self.unpublished_reports} built earlier, not published yet"
        return text


def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "-"


def build_fingerprint(project_dir: Path) -> str:
    """SHA-256 over every file that shapes the build (models, macros, seeds, settings) and
    the dbt versions: equal fingerprints mean a full rebuild would compute the same SQL."""
    digest = hashlib.sha256()
    for package in ("dbt-core", "dbt-duckdb"):
        digest.update(f"{package}={_package_version(package)}\n".encode())
    root = Path(project_dir).resolve()
    for name in BUILD_INPUTS:
        entry = root / name
        files = sorted(entry.rglob("*")) if entry.is_dir() else [entry]
        for path in files:
            if path.is_file():
                digest.update(path.relative_to(root).as_posix().encode() + b"\0")
                digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _warehouse_fingerprint(project: str, con: duckdb.DuckDBPyConnection) -> str:
    """The project's fingerprint and the warehouse's catalog name: dbt writes that name into
    the staging views, which incremental builds leave as they are (selectors.yml), so a
    warehouse file renamed since its last build is rebuilt in full."""
    row = con.execute("select current_database()").fetchone()
    catalog = str(row[0]) if row else ""
    return hashlib.sha256(f"{project}\0catalog={catalog}".encode()).hexdigest()


def _has_raw_reports(con: duckdb.DuckDBPyConnection) -> bool:
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'raw' "
        "and table_name in ('documents', 'report_attributes')"
    ).fetchone()
    return bool(found and found[0] == 2)


def _last_fingerprint(con: duckdb.DuckDBPyConnection) -> str | None:
    row = con.execute(
        "select fingerprint from meta.build_state order by built_at desc limit 1"
    ).fetchone()
    return row[0] if row else None


def _drop_outdated_state(con: duckdb.DuckDBPyConnection) -> None:
    """Build state written by an earlier version of this module (other columns) is dropped:
    the next build is then a full refresh, as on a first build."""
    found = con.execute(
        "select count(*) from information_schema.columns where table_schema = 'meta' "
        "and table_name = 'built_reports' and column_name = 'report_key'"
    ).fetchone()
    exists = con.execute(
        "select count(*) from information_schema.tables where table_schema = 'meta' "
        "and table_name = 'built_reports'"
    ).fetchone()
    if exists and exists[0] and not (found and found[0]):
        con.execute("drop table meta.built_reports")
        con.execute("drop table if exists meta.build_state")


def plan_build(db_path: Path | str, project_dir: Path) -> BuildPlan:
    """Decide between a full refresh and an incremental build, and write the list of
    changed reports to meta.changed_reports."""
    with connect(db_path) as con:
        fingerprint = _warehouse_fingerprint(build_fingerprint(project_dir), con)
        _drop_outdated_state(con)
        ensure_build_ledger(con)
        ensure_constraints(con, "meta", {"changed_reports": CHANGED_REPORTS_COLUMNS})
        last = _last_fingerprint(con)
        if last is None:
            reason = "first build"
        elif last != fingerprint:
            reason = "models, macros, seeds or dbt changed since the last build"
        elif not _has_raw_reports(con):
            reason = "no raw reports"
        else:
            reason = ""
        con.begin()
        if reason:
            con.execute("delete from meta.changed_reports")
            changed = 0
        else:
            con.execute(
                f"""
                insert or ignore into meta.changed_reports
                select report_id from (
                    (select {COMPARED} from ({CURRENT_REPORTS})
                     except select {COMPARED} from meta.built_reports)
                    union
                    (select {COMPARED} from meta.built_reports
                     except select {COMPARED} from ({CURRENT_REPORTS}))
                )
                """
            )
            counted = con.execute("select count(*) from meta.changed_reports").fetchone()
            changed = counted[0] if counted else 0
        con.commit()
        unpublished, unpublished_full = con.execute(UNPUBLISHED_SQL).fetchone() or (0, False)
    return BuildPlan(
        bool(reason),
        reason,
        int(changed),
        fingerprint,
        unpublished_reports=int(unpublished),
        unpublished_full_refresh=bool(unpublished_full),
    )


UNPUBLISHED_SQL = """
select (select count(*) from meta.unpublished_reports),
       coalesce((select bool_or(full_refresh) from meta.build_state where not published), false)
"""


def validation_scope(db_path: Path | str) -> list[str]:
    """The reports the gate validates after an incremental build (read before the build,
    which clears meta.changed_reports): those it rebuilds, and those built earlier but not
    published since."""
    with connect(db_path, read_only=True) as con:
        rows = con.execute(
            "select report_id from meta.changed_reports "
            "union select report_id from meta.unpublished_reports"
        ).fetchall()
    return sorted(str(row[0]) for row in rows)


def record_publication(con: duckdb.DuckDBPyConnection) -> None:
    """Inside the transaction that stamps a version into the work file: every build in it is
    published now (serving/publish.py)."""
    found = con.execute(
        "select count(*) from information_schema.tables "
        "where table_schema = 'meta' and table_name = 'unpublished_reports'"
    ).fetchone()
    if found and found[0]:
        con.execute("delete from meta.unpublished_reports")
        con.execute("update meta.build_state set published = true where not published")


def report_batches(db_path: Path | str, size: int) -> list[list[str]]:
    """The active reports, in batches of at most ``size`` (report_id order)."""
    with connect(db_path, read_only=True) as con:
        if not _has_raw_reports(con):
            return []
        rows = con.execute(
            f"select report_id from ({CURRENT_REPORTS}) order by report_id"
        ).fetchall()
    ids = [report_id for (report_id,) in rows]
    return [ids[start : start + size] for start in range(0, len(ids), size)]


def list_changed_reports(db_path: Path | str, report_ids: list[str]) -> None:
    """Make ``report_ids`` the reports the next dbt invocation builds (one batch of a
    batched full refresh)."""
    with connect(db_path) as con:
        con.begin()
        con.execute("delete from meta.changed_reports")
        con.executemany("insert into meta.changed_reports values (?)", [(r,) for r in report_ids])
        con.commit()


def _relation_query(
    con: duckdb.DuckDBPyConnection, relation: tuple[str, str], columns: dict[str, str]
) -> str:
    """``columns`` (name → type) of a built relation, or no rows when the project has none."""
    schema, table = relation
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table],
    ).fetchone()
    if found and found[0]:
        return f"select {', '.join(columns)} from {schema}.{table}"
    nulls = ", ".join(f"null::{kind} as {name}" for name, kind in columns.items())
    return f"select {nulls} where false"


def record_build(db_path: Path | str, plan: BuildPlan) -> None:
    """After a successful build: snapshot the reports it covered, clear the list, and keep
    the fingerprint (one transaction)."""
    with connect(db_path) as con:
        has_reports = _has_raw_reports(con)
        con.begin()
        con.execute("delete from meta.built_reports")
        if has_reports:
            series = _relation_query(
                con,
                SERIES_RELATION,
                {"report_id": "varchar", "series_key": "varchar", "report_year": "integer"},
            )
            versions = _relation_query(
                con, VERSIONS_RELATION, {"report_id": "varchar", "report_key": "varchar"}
            )
            con.execute(
                "insert into meta.built_reports "
                "select current.*, series.series_key, series.report_year, versions.report_key "
                f"from ({CURRENT_REPORTS}) as current left join ({series}) as series "
                f"using (report_id) left join ({versions}) as versions using (report_id)"
            )
        # until a version is published, these reports stay to validate (validation_scope)
        con.execute(
            "insert or ignore into meta.unpublished_reports select report_id "
            "from meta.changed_reports"
        )
        con.execute("delete from meta.changed_reports")
        con.execute(
            "insert into meta.build_state (fingerprint, built_at, full_refresh, "
            "changed_reports, published) values (?, ?, ?, ?, false)",
            [
                plan.fingerprint,
                datetime.now(UTC).replace(tzinfo=None),
                plan.full_refresh,
                plan.changed_reports,
            ],
        )
        con.commit()
