"""The report page: one self-contained HTML file (inline CSS and SVG, no script, no CDN)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import duckdb

from serving.report import data
from serving.report.svg import GREY, PALETTE, Series, bar_chart, column_chart, esc, number

OUTCOME_COLOURS = {
    "granted": PALETTE[4],
    "partial": PALETTE[5],
    "denied": PALETTE[2],
    "not_held": PALETTE[1],
    "other": GREY,
}
STATUS_COLOURS = {"pass": PALETTE[4], "fail": PALETTE[2], "not_assessable": GREY}

CSS = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2.5rem; }
.facts { display: flex; flex-wrap: wrap; gap: .5rem 2rem; padding: 0; list-style: none; }
.facts b { display: block; font-size: 1.3rem; }
figure { margin: 1rem 0; } figcaption, .note { color: #555; font-size: .9rem; }
table { border-collapse: collapse; font-size: .9rem; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .75rem; text-align: left; }
.empty { color: #777; font-style: italic; }
"""


def _figure(chart_id: str, caption: str, chart: str) -> str:
    caption_html = f"<figcaption>{esc(caption)}</figcaption>"
    return f'<figure id="{esc(chart_id)}-figure">{chart}{caption_html}</figure>'


def _series(table: data.Table, colours: dict[str, str] | None = None) -> list[Series]:
    return [
        Series(name, values, (colours or {}).get(name, PALETTE[i % len(PALETTE)]))
        for i, (name, values) in enumerate(table.series.items())
    ]


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]], table_id: str) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{esc('' if v is None else v)}</td>" for v in row) + "</tr>"
        for row in rows
    )
    return (
        f'<table id="{esc(table_id)}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


def _reports(count: int) -> str:
    return f"{count} report" if count == 1 else f"{count} reports"


def _empty(what: str) -> str:
    return f'<p class="empty">{esc(what)}</p>'


def _figure_or_empty(chart_id: str, chart: str | None, caption: str, empty: str) -> str:
    return _figure(chart_id, caption, chart) if chart else _empty(empty)


def _requests_section(con: duckdb.DuckDBPyConnection) -> str:
    received, outcomes = data.requests_by_year(con), data.outcomes_by_year(con)
    received_chart = (
        column_chart(
            "requests-by-year",
            "Requests received by report year and region",
            received.categories,
            _series(received),
        )
        if received.categories
        else None
    )
    outcomes_chart = (
        column_chart(
            "outcomes-by-year",
            "Outcomes of handled requests by report year",
            outcomes.categories,
            _series(outcomes, OUTCOME_COLOURS),
        )
        if outcomes.categories
        else None
    )
    return "".join(
        [
            "<h2>Requests by year</h2>",
            _figure_or_empty(
                "requests-by-year",
                received_chart,
                "Requests received (harmonised measure requests_received), summed over the "
                "reports of each year, by region. Agency and whole-region reports both count.",
                "No report prints the number of requests received.",
            ),
            _figure_or_empty(
                "outcomes-by-year",
                outcomes_chart,
                "Handled requests by outcome (reports that print all five measures). `other` = "
                "handled minus the four outcomes (declined to process, other handling).",
                "No report prints every outcome of its handled requests.",
            ),
        ]
    )


def _regions_section(con: duckdb.DuckDBPyConnection) -> str:
    rows = data.grant_rate_by_region(con)
    chart = (
        bar_chart(
            "grant-rate-by-region",
            "Grant rate by region",
            [r[0] for r in rows],
            [Series("grant rate", [100 * r[1] for r in rows], PALETTE[0])],
            labels=[f"{100 * r[1]:.0f}% of {number(r[2])} · {_reports(r[3])}" for r in rows],
            maximum=100,
        )
        if rows
        else None
    )
    caption = (
        "(granted + partial) / handled over all the region's reports and years, "
        "see docs/metrics.md."
    )
    return "<h2>Regions by grant rate</h2>" + _figure_or_empty(
        "grant-rate-by-region", chart, caption, "No report with handled requests."
    )


def _coverage_section(con: duckdb.DuckDBPyConnection) -> str:
    coverage = data.template_coverage(con)
    chart = (
        column_chart(
            "template-coverage",
            "Reports by report year and statistics template",
            coverage.categories,
            _series(coverage),
        )
        if coverage.categories
        else None
    )
    caption = "Reports per year by template (none: no statistics table was found)."
    return "<h2>Template coverage</h2>" + _figure_or_empty(
        "template-coverage", chart, caption, "No reports."
    )


def _quality_section(con: duckdb.DuckDBPyConnection) -> str:
    checks, failing, quarantined = (
        data.check_outcomes(con),
        data.failing_reports(con),
        data.quarantined(con),
    )
    chart = (
        bar_chart(
            "check-outcomes",
            "Identity check outcomes by check",
            checks.categories,
            _series(checks, STATUS_COLOURS),
        )
        if checks.categories
        else None
    )
    headers = ["source file", "region", "year", "template", "failed checks"]
    return "".join(
        [
            "<h2>Accounting identities and data quality</h2>",
            _figure_or_empty(
                "check-outcomes",
                chart,
                "Instances of each identity check by outcome (marts.fct_check_results). "
                "A failing identity is data, not an error.",
                "No identity checks were evaluated.",
            ),
            "<h3>Reports failing identities</h3>",
            _table(headers, failing, "failing-reports")
            if failing
            else _empty("No report fails an identity."),
            "<h3>Files not landed</h3>",
            _table(["file", "reason"], quarantined, "quarantine")
            if quarantined
            else _empty("Every file was read."),
        ]
    )


def _header(con: duckdb.DuckDBPyConnection, published: Mapping[str, Any] | None) -> str:
    version = published if published is not None else data.version(con)
    overview = data.overview(con)
    years = (
        f"{overview['first_year']}–{overview['last_year']}"
        if overview["first_year"] is not None
        else "–"
    )
    facts = [
        ("version", version.get("version", "–")),
        ("published (UTC)", str(version.get("published_at", "–"))[:19]),
        ("reports", overview["reports"]),
        ("with statistics", overview["with_statistics"]),
        ("regions", overview["regions"]),
        ("report years", years),
        ("files not landed", overview["quarantined"]),
    ]
    items = "".join(f"<li><b>{esc(value)}</b>{esc(label)}</li>" for label, value in facts)
    links = (
        '<p class="note">More: <a href="../dbt_docs/index.html">dbt docs</a> (models and '
        'columns) · <a href="../data_docs/index.html">Great Expectations Data Docs</a> · '
        "Parquet files in <code>../parquet/</code></p>"
    )
    return f'<h1>Information-disclosure annual reports</h1><ul class="facts">{items}</ul>{links}'


def render_report(
    con: duckdb.DuckDBPyConnection, published: Mapping[str, Any] | None = None
) -> str:
    """The report page for the warehouse ``con`` reads: a published version (its
    meta.current_version), or the version ``published`` names (``version`` and
    ``published_at``), about to be published."""
    body = _header(con, published) + "".join(
        section(con)
        for section in (
            _requests_section,
            _regions_section,
            _coverage_section,
            _quality_section,
        )
    )
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>xxgk warehouse report</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )
