"""What the review pages show, read from the serving file, which is only ever opened
read-only (one short connection per page: a refresh published meanwhile is seen on the next
page)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from ingest.db import connect
from ingest.reviews import REVIEW_TABLES

Row = dict[str, Any]


class NotFound(LookupError):
    """No such report in the served version."""


@contextmanager
def serving(db_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection to the serving file (closed on exit)."""
    with connect(db_path, read_only=True) as con:
        yield con


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[Row]:
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Row]:
    return _dicts(con.execute(sql, params or []))


def has_relation(con: duckdb.DuckDBPyConnection, schema: str, name: str) -> bool:
    found = con.execute(
        "select count(*) from duckdb_tables() where schema_name = ? and table_name = ? "
        "and database_name = current_database()",
        [schema, name],
    ).fetchone()
    return bool(found and found[0])


def served_version(con: duckdb.DuckDBPyConnection) -> int | None:
    row = con.execute("select max(version) from meta.published").fetchone()
    return row[0] if row else None


@dataclass(frozen=True)
class ReportFilters:
    """The report list's filters (None: any)."""

    region: str | None = None  # region code
    year: int | None = None
    template: str | None = None
    grade: str | None = None
    failing: str | None = None  # a check code failing as printed
    open_only: bool = False  # only reports with a failure nobody has judged yet

    def where(self) -> tuple[str, list[Any]]:
        clauses, params = ["true"], []
        for column, value in (
            ("r.region_code", self.region),
            ("r.report_year", self.year),
            ("r.template", self.template),
            ("q.quality_grade", self.grade),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                params.append(value)
        if self.failing:
            clauses.append(
                "exists (select 1 from marts.fct_quality_checks_reviewed c "
                "where c.report_id = r.report_id and c.check_code = ? "
                "and c.printed_status = 'fail')"
            )
            params.append(self.failing)
        if self.open_only:
            clauses.append("coalesce(c.n_open, 0) > 0")
        return " and ".join(clauses), params


def filter_options(con: duckdb.DuckDBPyConnection) -> Row:
    """The values each filter of the report list can take."""
    return {
        "regions": rows(
            con,
            "select distinct region_code, region_name from marts.dim_report "
            "where region_code is not null order by region_code",
        ),
        "years": [
            r["report_year"]
            for r in rows(
                con,
                "select distinct report_year from marts.dim_report "
                "where report_year is not null order by report_year desc",
            )
        ],
        "templates": [
            r["template"]
            for r in rows(con, "select distinct template from marts.dim_report order by template")
        ],
        "grades": [
            r["quality_grade"]
            for r in rows(
                con,
                "select distinct quality_grade from marts.fct_report_quality order by 1",
            )
        ],
        "failing": [
            r["check_code"]
            for r in rows(
                con,
                "select distinct check_code from marts.fct_quality_checks "
                "where status = 'fail' order by check_code",
            )
        ],
    }


def list_reports(con: duckdb.DuckDBPyConnection, filters: ReportFilters) -> list[Row]:
    """The reports the filters keep, with their grade and their failures' review state."""
    where, params = filters.where()
    return rows(
        con,
        f"""
        with review_counts as (
            select
                report_id,
                count(*) filter (where printed_status = 'fail') as n_failing,
                count(*) filter (where review_state = 'open') as n_open,
                count(*) filter (where review_state in ('corrected', 'printed_inconsistency'))
                    as n_settled,
                string_agg(distinct check_code, ', ' order by check_code)
                    filter (where printed_status = 'fail') as failing_checks
            from marts.fct_quality_checks_reviewed
            group by report_id
        )
        select
            r.report_id, r.source_file, r.title, r.issuer, r.region_code, r.region_name,
            r.report_year, r.template, r.scope, q.quality_grade, q.grade_reason,
            coalesce(c.n_failing, 0) as n_failing, coalesce(c.n_open, 0) as n_open,
            coalesce(c.n_settled, 0) as n_settled, c.failing_checks
        from marts.dim_report r
        left join marts.fct_report_quality q using (report_id)
        left join review_counts c using (report_id)
        where {where}
        order by r.region_code nulls last, r.report_year, r.source_file
        """,
        params,
    )


def report(con: duckdb.DuckDBPyConnection, report_id: str) -> Row:
    """The report's row of dim_report with its quality grade."""
    found = rows(
        con,
        "select r.*, q.quality_grade, q.grade_reason, q.n_reviewed_corrections "
        "from marts.dim_report r left join marts.fct_report_quality q using (report_id) "
        "where r.report_id = ?",
        [report_id],
    )
    if not found:
        raise NotFound(report_id)
    return found[0]


def versions(con: duckdb.DuckDBPyConnection, report_id: str) -> list[Row]:
    """The versions of the document's report (dim_report.report_key; the document alone
    when it is the only one), the canonical one first, with why each counts or lost."""
    return rows(
        con,
        """
        select v.report_id, v.source_file, v.media_type, v.is_canonical, v.version_rank,
               v.version_rule, v.version_reason, v.version_count
        from marts.dim_report this
        join marts.dim_report v on v.report_key = this.report_key
        where this.report_id = ?
        order by v.version_rank, v.report_id
        """,
        [report_id],
    )


def template_metrics(con: duckdb.DuckDBPyConnection, template: str) -> list[Row]:
    """The template's rows (dim_metric) in the template's order: by section, then as
    seeds/template_rows.csv lists them."""
    return rows(
        con,
        """
        with row_order as (
            select metric_code, min(rowid) as row_order
            from reference.template_rows group by metric_code
        )
        select m.metric_code, m.label_zh, m.name_en, m.unit, m.section, m.section_label,
               m.parent, m.is_value_row
        from marts.dim_metric m
        left join row_order using (metric_code)
        where list_contains(string_split(m.templates, ' '), ?)
        order by m.section, row_order.row_order nulls last, m.metric_code
        """,
        [template],
    )


def applicants(con: duckdb.DuckDBPyConnection) -> list[Row]:
    return rows(
        con, "select applicant, label_zh, name_en from marts.dim_applicant order by sort_order"
    )


def reviewed_cells(con: duckdb.DuckDBPyConnection, report_id: str) -> list[Row]:
    """Every cell of the report: the reviewed value beside the printed one, and where it
    was read."""
    return rows(
        con,
        """
        select v.metric_code, v.applicant, v.value, v.printed_value, v.review_status,
               v.value_status, v.override_reason, v.reviewed_by, v.failed_checks,
               v.raw_text, v.source_line, v.unit, m.section, m.row_label,
               m.source_page, m.ocr_x0, m.ocr_y0, m.ocr_x1, m.ocr_y1, m.ocr_engine,
               m.ocr_confidence
        from marts.fct_report_metrics_reviewed v
        left join marts.fct_report_metrics m using (report_id, metric_code, applicant)
        where v.report_id = ?
        """,
        [report_id],
    )


def ocr_box(
    con: duckdb.DuckDBPyConnection, report_id: str, metric_code: str, applicant: str
) -> Row | None:
    """Where OCR read a cell: its page, the page's render resolution and the box (pixels);
    None for a cell OCR did not read."""
    found = rows(
        con,
        """
        select m.source_page, p.render_dpi, m.ocr_x0, m.ocr_y0, m.ocr_x1, m.ocr_y1
        from marts.fct_report_metrics m
        left join raw.document_pages p
            on p.document_id = m.report_id and p.page = m.source_page
        where m.report_id = ? and m.metric_code = ? and m.applicant = ?
            and m.ocr_x0 is not null
        """,
        [report_id, metric_code, applicant],
    )
    return found[0] if found else None


def checks(con: duckdb.DuckDBPyConnection, report_id: str) -> list[Row]:
    """The check instances of the report (and those of the next year's report that use its
    cells), failures first."""
    return rows(
        con,
        """
        select c.*, s.rule
        from marts.fct_quality_checks_reviewed c
        left join reference.check_catalogue s using (check_code)
        where c.report_id = ? or c.related_report_id = ?
        order by
            case when c.printed_status = 'fail' or c.status = 'fail' then 0 else 1 end,
            c.severity, c.check_code, c.instance
        """,
        [report_id, report_id],
    )


def text_lines(con: duckdb.DuckDBPyConnection, report_id: str) -> list[str]:
    """The document's extracted text, one string per line (line n is index n - 1)."""
    found = con.execute("select text from raw.documents where document_id = ?", [report_id])
    row = found.fetchone()
    return row[0].splitlines() if row else []


def applied_review_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The reviews the served version applied (the run's copy of the reviews store)."""
    applied: set[str] = set()
    for table in REVIEW_TABLES:
        if has_relation(con, "raw", table):
            applied.update(
                r[0] for r in con.execute(f"select review_id from raw.{table}").fetchall()
            )
    return applied


def comparable_reports(con: duckdb.DuckDBPyConnection, report_id: str) -> Row:
    """What the report can be compared with: the reports a year before and after in its
    series (int_report_series), and the other regions' aggregate reports of its year."""
    series = rows(
        con,
        """
        select other.report_id, other.report_year, r.region_name, r.issuer, r.source_file,
               other.report_year - this.report_year as offset
        from intermediate.int_report_series this
        join intermediate.int_report_series other
            on other.series_key = this.series_key and other.report_year <> this.report_year
        join marts.dim_report r on r.report_id = other.report_id
        where this.report_id = ?
        order by abs(other.report_year - this.report_year), other.report_year
        """,
        [report_id],
    )
    same_year = rows(
        con,
        """
        select other.report_id, other.report_year, other.region_name, other.issuer,
               other.source_file
        from marts.dim_report this
        join marts.dim_report other
            on other.report_year = this.report_year and other.report_id <> this.report_id
            and other.template <> 'none'
        where this.report_id = ?
        order by other.region_code nulls last, other.source_file
        """,
        [report_id],
    )
    return {"series": series, "same_year": same_year}


def resolve_report(con: duckdb.DuckDBPyConnection, reference: str) -> str:
    """The report_id a command-line reference names: a report_id (or a unique prefix of
    one), or a source file name."""
    found = rows(
        con,
        "select report_id from marts.dim_report where report_id like ? || '%' "
        "or source_file = ? order by report_id",
        [reference, reference],
    )
    if len(found) == 1:
        return str(found[0]["report_id"])
    if not found:
        raise NotFound(f"no report {reference!r} (give a report_id or a source file name)")
    raise NotFound(f"{reference!r} names {len(found)} reports; give more of the report_id")
