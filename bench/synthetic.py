"""Synthetic annual reports with their own truth, rendered as txt, html, docx and pdf.

A report's statistics are drawn at random but satisfy its template's identities (`old`,
`v2019`, `v2021`, `hybrid`, and `local`: the Fujian form of seeds/local_forms.csv with its
本年度 and 历年累计 columns); each renderer lays the same tables out the way real documents do
(spanned group labels, ruled PDF tables, running text), and `messy_txt` adds what crawled text
shows: wrapped and split labels, page footers and repeated headers, one-character-per-line
captions, typos in labels, glued digit runs, and for `local` the whole table on one crawled
line (spaced, or glued like 05_pingtan_xian_2012). `draw_report(..., messiness=True)` adds
what every rendering may show: a stray table in the prose (no facts), zeros printed as
blanks (`—`, `/`: truth in `SyntheticReport.blank`) and units inside value cells (`425条`).
Parsing a rendering must give back the numbers drawn: exactly where the rendering is
unambiguous, and with the truth among the alternatives of an `uncertain` cell where glue makes
it ambiguous. The generator is the parser's oracle.
"""

from __future__ import annotations

import html
import io
import random
import re
from dataclasses import dataclass, field

from ingest.parse.local_template import FormRow, LocalForm, load_forms
from ingest.parse.national_tables import APPLICANTS, t2_entities
from ingest.parse.reference import Reference, TemplateRow, default_reference

TEMPLATES = ("old", "v2019", "v2021", "hybrid")
ALL_TEMPLATES = (*TEMPLATES, "local")
LOCAL_FORM = "fujian_2008"
T3_HEADER = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
T4_HEADER = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3
YEARS = {
    "old": (2014, 2018),
    "v2019": (2019, 2020),
    "v2021": (2021, 2025),
    "hybrid": (2023, 2024),
    "local": (2009, 2013),
}


@dataclass
class SyntheticReport:
    """One report: attributes, and its statistics as (metric_code, applicant) -> value."""

    issuer: str
    year: int
    template: str = "v2021"
    values: dict[tuple[str, str], float] = field(default_factory=dict)
    stray_table: str = ""  # '', 'before' or 'after' the statistics: a table with no facts
    blank: set[tuple[str, str]] = field(default_factory=set)  # zeros printed as a placeholder
    units_in_cells: bool = False  # '425条' in the value cell of a row with a unit

    @property
    def title(self) -> str:
        return f"{self.issuer}{self.year}年政府信息公开工作年度报告"

    @property
    def t2_template(self) -> str:
        return "v2021" if self.template == "hybrid" else self.template

    @property
    def t3_template(self) -> str:
        return "v2019" if self.template == "hybrid" else self.template


# -- drawing numbers that satisfy the identities -----------------------------------------------
def issuer(seed: int, reference: Reference, province: str = "") -> str:
    """A real county government, a different one for each seed (so series do not collide);
    `province` (a code prefix such as '35') keeps to one province."""
    counties = [
        r.name
        for r in reference.regions
        if r.level == "county"
        and r.name.endswith("县")
        and len(r.name) >= 3
        and r.code.startswith(province)
    ]
    return f"{counties[(seed * 7919) % len(counties)]}人民政府"


def draw_report(
    seed: int,
    template: str = "v2021",
    reference: Reference | None = None,
    messiness: bool = False,
) -> SyntheticReport:
    """A report of `template`; `messiness` adds a stray table, blanks and units in cells (drawn
    from a generator of their own, so the numbers of a seed are the same either way)."""
    reference = reference or default_reference()
    rng = random.Random(f"{template}-{seed}")
    first, last = YEARS[template]
    province = "35" if template == "local" else ""
    report = SyntheticReport(
        issuer=issuer(seed, reference, province), year=rng.randint(first, last), template=template
    )
    if template == "old":
        _draw_old(report, reference, rng)
    elif template == "local":
        _draw_local(report, rng)
    else:
        _draw_t2(report, reference, rng)
        _draw_t3(report, reference, rng)
        _draw_t4(report, rng)
    if messiness:
        _draw_messiness(report, random.Random(f"messiness-{template}-{seed}"))
    return report


