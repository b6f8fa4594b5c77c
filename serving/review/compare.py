"""Two reports side by side: one issuer's consecutive years, or two regions in one year.

The measures are the harmonised ones (marts.fct_report_measures_wide, comparable across
the 2019 break; docs/metrics.md), each with its value in both reports, the change and the
relative change, and its share of the quantity it is part of (an outcome of the requests
handled, the corrected reviews of all reviews …). The rates follow (their change in
percentage points). For a pair of consecutive years of one series, the checks across years
of the pair (fct_quality_checks_reviewed, group cross_year) say whether the two reports
continue each other. The export (CSV, XLSX) is the measures table, every text cell made
safe for spreadsheets.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import duckdb
import polars as pl

from core.safe_output import spreadsheet_safe_frame
from serving.report.labels import Labels
from serving.review.warehouse import Row, report, rows, served_version

# (measure, the measure it is a share of); the denominators of docs/metrics.md's rates
MEASURES: tuple[tuple[str, str | None], ...] = (
    ("requests_received", None),
    ("requests_handled", None),
    ("requests_granted", "requests_handled"),
    ("requests_partial", "requests_handled"),
    ("requests_denied", "requests_handled"),
    ("requests_not_held", "requests_handled"),
    ("reviews_total", None),
    ("reviews_corrected", "reviews_total"),
    ("lawsuits_total", None),
    ("lawsuits_corrected", "lawsuits_total"),
    ("normative_docs_issued", None),
)
RATES = ("grant_rate", "not_held_share", "review_correction_rate", "lawsuit_correction_rate")

DECIMALS = 6


@dataclass(frozen=True)
class MeasureRow:
    code: str
    label_zh: str
    label_en: str
    kind: str  # measure | rate
    value_a: float | None
    value_b: float | None
    share_a: float | None
    share_b: float | None
    comparability_a: str | None
    comparability_b: str | None

    @property
    def change(self) -> float | None:
        if self.value_a is None or self.value_b is None:
            return None
        return self.value_b - self.value_a

    @property
    def relative_change(self) -> float | None:
        if self.change is None or not self.value_a or self.kind == "rate":
            return None
        return self.change / self.value_a


@dataclass(frozen=True)
class Comparison:
    a: Row  # the earlier report of a series pair (or the first one given)
    b: Row
    relation: str  # series | same_year | other
    rows: list[MeasureRow]
    continuity: list[Row]  # the pair's checks across years (series pairs)
    version: int | None

    @property
    def title(self) -> str:
        def name(side: Row) -> str:
            who = side["region_name"] or side["issuer"] or side["source_file"]
            return f"{who} {side['report_year']}"

        return f"{name(self.a)} ↔ {name(self.b)}"


def _words(labels: Labels, kind: str, code: str) -> tuple[str, str]:
    """A code's label in Chinese and in English."""
    words = labels.words(kind, code)
    return words.zh, words.en


def _same_series(con: duckdb.DuckDBPyConnection, a_id: str, b_id: str) -> bool:
    found = con.execute(
        "select count(distinct series_key) = 1 and count(*) = 2 "
        "from intermediate.int_report_series where report_id in (?, ?)",
        [a_id, b_id],
    ).fetchone()
    return bool(found and found[0])


