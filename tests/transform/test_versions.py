"""One report, one row (issue 21): the collection of tests/support/versions_collection.py holds
every sample report in eight renderings, near-duplicates, a corrected re-publication and
look-alikes. Its versions group into reports, each report has one canonical version chosen
by the documented rule, versions that print different numbers are a version_conflict, the
analyst marts equal those of the collection holding each report once, and an incremental
build (versions added, then retired) equals a full build of the same documents.

Cost: one landing and parse of the 51 files, two full dbt builds, two incremental ones and
one partial rebuild (about 2–3 minutes on two busy cores)."""

from __future__ import annotations

import shutil
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest

from ingest.land import land_documents
from ingest.parse_landed import parse_landed
from ingest.retire import retire_documents
from ingest.reviews import Pin, append, land_reviews
from serving.report import data as report_data
from tests.support.dbt_raw_fixture import run_dbt
from tests.support.versions_collection import CollectionFile, write_collection
from tests.support.warehouse_tables import mart_rows
from transform.dbt_runner import build_warehouse

ANALYST_MARTS = {
    # mart: its columns naming a document rather than the report
    "fct_report_measures_wide": ("report_id", "report_key", "version_count"),
}


def _retire(db: Path, files: list[CollectionFile], keep: bool) -> None:
    """Retire the files that are not (keep=True) or are (keep=False) the once-collection."""
    paths = [f.name for f in files if f.once != keep]
    retire_documents(db, paths, "not in the collection holding each report once")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict:
    work = tmp_path_factory.mktemp("versions")
    inbox = work / "inbox"
    files = write_collection(inbox)
    raw = work / "landed.duckdb"  # (a file named raw.duckdb would clash with schema raw)
    land_documents(raw, inbox)
    parse_landed(raw)

    full = work / "full.duckdb"  # every file
    shutil.copy(raw, full)
    assert build_warehouse(full).plan.full_refresh

    once = work / "once.duckdb"  # each report once: the others retired before any build
    shutil.copy(raw, once)
    _retire(once, files, keep=True)
    build_warehouse(once)

    with duckdb.connect(str(full), read_only=True) as con:
        rows = con.execute(
            "select source_file, report_id, report_key, is_canonical, canonical_report_id, "
            "version_count, version_rule, version_reason from marts.dim_report"
        ).fetchall()
    documents = {
        row[0]: dict(
            zip(
                (
                    "report_id",
                    "report_key",
                    "is_canonical",
                    "canonical",
                    "versions",
                    "rule",
                    "reason",
                ),
                row[1:],
                strict=True,
            )
        )
        for row in rows
    }
    return {
        "work": work,
        "inbox": inbox,
        "files": files,
        "full": full,
        "once": once,
        "documents": documents,
    }


def _query(db: Path, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, parameters or []).fetchall()


@pytest.mark.slow
def test_versions_group_into_their_reports_and_look_alikes_stay_apart(built: dict) -> None:
    documents, files = built["documents"], built["files"]
    assert len(documents) == len(files) == 51
    by_key: dict[str, set[str]] = defaultdict(set)
    by_report: dict[str, set[str]] = defaultdict(set)
    for f in files:
        by_key[documents[f.name]["report_key"]].add(f.name)
        by_report[f.report].add(f.name)
    assert sorted(map(sorted, by_key.values())) == sorted(map(sorted, by_report.values()))
    # every sample in eight renderings, a near-duplicate or a correction: nine versions each
    for stem in ("000", "001", "002", "003", "004"):
        assert len(by_report[stem]) == 9
        assert {documents[name]["versions"] for name in by_report[stem]} == {9}
    # the look-alikes: an office beside its county, two departments of one county in one
    # year, one issuer's two years (the same statistics), two bodies of one region code
    for f in files:
        if f.kind == "look_alike":
            assert documents[f.name]["versions"] == 1, f.name
            assert documents[f.name]["rule"] == "only_version"
    assert (
        documents["lookalike_2020.txt"]["report_key"] != documents["003_original.txt"]["report_key"]
    )


@pytest.mark.slow
def test_each_report_has_one_canonical_version_and_says_why(built: dict) -> None:
    documents = built["documents"]
    canonical = defaultdict(list)
    for name, document in documents.items():
        if document["is_canonical"]:
            canonical[document["report_key"]].append(name)
        else:
            winner = document["canonical"]
            assert document["reason"].startswith(f"lost to {winner} ("), name
    assert all(len(names) == 1 for names in canonical.values())
    assert len(canonical) == 11
    # the correction beats what it corrects, whatever landed first
    corrected = documents["002_corrected.txt"]
    assert corrected["is_canonical"] and corrected["rule"] == "correction"
    assert documents["002_original.txt"]["rule"] == "correction"
    assert "is a correction" in documents["002_original.txt"]["reason"]
    # the crawled page's breadcrumb was read as its title: its statistics are those of the
    # report, but the attributes most versions read win
    assert documents["000_page.html"]["rule"] == "agreed_attributes"
    # the PDF of 固原市人民政府办公室's text reads fewer cells: it would lose on them too
    assert documents["002_text.pdf"]["rule"] == "correction"


