"""Synthetic annual reports with their own truth, rendered as txt, html, docx and pdf.

A report's statistics are drawn at random but satisfy the template's identities; each renderer
lays the same tables out the way real documents do (spanned group labels, ruled PDF tables,
running text), so parsing every rendering must give back exactly the numbers drawn.
"""

from __future__ import annotations

import html
import io
import random
from dataclasses import dataclass, field

from ingest.parse.national_tables import APPLICANTS, t2_entities
from ingest.parse.reference import Reference, TemplateRow, default_reference

T3_HEADER = ["自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"]
T4_HEADER = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 3


@dataclass
class SyntheticReport:
    """One report: attributes, and its statistics as (metric_code, applicant) -> value."""

    issuer: str
    year: int
    template: str = "v2021"
    values: dict[tuple[str, str], int] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return f"{self.issuer}{self.year}年政府信息公开工作年度报告"


def _t3_rows(reference: Reference) -> list[TemplateRow]:
    return [r for r in reference.rows_for("v2021") if r.metric_code.startswith("t3.")]


def draw_report(seed: int, reference: Reference | None = None) -> SyntheticReport:
    """A v2021 report whose tables satisfy every identity of the template."""
    reference = reference or default_reference()
    rng = random.Random(seed)
    report = SyntheticReport(issuer="泾源县人民政府", year=2021 + seed % 4)
    for entity in t2_entities(reference.rows_for("v2021")):
        for column, _ in entity.columns:
            code = f"t2.{entity.block}.{entity.entity}.{column}"
            report.values[(code, "total")] = rng.choice(
                [0, rng.randint(1, 9), rng.randint(10, 999)]
            )
    leaves = [
        r.metric_code
        for r in _t3_rows(reference)
        if r.carries_value
        and r.metric_code.startswith("t3.result.")
        and r.metric_code != "t3.result.total"
    ]
    for applicant in APPLICANTS[:-1]:
        results = {code: rng.choice([0, 0, 0, rng.randint(1, 30)]) for code in leaves}
        total = sum(results.values())
        carried = rng.randint(0, 3)
        forward = rng.randint(0, min(3, total))
        column = {
            **results,
            "t3.result.total": total,
            "t3.carried_over": carried,
            "t3.carry_forward": forward,
            "t3.new_received": total + forward - carried if total + forward >= carried else 0,
        }
        if total + forward < carried:  # keep the balance: new + carried = total + forward
            column["t3.carried_over"] = total + forward
        for code, value in column.items():
            report.values[(code, applicant)] = value
    for code in {c for c, _ in report.values if c.startswith("t3.")}:
        report.values[(code, "total")] = sum(report.values[(code, a)] for a in APPLICANTS[:-1])
    blocks = ["review", "lit_direct", "lit_after_review"]
    for block in blocks:
        parts = [rng.randint(0, 5) for _ in range(4)]
        for name, value in zip(("upheld", "corrected", "other", "pending"), parts, strict=True):
            report.values[(f"t4.{block}.{name}", "total")] = value
        report.values[(f"t4.{block}.total", "total")] = sum(parts)
    return report


# -- the tables as rows of cells ---------------------------------------------------------------
@dataclass
class Cell:
    text: str
    rowspan: int = 1
    colspan: int = 1


