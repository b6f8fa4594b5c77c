from datetime import date
from pathlib import Path

import duckdb
import pytest

from expectations.validate import ValidationFailed, validate_marts, validate_warehouse

GOOD = {
    "dim_report": """
        select * from (values
            ('r1', 'a.txt', 'old', 'aggregate', 2018, '640400'),
            ('r2', 'b.txt', 'v2021', 'agency', 2022, null)
        ) t(report_id, source_file, template, scope, report_year, region_code)""",
    "fct_report_metrics": """
        select * from (values
            ('r1', 'old.s3.received', 'total', 5.0, 'printed'),
            ('r2', 't3.new_received', 'natural_person', 3.0, 'printed'),
            ('r2', 't3.new_received', 'total', null, 'blank'),
            ('r2', 't2.art20_5.licensing.delta_items', 'total', -2.0, 'printed'),
            ('r2', 'local.fujian.requests', 'total', 1.0, 'derived')
        ) t(report_id, metric_code, applicant, value, value_status)""",
    "fct_check_results": """
        select * from (values ('r1', 'old.staff_split', 'fail'), ('r2', 't3.balance', 'pass'))
        t(report_id, check_code, status)""",
    "fct_harmonised_metrics": """
        select * from (values ('r1', 'requests_received', 'exact'))
        t(report_id, measure_code, comparability)""",
    "fct_quality_checks": """
        select * from (values ('r1', 'old.staff_split', 'fail', 'error'),
                              ('r2', 'prose.requests_received', 'pass', 'warn'))
        t(report_id, check_code, status, severity)""",
    "fct_report_quality": """
        select * from (values ('r1', 'C'), ('r2', 'A')) t(report_id, quality_grade)""",
    "fct_check_summary": """
        select * from (values ('old.staff_split', 1.0), ('xyear.t2_in_force', null))
        t(check_code, failure_share)""",
    "fct_series_coverage": """
        select * from (values ('aggregate:640400', 2018), ('aggregate:640400', 2019))
        t(series_key, report_year)""",
    "fct_report_metrics_reviewed": """
        select * from (values ('r1', 'old.s3.received', 'total', 'as_printed'))
        t(report_id, metric_code, applicant, review_status)""",
    "fct_quality_checks_reviewed": """
        select * from (values
            ('r1', 'old.staff_split', 'pass', 'fail', 'corrected', 'read_error'),
            ('r2', 'prose.requests_received', 'pass', 'pass', null, null)
        ) t(report_id, check_code, status, printed_status, review_state, verdict)""",
}
RAW = {
    "raw.documents": """
        select * from (values ('r1', 'a.txt', 'txt', 'ok', '正文'))
        t(document_id, source_file, media_type, extraction_status, text)""",
    "raw.report_attributes": """
        select * from (values ('r1', 'old', 'parsed')) t(document_id, template, parse_status)""",
    "raw.cells": """
        select * from (values ('r1', 'old.s3.received', 'total', 'printed', 12))
        t(document_id, metric_code, applicant, value_status, source_line)""",
    "raw.prose_numbers": """
        select * from (values ('r1', 'requests_received', 'region', '41'))
        t(document_id, measure, subject, value_text)""",
    "staging.stg_cells": """
        select * from (values ('printed', 5.0), ('blank', null)) t(value_status, value)""",
    "staging.stg_prose_numbers": "select * from (values (41.0)) t(value)",
}


def build_marts(db: Path, **replace: str) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts")
        for name, sql in {**GOOD, **replace}.items():
            con.execute(f"create table marts.{name} as {sql}")


def build_raw_and_staging(db: Path, replace: dict[str, str] | None = None) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute("create schema if not exists raw; create schema if not exists staging")
        for name, sql in {**RAW, **(replace or {})}.items():
            con.execute(f"create table {name} as {sql}")


