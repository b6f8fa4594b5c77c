"""The data-quality marts on crafted reports: every planted inconsistency is flagged with the
cells (and lines) involved, clean reports raise no alarm, and overrides reach only the
reviewed layer.

The warehouse holds the reports of tests/support/dbt_raw_fixture.py, a few more crafted here as raw
rows, and two real seed reports read by the real parser and prose reader: 彭阳县 2018 as
printed (clean) and a copy of 泾源县 2019 with two numbers altered (the prose's request count
and one table-二 cell). The build uses
selectors.yml `quality`: every seed and model, and the tests of the data-quality nodes; a
reviewer's corrections then go into reference.overrides and the two models reading them are
built again.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from core.paths import SAMPLE_DIR
from ingest.land import land_documents
from ingest.parse import PARSER_VERSION, parse_document
from ingest.parse.prose import PROSE_VERSION, extract_prose_numbers
from ingest.store_parsed import write_parse_results
from tests.support import dbt_raw_fixture as fx

PENGYANG_2018 = SAMPLE_DIR / "004_f21e6a5116a3f828.txt"
JINGYUAN_2019 = SAMPLE_DIR / "003_15ff2673dd8233d5.txt"

CONTRACT_OLD = [
    "old.received_channels",
    "old.closed_split",
    "old.replies_sum",
    "old.review_sum",
    "old.litigation_sum",
    "old.staff_split",
]
# the outcome rows of a v2019-style table 三 (one （六）其他处理 row)
LEAVES = [
    code
    for code in fx._t3_rows(["t3.result.other"])
    if code.startswith("t3.result.") and code != "t3.result.total"
]


def balanced_t3(new: dict, carried: dict, granted: dict) -> dict[str, dict[str, int]]:
    """A v2019-style table 三 whose identities hold: every outcome is 予以公开."""
    rows = {"t3.new_received": new, "t3.carried_over": carried}
    rows.update({code: {} for code in LEAVES})
    rows["t3.result.granted"] = granted
    rows["t3.result.total"] = granted
    rows["t3.carry_forward"] = {
        a: new.get(a, 0) + carried.get(a, 0) - granted.get(a, 0) for a in fx.APPLICANTS
    }
    return rows


def crafted_reports() -> dict[str, fx.Report]:
    reports: dict[str, fx.Report] = {}

    # old template: the soft and 其中 rules broken, the contract identities intact
    r = fx.Report(
        "OLD_SOFT",
        "old_soft.txt",
        "中卫市2017年政府信息公开工作年度报告\n(old soft fixture)\n",
        fx._attributes(
            "old", 2017, region_code="640500", region_name="中卫市", issuer="中卫市人民政府"
        ),
    )
    for code, value in {
        "old.s1.proactive_items": "100",  # > the channels' 65
        "old.s1.proactive_items.normative_published": "5",  # > 4 issued
        "old.s1.proactive_items.normative_issued": "4",
        "old.s1.channels.gazette": "30",
        "old.s1.channels.website": "20",
        "old.s1.channels.weibo": "10",
        "old.s1.channels.wechat": "0",
        "old.s1.channels.other": "5",
        "old.s2.channels.press_conf": "3",
        "old.s2.channels.press_conf.principal": "5",  # 其中 > its parent
        "old.s2.channels.online_interview": "2",
        "old.s2.channels.online_interview.principal": "1",
        "old.s3.closed": "10",
        "old.s3.replies": "10",
        "old.s3.replies.denied": "2",
        "old.s3.replies.denied.state_secret": "2",  # reasons 3 > 2 denied
        "old.s3.replies.denied.commercial_secret": "0",
        "old.s3.replies.denied.privacy": "1",
        "old.s3.replies.denied.security_stability": "0",
        "old.s3.replies.denied.not_gov_info": "0",
        "old.s3.replies.denied.other_legal": "0",
    }.items():
        r.cell("old", code, value)
    reports[r.key] = r

    # 洪泽 2024: last year's (fixture HYBRID, 2023) carry-forward is 6 natural persons and 1
    # commercial; this year's carried-over natural persons say 5
    r = fx.Report(
        "HYBRID_NEXT",
        "hybrid_next.pdf",
        "洪泽区人民政府2024年政府信息公开工作年度报告\n(hybrid 2024 fixture)\n",
        fx._attributes(
            "hybrid",
            2024,
            region_code="320813",
            region_name="洪泽区",
            issuer="淮安市洪泽区人民政府",
        ),
    )
    r.cell("t2", "t2.art20_1.normative_doc.issued", "5")
    r.cell("t2", "t2.art20_1.normative_doc.repealed", "2")
    r.cell("t2", "t2.art20_1.normative_doc.in_force", "43")  # 40 + 5 - 2
    fx._t3(
        r,
        balanced_t3(
            new={"natural_person": 10},
            carried={"natural_person": 5, "commercial": 1},
            granted={"natural_person": 15, "commercial": 1},
        ),
    )
    reports[r.key] = r

    # 淮安市 2023: the city reports fewer requests than its district 洪泽区 (fixture HYBRID)
    r = fx.Report(
        "PARENT",
        "huaian_2023.pdf",
        "淮安市人民政府2023年政府信息公开工作年度报告\n(parent fixture)\n",
        fx._attributes(
            "v2021", 2023, region_code="320800", region_name="淮安市", issuer="淮安市人民政府"
        ),
    )
    fx._t3(r, balanced_t3(new={"natural_person": 20}, carried={}, granted={"natural_person": 20}))
    fx._t4(
        r,
        {
            "review": (3, 1, 0, 0, 4),
            "lit_direct": (1, 0, 0, 0, 1),
            "lit_after_review": (1, 1, 0, 0, 2),
        },
    )
    reports[r.key] = r

    # 沙坡头区 2019 and 2020 (v2019 table 二): 上一年项目数量 continues from last year's
    # 上一年项目数量 + 本年增/减 for 行政许可 (100 + 10 = 110), not for 行政处罚 (50 - 5 ≠ 40)
    for year, items in (
        (2019, {"licensing": ("100", "10"), "penalty": ("50", "-5")}),
        (2020, {"licensing": ("110", "0"), "penalty": ("40", "0")}),
    ):
        r = fx.Report(
            f"SPT_{year}",
            f"shapotou_{year}.txt",
            f"沙坡头区{year}年政府信息公开工作年度报告\n(v2019 table 二 fixture)\n",
            fx._attributes(
                "v2019",
                year,
                region_code="640502",
                region_name="沙坡头区",
                issuer="中卫市沙坡头区人民政府",
            ),
        )
        for row, (prev, delta) in items.items():
            block = "t2.art20_5" if row == "licensing" else "t2.art20_6"
            r.cell("t2", f"{block}.{row}.prev_items", prev)
            r.cell("t2", f"{block}.{row}.delta_items", delta)
        reports[r.key] = r
    return reports


def add_prose(fixture: dict[str, fx.Report]) -> None:
    """Numbers the fixture reports' texts state (as the prose reader would write them)."""
    v2021 = fixture["V2021"]  # 33 new + 2 carried over
    v2021.prose_number("requests_received", "35", 3, subject="region")
    v2021.prose_number("requests_received", "5", 4, subject="office")
    v2019 = fixture["V2019"]  # review 1; lawsuits: totals 0 + 0, parts 0 + 5
    v2019.prose_number("reviews_total", "1", 7)
    v2019.prose_number("lawsuits_total", "3", 7)


