"""A collection that holds reports several times, and reports that merely look alike.

Every sample report (data/sample) is in it eight times: as published (txt); its text as a
web page with a crawler's breadcrumb, publication line and site footer (HTML), printed to
PDF, and saved as Word (DOCX); and its statistics laid out as tables by the generator
(bench/synthetic.py: HTML, DOCX, PDF and its messy txt). Besides those renderings:

* near-duplicates: 泾源县 2019 with a digit of its prose changed, 固原市 2018 with a
  sentence of its prose reworded, 沙坡头区 2018 with a CMS header, 彭阳县 2018 with another
  footer;
* a corrected re-publication: 固原市人民政府办公室 2019 again, titled （更正）, with a
  correction notice and table 四's 复议后起诉 总计 corrected from 0 to 2 (the printed 0
  breaks t4.lit_after_review_sum);
* look-alikes, each a report of its own: 泾源县人民政府办公室's own 2019 report beside the
  county's aggregate one; two departments of 泾源县 in 2019 (教育体育局, 卫生健康局) with
  the same tables but a few numbers; 泾源县 2020, a copy of 2019 with the year changed
  (the same statistics); and 平潭县 2011 beside 平潭综合实验区 2011, two aggregate reports of
  one region code (350128) with different statistics (data/corpus).

``write_collection(directory)`` writes the files and returns what each one is: the report
it is a version of (``report``), and whether it is the one file of that report in the
collection holding each report once (``once``: the original, or the correction).
"""

from __future__ import annotations

import csv
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path

from bench.synthetic import SyntheticReport, messy_txt, render_docx, render_html, render_pdf
from core.paths import ROOT
from ingest.parse.national_tables import APPLICANTS
from ingest.parse.reference import default_reference

SAMPLE = ROOT / "data" / "sample"
CORPUS = ROOT / "data" / "corpus"
TRUTH = ROOT / "data" / "truth"


@dataclass(frozen=True)
class CollectionFile:
    name: str
    report: str  # the report it is a version of (a sample's stem, or a look-alike's name)
    kind: str  # original, rendering, near_duplicate, correction, look_alike
    once: bool  # the report's file in the collection holding each report once


def _replace(text: str, old: str, new: str, count: int = 1) -> str:
    """``text`` with ``old`` replaced ``count`` times; the sample must contain it so often."""
    found = text.count(old)
    if found != count:
        raise AssertionError(f"expected {old!r} {count} times in the sample, found {found}")
    return text.replace(old, new)


def _title(text: str) -> str:
    return next(line.strip() for line in text.splitlines() if line.strip())


# -- the text in other containers --------------------------------------------------------------
def text_page(text: str, publisher: str) -> str:
    """The text as a government site's web page: a breadcrumb and a publication line before
    it, the site's footer after it."""
    body = "".join(f"<p>{html.escape(line)}</p>\n" for line in text.splitlines())
    return (
        "<html><head><meta charset='utf-8'>"
        f"<title>{html.escape(_title(text))}</title></head><body>\n"
        "<div class='nav'>当前位置：首页 &gt; 政务公开 &gt; 政府信息公开年报</div>\n"
        f"<div class='info'>发布时间：2020-01-20 10:21 来源：{html.escape(publisher)} "
        "浏览次数：1024 【字体：大 中 小】</div>\n"
        f"{body}<div class='foot'>主办单位：{html.escape(publisher)} 网站标识码：6404000001 "
        "宁ICP备05001234号</div></body></html>"
    )


def text_docx(text: str) -> bytes:
    from docx import Document

    document = Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def text_pdf(text: str) -> bytes:
    """The text printed line by line (reportlab's CJK font, a text layer)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    if "STSong-Light" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    style = ParagraphStyle("line", fontName="STSong-Light", fontSize=9, leading=12)
    story = [Paragraph(html.escape(line) or "&nbsp;", style) for line in text.splitlines()]
    buffer = io.BytesIO()
    SimpleDocTemplate(buffer, pagesize=A4, invariant=1).build(story)
    return buffer.getvalue()


# -- the statistics as tables (the generator's renderers) --------------------------------------
def _truth() -> tuple[dict[str, dict[str, str]], dict[str, dict[tuple[str, str], float]]]:
    with (TRUTH / "seed_reports.csv").open(encoding="utf-8") as file:
        reports = {row["file"]: row for row in csv.DictReader(file)}
    values: dict[str, dict[tuple[str, str], float]] = {}
    with (TRUTH / "seed_cells.csv").open(encoding="utf-8") as file:
        for row in csv.DictReader(file):
            if row["status"] == "printed":
                cell = (row["metric_code"], row["applicant"])
                values.setdefault(row["file"], {})[cell] = float(row["value"])
    return reports, values


def tabled(attributes: dict[str, str], values: dict[tuple[str, str], float]) -> SyntheticReport:
    """A sample report's printed statistics as the generator's report: the cells its truth
    does not print are printed blank."""
    report = SyntheticReport(
        issuer=attributes["issuer"],
        year=int(attributes["report_year"]),
        template=attributes["template"],
        values=dict(values),
    )
    for row in default_reference().rows_for(report.template):
        applicants = APPLICANTS if row.metric_code.startswith("t3.") else ("total",)
        for applicant in applicants if row.carries_value else ():
            if (row.metric_code, applicant) not in values:
                report.blank.add((row.metric_code, applicant))
    return report


# -- the collection ----------------------------------------------------------------------------
def _corrected(text: str) -> str:
    """固原市人民政府办公室 2019, re-published with table 四's 复议后起诉 总计 corrected."""
    title = _title(text)
    text = _replace(
        text,
        title,
        f"{title}（更正）\n\n更正说明：表四“复议后起诉”总计原为 0 件，现更正为 2 件。"
        "\n\n2020 年 3 月 5 日",
    )
    row = "1\t0\t0\t0\t1\t0\t0\t0\t0\t0\t1\t0\t0\t1\t0"
    return _replace(text, row, row[:-1] + "2")