@pytest.mark.slow
def test_good_marts_pass_and_results_are_stored(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    build_marts(db)
    report = validate_marts(db)
    assert report.success, [o.label for o in report.failures]
    report.raise_for_failures()
    assert (tmp_path / "w.data_docs" / "index.html").is_file()
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute("select count(*), bool_and(success) from audit.ge_validations")
        assert stored.fetchone() == (len(report.outcomes), True)


@pytest.mark.slow
def test_a_bad_mart_fails_naming_the_expectations(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    next_year = date.today().year + 1
    build_marts(
        db,
        dim_report=f"""
            select * from (values
                ('r1', 'a.txt', 'old', 'aggregate', 2018, '640400'),
                ('r1', 'b.txt', 'v2030', 'agency', {next_year}, null)
            ) t(report_id, source_file, template, scope, report_year, region_code)""",
        fct_report_metrics="""
            select * from (values
                ('r1', 'old.s3.received', 'total', -5.0, 'printed'),
                ('r1', 'old.s3.received', 'total', 5.0, 'guessed'),
                ('r1', 'made.up', 'everyone', 1.0, 'printed')
            ) t(report_id, metric_code, applicant, value, value_status)""",
    )
    report = validate_marts(db)
    failed = {(o.suite, o.expectation, o.kwargs.split(",")[0]) for o in report.failures}
    assert failed == {
        ("dim_report", "ExpectColumnValuesToBeUnique", "column=report_id"),
        ("dim_report", "ExpectColumnValuesToBeInSet", "column=template"),
        ("dim_report", "ExpectColumnValuesToBeBetween", "column=report_year"),
        ("fct_report_metrics", "ExpectCompoundColumnsToBeUnique", "column_list=['report_id'"),
        ("fct_report_metrics", "ExpectColumnValuesToBeInSet", "column=template_metric_code"),
        ("fct_report_metrics", "ExpectColumnValuesToBeInSet", "column=applicant"),
        ("fct_report_metrics", "ExpectColumnValuesToBeInSet", "column=value_status"),
        ("fct_report_metrics", "ExpectColumnValuesToBeBetween", "column=unsigned_value"),
    }
    with pytest.raises(ValidationFailed) as info:
        report.raise_for_failures()
    message = str(info.value)
    assert "8 expectation(s) failed" in message
    assert "dim_report: ExpectColumnValuesToBeUnique(column=report_id)" in message
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(
            "select count(*) from audit.ge_validations where not success"
        ).fetchone() == (8,)


@pytest.mark.slow
def test_a_missing_mart_is_reported(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema marts")
    with pytest.raises(ValidationFailed, match="marts.dim_report is missing"):
        validate_marts(db)


@pytest.mark.slow
def test_every_layer_is_a_checkpoint_and_history_accumulates(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    build_marts(db)
    build_raw_and_staging(db)
    first = validate_warehouse(db)
    second = validate_warehouse(db)
    assert first.success and second.success, [o.label for o in first.failures]
    assert first.run_id != second.run_id
    assert {o.checkpoint for o in first.outcomes} == {"raw", "staging", "marts"}
    assert "3 checkpoints" in str(first)
    with duckdb.connect(str(db), read_only=True) as con:
        runs = con.execute(
            "select run_id, count(distinct checkpoint), count(*) from audit.ge_validations "
            "group by run_id order by min(run_at)"
        ).fetchall()
    assert [r[0] for r in runs] == [first.run_id, second.run_id]
    assert {(r[1], r[2]) for r in runs} == {(3, len(first.outcomes))}


@pytest.mark.slow
def test_a_bad_raw_table_fails_naming_the_expectation(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    build_marts(db)
    build_raw_and_staging(
        db,
        {
            "raw.cells": """
                select * from (values ('r1', 'old.s3.received', 'total', 'guessed', 12))
                t(document_id, metric_code, applicant, value_status, source_line)""",
            "staging.stg_cells": """
                select * from (values ('blank', 5.0)) t(value_status, value)""",
        },
    )
    report = validate_warehouse(db)
    failed = {(o.checkpoint, o.suite, o.kwargs.split(",")[0]) for o in report.failures}
    assert failed == {
        ("raw", "raw_cells", "column=value_status"),  # the parser writes no other status
        ("staging", "stg_cells", "column=value__is_true"),  # dbt: a blank cell has no value
    }
    with pytest.raises(ValidationFailed, match=r"raw_cells: ExpectColumnValuesToBeInSet"):
        report.raise_for_failures()


def test_data_docs_pages_are_pointed_at_the_vendored_files(tmp_path: Path) -> None:
    from expectations.offline_docs import RemoteAsset, make_offline

    page = tmp_path / "validations" / "suite" / "page.html"
    page.parent.mkdir(parents=True)
    (tmp_path / "static" / "images").mkdir(parents=True)
    (tmp_path / "static" / "images" / "logo-long.png").write_bytes(b"png")
    page.write_text(
        '<script src="https://cdn.jsdelivr.net/npm/vega@5"></script>\n'
        '<script src="https://code.jquery.com/jquery-3.7.1.min.js"></script>\n'
        '<script src="https://stackpath.bootstrapcdn.com/bootstrap/4.3.1/js/bootstrap.min.js" '
        'integrity="sha384-x" crossorigin="anonymous"></script>\n'
        '<img src="https://great-expectations-web-assets.s3.us-east-2.amazonaws.com/'
        'logo-long.png?d=20261204T233519Z">\n'
        '<a href="https://greatexpectations.io">a link, not a load</a>\n',
        encoding="utf-8",
    )
    assert make_offline(tmp_path) == 1
    assert page.read_text(encoding="utf-8") == (
        "\n"
        '<script src="../../static/offline/jquery/jquery.min.js"></script>\n'
        '<script src="../../static/offline/bootstrap/bootstrap.min.js"></script>\n'
        '<img src="../../static/images/logo-long.png">\n'
        '<a href="https://greatexpectations.io">a link, not a load</a>\n'
    )
    assert (tmp_path / "static" / "offline" / "jquery" / "jquery.min.js").is_file()

    page.write_text('<link href="https://cdn.example.org/new.css">', encoding="utf-8")
    with pytest.raises(RemoteAsset, match="loads https://cdn.example.org/new.css"):
        make_offline(tmp_path)