@pytest.mark.slow
def test_a_version_conflict_lists_the_cells_and_both_values(built: dict) -> None:
    documents = built["documents"]
    corrected = documents["002_corrected.txt"]["report_id"]
    original = documents["002_original.txt"]["report_id"]
    rows = _query(
        built["full"],
        "select status, expected, actual, cells, detail from marts.fct_quality_checks "
        "where report_id = ? and check_code = 'version_conflict' and related_report_id = ?",
        [corrected, original],
    )
    assert len(rows) == 1
    status, expected, actual, cells, detail = rows[0]
    assert (status, expected, actual) == ("fail", 0.0, 2.0)
    cell = "t4.lit_after_review.total[total]"
    assert cells.startswith(f"{cell}@L") and f"{cell} of {original}@L" in cells
    assert f"{cell} = 2 here" in detail and f"0 in {original} (002_original.txt" in detail
    # every other version prints the old 0; the canonical version is graded lower for it
    (grade,) = _query(
        built["full"],
        "select quality_grade || ': ' || grade_reason from marts.fct_report_quality "
        "where report_id = ?",
        [corrected],
    )
    assert grade == ("B: a soft check fails: version_conflict",)
    # a version conflict counts once, for the report (fct_check_summary)
    (summary,) = _query(
        built["full"],
        "select n_reports, n_reports_failed from marts.fct_check_summary "
        "where check_code = 'version_conflict'",
    )
    assert summary == (1, 1)


def _analyst_rows(db: Path) -> dict[str, list[tuple]]:
    """The analyst marts with the columns that name a document left out, and the HTML
    report's figures."""
    rows = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for mart, document_columns in ANALYST_MARTS.items():
            columns = [
                name
                for (name,) in con.execute(
                    "select column_name from information_schema.columns "
                    "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                    [mart],
                ).fetchall()
                if name not in document_columns
            ]
            rows[mart] = con.execute(
                f"select {', '.join(columns)} from marts.{mart} order by all"
            ).fetchall()
        rows["fct_harmonised_metrics"] = con.execute(
            "select r.region_code, r.scope, r.issuer, r.report_year, r.template, "
            "h.measure_code, h.value, h.comparability from marts.fct_harmonised_metrics h "
            "join marts.dim_report r using (report_id) order by all"
        ).fetchall()
        rows["fct_series_coverage"] = con.execute(
            "select * exclude (report_ids) from marts.fct_series_coverage order by all"
        ).fetchall()
        rows["cross_year_and_level"] = con.execute(
            "select r.report_year, r.region_code, q.check_code, q.instance, q.status, "
            "q.expected, q.actual from marts.fct_quality_checks q "
            "join marts.dim_report r using (report_id) "
            "where q.check_group in ('cross_year', 'cross_level') order by all"
        ).fetchall()
        overview = report_data.overview(con)
        rows["html_report"] = [
            tuple((k, v) for k, v in overview.items() if k != "further_versions"),
            repr(report_data.requests_by_year(con)),
            repr(report_data.outcomes_by_year(con)),
            tuple(report_data.grant_rate_by_region(con).rows()),
            repr(report_data.template_coverage(con)),
        ]
    return rows


@pytest.mark.slow
def test_analysts_count_each_report_once(built: dict) -> None:
    full, once = _analyst_rows(built["full"]), _analyst_rows(built["once"])
    assert full == once
    assert len(full["fct_report_measures_wide"]) == 11
    with duckdb.connect(str(built["full"]), read_only=True) as con:
        overview = report_data.overview(con)
    assert overview["reports"] == 11 and overview["further_versions"] == 40
    # the example: 泾源县 2019 counted once, the year's requests stay 37 (33 + 4)
    (received,) = _query(
        built["full"],
        "select sum(requests_received) from marts.fct_report_measures_wide "
        "where report_year = 2019 and region_code like '6404%'",
    )
    assert received == (37 + 2 + 1 + 3,)  # 固原市办公室 33, 泾源县 4; the office and departments