def compare(con: duckdb.DuckDBPyConnection, first: str, second: str) -> Comparison:
    """The comparison of two reports (report ids); a pair of one series is ordered by year."""
    a, b = report(con, first), report(con, second)
    if _same_series(con, first, second) and a["report_year"] != b["report_year"]:
        relation = "series"
        if (a["report_year"] or 0) > (b["report_year"] or 0):
            a, b = b, a
    elif a["report_year"] == b["report_year"]:
        relation = "same_year"
    else:
        relation = "other"
    wide = {
        r["report_id"]: r
        for r in rows(
            con,
            "select * from marts.fct_report_measures_wide where report_id in (?, ?)",
            [a["report_id"], b["report_id"]],
        )
    }
    comparability = {
        (r["report_id"], r["measure_code"]): r["comparability"]
        for r in rows(
            con,
            "select report_id, measure_code, comparability from marts.fct_harmonised_metrics "
            "where report_id in (?, ?)",
            [a["report_id"], b["report_id"]],
        )
    }
    labels = Labels.of(con, "both")  # reference.code_labels: measures and rates
    wa, wb = wide.get(a["report_id"], {}), wide.get(b["report_id"], {})

    def share(side: Row, code: str, of: str | None) -> float | None:
        if of is None or side.get(code) is None or not side.get(of):
            return None
        return float(side[code]) / float(side[of])

    measure_rows = [
        MeasureRow(
            code,
            *_words(labels, "measure", code),
            "measure",
            wa.get(code),
            wb.get(code),
            share(wa, code, of),
            share(wb, code, of),
            comparability.get((a["report_id"], code)),
            comparability.get((b["report_id"], code)),
        )
        for code, of in MEASURES
    ]
    rate_rows = [
        MeasureRow(
            code,
            *_words(labels, "rate", code),
            "rate",
            wa.get(code),
            wb.get(code),
            None,
            None,
            None,
            None,
        )
        for code in RATES
    ]
    continuity = []
    if relation == "series":
        continuity = rows(
            con,
            "select check_code, instance, status, printed_status, review_state, detail, cells "
            "from marts.fct_quality_checks_reviewed "
            "where check_group = 'cross_year' and report_id = ? and related_report_id = ? "
            "order by check_code, instance",
            [b["report_id"], a["report_id"]],
        )
    return Comparison(a, b, relation, measure_rows + rate_rows, continuity, served_version(con))


def table(comparison: Comparison) -> pl.DataFrame:
    """The measures table as exported: one row per measure or rate."""
    a, b = comparison.a, comparison.b
    records = [
        {
            "report_a": a["report_id"],
            "report_b": b["report_id"],
            "year_a": a["report_year"],
            "year_b": b["report_year"],
            "region_a": a["region_name"],
            "region_b": b["region_name"],
            "kind": row.kind,
            "code": row.code,
            "label_zh": row.label_zh,
            "label_en": row.label_en,
            "value_a": row.value_a,
            "value_b": row.value_b,
            "change": row.change,
            "relative_change": row.relative_change,
            "share_a": row.share_a,
            "share_b": row.share_b,
            "comparability_a": row.comparability_a,
            "comparability_b": row.comparability_b,
        }
        for row in comparison.rows
    ]
    frame = pl.DataFrame(
        records,
        schema={
            "report_a": pl.String,
            "report_b": pl.String,
            "year_a": pl.Int32,
            "year_b": pl.Int32,
            "region_a": pl.String,
            "region_b": pl.String,
            "kind": pl.String,
            "code": pl.String,
            "label_zh": pl.String,
            "label_en": pl.String,
            "value_a": pl.Float64,
            "value_b": pl.Float64,
            "change": pl.Float64,
            "relative_change": pl.Float64,
            "share_a": pl.Float64,
            "share_b": pl.Float64,
            "comparability_a": pl.String,
            "comparability_b": pl.String,
        },
    )
    # every text cell safe for spreadsheets (core/safe_output.py, the one rule for exports)
    return spreadsheet_safe_frame(frame).with_columns(
        # to 6 decimals (counts are whole; rates and shares need no more): the CSV's text
        # and the XLSX's doubles then hold the same number
        pl.col(pl.Float64).round(DECIMALS),
    )


def csv_bytes(comparison: Comparison) -> bytes:
    """The table as UTF-8 CSV with a byte-order mark (spreadsheets then read the Chinese)."""
    buffer = io.BytesIO()
    table(comparison).write_csv(buffer, include_bom=True)
    return buffer.getvalue()


def xlsx_bytes(comparison: Comparison) -> bytes:
    """The table as an XLSX workbook (polars' write_excel on xlsxwriter)."""
    buffer = io.BytesIO()
    table(comparison).write_excel(buffer, worksheet="comparison", autofit=True)
    return buffer.getvalue()


def file_stem(comparison: Comparison) -> str:
    """A download's file name: comparison_<report a>_<report b>."""
    return f"comparison_{comparison.a['report_id']}_{comparison.b['report_id']}"
