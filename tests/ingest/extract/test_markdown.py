"""Markdown reports: pipe tables and HTML tables are tables (one TAB-separated line per row),
whatever shape converters leave them in; `#` headings are headings."""

from __future__ import annotations

from ingest.extract import extract_bytes

MARKDOWN = """\
# 某县人民政府2023年政府信息公开工作年度报告

## 三、收到和处理政府信息公开申请情况

| 本列数据 | 自然人 | 总计 |
| --- | :-: | ---: |
| 一、本年新收政府信息公开申请数量 | 12 | 13 |
|---|---|---|
| **二、上年结转** | 1 | 1 |
| 含\\|竖线 | 0 | <br>0 |

正文里的 *强调* 和 [链接](https://example.org) 与 \\*号。

---

<table><tr><td rowspan="2">（三）不予公开</td><td>1.属于国家秘密</td><td>2</td></tr>
<tr><td>2.其他法律行政法规禁止公开</td><td>0</td></tr>
</table> 表后文字
## 四、政府信息公开行政复议、行政诉讼情况 ##
"""


def test_tables_headings_and_text_one_line_each() -> None:
    result = extract_bytes(MARKDOWN.encode("utf-8"), ".md")
    assert (result.media_type, result.encoding) == ("md", "utf-8")
    assert result.text.splitlines() == [
        "某县人民政府2023年政府信息公开工作年度报告",
        "三、收到和处理政府信息公开申请情况",
        "本列数据\t自然人\t总计",
        "一、本年新收政府信息公开申请数量\t12\t13",
        "二、上年结转\t1\t1",  # the separator mid-table is gone
        "含|竖线\t0\t0",
        "正文里的 *强调* 和 链接 与 *号。",
        "（三）不予公开\t1.属于国家秘密\t2",  # the HTML extractor's table code
        "2.其他法律行政法规禁止公开\t0",
        "表后文字",
        "四、政府信息公开行政复议、行政诉讼情况",
    ]


def test_pipe_rows_without_a_header_or_outer_pipes_are_table_rows() -> None:
    text = "一、本年新收 | 5 | 5 |\n| 二、上年结转 | 0 | 0\n| | 3 | |\n"
    lines = extract_bytes(text.encode("gb18030"), ".markdown").text.splitlines()
    assert lines == ["一、本年新收\t5\t5", "二、上年结转\t0\t0", "\t3\t"]


def test_a_nested_html_table_is_read_with_its_parent() -> None:
    text = (
        "前文\n<table><tr><td>外\n<table><tr><td>内</td><td>1</td></tr></table>\n"
        "</td><td>2</td></tr></table>\n后文\n"
    )
    lines = extract_bytes(text.encode(), ".md").text.splitlines()
    assert lines[0] == "前文"
    assert lines[-1] == "后文"
    assert lines[1].split("\t")[-1] == "2"