def _draw_messiness(report: SyntheticReport, rng: random.Random) -> None:
    report.stray_table = rng.choice(["before", "after", ""])
    report.units_in_cells = rng.random() < 0.5
    chance = rng.choice([0.0, 0.3, 1.0])
    zeros = sorted(key for key, value in report.values.items() if value == 0)
    report.blank = {key for key in zeros if rng.random() < chance}


def _count(rng: random.Random) -> int:
    return rng.choice([0, 0, rng.randint(1, 9), rng.randint(10, 99), rng.randint(100, 9999)])


def _draw_old(report: SyntheticReport, reference: Reference, rng: random.Random) -> None:
    rows = [r for r in reference.rows_for("old") if r.carries_value]
    values = {r.metric_code: _count(rng) for r in rows}
    values["old.s7.fees"] = round(rng.choice([0, rng.uniform(0, 3)]), 2)
    values["old.s8.budget"] = round(rng.uniform(0, 300), 2)

    def total(parent: str) -> None:
        values[parent] = sum(values[r.metric_code] for r in rows if r.parent == parent)

    for parent in (
        "old.s3.received",
        "old.s3.closed",
        "old.s4.review",
        "old.s5.litigation",
        "old.s8.staff",
    ):
        total(parent)
    reasons = sum(values[r.metric_code] for r in rows if r.parent == "old.s3.replies.denied")
    values["old.s3.replies.denied"] = reasons + rng.randint(0, 2)
    total("old.s3.replies")
    for code, value in values.items():
        report.values[(code, "total")] = value


def local_form() -> LocalForm:
    return next(form for form in load_forms() if form.form == LOCAL_FORM)


def cumulative_code(form: LocalForm, code: str) -> str:
    """The 历年累计 column's code of a row (as ingest/parse/local_template.py names it)."""
    return form.cumulative_prefix + code.removeprefix("local.")


def _draw_local(report: SyntheticReport, rng: random.Random) -> None:
    """本年度 and the years before it, each satisfying the form's relations (a `sum` parent is
    the sum of its rows, a `part` parent at least its 其中 rows); 历年累计 = before + 本年度."""
    form = local_form()

    def column() -> dict[str, float]:
        values: dict[str, float] = {}
        for row in reversed(form.rows):  # children follow their parent
            children = [r for r in form.rows if r.parent == row.metric_code]
            if not children:
                values[row.metric_code] = _count(rng)
                continue
            parts = sum(values[r.metric_code] for r in children)
            extra = rng.choice([0, _count(rng)]) if children[0].parent_relation == "part" else 0
            values[row.metric_code] = parts + extra
        return values

    this_year, before = column(), column()
    for row in form.rows:
        code = row.metric_code
        report.values[(code, "total")] = this_year[code]
        report.values[(cumulative_code(form, code), "total")] = this_year[code] + before[code]


def _draw_t2(report: SyntheticReport, reference: Reference, rng: random.Random) -> None:
    for entity in t2_entities(reference.rows_for(report.t2_template)):
        for column, _ in entity.columns:
            code = f"t2.{entity.block}.{entity.entity}.{column}"
            if column == "delta_items":
                value: float = rng.choice([0, rng.randint(-50, 200)])
            elif column == "amount":
                value = round(rng.uniform(0, 5000), 2)
            else:
                value = _count(rng)
            report.values[(code, "total")] = value


def t3_rows(template: str, reference: Reference) -> list[TemplateRow]:
    return [r for r in reference.rows_for(template) if r.metric_code.startswith("t3.")]