@pytest.mark.slow
def test_incremental_builds_regroup_as_a_full_build_does(built: dict) -> None:
    """From the once-collection, the other versions arrive (the canonical choice of a report
    whose first version did not change moves to a version landed now), then leave again."""
    db = built["work"] / "incremental" / built["once"].name  # its name: views name the catalog
    db.parent.mkdir()
    shutil.copy(built["once"], db)
    land_documents(db, built["inbox"])  # the same bytes offered again: restored
    added = build_warehouse(db)
    assert added.plan is not None and not added.plan.full_refresh
    assert added.plan.changed_reports == 40
    assert mart_rows(db) == mart_rows(built["full"])

    _retire(db, built["files"], keep=True)
    retired = build_warehouse(db)
    assert retired.plan is not None and not retired.plan.full_refresh
    assert mart_rows(db) == mart_rows(built["once"])


def _rebuild_versions(db: Path, work: Path) -> None:
    """The grouping and what reads it again (and int_reports, which reads stg_documents)."""
    rebuilt = run_dbt(
        ["run", "--full-refresh", "--select", "int_reports int_canonical_pins+"], db, work
    )
    assert rebuilt.success, f"dbt run failed: {rebuilt.exception or rebuilt.result}"


@pytest.mark.slow
def test_a_reviewer_pins_the_canonical_version(built: dict) -> None:
    """A row of seeds/canonical_choices.csv overrides the rule and settles the report's
    version conflicts; a row whose chosen document is no version of the report it names is
    ignored. A pin in the reviews store (`xxgk review`) wins over the seed's."""
    documents = built["documents"]
    db = built["work"] / "pinned" / built["full"].name
    db.parent.mkdir()
    shutil.copy(built["full"], db)
    original = documents["002_original.txt"]["report_id"]
    stranger = documents["003_original.txt"]["report_id"]
    with duckdb.connect(str(db)) as con:
        con.executemany(
            "insert into reference.canonical_choices values (?, ?, ?, ?, ?)",
            [
                (
                    documents["002_corrected.txt"]["report_key"],
                    original,
                    "the publisher withdrew its correction notice",
                    "reviewer",
                    "2026-12-01",
                ),
                (original, stranger, "names another report", "reviewer", "2026-12-02"),
            ],
        )
    _rebuild_versions(db, built["work"])
    rows = dict(
        (name, (canonical, rule))
        for name, canonical, rule in _query(
            db,
            "select source_file, is_canonical, version_rule from marts.dim_report "
            "where source_file in ('002_original.txt', '002_corrected.txt', '003_original.txt')",
        )
    )
    assert rows == {
        "002_original.txt": (True, "pinned"),
        "002_corrected.txt": (False, "pinned"),
        "003_original.txt": (True, "first_landed"),
    }
    conflicts = _query(
        db,
        "select status, detail from marts.fct_quality_checks "
        "where report_id = ? and check_code = 'version_conflict'",
        [original],
    )
    assert conflicts and all(status == "pass" for status, _ in conflicts)
    assert all("settled: reviewer chose this version on 2026-12-01" in d for _, d in conflicts)

    # the store's pin (named by a version's report_id, as the app writes it) wins; and a
    # canonical version read by OCR (the marker landing writes) loses to a text layer
    chosen = documents["002_text.pdf"]["report_id"]
    store = built["work"] / "pinned" / "w.reviews.duckdb"
    append(store, [Pin(original, chosen, "the agency's own PDF", "王")])
    assert land_reviews(db, store).pins == 1
    scanned = next(
        d["report_id"]
        for name, d in documents.items()
        if name.startswith("001_") and d["is_canonical"]
    )
    with duckdb.connect(str(db)) as con:
        con.execute(
            "update raw.documents set ocr_engine = 'rapidocr (test)' where document_id = ?",
            [scanned],
        )
    _rebuild_versions(db, built["work"])
    ((canonical, rule, reason),) = _query(
        db,
        "select is_canonical, version_rule, version_reason from marts.dim_report "
        "where report_id = ?",
        [scanned],
    )
    assert (canonical, rule) == (False, "text_layer")
    assert "page images by OCR" in reason
    (row,) = _query(
        db,
        "select is_canonical, version_rule, version_reason from marts.dim_report "
        "where report_id = ?",
        [chosen],
    )
    assert row[:2] == (True, "pinned") and "reviews store" in row[2]
    lost = _query(db, "select is_canonical from marts.dim_report where report_id = ?", [original])
    assert lost == [(False,)]
    conflicts = _query(
        db,
        "select status, detail from marts.fct_quality_checks "
        "where report_id = ? and check_code = 'version_conflict'",
        [chosen],
    )
    assert conflicts and all(status == "pass" for status, _ in conflicts)
    assert all("settled: 王 chose this version on" in d for _, d in conflicts)
    # graded as reviewed: the settled conflicts no longer lower the grade
    ((reason,),) = _query(
        db, "select grade_reason from marts.fct_report_quality where report_id = ?", [chosen]
    )
    assert "version_conflict" not in reason
