"""The report page: one self-contained HTML file (inline CSS and SVG, no script, no CDN),
for the people who read these reports: Chinese labels first and English beside them (or
either alone), the measures and checks named as the templates name them, every chart under
a heading and over a table of its numbers, readable from a 420 px phone to a desktop."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import duckdb

from core.environment import ReportLanguage
from core.paths import data_docs_dir, dbt_docs_dir, parquet_dir
from core.settings import report_language
from serving.report import data
from serving.report.labels import Labels, Words
from serving.report.svg import GREY, PALETTE, Series, bar_chart, column_chart, esc, number

OUTCOME_COLOURS = {
    "requests_granted": PALETTE[4],
    "requests_partial": PALETTE[5],
    "requests_denied": PALETTE[2],
    "requests_not_held": PALETTE[1],
    data.OTHER_OUTCOME: GREY,
}
STATUS_COLOURS = {"pass": PALETTE[4], "fail": PALETTE[2], "not_assessable": GREY}
GRADE_COLOURS = {"A": PALETTE[4], "B": PALETTE[5], "C": PALETTE[1], "D": PALETTE[2]}
TEMPLATES = ("old", "local", "v2019", "hybrid", "v2021", "none")  # in the order they came

# the report's own sentences
T = {
    "title": Words("政府信息公开工作年度报告 数据报告", "Information-disclosure annual reports"),
    "version": Words("版本", "version"),
    "published": Words("发布时间（UTC）", "published (UTC)"),
    "reports": Words("报告", "reports"),
    "with_statistics": Words("含统计表", "with statistics"),
    "statistics_unread": Words("统计表未能读取", "statistics present, not read"),
    "further_versions": Words(
        "同一报告的其他版本（不计）", "further versions of them (not counted)"
    ),
    "unread_heading": Words(
        "列有统计表但未能读取的报告", "Reports that print statistics the parser could not read"
    ),
    "unread_none": Words(
        "所有列有统计表的报告均已读取。", "Every report that prints statistics was read."
    ),
    "why": Words("原因", "why"),
    "regions": Words("地区", "regions"),
    "years": Words("报告年度", "report years"),
    "not_landed": Words("未能读取的文件", "files not landed"),
    "more": Words("更多", "More"),
    "dbt_docs": Words("模型与字段说明（dbt docs）", "models and columns (dbt docs)"),
    "data_docs": Words("数据校验结果（Great Expectations）", "validation results"),
    "parquet": Words("Parquet 文件", "Parquet files"),
    "requests": Words("申请数量", "Requests"),
    "received_chart": Words("各年度本年新收申请（按地区）", "Requests received by year and region"),
    "received_note": Words(
        "各年度报告所列本年新收政府信息公开申请数量之和，按地区；部门报告与地区汇总报告均计入。",
        "Requests received, summed over each year's reports, by region; reports of single "
        "bodies and of whole regions both count.",
    ),
    "received_none": Words("没有报告列出本年新收申请数量。", "No report prints its requests."),
    "outcomes_chart": Words("各年度申请办理结果", "Outcomes of handled requests by year"),
    "outcomes_note": Words(
        "仅含五项均列出的报告。其他处理＝办理结果总计减去前四项（如无法提供、不予处理等）。",
        "Reports that print all five measures. Other handling = handled minus the four "
        "outcomes (cannot be provided, not processed, other).",
    ),
    "outcomes_none": Words(
        "没有报告完整列出办理结果。", "No report prints every outcome of its requests."
    ),
    "grant": Words("各地区公开率", "Grant rate by region"),
    "grant_chart": Words("公开率（按地区）", "Grant rate by region"),
    "grant_note": Words(
        "公开率＝（予以公开＋部分公开）÷ 办理结果总计，合计该地区所有报告与年度。",
        "Grant rate = (granted + partly granted) ÷ handled, over all the region's reports "
        "and years.",
    ),
    "grant_none": Words("没有办理过申请的报告。", "No report with handled requests."),
    "handled": Words("办理结果总计", "handled"),
    "rate": Words("公开率", "grant rate"),
    "coverage": Words("统计表版式", "Statistics templates"),
    "coverage_chart": Words("各年度报告所用统计表版式", "Reports by year and template"),
    "coverage_note": Words(
        "无统计表：报告中未找到统计表。", "No statistics table: none was found in the report."
    ),
    "coverage_none": Words("没有报告。", "No reports."),
    "year": Words("年度", "year"),
    "region": Words("地区", "region"),
    "total": Words("合计", "total"),
    "quality": Words("数据质量", "Data quality"),
    "grades_chart": Words("质量等级（报告数）", "Quality grades (reports)"),
    "grades_note": Words(
        "每份报告一个等级，依据其各项核对结果与统计数据的读取情况。",
        "One grade per report, from its checks and how its cells were read.",
    ),
    "grade": Words("等级", "grade"),
    "checks_chart": Words("统计表恒等式核对结果", "Accounting identities by outcome"),
    "checks_note": Words(
        "每项恒等式在各报告中的核对次数，按结果。未通过的恒等式如实报告，不作修正。",
        "Instances of each identity by outcome. A failing identity is reported as printed, "
        "never repaired.",
    ),
    "checks_none": Words("没有可核对的恒等式。", "No identity could be checked."),
    "check": Words("恒等式", "identity"),
    "failing": Words("恒等式未通过的报告", "Reports failing an identity"),
    "failing_none": Words("所有报告均通过恒等式核对。", "No report fails an identity."),
    "source_file": Words("文件", "file"),
    "template": Words("版式", "template"),
    "failed_checks": Words("未通过的恒等式", "failed identities"),
    "quarantine": Words("未能读取的文件", "Files not landed"),
    "reason": Words("原因", "reason"),
    "quarantine_none": Words("所有文件均已读取。", "Every file was read."),
    "numbers": Words("图中数据", "The numbers"),
}

CSS = """
body { font-family: system-ui, "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei",
       sans-serif; margin: 0 auto; padding: 1rem; max-width: 60rem; color: #222;
       line-height: 1.5; }