def _draw_t3(report: SyntheticReport, reference: Reference, rng: random.Random) -> None:
    leaves = [
        r.metric_code
        for r in t3_rows(report.t3_template, reference)
        if r.carries_value
        and r.metric_code.startswith("t3.result.")
        and r.metric_code != "t3.result.total"
    ]
    for applicant in APPLICANTS[:-1]:
        results = {code: rng.choice([0, 0, 0, rng.randint(1, 30)]) for code in leaves}
        handled = sum(results.values())
        carried = rng.randint(0, 3)
        forward = rng.randint(0, 3)
        new = max(0, handled + forward - carried)
        carried = handled + forward - new  # new + carried = handled + forward
        column = {
            **results,
            "t3.result.total": handled,
            "t3.carried_over": carried,
            "t3.carry_forward": forward,
            "t3.new_received": new,
        }
        for code, value in column.items():
            report.values[(code, applicant)] = value
    for code in {c for c, _ in report.values if c.startswith("t3.")}:
        report.values[(code, "total")] = sum(report.values[(code, a)] for a in APPLICANTS[:-1])


def _draw_t4(report: SyntheticReport, rng: random.Random) -> None:
    for block in ("review", "lit_direct", "lit_after_review"):
        parts = [rng.choice([0, 0, rng.randint(1, 12)]) for _ in range(4)]
        for name, value in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            report.values[(f"t4.{block}.{name}", "total")] = value
        report.values[(f"t4.{block}.total", "total")] = sum(parts)


# -- the tables as rows of cells ---------------------------------------------------------------
@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1
    is_value: bool = False


def _number(value: float) -> str:
    return f"{value:g}" if isinstance(value, float) and not value.is_integer() else str(int(value))


UNITS_IN_CELLS = frozenset({"条", "件", "个", "人", "次", "篇", "人次", "万元"})


def _value(
    report: SyntheticReport, code: str, applicant: str = "total", colspan: int = 1, unit: str = ""
) -> Cell:
    key = (code, applicant)
    if key in report.blank:
        return Cell("—" if len(code) % 2 else "/", colspan=colspan, is_value=True)
    text = _number(report.values[key])
    if report.units_in_cells and unit in UNITS_IN_CELLS:
        text += unit
    return Cell(text, colspan=colspan, is_value=True)


def table_old(report: SyntheticReport, reference: Reference) -> list[list[Cell]]:
    rows = [[Cell("统计指标"), Cell("单位"), Cell("统计数")]]
    for row in reference.rows_for("old"):
        if row.carries_value:
            value = _value(report, row.metric_code, unit=row.unit)
            rows.append([Cell(row.label), Cell(row.unit), value])
        else:
            rows.append([Cell(row.label, colspan=3)])
    return rows


def table_two(report: SyntheticReport, reference: Reference) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    numbers = {
        "art20_1": "（一）",
        "art20_5": "（五）",
        "art20_6": "（六）",
        "art20_8": "（八）",
        "art20_9": "（九）",
    }
    entities = t2_entities(reference.rows_for(report.t2_template))
    for block, number in numbers.items():
        members = [e for e in entities if e.block == block]
        if not members:
            continue
        width = len(members[0].columns)
        span = 3 // width if 3 % width == 0 else 1
        rows.append([Cell(f"第二十条第{number}项", colspan=1 + span * width)])
        rows.append(
            [Cell("信息内容")] + [Cell(label, colspan=span) for _, label in members[0].columns]
        )
        for entity in members:
            cells = [Cell(entity.label)]
            for column, _ in entity.columns:
                cells.append(_value(report, f"t2.{block}.{entity.entity}.{column}", colspan=span))
            rows.append(cells)
    return rows