def _office_or_department(text: str, issuer: str, requests: int, normative: int) -> str:
    """泾源县 2019's report as another body of the county would print it: its own name, its
    own work (not the county's), and a few numbers of its own."""
    text = _replace(text, "泾源县人民政府 2019", f"{issuer} 2019")
    text = _replace(text, "在全县各乡镇（街道）、各部门（单位）", "就本机关")
    text = _replace(text, "4 0 0 0 0 0 4", f"{requests} 0 0 0 0 0 {requests}", count=3)
    text = _replace(text, "申请 4 \n\n件，办结 4 件", f"申请 {requests} \n\n件，办结 {requests} 件")
    return _replace(text, "规范性文件 21 21 21", f"规范性文件 {normative} {normative} {normative}")


def write_collection(directory: Path) -> list[CollectionFile]:
    """Write the collection into ``directory`` (created) and say what each file is."""
    directory.mkdir(parents=True, exist_ok=True)
    reports, values = _truth()
    files: list[CollectionFile] = []

    def write(name: str, content: str | bytes, report: str, kind: str, once: bool) -> None:
        path = directory / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
        files.append(CollectionFile(name, report, kind, once))

    texts: dict[str, str] = {}
    for sample in sorted(SAMPLE.glob("*.txt")):
        stem = sample.stem[:3]
        text = texts[stem] = sample.read_text(encoding="utf-8")
        attributes = reports[sample.name]
        report = tabled(attributes, values[sample.name])
        write(f"{stem}_original.txt", text, stem, "original", stem != "002")
        write(f"{stem}_page.html", text_page(text, attributes["issuer"]), stem, "rendering", False)
        write(f"{stem}_text.pdf", text_pdf(text), stem, "rendering", False)
        write(f"{stem}_text.docx", text_docx(text), stem, "rendering", False)
        write(f"{stem}_tables.html", render_html(report), stem, "rendering", False)
        write(f"{stem}_tables.docx", render_docx(report), stem, "rendering", False)
        write(f"{stem}_tables.pdf", render_pdf(report), stem, "rendering", False)
        write(f"{stem}_tables_messy.txt", messy_txt(report, int(stem)), stem, "rendering", False)

    near = "near_duplicate"
    write(
        "003_prose_digit.txt",
        _replace(texts["003"], "公开各类信息 10000 余条", "公开各类信息 16000 余条"),
        "003",
        near,
        False,
    )
    write("000_reworded.txt", _replace(texts["000"], "现予发布", "现予以发布"), "000", near, False)
    header = "索引号：11640502/2019-00123\n发布机构：中卫市沙坡头区人民政府\n生成日期：2019-03-28\n"
    write(
        "001_cms_header.txt",
        f"{header}标题：{_title(texts['001'])}\n\n{texts['001']}",
        "001",
        near,
        False,
    )
    footer = "\n\n【打印本页】【关闭窗口】\n主办：彭阳县人民政府办公室  联系电话：0954-7012345\n"
    write("004_footer.txt", texts["004"] + footer, "004", near, False)
    write("002_corrected.txt", _corrected(texts["002"]), "002", "correction", True)

    looks = "look_alike"
    jingyuan = texts["003"]
    write(
        "lookalike_office.txt",
        _office_or_department(jingyuan, "泾源县人民政府办公室", requests=2, normative=3),
        "jingyuan_office",
        looks,
        True,
    )
    write(
        "lookalike_education.txt",
        _office_or_department(jingyuan, "泾源县教育体育局", requests=1, normative=2),
        "jingyuan_education",
        looks,
        True,
    )
    write(
        "lookalike_health.txt",
        _office_or_department(jingyuan, "泾源县卫生健康局", requests=3, normative=5),
        "jingyuan_health",
        looks,
        True,
    )
    write("lookalike_2020.txt", jingyuan.replace("2019", "2020"), "jingyuan_2020", looks, True)
    for corpus, name, report in (
        ("01_pingtan_zhsyq_2011.txt", "lookalike_zhsyq_2011.txt", "pingtan_zhsyq_2011"),
        ("05_pingtan_xian_2012.txt", "lookalike_xian_2011.txt", "pingtan_xian_2011"),
    ):
        text = (CORPUS / corpus).read_text(encoding="utf-8")
        write(name, re.sub("2012", "2011", text), report, looks, True)
    return files
