"""The expectation suites, defined in code: one per relation, over three layers.

* ``raw``: what the Python side wrote (raw.*), before dbt reads it;
* ``staging``: the typed views dbt builds on it;
* ``marts``: what analysts read, including the data-quality marts.

Each suite reads its relation with a SQL ``query`` (default ``select * from <table>``);
where a rule needs a condition GE cannot express portably, the query adds a helper column
and the expectation targets that column. Expectations guard the pipeline, not the reports:
a report that breaks an identity is data (marts.fct_quality_checks), while a failed
expectation means a step produced something malformed, and stops the run.

Two attributes of a suite let the gate scale (expectations/validate.py):

* ``report_key``, the column naming the report (``report_id`` or ``document_id``): a large
  relation is validated in chunks, and every row of one report is in the same chunk (chunks
  are buckets of a hash of this column). So a uniqueness rule is exact chunk by chunk **only
  if its columns include the report key**: two rows with the same key values have the same
  report key, hence the same chunk. :class:`SuiteSpec` refuses a uniqueness rule without it.
  A suite with no report key (one row per check, per series and year: small) is validated
  whole, in one chunk, and so is any uniqueness rule in it.
* ``per_report``: a report's rows, in the columns the rules read, change only when the
  report itself changes (it is in meta.changed_reports): the raw tables, the staging views
  over them, and the incremental marts. After an incremental build these suites may be
  validated for the changed reports alone. The tables dbt rebuilds whole and that compare
  reports with each other (dim_report, the quality checks and grades, coverage) are always
  validated whole.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from core.paths import SEEDS_DIR
from ingest.extract.types import MEDIA_TYPES as EXTRACTED_MEDIA_TYPES
from ingest.parse.prose import PATTERNS as PROSE_PATTERNS
from ingest.parse.reference import applicant_columns
from ingest.reviews import VERDICTS

TEMPLATES = ["old", "v2019", "v2021", "hybrid", "local", "none"]
SCOPES = ["aggregate", "agency"]
APPLICANTS = list(applicant_columns(SEEDS_DIR))
VALUE_STATUSES = ["printed", "blank", "derived", "uncertain"]
PARSED_STATUSES = ["printed", "blank", "uncertain"]  # what the parser writes (no derived)
PARSE_STATUSES = ["parsed", "table_unread", "no_table", "not_a_report"]
MEDIA_TYPES = list(EXTRACTED_MEDIA_TYPES)
EXTRACTION_STATUSES = ["ok", "needs_ocr", "ocr_incomplete"]
CHECK_STATUSES = ["pass", "fail", "not_assessable"]
SEVERITIES = ["error", "warn"]
GRADES = ["A", "B", "C", "D"]
REVIEW_STATUSES = ["as_printed", "corrected", "added"]
PROSE_MEASURES = list(PROSE_PATTERNS)  # the measures the prose reader reads
REVIEW_STATES = ["printed_inconsistency", "corrected", "read_error", "open"]
PROSE_SUBJECTS = ["part", "region", "office", "unspecified"]
COMPARABILITY = ["exact", "close", "approximate"]
FIRST_REPORT_YEAR = 2007  # the disclosure regulations took effect in 2008, for 2007 onward
LAYERS = ("raw", "staging", "marts")

# helper columns: national codes only (local.* are the project's own), and values that must
# not be negative (everything but the signed year-on-year changes, .delta_items)
METRICS_QUERY = """
select
    *,
    case when metric_code not like 'local.%' then metric_code end as template_metric_code,
    case when metric_code not like '%.delta_items' then value end as unsigned_value