def table_three(report: SyntheticReport, reference: Reference) -> list[list[Cell]]:
    t3 = t3_rows(report.t3_template, reference)
    rows: list[list[Cell]] = [
        [
            Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
            Cell("申请人情况", colspan=7),
        ],
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [Cell(h) for h in T3_HEADER[1:6]],
    ]
    results = [r for r in t3 if r.metric_code.startswith("t3.result.") and r.carries_value]
    for row in t3:
        if not row.carries_value:
            continue
        values = [_value(report, row.metric_code, a) for a in APPLICANTS]
        group = next((r for r in t3 if r.metric_code == row.parent and not r.carries_value), None)
        if not row.metric_code.startswith("t3.result."):
            rows.append([Cell(row.label, colspan=3)] + values)
            continue
        cells: list[Cell] = []
        if row is results[0]:
            cells.append(Cell("三、本年度办理结果", rowspan=len(results)))
        if group is not None and group.metric_code != "t3.result":
            siblings = [r for r in results if r.parent == row.parent]
            if row is siblings[0]:
                cells.append(Cell(group.label, rowspan=len(siblings)))
            cells.append(Cell(row.label))
        else:
            cells.append(Cell(row.label, colspan=2))
        rows.append(cells + values)
    return rows


def table_four(report: SyntheticReport, reference: Reference) -> list[list[Cell]]:
    codes = [r.metric_code for r in reference.rows_for("v2019") if r.metric_code.startswith("t4.")]
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [Cell(h) for h in T4_HEADER],
        [_value(report, code) for code in codes],
    ]


def table_local(report: SyntheticReport) -> list[list[Cell]]:
    """The Fujian form: 指标名称 | 计量单位 | <year>年度 | 历年累计; the first row of a group is
    printed '其中：1.网站公开'."""
    form = local_form()
    rows = [[Cell("指标名称"), Cell("计量单位"), Cell(f"{report.year}年度"), Cell("历年累计")]]
    for row in form.rows:
        rows.append(
            [
                Cell(_local_label(form, row)),
                Cell(row.unit),
                _value(report, row.metric_code, unit=row.unit),
                _value(report, cumulative_code(form, row.metric_code), unit=row.unit),
            ]
        )
    return rows


def _local_label(form: LocalForm, row: FormRow) -> str:
    siblings = [r for r in form.rows if r.parent == row.parent]
    return f"其中：{row.label}" if row.parent and row is siblings[0] else row.label


def stray_table(report: SyntheticReport) -> list[list[Cell]]:
    """A small table of the prose that is not a statistics table (its numbers are no facts)."""
    rng = random.Random(f"stray-{report.issuer}-{report.year}")
    if rng.random() < 0.5:
        kinds = ["机构职能类", "政策文件类", "规划计划类", "重大项目类"]
        counts = [rng.randint(5, 300) for _ in kinds]
        rows = [[Cell("信息类别"), Cell("条数"), Cell("占比")]]
        for kind, count in zip(kinds, counts, strict=True):
            rows.append([Cell(kind), Cell(str(count)), Cell(f"{100 * count / sum(counts):.1f}%")])
        return rows
    courses = ["政务公开业务培训", "保密审查专题培训", "政务新媒体运维培训"]
    rows = [[Cell("培训名称"), Cell("场次"), Cell("参训人次")]]
    for course in courses:
        rows.append([Cell(course), Cell(str(rng.randint(1, 6))), Cell(str(rng.randint(20, 400)))])
    return rows


Section = tuple[str, "list[list[Cell]] | str"]


def sections(report: SyntheticReport, reference: Reference) -> list[Section]:
    overview = (
        f"{report.year}年，{report.issuer}认真落实《条例》要求，"
        "全年共印发文件37件，推进政务公开工作。"
    )
    if report.template == "old":
        parts: list[Section] = [
            ("一、总体公开工作情况", overview),
            ("二、存在的问题与不足", "公开内容的深度和广度仍需提升。"),
            (f"附件：{report.year}年政府信息公开情况统计表", table_old(report, reference)),
        ]
    elif report.template == "local":
        parts = [
            ("一、概述", overview),
            ("二、政府信息依申请公开工作情况", "全年依申请公开工作平稳有序。"),
            ("三、政府信息公开工作存在的主要问题及改进情况", "公开内容的深度和广度仍需提升。"),
            (
                f"附件1：{report.issuer}{report.year}年政府信息公开情况统计表",
                table_local(report),
            ),
        ]
    else:
        parts = [
            ("一、总体情况", overview),
            ("二、主动公开政府信息情况", table_two(report, reference)),
            ("三、收到和处理政府信息公开申请情况", table_three(report, reference)),
            ("四、政府信息公开行政复议、行政诉讼情况", table_four(report, reference)),
            ("五、存在的主要问题及改进情况", "公开内容的深度和广度仍需提升。"),
        ]
    if report.stray_table == "before":
        parts.insert(1, ("（一）有关情况见下表。", stray_table(report)))
    elif report.stray_table == "after":
        parts.append(("附件2：有关情况表", stray_table(report)))
    return parts


