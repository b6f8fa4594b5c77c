"""The Parquet export rewrites only what changed: a partition whose rows are unchanged since
the previous export is hard-linked from it, and the export always reads back as the marts."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest

from serving.parquet import MANIFEST_FILE, export_marts


def _marts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema marts")
    con.execute(
        "create table marts.dim_report as select * from (values "
        "('a', 2019, true), ('b', 2020, true), ('c', null, false)) "
        "as t (report_id, report_year, is_canonical)"
    )
    con.execute(
        "create table marts.fct_values as select * from (values "
        "('a', 'x', 1.0), ('a', 'y', 2.0), ('b', 'x', 3.0), ('c', 'x', 4.0)) "
        "as t (report_id, metric_code, value)"
    )
    con.execute("create table marts.dim_metric as select 'x' as metric_code")
    con.execute("create table marts.fct_empty (report_id varchar, n integer)")


def _read(folder: Path, mart: str) -> list[tuple]:
    files = str(folder / mart / "**" / "*.parquet")
    with duckdb.connect() as con:
        return con.execute(
            f"select * from read_parquet('{files}', hive_partitioning = true, "
            "union_by_name = true) order by all"
        ).fetchall()


def _inode(path: Path) -> int:
    return next(path.glob("*.parquet")).stat().st_ino


@pytest.fixture
def con():
    with duckdb.connect() as connection:
        _marts(connection)
        yield connection


def test_unchanged_partitions_are_linked_and_changed_ones_written(con, tmp_path: Path) -> None:
    first = export_marts(con, tmp_path / "v1")
    assert first.linked == 0 and first.written == 3 + 3 + 1 + 1  # 2019, 2020, NULL twice

    con.execute("update marts.fct_values set value = 9 where report_id = 'b'")
    second = export_marts(con, tmp_path / "v2", previous=tmp_path / "v1")
    assert second.written == 2  # fct_values 2020, and the empty mart's file (nothing to link)
    v1, v2 = tmp_path / "v1" / "fct_values", tmp_path / "v2" / "fct_values"
    assert _inode(v1 / "report_year=2019") == _inode(v2 / "report_year=2019")
    assert _inode(v1 / "report_year=__HIVE_DEFAULT_PARTITION__") == _inode(
        v2 / "report_year=__HIVE_DEFAULT_PARTITION__"
    )
    assert _inode(v1 / "report_year=2020") != _inode(v2 / "report_year=2020")
    assert _inode(tmp_path / "v1" / "dim_metric") == _inode(tmp_path / "v2" / "dim_metric")

    full = export_marts(con, tmp_path / "full")
    for mart in ("dim_report", "fct_values", "dim_metric"):
        assert _read(tmp_path / "v2", mart) == _read(tmp_path / "full", mart), mart
    assert (3.0, 2020) not in [(r[2], r[3]) for r in _read(tmp_path / "v2", "fct_values")]
    assert full.linked == 0
    # a mart keyed by report carries whether the document is its report's canonical version
    files = str(tmp_path / "full" / "fct_values" / "**" / "*.parquet")
    with duckdb.connect() as reader:
        canonical = reader.execute(
            f"select distinct report_id, is_canonical from read_parquet('{files}')"
        ).fetchall()
    assert set(canonical) == {("a", True), ("b", True), ("c", False)}


def test_a_new_column_or_a_removed_partition_is_not_reused(con, tmp_path: Path) -> None:
    export_marts(con, tmp_path / "v1")
    con.execute("alter table marts.dim_metric add column name varchar default 'X'")
    con.execute("delete from marts.fct_values where report_id = 'c'")
    con.execute("delete from marts.dim_report where report_id = 'c'")
    export_marts(con, tmp_path / "v2", previous=tmp_path / "v1")
    assert _read(tmp_path / "v2", "dim_metric") == [("x", "X")]
    assert not (tmp_path / "v2" / "fct_values" / "report_year=__HIVE_DEFAULT_PARTITION__").exists()
    assert [r[0] for r in _read(tmp_path / "v2", "fct_values")] == ["a", "a", "b"]


def test_missing_or_damaged_digests_mean_a_full_export(con, tmp_path: Path) -> None:
    export_marts(con, tmp_path / "v1")
    (tmp_path / "v1" / "_partitions.json").write_text("{not json", encoding="utf-8")
    again = export_marts(con, tmp_path / "v2", previous=tmp_path / "v1")
    assert again.linked == 0
    assert _read(tmp_path / "v2", "fct_values") == _read(tmp_path / "v1", "fct_values")


def test_the_year_is_in_the_files_and_the_manifest_lists_them(con, tmp_path: Path) -> None:
    import polars as pl
    import pyarrow.dataset as ds

    con.execute("alter table marts.dim_report alter column report_year type integer")
    export_marts(con, tmp_path / "v7", version=7)
    manifest = json.loads((tmp_path / "v7" / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert manifest["version"] == 7
    assert sorted(manifest["marts"]) == ["dim_metric", "dim_report", "fct_empty", "fct_values"]
    values = manifest["marts"]["fct_values"]
    assert values["rows"] == 4 and len(values["files"]) == 3  # 2019, 2020 and NULL
    assert {"name": "report_year", "type": "INTEGER"} in values["columns"]
    files = [str(tmp_path / "v7" / f) for f in values["files"]]
    with duckdb.connect() as reader:  # the files alone, no partitioning: the same INTEGER
        year = reader.execute(
            "select distinct typeof(report_year) from read_parquet(?, hive_partitioning = false)",
            [files],
        ).fetchall()
    assert year == [("INTEGER",)]
    assert pl.read_parquet(files, hive_partitioning=False).schema["report_year"] == pl.Int32
    assert str(ds.dataset(files, format="parquet").schema.field("report_year").type) == "int32"
