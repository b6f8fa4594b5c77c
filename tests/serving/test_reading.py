"""Every documented way to read the serving file works (issue #23): the README's queries
through DuckDB 1.1, the newest 1.x and the newest 2.x (each in a small environment of its
own), through a copied, renamed or attached file, and through SQLAlchemy's inspection; the
two Python routes of serving/reader.py mix in one process and follow a refresh.

Cost: the bundled warehouse is shared with the other tests; the matrix installs one DuckDB
wheel per version with uv (about 10 s each, cached after the first run).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from sqlalchemy import MetaData, QueuePool, Table, inspect, text

import xxgk
from core.paths import ROOT
from serving.reader import catalog_name

README = ROOT / "README.md"
UV = Path(sys.executable).with_name("uv")
# The DuckDB versions the README promises (the oldest, the newest 1.x, the newest 2.x) and the
# newest one that cannot open the file: the README states the minimum this proves.
OPENS = {"1.1": "duckdb==1.1.3", "newest 1.x": "duckdb>=1.1,<2", "newest 2.x": "duckdb>=2,<3"}
REFUSES = {"1.0": "duckdb==1.0.0"}
MINIMUM = "1.1"


def readme_queries() -> list[str]:
    """Every SQL statement of the README's ```sql blocks."""
    blocks = re.findall(r"```sql\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
    statements = [s.strip() for block in blocks for s in block.split(";")]
    return [s for s in statements if re.sub(r"--[^\n]*", "", s).strip()]


def answers(con: duckdb.DuckDBPyConnection) -> list[int]:
    return [len(con.execute(query).fetchall()) for query in readme_queries()]


@pytest.fixture(scope="module")
def expected(bundled_warehouse: Path) -> list[int]:
    with xxgk.open_warehouse(bundled_warehouse) as con:
        rows = answers(con)
    assert len(rows) >= 10 and sum(map(bool, rows)) >= 8, rows  # they answer something
    return rows


def test_the_readme_queries_name_no_catalog() -> None:
    assert not [q for q in readme_queries() if re.search(r"\bxxgk\.", q)]


# --- portability -----------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.e2e
def test_no_view_names_the_catalog(bundled_warehouse: Path) -> None:
    with xxgk.open_warehouse(bundled_warehouse) as con:
        views = con.execute(
            "select schema_name || '.' || view_name, sql from duckdb_views() "
            "where not internal and database_name = current_database()"
        ).fetchall()
    assert len(views) >= 9  # the staging views and meta.current_version
    catalog = re.escape(catalog_name(bundled_warehouse))
    assert [name for name, sql in views if re.search(rf'\b"?{catalog}"?\.', sql)] == []


@pytest.mark.slow
@pytest.mark.e2e
def test_a_copied_renamed_or_attached_file_answers_every_readme_query(
    bundled_warehouse: Path, expected: list[int], tmp_path: Path
) -> None:
    renamed = tmp_path / "copy of warehouse.db"
    shutil.copy(bundled_warehouse, renamed)
    with duckdb.connect(str(renamed), read_only=True) as con:
        assert answers(con) == expected
    with duckdb.connect() as con:  # attached under another name, used as the default
        con.execute(f"attach '{renamed}' as w (read_only)")
        con.execute("use w")
        assert answers(con) == expected
        assert con.execute("select count(*) from w.staging.stg_documents").fetchone()[0] > 0
    with xxgk.open_warehouse(renamed) as con:
        assert answers(con) == expected


# --- the DuckDB versions a reader may have -----------------------------------------------

PROBE = """
import duckdb, json, sys
path, queries = json.load(sys.stdin)
try:
    con = duckdb.connect(path, read_only=True)
    rows = [len(con.execute(q).fetchall()) for q in queries]
    print(json.dumps({"version": duckdb.__version__, "rows": rows}))
except duckdb.Error as exc:
    print(json.dumps({"version": duckdb.__version__, "error": f"{type(exc).__name__}: {exc}"}))
"""


def probe(requirement: str, db: Path, root: Path) -> dict:
    """Open ``db`` with the DuckDB of ``requirement``, installed in an environment of its own,
    and run every README query through it."""
    env = root / re.sub(r"\W+", "_", requirement)
    if not (env / "bin" / "python").exists():
        subprocess.run([str(UV), "venv", "-q", "--python", sys.executable, str(env)], check=True)
        subprocess.run(
            [str(UV), "pip", "install", "-q", "--python", str(env / "bin" / "python"), requirement],
            check=True,
            timeout=600,
        )
    result = subprocess.run(
        [str(env / "bin" / "python"), "-c", PROBE],
        input=json.dumps([str(db), readme_queries()]),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def environments(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("duckdb_versions")


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("label", list(OPENS))
def test_each_supported_duckdb_answers_the_readme_queries(
    label: str, bundled_warehouse: Path, expected: list[int], environments: Path
) -> None:
    found = probe(OPENS[label], bundled_warehouse, environments)
    assert found.get("rows") == expected, found
    major_minor = tuple(int(part) for part in found["version"].split(".")[:2])
    assert major_minor >= tuple(int(part) for part in MINIMUM.split("."))


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("label", list(REFUSES))
def test_older_duckdb_cannot_open_the_file(
    label: str, bundled_warehouse: Path, environments: Path
) -> None:
    found = probe(REFUSES[label], bundled_warehouse, environments)
    assert "Serialization" in found.get("error", ""), found


def test_the_readme_states_the_minimum() -> None:
    readme = README.read_text(encoding="utf-8")
    assert f"DuckDB {MINIMUM} or later" in readme
    assert all(label in readme for label in ("1.1", "2.x"))


# --- Python: one way to open it, inspection ----------------------------------------------


@pytest.mark.slow
@pytest.mark.e2e
def test_both_python_routes_mix_and_follow_a_refresh(
    bundled_warehouse: Path, tmp_path: Path
) -> None:
    db = tmp_path / "xxgk.duckdb"
    shutil.copy(bundled_warehouse, db)
    held = duckdb.connect(str(db), read_only=True)  # another connection the process holds
    con = xxgk.open_warehouse(db)
    engine = xxgk.warehouse_engine(db)
    pooled = xxgk.warehouse_engine(db, poolclass=QueuePool, pool_recycle=0.2)
    version = "select version from meta.current_version"
    with engine.connect() as c, pooled.connect() as p:
        assert c.execute(text(version)).scalar() == p.execute(text(version)).scalar() == 1
    assert con.execute(version).fetchone() == (1,)

    refreshed = tmp_path / "next.duckdb"  # a refresh: the next version renamed over the file
    shutil.copy(db, refreshed)
    with duckdb.connect(str(refreshed)) as writer:
        writer.execute(
            "insert into meta.published select * replace (version + 1 as version) "
            "from meta.current_version"
        )
    os.replace(refreshed, db)

    with engine.connect() as c, xxgk.open_warehouse(db) as fresh:
        assert c.execute(text(version)).scalar() == 2  # NullPool: at the next checkout
        assert fresh.execute(version).fetchone() == (2,)
    time.sleep(0.5)  # the pooled connection is now older than pool_recycle
    with pooled.connect() as p:
        assert p.execute(text(version)).scalar() == 2
    assert con.execute(version).fetchone() == (1,)  # an open connection keeps its version
    assert held.execute(version).fetchone() == (1,)
    con.close()
    held.close()


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"xxgk: no warehouse file at .*nothing\.duckdb"):
        xxgk.open_warehouse(tmp_path / "nothing.duckdb")
    with pytest.raises(FileNotFoundError, match="xxgk: no warehouse file"):
        xxgk.warehouse_engine(tmp_path / "nothing.duckdb")


@pytest.mark.slow
@pytest.mark.e2e
def test_tables_can_be_inspected(bundled_warehouse: Path) -> None:
    """BI tools and pandas reflect a table before reading it: with SQLAlchemy from 2.0.55,
    the PostgreSQL dialect duckdb-engine builds on casts to REGCLASS, which DuckDB lacks
    (pinned below it in pyproject.toml)."""
    engine = xxgk.warehouse_engine(bundled_warehouse)
    frame = pd.read_sql_table("fct_report_measures_wide", engine, schema="marts")
    assert len(frame) > 0 and frame["requests_received"].dtype.kind == "i"
    table = Table("dim_report", MetaData(), schema="marts", autoload_with=engine)
    assert "report_year" in table.columns
    inspector = inspect(engine)
    assert "fct_harmonised_metrics" in inspector.get_table_names(schema="marts")
    assert "stg_documents" in inspector.get_view_names(schema="staging")
    # DuckDB's pg_catalog lists no index behind a key, so no key columns come back; the
    # call must still answer
    assert inspector.get_pk_constraint("documents", schema="raw")["constrained_columns"] == []
    assert inspector.get_foreign_keys("dim_report", schema="marts") == []


# --- types -------------------------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.e2e
def test_counts_are_whole_numbers_and_the_dictionary_says_so(bundled_warehouse: Path) -> None:
    with xxgk.open_warehouse(bundled_warehouse) as con:
        types = dict(
            con.execute(
                "select table_name || '.' || column_name, data_type from duckdb_columns() "
                "where schema_name = 'marts' and database_name = current_database()"
            ).fetchall()
        )
        quantities = dict(
            con.execute("select quantity, count(*) from marts.dim_metric group by all").fetchall()
        )
        harmonised = con.execute(
            "select distinct m.quantity from reference.harmonisation_map h "
            "join marts.dim_metric m using (metric_code)"
        ).fetchall()
    assert types["fct_harmonised_metrics.value"] == "BIGINT"
    assert types["fct_report_measures_wide.requests_received"] == "BIGINT"
    assert types["fct_report_measures_wide.grant_rate"] == "DOUBLE"
    assert types["fct_report_measures_wide.report_year"] == "INTEGER"
    assert quantities["count"] > 50 and quantities["amount"] >= 1
    assert harmonised == [("count",)]


# --- Parquet: one complete version per read ------------------------------------------------

READER = Path(__file__).parents[1] / "support" / "serving_reader.py"


def _published_versions(lines: Path) -> list[dict]:
    if not lines.exists():
        return []
    text_lines = lines.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in text_lines if line.endswith("}")]


@pytest.mark.slow
@pytest.mark.e2e
def test_a_long_lived_parquet_reader_never_reads_a_mixed_export(
    bundled_warehouse: Path, tmp_path: Path
) -> None:
    """Three publications, each with one report fewer, while a reader process reads the
    export served now in a loop (tests/support/serving_reader.py ``parquet``: the pointer, the
    manifest, then the files through pyarrow and polars)."""
    from core.paths import work_db_path
    from serving.publish import publish
    from serving.work_file import adopt_serving_file

    db = tmp_path / "warehouse" / "xxgk.duckdb"
    db.parent.mkdir()
    shutil.copy(bundled_warehouse, db)
    first = xxgk.current_parquet(bundled_warehouse)
    shutil.copytree(first.folder, db.parent / first.folder.name)
    shutil.copy(first.folder.parent / "xxgk.parquet.current", db.parent)
    out, stop = tmp_path / "parquet.jsonl", tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, str(READER), str(db), str(out), str(stop), "parquet", "2"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        versions = [first.version]
        for _ in range(3):
            deadline = time.monotonic() + 120
            while versions[-1] not in {r.get("version") for r in _published_versions(out)}:
                assert time.monotonic() < deadline and reader.poll() is None, reader.stderr
                time.sleep(0.2)
            work = work_db_path(db)
            adopt_serving_file(work, db)
            with duckdb.connect(str(work)) as con:  # a refresh that drops one report
                dropped = "(select min(report_id) from marts.dim_report)"
                con.execute(f"delete from marts.fct_report_metrics where report_id = {dropped}")
                con.execute(f"delete from marts.dim_report where report_id = {dropped}")
            versions.append(publish(work, db, source_dir=None).version)
        time.sleep(1)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    records = _published_versions(out)
    assert reader.returncode == 0, reader.stderr.read()
    assert [r for r in records if "error" in r] == []
    assert all(r["stamped"] == r["live"] for r in records)  # every read: one whole version
    for thread in (0, 1):
        seen = [r["version"] for r in records if r["thread"] == thread]
        assert seen == sorted(seen)
    by_version = {r["version"]: r["live"][0] for r in records}
    assert set(versions[:-1]) <= set(by_version) <= set(versions)
    reports = [by_version[v] for v in sorted(by_version)]
    assert reports == sorted(reports, reverse=True) and len(set(reports)) == len(reports)
