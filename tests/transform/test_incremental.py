"""Incremental builds (issue 6): after a report is added, re-parsed, retired or restored, the
incremental build (only the changed reports' rows replaced, seeds not reloaded) leaves every
mart exactly as a full build of the same documents would; a change to models or seeds makes
the next build a full refresh."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from core.paths import ROOT, SAMPLE_DIR
from ingest.land import land_documents
from ingest.parse_landed import parse_landed
from ingest.retire import missing_from_inbox, retire_documents
from tests.support.warehouse_tables import mart_rows
from transform.build_state import build_fingerprint, plan_build, record_build
from transform.dbt_runner import build_warehouse

SEEDS = SAMPLE_DIR


def _ingest_and_build(inbox: Path | None, db: Path):
    if inbox is not None:
        land_documents(db, inbox)
    parse_landed(db)
    return build_warehouse(db)


@pytest.mark.slow
def test_incremental_builds_equal_full_builds(tmp_path: Path) -> None:
    seeds = sorted(SEEDS.iterdir())
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in seeds[:4]:
        shutil.copy(seed, inbox / seed.name)
    db = tmp_path / "warehouse.duckdb"
    first = _ingest_and_build(inbox, db)
    assert first.plan is not None and first.plan.full_refresh
    four_reports = mart_rows(db)

    # one report added: only it is rebuilt, and the marts equal a full build of all five
    shutil.copy(seeds[4], inbox / seeds[4].name)
    added = _ingest_and_build(inbox, db)
    assert added.plan is not None and not added.plan.full_refresh
    assert added.plan.changed_reports == 1
    # the 12 per-report models, int_text_checks, fct_quality_checks_reviewed,
    # int_report_fingerprints and int_version_conflicts
    assert added.built["incremental"] == 16 and "seed" not in added.built
    assert "view" not in added.built  # the staging views stay as the last full build made them
    # a copy of the file under another name: its staging views name the old catalog, so its
    # next build is a full refresh of the same five documents, the one to equal
    renamed = tmp_path / "renamed.duckdb"
    shutil.copy(db, renamed)
    rebuilt = _ingest_and_build(None, renamed)
    assert rebuilt.plan is not None and rebuilt.plan.full_refresh
    with duckdb.connect(str(renamed), read_only=True) as con:
        assert con.execute("select count(*) from staging.stg_documents").fetchone() == (5,)
    five_reports = mart_rows(renamed)
    assert mart_rows(db) == five_reports

    # its file removed and the document retired: the marts are back to the four reports
    (inbox / seeds[4].name).unlink()
    gone = missing_from_inbox(db, inbox)
    assert len(gone) == 1
    retire_documents(db, gone, "removed from the inbox")
    retired = _ingest_and_build(None, db)
    assert retired.plan is not None and retired.plan.changed_reports == 1
    assert mart_rows(db) == four_reports
    with duckdb.connect(str(db), read_only=True) as con:  # history kept
        assert con.execute("select count(*) from raw.documents").fetchone() == (5,)
        assert con.execute("select count(*) from audit.retirements").fetchone() == (1,)

    # the same bytes offered again: restored
    shutil.copy(seeds[4], inbox / f"again_{seeds[4].name}")
    restored = _ingest_and_build(inbox, db)
    assert restored.plan is not None and restored.plan.changed_reports == 1
    assert mart_rows(db) == five_reports

    # a parser version change: as if the warehouse had been parsed and built by an older
    # parser, the document is parsed again from the stored text (the inbox is gone) and only
    # it is rebuilt
    shutil.rmtree(inbox)
    with duckdb.connect(str(db)) as con:
        older = "where document_id = (select min(document_id) from raw.documents)"
        for table in ("raw.report_attributes", "raw.cells"):
            con.execute(f"update {table} set parser_version = '0.0.0-older' {older}")
        con.execute(
            "update meta.built_reports set parser_version = '0.0.0-older' "
            "where report_id = (select min(document_id) from raw.documents)"
        )
    reparsed = _ingest_and_build(None, db)
    assert reparsed.plan is not None and reparsed.plan.changed_reports == 1
    assert mart_rows(db) == five_reports

    # nothing changed: nothing listed
    assert plan_build(db, ROOT).changed_reports == 0


def _failed_cross_year_cells(db: Path, report_id: str) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        row = con.execute(
            "select count(*) from marts.fct_report_metrics_reviewed "
            "where report_id = ? and failed_checks like '%xyear.%'",
            [report_id],
        ).fetchone()
    return int(row[0]) if row else 0


@pytest.mark.slow
def test_a_next_year_report_changes_last_years_checks(tmp_path: Path) -> None:
    """The quality models compare reports with each other: 泾源县 2019 and a copy dated 2020
    are one series, and the copy's carry-over checks fail on the 2019 report's cells. Adding
    the 2020 report, then retiring it, rebuilds only the changed report and the families
    across reports, and the 2019 report's reviewed cells gain, then lose, the failures
    exactly as a full build has them."""
    jingyuan = SEEDS / "003_15ff2673dd8233d5.txt"
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(jingyuan, inbox / "jingyuan_2019.txt")
    db = tmp_path / "warehouse.duckdb"
    assert _ingest_and_build(inbox, db).plan.full_refresh
    one_year = mart_rows(db)
    with duckdb.connect(str(db), read_only=True) as con:
        (report_2019,) = con.execute("select report_id from marts.dim_report").fetchone()
    assert _failed_cross_year_cells(db, report_2019) == 0

    text = jingyuan.read_text(encoding="utf-8").replace("2019", "2020")
    (inbox / "jingyuan_2020.txt").write_text(text, encoding="utf-8")
    added = _ingest_and_build(inbox, db)
    assert added.plan is not None and not added.plan.full_refresh
    assert added.plan.changed_reports == 1
    assert _failed_cross_year_cells(db, report_2019) > 0  # the scenario is what it claims
    full_db = tmp_path / "full.duckdb"
    _ingest_and_build(inbox, full_db)
    assert mart_rows(db) == mart_rows(full_db)

    (inbox / "jingyuan_2020.txt").unlink()
    retire_documents(db, missing_from_inbox(db, inbox), "removed from the inbox")
    retired = _ingest_and_build(None, db)
    assert retired.plan is not None and retired.plan.changed_reports == 1
    assert _failed_cross_year_cells(db, report_2019) == 0
    assert mart_rows(db) == one_year


@pytest.mark.slow
def test_a_full_refresh_in_batches_equals_one_pass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big full refresh is built in batches of reports (XXGK_BUILD_BATCH): six reports in
    batches of two (泾源县 2019 and its 2020 copy, a series, fall in different batches) give
    the same marts as one pass, and the next change is an ordinary incremental build."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for seed in sorted(SEEDS.iterdir()):
        shutil.copy(seed, inbox / seed.name)
    jingyuan = SEEDS / "003_15ff2673dd8233d5.txt"
    text = jingyuan.read_text(encoding="utf-8").replace("2019", "2020")
    (inbox / "jingyuan_2020.txt").write_text(text, encoding="utf-8")
    one_pass = tmp_path / "one_pass.duckdb"
    assert _ingest_and_build(inbox, one_pass).batches == 1

    monkeypatch.setenv("XXGK_BUILD_BATCH", "2")
    batched_db = tmp_path / "batched.duckdb"
    batched = _ingest_and_build(inbox, batched_db)
    assert batched.batches == 3 and batched.plan is not None and batched.plan.full_refresh
    assert batched.built["test"] > 0  # the data tests ran, once, on the whole warehouse
    with duckdb.connect(str(batched_db), read_only=True) as con:
        (series_pairs,) = con.execute(
            "select count(*) from marts.fct_quality_checks where check_group = 'cross_year'"
        ).fetchone()
        assert con.execute("select count(*) from meta.built_reports").fetchone() == (6,)
        assert con.execute("select count(*) from meta.changed_reports").fetchone() == (0,)
    assert series_pairs > 0
    assert mart_rows(batched_db) == mart_rows(one_pass)

    (inbox / "jingyuan_2020.txt").unlink()
    retire_documents(batched_db, missing_from_inbox(batched_db, inbox), "removed")
    after = _ingest_and_build(None, batched_db)
    assert after.batches == 1 and after.plan is not None and not after.plan.full_refresh


def test_a_changed_seed_or_model_means_a_full_refresh(tmp_path: Path) -> None:
    project = tmp_path / "project"
    for name in ("models", "macros", "seeds"):
        shutil.copytree(ROOT / name, project / name)
    for name in ("dbt_project.yml", "selectors.yml", "profiles.yml"):
        shutil.copy(ROOT / name, project / name)
    before = build_fingerprint(project)
    assert build_fingerprint(project) == before
    db = tmp_path / "w.duckdb"
    record_build(db, plan_build(db, project))  # as after a build of the project as it is
    assert "changed" not in plan_build(db, project).reason

    aliases = project / "seeds" / "label_aliases.csv"
    aliases.write_text(aliases.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert build_fingerprint(project) != before
    plan = plan_build(db, project)
    assert plan.full_refresh and "changed" in plan.reason
