"""The real-document corpus (PDF, HTML, glued text, local forms, a non-report, a report with no
table), scored against its hand-checked truth through the whole pipeline."""

from __future__ import annotations

import csv
from pathlib import Path

import duckdb
import pytest

from core.paths import TRUTH_DIR
from tests.e2e.test_end_to_end import score


@pytest.fixture(scope="module")
def corpus_db(bundled_warehouse: Path) -> Path:
    """The corpus, built with the sample beside it (tests/conftest.py): the truth names
    files, so each truth scores its own reports."""
    return bundled_warehouse


@pytest.mark.slow
@pytest.mark.e2e
def test_corpus_scores_perfectly(corpus_db: Path) -> None:
    assert "false_alarms 0" in score(corpus_db, "corpus").stdout


def _truth_rows() -> list[dict[str, str]]:
    with (TRUTH_DIR / "corpus_cells.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
@pytest.mark.e2e
def test_ambiguous_cells_are_uncertain_with_alternatives(corpus_db: Path) -> None:
    ambiguous = {
        (r["file"], r["metric_code"], r["applicant"])
        for r in _truth_rows()
        if r["status"] == "ambiguous"
    }
    with duckdb.connect(str(corpus_db), read_only=True) as con:
        rows = con.execute(
            "select r.source_file, m.metric_code, m.applicant, m.value_status, m.alternatives "
            "from marts.fct_report_metrics m join marts.dim_report r using (report_id) "
            "where m.value_status = 'uncertain'"
        ).fetchall()
    uncertain = {(f, code, app) for f, code, app, _, _ in rows}
    assert ambiguous <= uncertain  # never presented as printed
    assert all(alternatives for *_, alternatives in rows)


@pytest.mark.slow
@pytest.mark.e2e
def test_non_reports_and_tableless_reports_have_no_facts(corpus_db: Path) -> None:
    with duckdb.connect(str(corpus_db), read_only=True) as con:
        rows = dict(
            con.execute(
                "select source_file, template || ':' || parse_status from marts.dim_report "
                "where template = 'none'"
            ).fetchall()
        )
        facts = con.execute(
            "select count(*) from marts.fct_report_metrics m join marts.dim_report r "
            "using (report_id) where r.template = 'none'"
        ).fetchone()[0]
    assert rows == {
        "03_pingtan_dishuiju_2013.txt": "none:no_table",
        "20_pingtan_2014_han_NOT_A_REPORT.txt": "none:not_a_report",
    }
    assert facts == 0


@pytest.mark.slow
@pytest.mark.e2e
def test_local_form_keeps_cumulative_and_derives_national_rows(corpus_db: Path) -> None:
    with duckdb.connect(str(corpus_db), read_only=True) as con:
        rows = {
            code: (value, status)
            for code, value, status in con.execute(
                "select m.metric_code, m.value, m.value_status from marts.fct_report_metrics m "
                "join marts.dim_report r using (report_id) "
                "where r.source_file = '05_pingtan_xian_2012.txt'"
            ).fetchall()
        }
    assert rows["old.s3.received"] == (21, "printed")  # settled by the form's own rules
    assert rows["local.cum.old.s3.received"] == (21, "printed")
    assert rows["local.s3.received.email"] == (3, "printed")
    assert rows["local.cum.s3.received.email"] == (3, "printed")
    assert rows["old.s3.received.online"] == (3, "derived")  # 电子邮件 + 网上
    assert rows["old.s1.proactive_items"][1] == "uncertain"  # two readings keep every rule