def table_two(report: SyntheticReport, reference: Reference) -> list[list[Cell]]:
    rows: list[list[Cell]] = []
    blocks = {"art20_1": "（一）", "art20_5": "（五）", "art20_6": "（六）", "art20_8": "（八）"}
    entities = t2_entities(reference.rows_for(report.template))
    for block, number in blocks.items():
        members = [e for e in entities if e.block == block]
        if not members:
            continue
        width = len(members[0].columns)
        rows.append([Cell(f"第二十条第{number}项", colspan=4)])
        rows.append(
            [Cell("信息内容")]
            + [Cell(label, colspan=3 // width) for _, label in members[0].columns]
        )
        for entity in members:
            cells = [Cell(entity.label)]
            for column, _ in entity.columns:
                value = report.values[(f"t2.{block}.{entity.entity}.{column}", "total")]
                cells.append(Cell(str(value), colspan=3 // width))
            rows.append(cells)
    return rows


def table_three(report: SyntheticReport, reference: Reference) -> list[list[Cell]]:
    t3 = _t3_rows(reference)
    header = [
        [
            Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3),
            Cell("申请人情况", colspan=7),
        ],
        [Cell("自然人", rowspan=2), Cell("法人或其他组织", colspan=5), Cell("总计", rowspan=2)],
        [Cell(h) for h in T3_HEADER[1:6]],
    ]
    results = [r for r in t3 if r.metric_code.startswith("t3.result.") and r.carries_value]
    rows: list[list[Cell]] = header
    for row in t3:
        if not row.carries_value:
            continue
        values = [Cell(str(report.values[(row.metric_code, a)])) for a in APPLICANTS]
        groups = [r for r in t3 if r.metric_code == row.parent and not r.carries_value]
        if row.metric_code.startswith("t3.result."):
            cells: list[Cell] = []
            if row is results[0]:
                cells.append(Cell("三、本年度办理结果", rowspan=len(results)))
            if groups and groups[0].metric_code != "t3.result":
                siblings = [r for r in results if r.parent == row.parent]
                if row is siblings[0]:
                    cells.append(Cell(groups[0].label, rowspan=len(siblings)))
                cells.append(Cell(row.label))
            else:
                cells.append(Cell(row.label, colspan=2))
            rows.append(cells + values)
        else:
            rows.append([Cell(row.label, colspan=3)] + values)
    return rows


def table_four(report: SyntheticReport, reference: Reference) -> list[list[Cell]]:
    codes = [r.metric_code for r in reference.rows_for("v2021") if r.metric_code.startswith("t4.")]
    return [
        [Cell("行政复议", colspan=5), Cell("行政诉讼", colspan=10)],
        [Cell(h) for h in T4_HEADER],
        [Cell(str(report.values[(code, "total")])) for code in codes],
    ]


def _sections(
    report: SyntheticReport, reference: Reference
) -> list[tuple[str, list[list[Cell]] | str]]:
    return [
        (
            "一、总体情况",
            f"{report.year}年，{report.issuer}认真落实《条例》要求，推进政务公开工作。",
        ),
        ("二、主动公开政府信息情况", table_two(report, reference)),
        ("三、收到和处理政府信息公开申请情况", table_three(report, reference)),
        ("四、政府信息公开行政复议、行政诉讼情况", table_four(report, reference)),
        ("五、存在的主要问题及改进情况", "公开内容的深度和广度仍需提升。"),
    ]


# -- renderers ---------------------------------------------------------------------------------
def render_txt(report: SyntheticReport, reference: Reference | None = None) -> str:
    """Running text: a table row is its cells' text separated by spaces."""
    reference = reference or default_reference()
    lines = [report.title, ""]
    for heading, body in _sections(report, reference):
        lines.append(heading)
        if isinstance(body, str):
            lines.append(body)
        else:
            lines.extend(" ".join(cell.text for cell in row) for row in body)
    return "\n".join(lines) + "\n"


def render_html(report: SyntheticReport, reference: Reference | None = None) -> str:
    reference = reference or default_reference()
    parts = [
        f"<html><head><meta charset='utf-8'><title>{html.escape(report.title)}</title></head><body>"
    ]
    parts.append(f"<h1>{html.escape(report.title)}</h1>")
    for heading, body in _sections(report, reference):
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
    for heading, body in _sections(report, reference):
        document.add_paragraph(heading)
        if isinstance(body, str):
            document.add_paragraph(body)
            continue
        grid, spans = _grid(body)
        table = document.add_table(rows=len(grid), cols=len(grid[0]))
        for r, row in enumerate(grid):
            for c, text in enumerate(row):
                if text:
                    table.cell(r, c).text = text
        for r0, c0, r1, c1 in spans:
            text = grid[r0][c0]
            merged = table.cell(r0, c0).merge(table.cell(r1, c1))
            merged.text = text
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def render_pdf(report: SyntheticReport, reference: Reference | None = None) -> bytes:
    """A ruled-table PDF with a text layer (reportlab's built-in CJK font, not embedded)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

    reference = reference or default_reference()
    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("body", fontName="STSong-Light", fontSize=9, leading=12)
    cell_style = ParagraphStyle("cell", fontName="STSong-Light", fontSize=6, leading=7)
    story = [Paragraph(report.title, style)]
    for heading, body in _sections(report, reference):
        story.append(Paragraph(heading, style))
        if isinstance(body, str):
            story.append(Paragraph(body, style))
            continue
        grid, spans = _grid(body)
        data = [
            [Paragraph(text, cell_style) if len(text) > 8 else text for text in row] for row in grid
        ]
        commands = [
            ("FONT", (0, 0), (-1, -1), "STSong-Light", 6),
            ("GRID", (0, 0), (-1, -1), 0.5, "black"),
        ] + [("SPAN", (c0, r0), (c1, r1)) for r0, c0, r1, c1 in spans]
        story.append(Table(data, style=TableStyle(commands), repeatRows=0))
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=landscape(A4)).build(story)
    return buffer.getvalue()
