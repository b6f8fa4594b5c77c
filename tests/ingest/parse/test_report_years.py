"""The report years are declared once (dbt_project.yml's var), and the parser and the Great
Expectations suites read that declaration."""

from __future__ import annotations

from pathlib import Path

import pytest

from expectations.suites import BETWEEN, gate_only
from ingest.parse.reference import first_report_year, report_years
from ingest.parse.report_attributes import find_year_with_source


def test_the_range_is_dbt_projects_var(tmp_path: Path) -> None:
    project = tmp_path / "dbt_project.yml"
    project.write_text("name: x\nvars:\n  first_report_year: 2011\n", encoding="utf-8")
    assert report_years(2020, project) == range(2011, 2021)
    bad = tmp_path / "bad" / "dbt_project.yml"
    bad.parent.mkdir()
    bad.write_text("name: y\nvars: {}\n", encoding="utf-8")
    with pytest.raises(ValueError, match="first_report_year"):
        first_report_year(bad)


def test_the_parser_skips_a_year_outside_the_range() -> None:
    first = report_years().start
    title = f"{first - 3}年度至{first + 5}年度政府信息公开工作年度报告"
    assert find_year_with_source(title, "") == (first + 5, "title")
    assert find_year_with_source(
        f"{first - 1}年报告", f"统计期限为{first + 2}年1月1日至12月31日"
    ) == (
        first + 2,
        "statistics_period",
    )


def test_the_expectations_check_the_same_range() -> None:
    (rule,) = [
        g.rule
        for g in gate_only(2030, ["v2021"])
        if g.suite == "dim_report" and g.rule.expectation == BETWEEN
    ]
    assert (rule.kwargs["min_value"], rule.kwargs["max_value"]) == (report_years().start, 2030)