def land_seed_reports(db: Path, inbox: Path) -> dict[str, str]:
    """Land 彭阳 2018 as printed and an altered copy of 泾源 2019; parse both for real."""
    inbox.mkdir()
    shutil.copy(PENGYANG_2018, inbox / "pengyang_2018.txt")
    text = JINGYUAN_2019.read_text(encoding="utf-8")
    for printed, altered in (
        ("全年收到政府信息公开申请 4 ", "全年收到政府信息公开申请 7 "),  # table 三 says 4
        ("规范性文件 21 21 21", "规范性文件 21 25 21"),  # 25 published of 21 made
    ):
        assert printed in text
        text = text.replace(printed, altered)
    (inbox / "jingyuan_2019_altered.txt").write_text(text, encoding="utf-8")
    land_documents(db, inbox)
    with duckdb.connect(str(db), read_only=True) as con:
        landed = con.execute(
            "select source_file, document_id, text from raw.documents "
            "where source_path not like 'in/%'"
        ).fetchall()
    write_parse_results(
        db,
        [(doc_id, parse_document(doc_id, text)) for _, doc_id, text in landed],
        PARSER_VERSION,
        prose={
            doc_id: [
                {**n.as_record(), "extractor_version": PROSE_VERSION}
                for n in extract_prose_numbers(text)
            ]
            for _, doc_id, text in landed
        },
    )
    return {
        "PENGYANG": next(d for f, d, _ in landed if f == "pengyang_2018.txt"),
        "JINGYUAN": next(d for f, d, _ in landed if f == "jingyuan_2019_altered.txt"),
    }


