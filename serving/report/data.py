"""What the HTML report shows, read from one published version of the warehouse: polars
frames from DuckDB (Arrow, no copy), and :class:`Table` for the charts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

# the outcomes of handled requests, as harmonised measures (seeds/code_labels.csv names
# them); requests_other is what the four leave of requests_handled
OUTCOMES = ("requests_granted", "requests_partial", "requests_denied", "requests_not_held")
OTHER_OUTCOME = "requests_other"
TOP_REGIONS = 7
OTHER_REGIONS, UNKNOWN_REGION = "other", "unknown"  # region labels of code_labels.csv
GRADES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Table:
    """What a chart and its table show: one value per category and series."""

    categories: list[str]
    series: dict[str, list[float]]  # series name -> one value per category


def _frame(
    con: duckdb.DuckDBPyConnection, sql: str, parameters: dict[str, Any] | None = None
) -> pl.DataFrame:
    return con.execute(sql, parameters or {}).pl()


def _table(long: pl.DataFrame, names: Sequence[str] | None = None) -> Table:
    """A long frame of (category, series, value) columns as a Table: the categories in
    first-seen order, the series in ``names``' order (a name with no rows: zeros) or else
    first-seen; the values of a category and series are summed, a null counts 0."""
    category, name, value = long.columns
    wide = long.select(
        pl.col(category).cast(pl.String).alias("category"),
        pl.col(name).cast(pl.String).alias("series"),
        pl.col(value).cast(pl.Float64).fill_null(0.0).alias("value"),
    ).pivot(
        on="series",
        index="category",
        values="value",
        aggregate_function="sum",
        maintain_order=True,
    )
    series = list(names) if names else wide.columns[1:]
    wide = wide.select(
        "category",
        *(pl.col(s).fill_null(0.0) if s in wide.columns else pl.lit(0.0).alias(s) for s in series),
    )
    return Table(wide["category"].to_list(), {s: wide[s].to_list() for s in series})


def version(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    cursor = con.execute("select * from meta.current_version")
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    return dict(zip(names, row, strict=True)) if row else {}


def overview(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Counts of reports (each counted once, by its canonical version), and of the documents
    that are further versions of them (renderings, re-publications)."""
    (row,) = _frame(
        con,
        """
        select count(*) filter (where is_canonical) as reports,
               count(distinct region_code) filter (where is_canonical) as regions,
               min(report_year) filter (where is_canonical) as first_year,
               max(report_year) filter (where is_canonical) as last_year,
               count(*) filter (where is_canonical and parse_status = 'parsed')
                   as with_statistics,
               count(*) filter (where is_canonical and parse_status = 'table_unread')
                   as statistics_unread,
               count(*) filter (where not is_canonical) as further_versions,
               (select count(*) from raw.quarantine) as quarantined
        from marts.dim_report
        """,
    ).to_dicts()
    return row


