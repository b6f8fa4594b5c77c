"""The expectation suites, defined in code.

Each suite validates one mart, read into pandas (GE's SQL datasource does not work on
DuckDB). Where a rule needs a condition GE cannot express portably, ``prepare`` adds a
helper column to the frame and the expectation targets that column.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ingest.parse.reference import applicant_columns
from xxgk.paths import SEEDS_DIR

TEMPLATES = ["old", "v2019", "v2021", "hybrid", "local", "none"]
SCOPES = ["aggregate", "agency"]
APPLICANTS = list(applicant_columns(SEEDS_DIR))
VALUE_STATUSES = ["printed", "blank", "derived", "uncertain"]
CHECK_STATUSES = ["pass", "fail", "not_assessable"]
COMPARABILITY = ["exact", "close", "approximate"]
FIRST_REPORT_YEAR = 2007  # the disclosure regulations took effect in 2008, for 2007 onward
LOCAL_PREFIX = "local."
SIGNED_SUFFIX = ".delta_items"  # year-on-year changes may be negative


@dataclass(frozen=True)
class Rule:
    """One expectation: a GE expectation class name and its arguments."""

    expectation: str
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class SuiteSpec:
    name: str
    table: str  # schema-qualified mart
    rules: list[Rule]
    prepare: Callable[[Any], Any] = field(default=lambda frame: frame)


def template_metric_codes(seeds_dir: Path = SEEDS_DIR) -> list[str]:
    with (seeds_dir / "template_rows.csv").open(newline="", encoding="utf-8") as f:
        return sorted({row["metric_code"] for row in csv.DictReader(f)})


def _prepare_metrics(frame: Any) -> Any:
    code = frame["metric_code"].astype("string")
    frame = frame.copy()
    # helper columns: national codes only (local.* are the project's own), and values that
    # must not be negative (everything but year-on-year changes)
    frame["template_metric_code"] = code.where(~code.str.startswith(LOCAL_PREFIX, na=False))
    frame["unsigned_value"] = frame["value"].where(~code.str.endswith(SIGNED_SUFFIX, na=False))
    return frame


def _rules(expectation: str, columns: list[str], **kwargs: Any) -> list[Rule]:
    return [Rule(expectation, {"column": column, **kwargs}) for column in columns]


def build_suites(this_year: int | None = None, seeds_dir: Path = SEEDS_DIR) -> list[SuiteSpec]:
    year = this_year or date.today().year
    not_null = "ExpectColumnValuesToNotBeNull"
    in_set = "ExpectColumnValuesToBeInSet"
    return [
        SuiteSpec(
            name="dim_report",
            table="marts.dim_report",
            rules=[
                *_rules(not_null, ["report_id", "source_file", "template"]),
                Rule("ExpectColumnValuesToBeUnique", {"column": "report_id"}),
                Rule(in_set, {"column": "template", "value_set": TEMPLATES}),
                Rule(in_set, {"column": "scope", "value_set": SCOPES}),
                Rule(
                    "ExpectColumnValuesToBeBetween",
                    {"column": "report_year", "min_value": FIRST_REPORT_YEAR, "max_value": year},
                ),
                Rule(
                    "ExpectColumnValuesToMatchRegex", {"column": "region_code", "regex": r"^\d{6}$"}
                ),
            ],
        ),
        SuiteSpec(
            name="fct_report_metrics",
            table="marts.fct_report_metrics",
            prepare=_prepare_metrics,
            rules=[
                *_rules(not_null, ["report_id", "metric_code", "applicant", "value_status"]),
                Rule(
                    "ExpectCompoundColumnsToBeUnique",
                    {"column_list": ["report_id", "metric_code", "applicant"]},
                ),
                Rule(
                    in_set,
                    {
                        "column": "template_metric_code",
                        "value_set": template_metric_codes(seeds_dir),
                    },
                ),
                Rule(in_set, {"column": "applicant", "value_set": APPLICANTS}),
                Rule(in_set, {"column": "value_status", "value_set": VALUE_STATUSES}),
                Rule("ExpectColumnValuesToBeBetween", {"column": "unsigned_value", "min_value": 0}),
            ],
        ),
        SuiteSpec(
            name="fct_check_results",
            table="marts.fct_check_results",
            rules=[
                *_rules(not_null, ["report_id", "check_code", "status"]),
                Rule(in_set, {"column": "status", "value_set": CHECK_STATUSES}),
            ],
        ),
        SuiteSpec(
            name="fct_harmonised_metrics",
            table="marts.fct_harmonised_metrics",
            rules=[
                *_rules(not_null, ["report_id", "measure_code", "comparability"]),
                Rule(
                    "ExpectCompoundColumnsToBeUnique",
                    {"column_list": ["report_id", "measure_code"]},
                ),
                Rule(in_set, {"column": "comparability", "value_set": COMPARABILITY}),
            ],
        ),
    ]