def reviewed_corrections(ids: dict[str, str]) -> list[tuple]:
    return [
        (
            ids["V2019"],
            "t4.lit_after_review.total",
            "total",
            5.0,
            "总计 printed 0; the four parts add to 5 and the text confirms 5",
            "reviewer",
            "2026-11-01",
        ),
        (
            ids["V2019"],
            "t2.art20_1.regulation.new_made",
            "total",
            0.0,
            "row left out of the table; the text says no regulations were made",
            "reviewer",
            "2026-11-01",
        ),
        ("0000000000000000", "t3.new_received", "total", 1.0, "?", "reviewer", "2026-11-01"),
    ]


@pytest.fixture(scope="module")
def quality(tmp_path_factory):
    work = tmp_path_factory.mktemp("quality")
    db = work / "warehouse.duckdb"
    ids = fx.load_fixture(str(db))
    fixture = fx.build_reports()
    add_prose(fixture)
    crafted = crafted_reports()
    with duckdb.connect(str(db)) as con:
        con.executemany(
            "insert into raw.prose_numbers values (?,?,?,?,?,?,?,?,?,?)",
            [row for r in fixture.values() for row in r.prose],
        )
        fx.insert_reports(con, crafted.values())
    ids.update({key: r.document_id for key, r in crafted.items()})
    ids.update(land_seed_reports(db, work / "in"))
    # every seed and model, and the tests of the data-quality nodes (selectors.yml)
    built = fx.run_dbt(["build", "--selector", "quality"], db, work)
    assert built.success, f"dbt build failed: {built.exception or built.result}"
    # a reviewer's corrections, then the models that read them again
    with duckdb.connect(str(db)) as con:
        con.executemany(
            "insert into reference.overrides values (?,?,?,?,?,?,?)", reviewed_corrections(ids)
        )
    # a full refresh, as `xxgk run` makes after an edit of seeds/overrides.csv (the build
    # fingerprint covers the seeds): the reviewed layer is incremental by report otherwise
    rebuilt = fx.run_dbt(
        [
            "build",
            "--full-refresh",
            "--select",
            "int_reviewed_corrections",
            "int_quality_checks_reviewed",
            "fct_report_metrics_reviewed",
            "fct_quality_checks_reviewed",
            "fct_report_quality",
        ],
        db,
        work,
    )
    assert rebuilt.success, f"dbt build failed: {rebuilt.exception or rebuilt.result}"
    con = duckdb.connect(str(db), read_only=True)
    yield {"con": con, "ids": ids, "build": [*built.result, *rebuilt.result]}
    con.close()


def checks(q, key, check_code=None):
    sql = (
        "select check_code, instance, status, severity, expected, actual, detail, cells, "
        "related_report_id from marts.fct_quality_checks where report_id = ?"
    )
    params = [q["ids"][key]]
    if check_code:
        sql += " and check_code = ?"
        params.append(check_code)
    rows = q["con"].execute(sql + " order by check_code, instance", params).fetchall()
    return {(r[0], r[1]): r[2:] for r in rows}