def statistics_unread(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Reports that print their statistics but whose tables were not read, with why."""
    return _frame(
        con,
        """
        select source_file, region_name, report_year, template, parse_note
        from marts.dim_report
        where parse_status = 'table_unread' and is_canonical
        order by report_year, source_file
        """,
    )


def requests_by_year(con: duckdb.DuckDBPyConnection) -> Table:
    """Requests received per report year, by region (the largest regions, then the rest)."""
    received = _frame(
        con,
        """
        select report_year, coalesce(region_name, $unknown) as region,
               sum(requests_received) as received
        from marts.fct_report_measures_wide
        where requests_received is not null and report_year is not null
        group by all
        order by all
        """,
        {"unknown": UNKNOWN_REGION},
    )
    totals = (
        received.group_by("region")
        .agg(pl.col("received").sum())
        .sort(["received", "region"], descending=[True, False])
    )
    top = totals["region"].head(TOP_REGIONS).to_list()
    named = received.with_columns(
        pl.when(pl.col("region").is_in(top))
        .then(pl.col("region"))
        .otherwise(pl.lit(OTHER_REGIONS))
        .alias("region")
    )
    order = top + ([OTHER_REGIONS] if totals.height > len(top) else [])
    return _table(named, order)


def outcomes_by_year(con: duckdb.DuckDBPyConnection) -> Table:
    """Handled requests per year by outcome; :data:`OTHER_OUTCOME` is what the four
    outcomes leave of the handled requests."""
    handled = _frame(
        con,
        """
        select report_year,
               sum(requests_granted) as requests_granted,
               sum(requests_partial) as requests_partial,
               sum(requests_denied) as requests_denied,
               sum(requests_not_held) as requests_not_held,
               sum(requests_handled) as requests_handled
        from marts.fct_report_measures_wide
        where report_year is not null and requests_handled is not null
          and requests_granted is not null and requests_partial is not null
          and requests_denied is not null and requests_not_held is not null
        group by report_year
        order by report_year
        """,
    ).with_columns(pl.exclude("report_year").cast(pl.Float64))
    handled = handled.with_columns(
        (pl.col("requests_handled") - pl.sum_horizontal(OUTCOMES))
        .clip(lower_bound=0.0)
        .alias(OTHER_OUTCOME)
    )
    return Table(
        handled["report_year"].cast(pl.String).to_list(),
        {name: handled[name].to_list() for name in (*OUTCOMES, OTHER_OUTCOME)},
    )


def grant_rate_by_region(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Region, grant rate, handled requests and reports over every year, best rate first.

    The rate is the model's (`fct_report_measures_wide.grant_rate`, its one definition),
    pooled over the region's reports by weighting each with its handled requests: the
    parts summed, not the rates averaged (docs/metrics.md)."""
    return _frame(
        con,
        """
        select coalesce(region_name, $unknown) as region,
               sum(grant_rate * requests_handled) / sum(requests_handled) as grant_rate,
               cast(sum(requests_handled) as bigint) as handled,
               count(*) as reports
        from marts.fct_report_measures_wide
        where grant_rate is not null
        group by all
        order by grant_rate desc, region
        """,
        {"unknown": UNKNOWN_REGION},
    )


def template_coverage(con: duckdb.DuckDBPyConnection) -> Table:
    """Reports (canonical versions) by year and template."""
    coverage = _frame(
        con,
        """
        select coalesce(cast(report_year as varchar), 'unknown') as year, template,
               count(*) as reports
        from marts.dim_report
        where is_canonical
        group by all
        order by year, template
        """,
    )
    found = set(coverage["template"].to_list())
    names = [t for t in ("old", "local", "v2019", "hybrid", "v2021", "none") if t in found]
    return _table(coverage, names)


def check_outcomes(con: duckdb.DuckDBPyConnection) -> Table:
    """Check results (of canonical versions) by check and status."""
    outcomes = _frame(
        con,
        """
        select c.check_code, c.status, count(*) as results
        from marts.fct_check_results as c
        inner join marts.dim_report as r on c.report_id = r.report_id
        where r.is_canonical
        group by all
        order by check_code, status
        """,
    )
    return _table(outcomes, ["pass", "fail", "not_assessable"])


def quality_grades(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """(grade, reports) for every grade A–D, none left out (marts.fct_report_quality, each
    report counted once by its canonical version)."""
    counts = _frame(
        con,
        "select quality_grade, count(*) as reports from marts.fct_report_quality"
        " where is_canonical group by all",
    )
    grades = pl.DataFrame({"quality_grade": GRADES})
    joined = grades.join(counts, on="quality_grade", how="left", maintain_order="left")
    return list(joined.with_columns(pl.col("reports").fill_null(0).cast(pl.Int64)).iter_rows())


def failing_reports(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Source file, region, year, template and the failed check codes (a list) of each
    report that fails an identity."""
    return _frame(
        con,
        """
        select r.source_file, r.region_name, r.report_year, r.template,
               list(distinct c.check_code order by c.check_code) as failed_checks
        from marts.fct_check_results as c
        inner join marts.dim_report as r on c.report_id = r.report_id
        where c.status = 'fail' and r.is_canonical
        group by all
        order by r.report_year, r.source_file
        """,
    )


def quarantined(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The files not landed, with why."""
    return _frame(con, "select source_path, reason from raw.quarantine order by source_path")