# -- renderers ---------------------------------------------------------------------------------
def _text_rows(
    report: SyntheticReport, reference: Reference
) -> list[tuple[str, list[Cell] | None]]:
    """(heading or prose line, None) and ('', table row) items in print order."""
    out: list[tuple[str, list[Cell] | None]] = [(report.title, None), ("", None)]
    for heading, body in sections(report, reference):
        out.append((heading, None))
        if isinstance(body, str):
            out.append((body, None))
        else:
            out.extend(("", row) for row in body)
    return out


def render_txt(report: SyntheticReport, reference: Reference | None = None) -> str:
    """Running text: a table row is its cells' text separated by spaces."""
    reference = reference or default_reference()
    lines = [
        text if row is None else " ".join(c.text for c in row)
        for text, row in _text_rows(report, reference)
    ]
    return "\n".join(lines) + "\n"


def messy_txt(
    report: SyntheticReport, seed: int, reference: Reference | None = None, glue: bool = False
) -> str:
    """Running text with the damage crawled reports show (see the module docstring)."""
    reference = reference or default_reference()
    rng = random.Random(f"messy-{seed}")
    lines: list[str] = []
    page = 1
    for text, row in _text_rows(report, reference):
        if row is None:
            lines.append(text)
            continue
        labels = [c.text for c in row if not c.is_value]
        values = [c.text for c in row if c.is_value]
        if labels and labels[0] == "三、本年度办理结果" and rng.random() < 0.5:
            lines.extend(labels.pop(0))  # one character per line, as PDF text of merged cells
        label = " ".join(labels)
        is_local_header = report.template == "local" and not values
        if len(label) >= 10 and not is_local_header and rng.random() < 0.15:
            label = _typo(label, rng)
        gluable = len(values) == 7 or (report.template == "local" and len(values) == 2)
        separator = (
            "" if glue and gluable and rng.random() < 0.5 and "".join(values).isdigit() else " "
        )
        if values and len(label) > 12 and rng.random() < 0.3:
            cut = rng.randint(4, len(label) - 4)
            lines.append(label[:cut])
            lines.append("")
            label = label[cut:]
        if values and rng.random() < 0.2:
            lines.append(label)
            lines.append(separator.join(values))
        else:
            lines.append(" ".join(filter(None, [label, separator.join(values)])))
        if rng.random() < 0.06:
            page += 1
            lines += ["", f"- {page} -", ""]
            if report.template == "old":
                lines.append("统 计 指 标 单位 统计数")
            elif report.template == "local":
                lines.append(f"指标名称 计量单位 {report.year}年度 历年累计")
    if report.template == "local" and (glue or rng.random() < 0.5):
        lines = _crawled_local_table(lines, report.year, glue)
    return "\n".join(lines) + "\n"