@pytest.mark.slow
def test_every_data_test_passes(quality):
    statuses = {str(r.status) for r in quality["build"]}
    assert statuses <= {"success", "pass", "no-op", "warn"}, statuses


@pytest.mark.slow
def test_old_template_soft_and_subset_rules(quality):
    found = checks(quality, "OLD_SOFT")
    status = {code: row[0] for (code, _), row in found.items()}
    assert status == {
        **dict.fromkeys(CONTRACT_OLD, "not_assessable"),  # their parts are not in the table
        "old.denied_reasons_le": "fail",
        "old.interview_principal_le": "pass",
        "old.normative_published_le_issued": "fail",
        "old.press_conf_principal_le": "fail",
        "old.proactive_channels_ge": "fail",
        "old.replies_closed_eq": "pass",
        "cell.whole_number": "pass",  # its counts are whole
    }
    _, severity, expected, actual, detail, cells, _ = found[("old.denied_reasons_le", "total")]
    assert (severity, expected, actual) == ("warn", 3.0, 2.0)
    assert detail.startswith("fails: old.s3.replies.denied[total] 2 = 2 is not ≥")
    assert "old.s3.replies.denied.privacy[total]@L" in cells
    assert found[("old.press_conf_principal_le", "total")][1] == "error"
    assert found[("old.proactive_channels_ge", "total")][2:4] == (65.0, 100.0)
    # the contract's mart keeps the contract's codes only
    contract = quality["con"].execute(
        "select distinct check_code from marts.fct_check_results where report_id = ?",
        [quality["ids"]["OLD_SOFT"]],
    )
    assert {c for (c,) in contract.fetchall()} == set(CONTRACT_OLD)


@pytest.mark.slow
def test_a_clean_real_report_raises_nothing(quality):
    found = checks(quality, "PENGYANG")
    assert found and {row[0] for row in found.values()} == {"pass"}
    assert {code for code, _ in found} >= {
        "old.denied_reasons_le",
        "old.proactive_channels_ge",
        "prose.proactive_items",
        "prose.requests_received",
    }
    grade = quality["con"].execute(
        "select quality_grade, n_failed from marts.fct_report_quality where report_id = ?",
        [quality["ids"]["PENGYANG"]],
    )
    assert grade.fetchone() == ("A", 0)


@pytest.mark.slow
def test_prose_against_the_table_names_both_places(quality):
    found = checks(quality, "JINGYUAN", "prose.requests_received")
    [((_, instance), (status, severity, expected, actual, detail, cells, _))] = found.items()
    assert (instance, status, severity, expected, actual) == ("L49", "fail", "warn", 7.0, 4.0)
    assert "the text (L49) states 7" in detail and "本年新收 4" in detail
    assert cells.startswith("text@L49, t3.new_received[total]@L")
    # the rest of the prose agrees with the table
    others = checks(quality, "JINGYUAN")
    assert others[("prose.reviews_total", "L51")][0] == "pass"
    assert others[("prose.lawsuits_total", "L53")][0] == "pass"


@pytest.mark.slow
def test_prose_scope_and_candidates(quality):
    found = checks(quality, "V2021")
    # 33 new + 2 carried over: the second candidate agrees
    status, _, expected, actual, detail, _, _ = found[("prose.requests_received", "L3")]
    assert (status, expected, actual) == ("pass", 35.0, 35.0)
    assert "本年新收 + 上年结转 35" in detail
    # the office's own count in a region-wide report is not compared
    status, *_, detail, _, _ = found[("prose.requests_received", "L4")]
    assert status == "not_assessable" and "office alone" in detail
    found = checks(quality, "V2019")
    assert found[("prose.reviews_total", "L7")][0] == "pass"
    status, _, expected, actual, detail, _, _ = found[("prose.lawsuits_total", "L7")]
    assert (status, expected, actual) == ("fail", 3.0, 0.0)
    assert "直接起诉 总计 + 复议后起诉 总计 0" in detail
    assert "维持 + 纠正 + 其他 + 尚未审结 5" in detail


