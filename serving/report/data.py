"""What the HTML report shows, read from one published version of the warehouse."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import duckdb

# the outcomes of handled requests, as harmonised measures (seeds/code_labels.csv names
# them); requests_other is what the four leave of requests_handled
OUTCOMES = ("requests_granted", "requests_partial", "requests_denied", "requests_not_held")
OTHER_OUTCOME = "requests_other"
TOP_REGIONS = 7
OTHER_REGIONS, UNKNOWN_REGION = "other", "unknown"  # region labels of code_labels.csv
GRADES = ("A", "B", "C", "D")


@dataclass(frozen=True)
class Table:
    categories: list[str]
    series: dict[str, list[float]]  # series name -> one value per category


def _rows(
    con: duckdb.DuckDBPyConnection, sql: str, parameters: dict[str, Any] | None = None
) -> list[tuple[Any, ...]]:
    return con.execute(sql, parameters or {}).fetchall()


def _pivot(rows: list[tuple[Any, Any, float]], names: list[str] | None = None) -> Table:
    """(category, series, value) rows -> a Table, categories and series in first-seen order
    unless ``names`` fixes the series."""
    cells: dict[tuple[str, str], float] = defaultdict(float)
    categories: list[str] = []
    found: list[str] = []
    for category, name, value in rows:
        category, name = str(category), str(name)
        if category not in categories:
            categories.append(category)
        if name not in found:
            found.append(name)
        cells[category, name] += float(value or 0)
    series = names or found
    return Table(categories, {s: [cells[c, s] for c in categories] for s in series})


def version(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    cursor = con.execute("select * from meta.current_version")
    names = [d[0] for d in cursor.description]
    row = cursor.fetchone()
    return dict(zip(names, row, strict=True)) if row else {}


def overview(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """Counts of reports (each counted once, by its canonical version), and of the documents
    that are further versions of them (renderings, re-publications)."""
    (row,) = _rows(
        con,
        """
        select count(*) filter (where is_canonical),
               count(distinct region_code) filter (where is_canonical),
               min(report_year) filter (where is_canonical),
               max(report_year) filter (where is_canonical),
               count(*) filter (where is_canonical and parse_status = 'parsed'),
               count(*) filter (where is_canonical and parse_status = 'table_unread'),
               count(*) filter (where not is_canonical),
               (select count(*) from raw.quarantine)
        from marts.dim_report
        """,
    )
    keys = (
        "reports",
        "regions",
        "first_year",
        "last_year",
        "with_statistics",
        "statistics_unread",
        "further_versions",
        "quarantined",
    )
    return dict(zip(keys, row, strict=True))


def statistics_unread(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """Reports that print their statistics but whose tables were not read, with why."""
    return _rows(
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
    rows = _rows(
        con,
        """
        select report_year, coalesce(region_name, $unknown) as region,
               sum(requests_received) as received
        from marts.fct_report_measures_wide
        where requests_received is not null and report_year is not null
        group by all
        """,
        {"unknown": UNKNOWN_REGION},
    )
    totals: dict[str, float] = defaultdict(float)
    for _, region, received in rows:
        totals[region] += received
    top = sorted(totals, key=lambda r: (-totals[r], r))[:TOP_REGIONS]
    named = [(y, r if r in top else OTHER_REGIONS, v) for y, r, v in sorted(rows)]
    order = top + ([OTHER_REGIONS] if len(totals) > len(top) else [])
    return _pivot(named, order)


def outcomes_by_year(con: duckdb.DuckDBPyConnection) -> Table:
    """Handled requests per year by outcome; :data:`OTHER_OUTCOME` is what the four
    outcomes leave of the handled requests."""
    rows = _rows(
        con,
        """
        select report_year, sum(requests_granted), sum(requests_partial), sum(requests_denied),
               sum(requests_not_held), sum(requests_handled)
        from marts.fct_report_measures_wide
        where report_year is not null and requests_handled is not null
          and requests_granted is not null and requests_partial is not null
          and requests_denied is not null and requests_not_held is not null
        group by report_year
        order by report_year
        """,
    )
    table = Table([str(r[0]) for r in rows], {name: [] for name in (*OUTCOMES, OTHER_OUTCOME)})
    for _, *outcomes, handled in rows:
        for name, value in zip(OUTCOMES, outcomes, strict=True):
            table.series[name].append(float(value))
        table.series[OTHER_OUTCOME].append(max(float(handled) - sum(outcomes), 0.0))
    return table


def grant_rate_by_region(con: duckdb.DuckDBPyConnection) -> list[tuple[str, float, float, int]]:
    """(region, grant rate, handled requests, reports) over every year, best rate first.

    The rate is the model's (`fct_report_measures_wide.grant_rate`, its one definition),
    pooled over the region's reports by weighting each with its handled requests: the
    parts summed, not the rates averaged (docs/metrics.md)."""
    return _rows(
        con,
        """
        select coalesce(region_name, $unknown) as region,
               sum(grant_rate * requests_handled) / sum(requests_handled) as grant_rate,
               sum(requests_handled) as handled,
               count(*) as reports
        from marts.fct_report_measures_wide
        where grant_rate is not null
        group by all
        order by grant_rate desc, region
        """,
        {"unknown": UNKNOWN_REGION},
    )


def template_coverage(con: duckdb.DuckDBPyConnection) -> Table:
    rows = _rows(
        con,
        """
        select coalesce(cast(report_year as varchar), 'unknown') as year, template, count(*)
        from marts.dim_report
        where is_canonical
        group by all
        order by year, template
        """,
    )
    names = [
        t for t in ("old", "local", "v2019", "hybrid", "v2021", "none") if t in {r[1] for r in rows}
    ]
    return _pivot(rows, names)


def check_outcomes(con: duckdb.DuckDBPyConnection) -> Table:
    rows = _rows(
        con,
        """
        select c.check_code, c.status, count(*)
        from marts.fct_check_results as c
        inner join marts.dim_report as r on c.report_id = r.report_id
        where r.is_canonical
        group by all
        order by check_code, status
        """,
    )
    return _pivot(rows, ["pass", "fail", "not_assessable"])


def quality_grades(con: duckdb.DuckDBPyConnection) -> list[tuple[str, int]]:
    """(grade, reports) for every grade A–D, none left out (marts.fct_report_quality, each
    report counted once by its canonical version)."""
    counts = dict(
        _rows(
            con,
            "select quality_grade, count(*) from marts.fct_report_quality"
            " where is_canonical group by all",
        )
    )
    return [(grade, int(counts.get(grade, 0))) for grade in GRADES]


def failing_reports(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    """(source file, region, year, template, [failed check codes]) per report that fails an
    identity."""
    return _rows(
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


def quarantined(con: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return _rows(con, "select source_path, reason from raw.quarantine order by source_path")