def _crawled_local_table(lines: list[str], year: int, glue: bool) -> list[str]:
    """The Fujian table as a crawled web page gives it: caption and rows on one line, spaced
    with the header cells wrapped ('计量 单位', '2011 年度', as 01_pingtan_zhsyq_2011), or
    with every space gone (as 05_pingtan_xian_2012)."""
    start = next(i for i, line in enumerate(lines) if line.startswith("附件1："))
    header = lines[start + 1]  # a web page has no page breaks: no footers, no repeated header
    table = lines[start : start + 2] + [
        line for line in lines[start + 2 :] if line and line != header and line[0] != "-"
    ]
    if glue:
        return lines[:start] + ["".join(line.replace(" ", "") for line in table)]
    flat = " ".join(table).replace("计量单位", "计量 单位").replace(f"{year}年度", f"{year} 年度")
    return lines[:start] + [flat]


def _typo(label: str, rng: random.Random) -> str:
    """Drop one character from the label's wording (never from its numbering)."""
    numbering = re.match(
        r"^(?:[一二三四五六七八九十]+、|（[一二三四五六七八九十]+）|\d+[.．、]|其中：)*", label
    )
    start = numbering.end() if numbering else 0
    if len(label) - start < 8:
        return label
    i = rng.randrange(start + 2, len(label) - 2)
    return label[:i] + label[i + 1 :]


def render_html(report: SyntheticReport, reference: Reference | None = None) -> str:
    reference = reference or default_reference()
    title = html.escape(report.title)
    parts = [
        f"<html><head><meta charset='utf-8'><title>{title}</title></head><body>",
        f"<h1>{title}</h1>",
    ]
    for heading, body in sections(report, reference):
        parts.append(f"<p>{html.escape(heading)}</p>")
        if isinstance(body, str):
            parts.append(f"<p>{html.escape(body)}</p>")
            continue
        parts.append("<table border='1'>")
        for row in body:
            cells = "".join(
                f"<td rowspan='{c.rowspan}' colspan='{c.colspan}'>"
                f"{html.escape(c.text) or '&nbsp;'}</td>"
                for c in row
            )
            parts.append(f"<tr>{cells}</tr>")
        parts.append("</table>")
    parts.append("</body></html>")
    return "\n".join(parts)


def _grid(rows: list[list[Cell]]) -> tuple[list[list[str]], list[tuple[int, int, int, int]]]:
    """Place spanned cells on a grid: (texts, spans as (row, col, last_row, last_col))."""
    taken: dict[tuple[int, int], str] = {}
    spans = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while (r, c) in taken:
                c += 1
            for dr in range(cell.rowspan):
                for dc in range(cell.colspan):
                    taken[(r + dr, c + dc)] = ""
            taken[(r, c)] = cell.text
            if cell.rowspan > 1 or cell.colspan > 1:
                spans.append((r, c, r + cell.rowspan - 1, c + cell.colspan - 1))
            c += cell.colspan
    width = 1 + max(c for _, c in taken)
    return [[taken.get((r, c), "") for c in range(width)] for r in range(len(rows))], spans


def render_docx(report: SyntheticReport, reference: Reference | None = None) -> bytes:
    from docx import Document

    reference = reference or default_reference()
    document = Document()
    document.add_paragraph(report.title)
    for heading, body in sections(report, reference):
        document.add_paragraph(heading)
        if isinstance(body, str):
            document.add_paragraph(body)
            continue
        grid, spans = _grid(body)
        table = document.add_table(rows=len(grid), cols=len(grid[0]))
        table.style = "Table Grid"  # ruled, as report tables are (and their PDFs show)
        for r, row in enumerate(grid):
            for c, text in enumerate(row):
                if text:
                    table.cell(r, c).text = text
        for r0, c0, r1, c1 in spans:
            text = grid[r0][c0]
            table.cell(r0, c0).merge(table.cell(r1, c1)).text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@dataclass(frozen=True)
class BrowserPrint:
    """What a browser prints around a web page: the print time and the page's <title> at the
    top of every page, its URL and `n/m` at the bottom; the page's own heading is not in it."""

    url: str
    printed_at: str

    @classmethod
    def of(cls, report: SyntheticReport) -> BrowserPrint:
        rng = random.Random(f"browser-{report.issuer}-{report.year}")
        day, hour, minute = rng.randint(1, 28), rng.randint(8, 11), rng.randint(0, 59)
        return cls(
            url=f"https://www.gov.cn/zwgk/{report.year + 1}/art_{rng.randint(1000, 9999)}.html",
            printed_at=f"{report.year + 1}/3/{day} 上午{hour}:{minute:02d}",
        )