@pytest.mark.slow
def test_table_two_rules_per_row(quality):
    found = checks(quality, "JINGYUAN")
    assert found[("t2.new_published_le_made", "regulation")][0] == "pass"
    status, _, expected, actual, detail, _, _ = found[("t2.new_published_le_made", "normative_doc")]
    assert (status, expected, actual) == ("fail", 21.0, 25.0)
    assert found[("t2.total_published_ge_new", "normative_doc")][0] == "fail"
    # soft failures leave the contract identities green and grade the report B
    contract = {row[0] for (code, _), row in found.items() if code.startswith(("t3.", "t4."))}
    assert contract == {"pass"}
    row = quality["con"].execute(
        "select quality_grade, n_failed_error, n_failed_warn, failed_checks "
        "from marts.fct_report_quality where report_id = ?",
        [quality["ids"]["JINGYUAN"]],
    )
    assert row.fetchone() == (
        "B",
        0,
        3,
        "prose.requests_received, t2.new_published_le_made, t2.total_published_ge_new",
    )


@pytest.mark.slow
def test_carry_over_between_consecutive_years(quality):
    found = checks(quality, "HYBRID_NEXT", "xyear.t3_carry_over")
    status = {instance: row[0] for (_, instance), row in found.items()}
    assert status == {
        "natural_person": "fail",  # 5 carried over, 6 carried forward in 2023
        "commercial": "pass",
        "research": "pass",
        "public_welfare": "pass",
        "legal_service": "pass",
        "other_org": "pass",
        "total": "fail",
    }
    row = found[("xyear.t3_carry_over", "natural_person")]
    _, _, expected, actual, detail, cells, related = row
    assert (expected, actual, related) == (6.0, 5.0, quality["ids"]["HYBRID"])
    assert "t3.carry_forward[natural_person] of 2023 6" in detail
    assert "t3.carried_over[natural_person]@L" in cells
    in_force = checks(quality, "HYBRID_NEXT", "xyear.t2_in_force")
    assert in_force[("xyear.t2_in_force", "normative_doc")][0] == "pass"  # 40 + 5 - 2 = 43
    assert in_force[("xyear.t2_in_force", "regulation")][0] == "not_assessable"


@pytest.mark.slow
def test_table_two_items_continue_from_last_year(quality):
    found = checks(quality, "SPT_2020", "xyear.t2_prev_items")
    assert found[("xyear.t2_prev_items", "licensing")][0] == "pass"
    status, _, expected, actual, detail, _, related = found[("xyear.t2_prev_items", "penalty")]
    assert (status, expected, actual, related) == ("fail", 45.0, 40.0, quality["ids"]["SPT_2019"])
    assert "t2.art20_6.penalty.delta_items[total] of 2019 -5" in detail
    # rows neither report prints cannot be assessed; the first year has nothing to compare
    assert found[("xyear.t2_prev_items", "fee")][0] == "not_assessable"
    assert not checks(quality, "SPT_2019", "xyear.t2_prev_items")


@pytest.mark.slow
def test_a_region_against_its_sub_regions(quality):
    found = checks(quality, "PARENT", "xlevel.parent_ge_children")
    status, severity, expected, actual, detail, cells, _ = found[
        ("xlevel.parent_ge_children", "requests_received")
    ]
    assert (status, severity, expected, actual) == ("fail", "warn", 33.0, 20.0)
    assert "requests_received[洪泽区] 33" in detail and quality["ids"]["HYBRID"] in cells
    # clean pairs: 固原 2019 over 泾源 2019, 固原 2018 over 彭阳 2018
    parent_2019 = checks(quality, "V2019", "xlevel.parent_ge_children")
    assert parent_2019[("xlevel.parent_ge_children", "requests_received")][0] == "pass"
    parent_2018 = checks(quality, "OLD", "xlevel.parent_ge_children")
    assert parent_2018[("xlevel.parent_ge_children", "requests_received")][0] == "pass"
    assert "fail" not in {row[0] for row in {**parent_2019, **parent_2018}.values()}


