import io
import zlib
from pathlib import Path

import pytest
from docx import Document

from ingest.extract import ExtractionError, extract, extract_bytes

HTML = """<html><head><meta charset="gbk"><title>报告</title>
<style>p {color: red}</style></head><body>
<h1>2019年政府信息公开工作年度报告</h1>
<p>一、总体情况<br>第二行</p>
<table>
  <tr><th rowspan="2">项目</th><th colspan="2">申请人</th><th rowspan="2">总计</th></tr>
  <tr><th>自然人</th><th>法人</th></tr>
  <tr><td>本年新收</td><td>821</td><td>35</td><td>859</td></tr>
</table>
<div>结束</div>
</body></html>
"""


def test_html_blocks_and_table_grid(tmp_path: Path) -> None:
    path = tmp_path / "r.HTM"
    path.write_bytes(HTML.encode("gb18030"))
    result = extract(path)
    assert result.media_type == "html"
    assert result.encoding == "gb18030"
    assert result.text.splitlines() == [  # <head> (title, style) is not report text
        "2019年政府信息公开工作年度报告",
        "一、总体情况",
        "第二行",
        "项目\t申请人\t总计",
        "自然人\t法人",
        "本年新收\t821\t35\t859",
        "结束",
    ]


def _docx_bytes() -> bytes:
    document = Document()
    document.add_paragraph("2021年政府信息公开工作年度报告")
    table = document.add_table(rows=3, cols=3)
    table.cell(0, 0).merge(table.cell(1, 0)).text = "项目"
    table.cell(0, 1).merge(table.cell(0, 2)).text = "申请人"
    table.cell(1, 1).text = "自然人"
    table.cell(1, 2).text = "总计"
    for col, text in enumerate(["本年新收", "5", "5"]):
        table.cell(2, col).text = text
    document.add_paragraph("五、存在的主要问题")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_docx_paragraphs_and_tables_in_order() -> None:
    result = extract_bytes(_docx_bytes(), ".docx")
    assert (result.media_type, result.encoding) == ("docx", None)
    assert result.text.splitlines() == [
        "2021年政府信息公开工作年度报告",
        "项目\t申请人",
        "自然人\t总计",
        "本年新收\t5\t5",
        "五、存在的主要问题",
    ]


def _pdf(content: bytes) -> bytes:
    """A minimal one-page PDF whose page draws ``content`` (Helvetica)."""
    stream = zlib.compress(content)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def test_pdf_text_layer() -> None:
    result = extract_bytes(_pdf(b"BT /F1 12 Tf 20 150 Td (Annual report 2019) Tj ET"), ".pdf")
    assert (result.media_type, result.status) == ("pdf", "ok")
    assert "Annual report 2019" in result.text


def test_pdf_without_text_or_scan_has_nothing_to_read() -> None:
    """A page that draws a line, no text and no image: not a scan, nothing to OCR (scanned
    pages: tests/ingest/extract/test_ocr.py)."""
    result = extract_bytes(_pdf(b"0 0 m 100 100 l S"), ".pdf")
    assert (result.status, result.text, result.ocr_engine) == ("ok", "", None)
    assert [(p.method, p.first_line) for p in result.pages] == [("text", None)]


@pytest.mark.parametrize("suffix", [".pdf", ".docx"])
def test_damaged_binary_files_raise(suffix: str) -> None:
    with pytest.raises(ExtractionError):
        extract_bytes(b"this is not a real document", suffix)


def test_unsupported_suffix() -> None:
    with pytest.raises(ExtractionError, match="unsupported"):
        extract_bytes(b"x", ".rtf")


def test_pdf_fast_paths_read_what_pdfplumber_reads() -> None:
    """page_text reads table cells and the text between tables without pdfplumber's
    page-wide passes; each must give exactly what table.extract() and page.crop() give."""
    import pdfplumber

    from bench.synthetic import draw_report, render_pdf
    from ingest.extract.pdf import _band_text, _table_rows

    data = render_pdf(draw_report(1, "v2021", messiness=True))
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            chars = [((c["x0"] + c["x1"]) / 2, (c["top"] + c["bottom"]) / 2, c) for c in page.chars]
            tables = page.find_tables()
            assert tables
            for table in tables:
                assert _table_rows(table, chars) == table.extract()
            for top, bottom in [(0, tables[0].bbox[1]), (tables[-1].bbox[3], page.height)]:
                if bottom - top > 1:
                    band = page.crop((0, top, page.width, bottom))
                    assert _band_text(page, top, bottom) == band.extract_text().splitlines()


@pytest.mark.parametrize(
    ("raw", "title"),
    [
        (
            "洪泽区人民政府2023年政府信息公开工作年度报告",
            "洪泽区人民政府2023年政府信息公开工作年度报告",
        ),
        ("Microsoft Word - 1.docx", None),
        ("Microsoft Word - 某县2023年年报.docx", "某县2023年年报"),
        ("untitled", None),
        ("xxgk_2023_report", None),
        ("  ", None),
        (None, None),
    ],
)
def test_junk_titles_are_no_hint(raw: str | None, title: str | None) -> None:
    from ingest.extract.title_hint import clean_title

    assert clean_title(raw) == title


def test_pdf_titles_in_utf16_little_endian_are_read() -> None:
    """WPS and Jisupdf write /Title as UTF-16LE behind an FF FE mark (the corpus PDFs)."""
    from ingest.extract.title_hint import pdf_title

    title = "洪泽区人民政府2023年政府信息公开工作年度报告"
    assert pdf_title([{"Title": b"\xff\xfe" + title.encode("utf-16-le")}]) == title
    assert pdf_title([{"Title": b"\xfe\xff" + title.encode("utf-16-be")}]) == title
    assert pdf_title([{"Author": b"x"}]) is None


def test_a_browser_printed_pdf_gives_its_title_as_a_hint() -> None:
    from bench.synthetic import BrowserPrint, draw_report, render_pdf

    report = draw_report(1)
    result = extract_bytes(render_pdf(report, browser=BrowserPrint.of(report)), ".pdf")
    assert (result.title_hint, result.title_source) == (report.title, "pdf_metadata")
    assert report.title not in result.text.splitlines()[1:]  # only in the print header
    assert extract_bytes(render_pdf(report), ".pdf").title_hint is None  # reportlab: untitled