h1 { font-size: 1.4rem; } h2 { font-size: 1.15rem; margin-top: 2.5rem; }
h3 { font-size: 1rem; margin: 1.5rem 0 .5rem; }
.en { color: #666; font-weight: normal; }
.facts { display: flex; flex-wrap: wrap; gap: .5rem 2rem; padding: 0; list-style: none; }
.facts b { display: block; font-size: 1.3rem; }
figure { margin: 1rem 0 2rem; }
svg.chart { display: block; width: 100%; height: auto; }
figcaption, .note { color: #555; font-size: .9rem; }
.legend { display: flex; flex-wrap: wrap; gap: .25rem 1rem; padding: 0; margin: .5rem 0;
          list-style: none; font-size: .85rem; }
.legend i { display: inline-block; width: .8em; height: .8em; margin-right: .3em; }
table { border-collapse: collapse; font-size: .85rem; width: 100%; margin: .5rem 0; }
th, td { border-bottom: 1px solid #ddd; padding: .25rem .5rem; text-align: left;
         vertical-align: top; }
td.n, th.n { text-align: right; }
td.n { white-space: nowrap; }
td.file { overflow-wrap: anywhere; }
.empty { color: #777; font-style: italic; }
/* a phone: each row of a table becomes a block of "column: value" lines */
@media (max-width: 640px) {
  table, thead, tbody, tr, th, td { display: block; }
  thead { display: none; }
  tr { border-bottom: 1px solid #bbb; padding: .25rem 0; }
  td, td.n { border: none; padding: .1rem 0; text-align: left; white-space: normal;
             overflow-wrap: anywhere; }
  td::before { content: attr(data-label) ": "; color: #555; }
}
"""


class _Page:
    """The report of one warehouse version, in one language setting."""

    def __init__(self, con: duckdb.DuckDBPyConnection, labels: Labels) -> None:
        self.con, self.l = con, labels

    def say(self, key: str) -> str:
        return self.l.html(T[key])

    def text(self, key: str) -> str:
        return self.l.text(T[key])

    def empty(self, key: str) -> str:
        return f'<p class="empty">{self.say(key)}</p>'

    def legend(self, series: Sequence[Series], kind: str) -> str:
        items = "".join(
            f'<li><i style="background:{s.color}"></i>{self.l.name(kind, s.name)}</li>'
            for s in series
        )
        return f'<ul class="legend">{items}</ul>'

    def table(
        self,
        table_id: str,
        headers: Sequence[Words],
        rows: Sequence[Sequence[Any]],
        numeric: int,
        files: int = 0,
    ) -> str:
        """A table whose last ``numeric`` columns are numbers (right-aligned) and whose first
        ``files`` columns are file names (broken anywhere); cells are markup already, or
        numbers. On a phone each row becomes a block of "header: value" lines."""
        first = len(headers) - numeric

        def css(i: int) -> str:
            return ' class="n"' if i >= first else ' class="file"' if i < files else ""

        head = "".join(f"<th{css(i)}>{self.l.html(h)}</th>" for i, h in enumerate(headers))
        labels = [esc(self.l.text(h)) for h in headers]

        def cell(i: int, value: Any) -> str:
            shown = number(value) if isinstance(value, int | float) else value
            return f'<td{css(i)} data-label="{labels[i]}">{"" if shown is None else shown}</td>'

        body = "".join(
            "<tr>" + "".join(cell(i, v) for i, v in enumerate(row)) + "</tr>" for row in rows
        )
        return (
            f'<table id="{esc(table_id)}"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>"
        )

    def figure(self, chart_id: str, heading: str, chart: str, note: str, after: str) -> str:
        """A chart under its heading, then its legend or note, then the table of its numbers."""
        return (
            f'<figure id="{esc(chart_id)}-figure"><h3>{self.say(heading)}</h3>{chart}'
            f"<figcaption>{self.say(note)}</figcaption>{after}</figure>"
        )

    def series_table(self, table_id: str, table: data.Table, first: str, kind: str) -> str:
        """A data.Table as rows of categories, a column per series and a total."""
        headers = [T[first], *(self.l.words(kind, name) for name in table.series), T["total"]]
        rows = [
            [
                esc(category),
                *(values[i] for values in table.series.values()),
                sum(values[i] for values in table.series.values()),
            ]
            for i, category in enumerate(table.categories)
        ]
        return self.table(table_id, headers, rows, numeric=len(table.series) + 1)

    def series(self, table: data.Table, kind: str, colours: Mapping[str, str]) -> list[Series]:
        return [
            Series(name, values, colours.get(name, PALETTE[i % len(PALETTE)]))
            for i, (name, values) in enumerate(table.series.items())
        ]

    def column_figure(
        self,
        chart_id: str,
        table: data.Table,
        kind: str,
        keys: tuple[str, str, str],
        colours: Mapping[str, str] | None = None,
    ) -> str:
        heading, note, none = keys
        if not table.categories:
            return f"<h3>{self.say(heading)}</h3>" + self.empty(none)
        series = self.series(table, kind, colours or {})
        shown = [Series(self.l.text(self.l.words(kind, s.name)), s.values, s.color) for s in series]
        chart = column_chart(chart_id, self.text(heading), table.categories, shown)
        after = self.legend(series, kind) + self.series_table(
            chart_id + "-table", table, "year", kind
        )
        return self.figure(chart_id, heading, chart, note, after)

    # --- sections ---------------------------------------------------------------------

    def header(self, published: Mapping[str, Any] | None, links: Mapping[str, str]) -> str:
        version = published if published is not None else data.version(self.con)
        overview = data.overview(self.con)
        years = (
            f"{overview['first_year']}–{overview['last_year']}"
            if overview["first_year"] is not None
            else "–"
        )
        facts = [
            ("version", version.get("version", "–")),
            ("published", str(version.get("published_at", "–"))[:19]),
            ("reports", overview["reports"]),
            ("with_statistics", overview["with_statistics"]),
            ("statistics_unread", overview["statistics_unread"]),
            ("further_versions", overview["further_versions"]),
            ("regions", overview["regions"]),
            ("years", years),
            ("not_landed", overview["quarantined"]),
        ]
        items = "".join(f"<li><b>{esc(value)}</b>{self.say(key)}</li>" for key, value in facts)
        more = " · ".join(
            f'<a href="{esc(href)}">{self.say(key)}</a>'
            for key, href in links.items()
            if key != "parquet"
        )
        parquet = f"{self.say('parquet')}: <code>{esc(links['parquet'])}</code>"
        return (
            f"<h1>{self.say('title')}</h1>"
            f'<ul class="facts">{items}</ul>'
            f'<p class="note">{self.say("more")}: {more} · {parquet}</p>'
        )

    def requests(self) -> str:
        received = data.requests_by_year(self.con)
        outcomes = data.outcomes_by_year(self.con)
        return "".join(
            [
                f"<h2>{self.say('requests')}</h2>",
                self.column_figure(
                    "requests-by-year",
                    received,
                    "region",
                    ("received_chart", "received_note", "received_none"),
                ),
                self.column_figure(
                    "outcomes-by-year",
                    outcomes,
                    "measure",
                    ("outcomes_chart", "outcomes_note", "outcomes_none"),
                    OUTCOME_COLOURS,
                ),
            ]
        )

    def regions(self) -> str:
        rows = data.grant_rate_by_region(self.con).rows()
        section = f"<h2>{self.say('grant')}</h2>"
        if not rows:
            return section + f"<h3>{self.say('grant_chart')}</h3>" + self.empty("grant_none")
        names = [self.l.lines(self.l.words("region", r[0])) for r in rows]
        chart = bar_chart(
            "grant-rate-by-region",
            self.text("grant_chart"),
            names,
            [
                Series(
                    self.l.text(self.l.words("rate", "grant_rate")),
                    [100 * r[1] for r in rows],
                    PALETTE[0],
                )
            ],
            values=[f"{100 * r[1]:.0f} %" for r in rows],
            maximum=100,
        )
        table = self.table(
            "grant-rate-table",
            [T["region"], T["rate"], T["handled"], T["reports"]],
            [[self.l.name("region", r[0]), f"{100 * r[1]:.1f} %", r[2], r[3]] for r in rows],
            numeric=3,
        )
        return section + self.figure(
            "grant-rate-by-region", "grant_chart", chart, "grant_note", table
        )

    def coverage(self) -> str:
        coverage = data.template_coverage(self.con)
        ordered = data.Table(
            coverage.categories,
            {t: coverage.series[t] for t in TEMPLATES if t in coverage.series},
        )
        return f"<h2>{self.say('coverage')}</h2>" + self.column_figure(
            "template-coverage",
            ordered,
            "template",
            ("coverage_chart", "coverage_note", "coverage_none"),
        )

    def quality(self) -> str:
        grades = data.quality_grades(self.con)
        grade_chart = bar_chart(
            "quality-grades",
            self.text("grades_chart"),
            [self.l.lines(self.l.words("grade", g)) for g, _ in grades],
            [
                Series(g, [n if g == grade else 0 for grade, n in grades], GRADE_COLOURS[g])
                for g, _ in grades
            ],
            values=[number(n) for _, n in grades],
        )
        grade_table = self.table(
            "quality-grades-table",
            [T["grade"], T["reports"]],
            [[self.l.name("grade", g), n] for g, n in grades],
            numeric=1,
        )
        checks = data.check_outcomes(self.con)
        if checks.categories:
            series = self.series(checks, "status", STATUS_COLOURS)
            check_chart = bar_chart(
                "check-outcomes",
                self.text("checks_chart"),
                [self.l.lines(self.l.words("check", c)) for c in checks.categories],
                [
                    Series(self.l.text(self.l.words("status", s.name)), s.values, s.color)
                    for s in series
                ],
            )
            labelled = data.Table(
                [self.l.text(self.l.words("check", c)) for c in checks.categories], checks.series
            )
            checks_html = self.figure(
                "check-outcomes",
                "checks_chart",
                check_chart,
                "checks_note",
                self.legend(series, "status")
                + self.series_table("check-outcomes-table", labelled, "check", "status"),
            )
        else:
            checks_html = f"<h3>{self.say('checks_chart')}</h3>" + self.empty("checks_none")
        failing = data.failing_reports(self.con).rows()
        unread = data.statistics_unread(self.con).rows()
        quarantined = data.quarantined(self.con).rows()
        return "".join(
            [
                f"<h2>{self.say('quality')}</h2>",
                self.figure(
                    "quality-grades", "grades_chart", grade_chart, "grades_note", grade_table
                ),
                checks_html,
                f"<h3>{self.say('failing')}</h3>",
                self.table(
                    "failing-reports",
                    [T[k] for k in ("source_file", "region", "year", "template", "failed_checks")],
                    [
                        [
                            esc(file),
                            esc(region or ""),
                            esc(year if year is not None else ""),
                            self.l.name("template", template),
                            "<br>".join(self.l.name("check", code) for code in codes),
                        ]
                        for file, region, year, template, codes in failing
                    ],
                    numeric=0,
                    files=1,
                )
                if failing
                else self.empty("failing_none"),
                f"<h3>{self.say('unread_heading')}</h3>",
                self.table(
                    "statistics-unread",
                    [T[k] for k in ("source_file", "region", "year", "template", "why")],
                    [
                        [
                            esc(file),
                            esc(region or ""),
                            esc(year if year is not None else ""),
                            self.l.name("template", template),
                            esc(note or ""),
                        ]
                        for file, region, year, template, note in unread
                    ],
                    numeric=0,
                    files=1,
                )
                if unread
                else self.empty("unread_none"),
                f"<h3>{self.say('quarantine')}</h3>",
                self.table(
                    "quarantine",
                    [T["source_file"], T["reason"]],
                    [[esc(path), esc(reason)] for path, reason in quarantined],
                    numeric=0,
                    files=1,
                )
                if quarantined
                else self.empty("quarantine_none"),
            ]
        )


def _links(serving_db: Path | None) -> dict[str, str]:
    """The other published pages, relative to the report's folder (all are the serving
    file's sidecars, core/paths.py)."""
    db = Path(serving_db or "xxgk.duckdb")
    return {
        "dbt_docs": f"../{dbt_docs_dir(db).name}/index.html",
        "data_docs": f"../{data_docs_dir(db).name}/index.html",
        "parquet": f"../{parquet_dir(db).name}/",
    }


def render_report(
    con: duckdb.DuckDBPyConnection,
    published: Mapping[str, Any] | None = None,
    *,
    serving_db: Path | None = None,
    lang: ReportLanguage | None = None,
) -> str:
    """The report page for the warehouse ``con`` reads: a published version (its
    meta.current_version), or the version ``published`` names (``version`` and
    ``published_at``), about to be published beside ``serving_db``. ``lang``: ``zh``,
    ``en`` or ``both`` (default: XXGK_REPORT_LANG, else both)."""
    labels = Labels.of(con, lang or report_language())
    page = _Page(con, labels)
    body = page.header(published, _links(serving_db)) + "".join(
        section() for section in (page.requests, page.regions, page.coverage, page.quality)
    )
    return (
        f'<!DOCTYPE html><html lang="{labels.html_lang}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(page.text('title'))}</title><style>{CSS}</style></head>"
        f"<body>{body}</body></html>\n"
    )