from {table}
"""


@dataclass(frozen=True)
class Rule:
    """One expectation: a GE expectation class name and its arguments."""

    expectation: str
    kwargs: dict[str, Any]


def rule_columns(rule: Rule) -> list[str]:
    """The columns a rule reads (``column`` or ``column_list``)."""
    if "column" in rule.kwargs:
        return [rule.kwargs["column"]]
    return list(rule.kwargs.get("column_list", []))


@dataclass(frozen=True)
class SuiteSpec:
    """One suite over one relation (see the module docstring for ``report_key`` and
    ``per_report``)."""

    name: str
    table: str  # schema-qualified relation
    rules: list[Rule]
    layer: str = "marts"
    query: str = "select * from {table}"
    report_key: str | None = None  # the report's column: rows are chunked by it
    per_report: bool = False  # may be validated for the changed reports alone

    def __post_init__(self) -> None:
        if self.per_report and self.report_key is None:
            raise ValueError(f"{self.name}: a per-report suite needs a report key")
        for rule in self.rules:
            unique = rule.expectation in UNIQUENESS
            if unique and self.report_key and self.report_key not in rule_columns(rule):
                raise ValueError(
                    f"{self.name}: {rule.expectation} over {rule_columns(rule)} is not "
                    f"exact in chunks of {self.report_key}; add it or drop the report key"
                )

    @property
    def sql(self) -> str:
        return self.query.format(table=self.table)

    @property
    def columns(self) -> list[str]:
        """The columns the rules read, and the report key: all a snapshot needs."""
        named = [self.report_key] if self.report_key else []
        named += [column for rule in self.rules for column in rule_columns(rule)]
        return list(dict.fromkeys(named))


def template_metric_codes(seeds_dir: Path = SEEDS_DIR) -> list[str]:
    with (seeds_dir / "template_rows.csv").open(newline="", encoding="utf-8") as f:
        return sorted({row["metric_code"] for row in csv.DictReader(f)})


def check_codes(seeds_dir: Path = SEEDS_DIR) -> list[str]:
    with (seeds_dir / "check_catalogue.csv").open(newline="", encoding="utf-8") as f:
        return sorted({row["check_code"] for row in csv.DictReader(f)})


def _rules(expectation: str, columns: list[str], **kwargs: Any) -> list[Rule]:
    return [Rule(expectation, {"column": column, **kwargs}) for column in columns]


NOT_NULL = "ExpectColumnValuesToNotBeNull"
IN_SET = "ExpectColumnValuesToBeInSet"
BETWEEN = "ExpectColumnValuesToBeBetween"
UNIQUE = "ExpectColumnValuesToBeUnique"
COMPOUND_UNIQUE = "ExpectCompoundColumnsToBeUnique"
UNIQUENESS = (UNIQUE, COMPOUND_UNIQUE)


def _in_set(column: str, values: list[str]) -> Rule:
    return Rule(IN_SET, {"column": column, "value_set": values})


def raw_suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="raw_documents",
            report_key="document_id",
            per_report=True,
            table="raw.documents",
            layer="raw",
            # the text itself is not needed to check the rows, and is most of the bytes
            query="select * exclude (text) from {table}",
            rules=[
                Rule(UNIQUE, {"column": "document_id"}),
                _in_set("media_type", MEDIA_TYPES),
                _in_set("extraction_status", EXTRACTION_STATUSES),
            ],
        ),
        SuiteSpec(
            name="raw_report_attributes",
            report_key="document_id",
            per_report=True,
            table="raw.report_attributes",
            layer="raw",
            rules=[
                Rule(NOT_NULL, {"column": "document_id"}),
                _in_set("template", TEMPLATES),
                _in_set("parse_status", PARSE_STATUSES),
            ],
        ),
        SuiteSpec(
            name="raw_cells",
            report_key="document_id",
            per_report=True,
            table="raw.cells",
            layer="raw",
            rules=[
                Rule(NOT_NULL, {"column": "metric_code"}),
                _in_set("applicant", APPLICANTS),
                _in_set("value_status", PARSED_STATUSES),
                Rule(BETWEEN, {"column": "source_line", "min_value": 1}),
            ],
        ),
        SuiteSpec(
            name="raw_prose_numbers",
            report_key="document_id",
            per_report=True,
            table="raw.prose_numbers",
            layer="raw",
            rules=[
                _in_set("measure", PROSE_MEASURES),
                _in_set("subject", PROSE_SUBJECTS),
                Rule("ExpectColumnValuesToMatchRegex", {"column": "value_text", "regex": r"^\d+$"}),
            ],
        ),
    ]


def staging_suites() -> list[SuiteSpec]:
    return [
        SuiteSpec(
            name="stg_cells",
            report_key="document_id",
            per_report=True,
            table="staging.stg_cells",
            layer="staging",
            # a blank cell never has a value
            query="select *, value_status = 'blank' and value is not null as blank_with_value "
            "from {table}",
            rules=[
                _in_set("value_status", PARSED_STATUSES),
                _in_set("blank_with_value", [False]),
            ],
        ),
        SuiteSpec(
            name="stg_prose_numbers",
            report_key="document_id",
            per_report=True,
            table="staging.stg_prose_numbers",
            layer="staging",
            rules=[
                Rule(BETWEEN, {"column": "value", "min_value": 0}),
            ],
        ),
    ]


def mart_suites(this_year: int | None = None, seeds_dir: Path = SEEDS_DIR) -> list[SuiteSpec]:
    year = this_year or date.today().year
    return [
        SuiteSpec(
            name="dim_report",
            report_key="report_id",
            table="marts.dim_report",
            rules=[
                *_rules(NOT_NULL, ["report_id", "source_file", "template"]),
                Rule(UNIQUE, {"column": "report_id"}),
                _in_set("template", TEMPLATES),
                _in_set("scope", SCOPES),
                Rule(
                    BETWEEN,
                    {"column": "report_year", "min_value": FIRST_REPORT_YEAR, "max_value": year},
                ),
                Rule(
                    "ExpectColumnValuesToMatchRegex", {"column": "region_code", "regex": r"^\d{6}$"}
                ),
            ],
        ),
        SuiteSpec(
            name="fct_report_metrics",
            report_key="report_id",
            per_report=True,
            table="marts.fct_report_metrics",
            query=METRICS_QUERY,
            rules=[
                *_rules(NOT_NULL, ["report_id", "metric_code", "applicant", "value_status"]),
                Rule(COMPOUND_UNIQUE, {"column_list": ["report_id", "metric_code", "applicant"]}),
                _in_set("template_metric_code", template_metric_codes(seeds_dir)),
                _in_set("applicant", APPLICANTS),
                _in_set("value_status", VALUE_STATUSES),
                Rule(BETWEEN, {"column": "unsigned_value", "min_value": 0}),
            ],
        ),
        SuiteSpec(
            name="fct_check_results",
            report_key="report_id",
            per_report=True,
            table="marts.fct_check_results",
            rules=[
                *_rules(NOT_NULL, ["report_id", "check_code", "status"]),
                _in_set("status", CHECK_STATUSES),
            ],
        ),
        SuiteSpec(
            name="fct_harmonised_metrics",
            report_key="report_id",
            per_report=True,
            table="marts.fct_harmonised_metrics",
            rules=[
                *_rules(NOT_NULL, ["report_id", "measure_code", "comparability"]),
                Rule(COMPOUND_UNIQUE, {"column_list": ["report_id", "measure_code"]}),
                _in_set("comparability", COMPARABILITY),
            ],
        ),
        SuiteSpec(
            name="fct_quality_checks",
            report_key="report_id",
            table="marts.fct_quality_checks",
            rules=[
                Rule(NOT_NULL, {"column": "report_id"}),
                _in_set("check_code", check_codes(seeds_dir)),
                _in_set("status", CHECK_STATUSES),
                _in_set("severity", SEVERITIES),
            ],
        ),
        SuiteSpec(
            name="fct_quality_checks_reviewed",
            report_key="report_id",
            table="marts.fct_quality_checks_reviewed",
            rules=[
                *_rules(NOT_NULL, ["report_id", "check_code", "status", "printed_status"]),
                _in_set("status", CHECK_STATUSES),
                _in_set("review_state", REVIEW_STATES),
                _in_set("verdict", [v for v in VERDICTS if v != "pending"]),
            ],
        ),
        SuiteSpec(
            name="fct_report_quality",
            report_key="report_id",
            table="marts.fct_report_quality",
            rules=[
                Rule(UNIQUE, {"column": "report_id"}),
                _in_set("quality_grade", GRADES),
            ],
        ),
        SuiteSpec(
            name="fct_check_summary",
            table="marts.fct_check_summary",
            rules=[
                Rule(BETWEEN, {"column": "failure_share", "min_value": 0, "max_value": 1}),
            ],
        ),
        SuiteSpec(
            name="fct_series_coverage",
            table="marts.fct_series_coverage",
            rules=[
                Rule(COMPOUND_UNIQUE, {"column_list": ["series_key", "report_year"]}),
            ],
        ),
        SuiteSpec(
            name="fct_report_metrics_reviewed",
            table="marts.fct_report_metrics_reviewed",
            report_key="report_id",
            # rebuilt whole, but a report's rows come from its own fct_report_metrics rows and
            # the overrides seed (a seed change means a full refresh); only failed_checks
            # follows other reports, and no rule reads it
            per_report=True,
            rules=[
                Rule(COMPOUND_UNIQUE, {"column_list": ["report_id", "metric_code", "applicant"]}),
                _in_set("review_status", REVIEW_STATUSES),
            ],
        ),
    ]


def build_suites(
    this_year: int | None = None,
    seeds_dir: Path = SEEDS_DIR,
    layers: tuple[str, ...] = LAYERS,
) -> list[SuiteSpec]:
    """The suites of the given layers (default: all three), raw first."""
    suites = {
        "raw": raw_suites,
        "staging": staging_suites,
        "marts": lambda: mart_suites(this_year, seeds_dir),
    }
    return [spec for layer in layers for spec in suites[layer]()]
