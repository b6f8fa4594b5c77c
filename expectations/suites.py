"""The expectation suites: one per relation, over three layers.

A suite's rules are stated once: the dbt data tests tagged ``gate`` in the models' YAML, read
from dbt's manifest (expectations/dbt_tests.py), and the few rules dbt does not state, each
with its reason, in :func:`gate_only`. :data:`FRAMES` names the relations and how the gate
reads them. The layers:

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
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

from core.paths import SEEDS_DIR
from expectations.dbt_tests import (
    GATE_TAG,
    GateError,
    Mirrored,
    helper_query,
    mirrored_tests,
    project_manifest,
)
from ingest.extract.types import MEDIA_TYPES as EXTRACTED_MEDIA_TYPES
from ingest.parse.prose import PATTERNS as PROSE_PATTERNS
from ingest.parse.reference import applicant_columns, report_years

APPLICANTS = list(applicant_columns(SEEDS_DIR))
PARSED_STATUSES = ["printed", "blank", "uncertain"]  # what the parser writes (no derived)
PARSE_STATUSES = ["parsed", "table_unread", "no_table", "not_a_report"]
MEDIA_TYPES = list(EXTRACTED_MEDIA_TYPES)
EXTRACTION_STATUSES = ["ok", "needs_ocr", "ocr_incomplete"]
PROSE_MEASURES = list(PROSE_PATTERNS)  # the measures the prose reader reads
PROSE_SUBJECTS = ["part", "region", "office", "unspecified"]
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


IN_SET = "ExpectColumnValuesToBeInSet"
BETWEEN = "ExpectColumnValuesToBeBetween"
UNIQUE = "ExpectColumnValuesToBeUnique"
COMPOUND_UNIQUE = "ExpectCompoundColumnsToBeUnique"
REGEX = "ExpectColumnValuesToMatchRegex"
UNIQUENESS = (UNIQUE, COMPOUND_UNIQUE)


def _in_set(column: str, values: list[str]) -> Rule:
    return Rule(IN_SET, {"column": column, "value_set": values})


@dataclass(frozen=True)
class GateOnly:
    """A rule the gate adds to what dbt states, and why dbt does not state it."""

    suite: str
    rule: Rule
    reason: str


# The suites: the relations the gate validates, how it reads them and chunks them. Their
# rules are the dbt tests tagged `gate` (expectations/dbt_tests.py) and GATE_ONLY below.
def _frame(
    name: str, layer: str = "marts", key: str | None = None, per_report: bool = False, **kw: Any
) -> SuiteSpec:
    """A suite without its rules: relation ``<layer>.<name>`` (``raw_x`` reads raw.x)."""
    table = f"raw.{name.removeprefix('raw_')}" if layer == "raw" else f"{layer}.{name}"
    return SuiteSpec(name, table, [], layer, report_key=key, per_report=per_report, **kw)


DOCUMENT, REPORT = "document_id", "report_id"
# The suites: the relations the gate validates, and how it reads and chunks them. Their rules
# are the dbt tests tagged `gate` (expectations/dbt_tests.py) and GATE_ONLY below.
FRAMES = [
    # the text itself is not needed to check the rows, and is most of the bytes
    _frame("raw_documents", "raw", DOCUMENT, True, query="select * exclude (text) from {table}"),
    _frame("raw_report_attributes", "raw", DOCUMENT, True),
    _frame("raw_cells", "raw", DOCUMENT, True),
    _frame("raw_prose_numbers", "raw", DOCUMENT, True),
    _frame("stg_cells", "staging", DOCUMENT, True),
    _frame("stg_prose_numbers", "staging", DOCUMENT, True),
    _frame("dim_report", key=REPORT),
    _frame("fct_report_metrics", key=REPORT, per_report=True, query=METRICS_QUERY),
    _frame("fct_check_results", key=REPORT, per_report=True),
    _frame("fct_harmonised_metrics", key=REPORT, per_report=True),
    _frame("fct_quality_checks", key=REPORT),
    _frame("fct_quality_checks_reviewed", key=REPORT),
    _frame("fct_report_quality", key=REPORT),
    _frame("fct_check_summary"),
    _frame("fct_series_coverage"),
    # rebuilt whole, but a report's rows come from its own fct_report_metrics rows and the
    # overrides seed (a seed change means a full refresh); only failed_checks follows other
    # reports, and no rule reads it
    _frame("fct_report_metrics_reviewed", key=REPORT, per_report=True),
]

PYTHON_LIST = "the list lives in Python (ingest/), which dbt cannot read"
PARSER_OUTPUT = "what the parser writes, narrower than what dbt accepts downstream"


def gate_only(this_year: int, templates: list[str], seeds_dir: Path = SEEDS_DIR) -> list[GateOnly]:
    """The rules dbt does not state, each with its reason: one list. ``templates``: the
    values dbt accepts in dim_report.template."""
    return [
        GateOnly("raw_documents", _in_set("media_type", MEDIA_TYPES), PYTHON_LIST),
        GateOnly(
            "raw_documents",
            _in_set("extraction_status", EXTRACTION_STATUSES),
            "dbt states it on dim_report as a warning; raw rows must carry a known status",
        ),
        GateOnly(
            "raw_report_attributes",
            _in_set("template", templates),
            "dbt states the values on dim_report; the gate checks the raw rows with them",
        ),
        GateOnly("raw_report_attributes", _in_set("parse_status", PARSE_STATUSES), PARSER_OUTPUT),
        GateOnly("raw_cells", _in_set("applicant", APPLICANTS), "dbt only warns on stg_cells"),
        GateOnly("raw_cells", _in_set("value_status", PARSED_STATUSES), PARSER_OUTPUT),
        GateOnly(
            "raw_cells",
            Rule(BETWEEN, {"column": "source_line", "min_value": 1}),
            "dbt only warns on stg_cells; provenance to the line is the parser's promise",
        ),
        GateOnly("raw_prose_numbers", _in_set("measure", PROSE_MEASURES), PYTHON_LIST),
        GateOnly("raw_prose_numbers", _in_set("subject", PROSE_SUBJECTS), PARSER_OUTPUT),
        GateOnly(
            "raw_prose_numbers",
            Rule(REGEX, {"column": "value_text", "regex": r"^\d+$"}),
            "a regular expression on raw text: dbt has no portable test for it",
        ),
        GateOnly("stg_cells", _in_set("value_status", PARSED_STATUSES), PARSER_OUTPUT),
        GateOnly(
            "stg_prose_numbers",
            Rule(BETWEEN, {"column": "value", "min_value": 0}),
            "dbt only warns; a negative number read from prose is a reading fault",
        ),
        GateOnly(
            "dim_report",
            Rule(
                BETWEEN,
                {
                    "column": "report_year",
                    "min_value": report_years(this_year).start,
                    "max_value": report_years(this_year).stop - 1,
                },
            ),
            "the range of dbt's report_year_in_range (dbt_project.yml), which only warns here",
        ),
        GateOnly(
            "dim_report",
            Rule(REGEX, {"column": "region_code", "regex": r"^\d{6}$"}),
            "dbt warns on codes missing from dim_region; the shape itself is the gate's",
        ),
        GateOnly(
            "fct_report_metrics",
            _in_set("template_metric_code", template_metric_codes(seeds_dir)),
            "national codes only (local.* are the project's own): a helper column of the "
            "suite's query; dbt relates every code to dim_metric instead",
        ),
        GateOnly(
            "fct_report_metrics",
            Rule(BETWEEN, {"column": "unsigned_value", "min_value": 0}),
            "dbt only warns; the gate blocks a negative count (signed .delta_items aside)",
        ),
        GateOnly(
            "fct_quality_checks",
            _in_set("check_code", check_codes(seeds_dir)),
            "the seed's codes (dbt relates them to fct_check_summary, another relation)",
        ),
    ]


def _accepted(mirrored: Mapping[str, Mirrored], suite: str, column: str) -> list[str]:
    """The values a gated accepted_values test of ``suite`` accepts in ``column``."""
    found = mirrored.get(suite)
    for name, kwargs in found.rules if found else []:
        if name == IN_SET and kwargs.get("column") == column:
            return list(kwargs["value_set"])
    raise GateError(
        f"the gate needs the accepted_values test of {suite}.{column}, tagged {GATE_TAG}"
    )


def _suites(manifest: Mapping[str, Any], this_year: int, seeds_dir: Path) -> list[SuiteSpec]:
    mirrored = mirrored_tests(manifest)
    unknown = sorted(set(mirrored) - {frame.name for frame in FRAMES})
    if unknown:
        raise GateError(
            f"dbt tests tagged {GATE_TAG} on {', '.join(unknown)}, which the gate has no "
            "suite for (expectations/suites.py FRAMES)"
        )
    own = gate_only(this_year, _accepted(mirrored, "dim_report", "template"), seeds_dir)
    suites = []
    for frame in FRAMES:
        found = mirrored.get(frame.name)
        rules = [Rule(name, kwargs) for name, kwargs in (found.rules if found else [])]
        rules += [item.rule for item in own if item.suite == frame.name]
        query = helper_query(frame.query, found.helpers if found else {})
        suites.append(replace(frame, rules=rules, query=query))
    return suites


def build_suites(
    this_year: int | None = None,
    seeds_dir: Path = SEEDS_DIR,
    layers: tuple[str, ...] = LAYERS,
    manifest: Mapping[str, Any] | None = None,
) -> list[SuiteSpec]:
    """The suites of the given layers (default: all three), raw first: the dbt tests tagged
    ``gate`` in ``manifest`` (default: the project's, :func:`project_manifest`) and
    :func:`gate_only`."""
    year = this_year or date.today().year
    chosen = project_manifest() if manifest is None else manifest
    suites = _suites(chosen, year, seeds_dir)
    return [spec for layer in layers for spec in suites if spec.layer == layer]