@pytest.mark.slow
def test_gaps_in_a_series(quality):
    rows = (
        quality["con"]
        .execute(
            "select report_year, is_missing from marts.fct_series_coverage "
            "where series_key = 'aggregate:350128' order by report_year"
        )
        .fetchall()
    )
    assert rows[0] == (2011, False) and rows[-1] == (2022, False)
    assert [year for year, missing in rows if missing] == list(range(2012, 2022))
    rows = (
        quality["con"]
        .execute(
            "select report_year, is_missing from marts.fct_series_coverage "
            "where series_key = 'aggregate:320813' order by report_year"
        )
        .fetchall()
    )
    assert rows == [(2023, False), (2024, False)]


@pytest.mark.slow
def test_overrides_reach_only_the_reviewed_layer(quality):
    con, v2019 = quality["con"], quality["ids"]["V2019"]
    reviewed = con.execute(
        "select value, printed_value, review_status, override_reason, failed_checks "
        "from marts.fct_report_metrics_reviewed "
        "where report_id = ? and metric_code = 't4.lit_after_review.total'",
        [v2019],
    ).fetchone()
    assert reviewed[:3] == (5.0, 0.0, "corrected")
    assert reviewed[3].startswith("总计 printed 0")
    assert "t4.lit_after_review_sum" in reviewed[4]  # the failing check uses the cell
    added = con.execute(
        "select value, printed_value, review_status from marts.fct_report_metrics_reviewed "
        "where report_id = ? and metric_code = 't2.art20_1.regulation.new_made'",
        [v2019],
    ).fetchone()
    assert added == (0.0, None, "added")
    # the printed facts and the checks on them are unchanged
    printed = con.execute(
        "select value from marts.fct_report_metrics "
        "where report_id = ? and metric_code = 't4.lit_after_review.total'",
        [v2019],
    ).fetchone()
    assert printed == (0.0,)
    assert (
        checks(quality, "V2019", "t4.lit_after_review_sum")[("t4.lit_after_review_sum", "total")][0]
        == "fail"
    )
    # ... while the reviewed layer runs the check again on the corrected total: 5 = 5
    assert con.execute(
        "select status, printed_status, review_state from marts.fct_quality_checks_reviewed "
        "where report_id = ? and check_code = 't4.lit_after_review_sum'",
        [v2019],
    ).fetchone() == ("pass", "fail", "corrected")
    n = con.execute(
        "select count(*) from marts.fct_report_metrics_reviewed "
        "where report_id = '0000000000000000'"
    ).fetchone()
    assert n == (0,)  # an override for an unknown report is not applied
    assert con.execute(
        "select n_reviewed_corrections from marts.fct_report_quality where report_id = ?", [v2019]
    ).fetchone() == (2,)


@pytest.mark.slow
def test_quality_grades_and_check_summary(quality):
    con, ids = quality["con"], quality["ids"]
    grades = dict(
        con.execute("select report_id, quality_grade from marts.fct_report_quality").fetchall()
    )
    assert grades[ids["V2019"]] == "C"  # a contract identity fails
    assert grades[ids["OLD_SOFT"]] == "C"  # a 其中 row exceeds its parent
    assert grades[ids["JINGYUAN"]] == "B"
    assert grades[ids["PENGYANG"]] == "A"
    assert grades[ids["NOPARSE"]] == grades[ids["LETTER"]] == "D"
    summary = dict(
        con.execute(
            "select check_code, failure_share from marts.fct_check_summary "
            "where check_code in ('t4.lit_after_review_sum', 'xlevel.parent_ge_children')"
        ).fetchall()
    )
    n_assessed = con.execute(
        "select count(distinct report_id) from marts.fct_quality_checks "
        "where check_code = 't4.lit_after_review_sum' and status <> 'not_assessable'"
    ).fetchone()[0]
    assert summary["t4.lit_after_review_sum"] == pytest.approx(1 / n_assessed)
    assert summary["xlevel.parent_ge_children"] == pytest.approx(1 / 3)