def render_pdf(
    report: SyntheticReport,
    reference: Reference | None = None,
    *,
    look_alike: dict[str, str] | None = None,
    browser: BrowserPrint | None = None,
) -> bytes:
    """A ruled-table PDF with a text layer (reportlab's built-in CJK font, not embedded).

    ``look_alike`` prints characters as others that look the same (the CJK radicals of
    Word-saved PDFs; the font's CMap folds Kangxi radicals back, Radicals Supplement forms
    stay in the text layer). ``browser`` prints it as a browser prints the web page: a header
    and a footer on every page, no title line in the body (the title is the PDF's /Title)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.platypus import SimpleDocTemplate

    reference = reference or default_reference()
    swap = str.maketrans(look_alike or {})
    pagesize = landscape(A4)

    def build(buffer: io.BytesIO, pages: int) -> int:
        story = _pdf_story(report, reference, swap, browser is not None)
        # a browser names the PDF after the page's <title>
        named = {"title": report.title.translate(swap)} if browser else {}
        document = SimpleDocTemplate(buffer, pagesize=pagesize, **named)
        if browser is None:
            document.build(story)
        else:
            furniture = _browser_furniture(browser, report.title.translate(swap), pages)
            document.build(story, onFirstPage=furniture, onLaterPages=furniture)
        return document.page

    if browser is None:
        buffer = io.BytesIO()
        build(buffer, 0)
        return buffer.getvalue()
    pages = build(io.BytesIO(), 0)  # a first pass counts the pages for `n/m`
    buffer = io.BytesIO()
    build(buffer, pages)
    return buffer.getvalue()


def _cjk_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _pdf_story(
    report: SyntheticReport, reference: Reference, swap: dict[int, str], browser: bool
) -> list:
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, Table, TableStyle

    font = _cjk_font()
    style = ParagraphStyle("body", fontName=font, fontSize=9, leading=12)
    cell_style = ParagraphStyle("cell", fontName=font, fontSize=6, leading=7)
    story = [] if browser else [Paragraph(report.title.translate(swap), style)]
    for heading, body in sections(report, reference):
        story.append(Paragraph(heading.translate(swap), style))
        if isinstance(body, str):
            story.append(Paragraph(body.translate(swap), style))
            continue
        grid, spans = _grid(body)
        data = [
            [
                Paragraph(text.translate(swap), cell_style)
                if len(text) > 8
                else text.translate(swap)
                for text in row
            ]
            for row in grid
        ]
        commands = [
            ("FONT", (0, 0), (-1, -1), font, 6),
            ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        ]
        if browser:  # an HTML table's border: an outer frame around the cells' own rules
            commands = [
                ("FONT", (0, 0), (-1, -1), font, 6),
                ("INNERGRID", (0, 0), (-1, -1), 0.5, "grey"),
                ("BOX", (0, 0), (-1, -1), 1.5, "black"),
            ]
        commands += [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in spans]
        story.append(Table(data, style=TableStyle(commands)))
    return story


def _browser_furniture(browser: BrowserPrint, title: str, pages: int):  # noqa: ANN202
    """The onPage callback drawing a browser's print header and footer."""

    def draw(canvas, document) -> None:  # noqa: ANN001
        width, height = document.pagesize
        canvas.saveState()
        canvas.setFont(_cjk_font(), 7)
        canvas.drawString(20, height - 16, browser.printed_at)
        canvas.drawRightString(width - 20, height - 16, title)
        canvas.drawString(20, 12, browser.url)
        canvas.drawRightString(width - 20, 12, f"{document.page}/{pages or document.page}")
        canvas.restoreState()

    return draw
