"""The statistics tables: label matching by meaning and the hard cases of real extractions."""

import pytest

from core.paths import SAMPLE_DIR
from ingest.parse import parse_document
from ingest.parse.national_tables import NationalTableParser
from ingest.parse.old_template import parse_old_table
from ingest.parse.reference import default_reference

SAMPLE = SAMPLE_DIR


def cells_by_key(cells) -> dict[tuple[str, str], object]:
    return {(c.metric_code, c.applicant): c for c in cells}


OLD_TABLE = """附件：某县 2018 年政府信息公开情况统计表
统 计 指 标 单位 统计数
一、主动公开情况
（一）主动公开政府信息数（不同渠道和方式公开相同信息计 1条） 条 109964
（二）回应公众关注热点或重大舆情数（不同方式回应同一热点或

舆情计 1次）
次 87
三、依申请公开情况
（一）收到申请数 件 41
5.不属于本行政机关公开数 件 3
四、行政复议数量
 统 计 指 标 单位 统计数
（一）维持具体行政行为数 件 0
（二）被依法纠错数 件 1
（三）其他情形数 件 0
五、行政诉讼数量 件 2
（一）维持具体行政行为或者驳回原告诉讼请求数 件 1
（二）被依法纠错数 件 1
（三）其他情形数 件 0
- 7 -
七、依申请公开信息收取的费用 万元 0
（四）政府信息公开专项经费（不包括用于政府公报编辑管理及政
府网站建设维护等方面的经费）
万元 5 万
"""


def test_old_table_rows_by_meaning() -> None:
    result = parse_old_table(OLD_TABLE.splitlines(), default_reference())
    cells = cells_by_key(result.cells)
    assert cells[("old.s1.proactive_items", "total")].value_text == "109964"
    assert cells[("old.s3.received", "total")].value_text == "41"
    # alias: the printed label carries a trailing 数
    assert cells[("old.s3.replies.not_this_agency", "total")].value_text == "3"


def test_old_wrapped_label_over_three_lines() -> None:
    cells = cells_by_key(parse_old_table(OLD_TABLE.splitlines(), default_reference()).cells)
    hotspots = cells[("old.s2.hotspots", "total")]
    assert hotspots.value_text == "87"
    assert hotspots.unit_text == "次"
    assert hotspots.source_line == 8  # the line that prints 次 87


def test_old_identical_labels_told_apart_by_section() -> None:
    cells = cells_by_key(parse_old_table(OLD_TABLE.splitlines(), default_reference()).cells)
    assert cells[("old.s4.review.corrected", "total")].value_text == "1"
    assert cells[("old.s5.litigation.corrected", "total")].value_text == "1"
    assert cells[("old.s5.litigation.upheld", "total")].value_text == "1"
    assert cells[("old.s5.litigation", "total")].value_text == "2"


def test_old_missing_review_total_is_not_invented() -> None:
    cells = cells_by_key(parse_old_table(OLD_TABLE.splitlines(), default_reference()).cells)
    assert ("old.s4.review", "total") not in cells
    assert cells[("old.s4.review.upheld", "total")].value_text == "0"


def test_old_budget_in_wan_keeps_unit() -> None:
    cells = cells_by_key(parse_old_table(OLD_TABLE.splitlines(), default_reference()).cells)
    budget = cells[("old.s8.budget", "total")]
    assert budget.value_text == "5"
    assert budget.raw_text == "5 万"
    assert budget.unit_text == "万"


def test_old_blank_cell_is_blank_not_zero() -> None:
    text = (
        "统计指标\t单位\t统计数\n4.微博微信回应事件数\t次\t0\n"
        "5.其他方式回应事件数\t次\t\n(一) 收到申请数\t件\t2\n"
    )
    cells = cells_by_key(parse_old_table(text.splitlines(), default_reference()).cells)
    other = cells[("old.s2.channels.other", "total")]
    assert other.value_status == "blank"
    assert other.value_text is None
    assert cells[("old.s3.received", "total")].value_text == "2"


T3_FUSED = "\n".join(
    [
        "第二十条第(一)项",
        "信息内容\t本年新制作数量\t本年新公开数量\t对外公开总数量",
        "规章\t0\t0\t0",
        "规范性文件\t12\t12\t12",
        "三、收到和处理政府信息公开申请情况",
        "一、本年\t-新收政府信\t息公开申请数量\t33\t0\t0\t0\t0\t0\t33\t",
        "二、上年\t-结转政府信\t息公开申请数量\t0\t0\t0\t0\t0\t0\t0\t",
        "\t(一) 予以公开\t6\t0\t0\t0\t0\t0\t6\t\t",
        '\t\t3. 危及"三安全 一稳定"\t0 0 3\t0\t0\t0\t0\t0\t0\t',
        "\t子公开\t4.保护第三方合法权益\t\t0\t0\t0\t0\t0\t0\t",
        "\t\t5.属于三类内部\t\t0\t0\t0\t0\t0\t3\t",
        "\t(七) 总计\t\t\t0\t0\t0\t0\t0\t33",
        "四、结转下年度继续办理\t\t0\t0\t0\t0\t0\t0\t0\t",
        "四、政府信息公开行政复议、行政诉讼情况",
        "结\t结\t其\t尚\t总",
        "1\t0\t0\t0\t1\t0\t0\t0\t0\t0\t1\t0\t0\t1\t0",
    ]
)


def test_fused_cells_of_three_rows_are_distributed() -> None:
    result = NationalTableParser(default_reference()).parse(T3_FUSED.splitlines())
    cells = cells_by_key(result.cells)
    assert cells[("t3.result.denied.three_safety", "natural_person")].value_text == "0"
    assert cells[("t3.result.denied.third_party", "natural_person")].value_text == "0"
    internal = cells[("t3.result.denied.internal_affairs", "natural_person")]
    assert internal.value_text == "3"
    assert internal.raw_text == "0 0 3"
    assert cells[("t3.result.denied.internal_affairs", "total")].value_text == "3"


def test_lost_total_cell_stays_empty() -> None:
    result = NationalTableParser(default_reference()).parse(T3_FUSED.splitlines())
    cells = cells_by_key(result.cells)
    assert ("t3.result.total", "natural_person") not in cells or cells[
        ("t3.result.total", "natural_person")
    ].value_text is None
    assert cells[("t3.result.total", "total")].value_text == "33"
    assert cells[("t3.result.total", "commercial")].value_text == "0"


def test_split_label_cells_and_table_four() -> None:
    result = NationalTableParser(default_reference()).parse(T3_FUSED.splitlines())
    cells = cells_by_key(result.cells)
    assert cells[("t3.new_received", "total")].value_text == "33"
    assert cells[("t3.carry_forward", "total")].value_text == "0"
    assert cells[("t4.review.upheld", "total")].value_text == "1"
    assert cells[("t4.lit_after_review.pending", "total")].value_text == "1"
    assert cells[("t4.lit_after_review.total", "total")].value_text == "0"
    assert result.template == "v2019"


def test_v2021_and_hybrid_templates() -> None:
    base = [
        "第二十条第（一）项",
        "信息内容 本年制发件数 本年废止件数 现行有效件数",
        "规章 0 0 0",
        "行政规范性文件 5 1 30",
        "一、本年新收政府信息公开申请数量 4 0 0 0 0 0 4",
    ]
    v2021 = base + [
        "（六）其他处理",
        "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请 0 0 0 0 0 0 0",
    ]
    hybrid = base + ["（六）其他处理 1 0 0 0 0 0 1"]
    parser = NationalTableParser(default_reference())
    assert parser.parse(v2021).template == "v2021"
    hybrid_result = parser.parse(hybrid)
    assert hybrid_result.template == "hybrid"
    cells = cells_by_key(hybrid_result.cells)
    assert cells[("t3.result.other", "total")].value_text == "1"
    assert cells[("t2.art20_1.normative_doc.issued", "total")].value_text == "5"


def test_document_without_table_is_none() -> None:
    parsed = parse_document("x", "关于2014年政府信息公开工作要点落实情况的函\n我区……\n")
    assert parsed.attributes["template"] == "none"
    assert parsed.cells == []


@pytest.mark.parametrize(
    ("name", "year", "template", "region", "scope", "issuer", "n_cells"),
    [
        ("000_c6cbb6b884b800f8.txt", 2018, "old", "640400", "aggregate", "固原市人民政府", 57),
        (
            "001_9689475001a157a3.txt",
            2018,
            "old",
            "640502",
            "aggregate",
            "中卫市沙坡头区人民政府",
            58,
        ),
        (
            "002_3c99cf29d2b59166.txt",
            2019,
            "v2019",
            "640400",
            "agency",
            "固原市人民政府办公室",
            196,
        ),
        ("003_15ff2673dd8233d5.txt", 2019, "v2019", "640424", "aggregate", "泾源县人民政府", 198),
        ("004_f21e6a5116a3f828.txt", 2018, "old", "640425", "aggregate", "彭阳县人民政府", 58),
    ],
)
def test_bundled_sample_reports(name, year, template, region, scope, issuer, n_cells) -> None:
    parsed = parse_document("x", (SAMPLE / name).read_text(encoding="utf-8"))
    attrs = parsed.attributes
    assert (attrs["report_year"], attrs["template"], attrs["region_code"]) == (
        year,
        template,
        region,
    )
    assert (attrs["scope"], attrs["issuer"]) == (scope, issuer)
    assert len(parsed.cells) == n_cells
    for cell in parsed.cells:
        assert cell["source_line"] >= 1
        assert cell["value_status"] in {"printed", "blank", "uncertain"}


def test_seed_procurement_amount_in_wan_and_delta_units() -> None:
    parsed = parse_document("x", (SAMPLE / "003_15ff2673dd8233d5.txt").read_text(encoding="utf-8"))
    cells = {(c["metric_code"], c["applicant"]): c for c in parsed.cells}
    amount = cells[("t2.art20_9.procurement.amount", "total")]
    assert (amount["value_text"], amount["raw_text"], amount["unit_text"]) == ("80", "80 万", "万")
    delta = cells[("t2.art20_5.licensing.delta_items", "total")]
    assert (delta["value_text"], delta["raw_text"]) == ("893", "893 条")
    assert cells[("t2.art20_6.penalty.delta_items", "total")]["value_text"] == "-139"


# table 三 as markitdown writes an HTML table with merged cells (24_shanghai_bgt_2019): an
# empty cell where a label spans two columns, and the empty 总计 cells dropped
T3_MARKITDOWN = [
    "三、收到和处理政府信息公开申请情况",
    "一、本年新收政府信息公开申请数量\t\t\t821\t35\t\t\t2\t1\t859",
    "二、上年结转政府信息公开申请数量\t\t\t18\t\t\t\t\t\t18",
    "三、本年度办理结果\t（一）予以公开\t\t258\t12\t\t\t1\t1\t",
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t\t3\t\t\t\t\t\t",
    "（三）不予公开\t1.属于国家秘密\t14\t\t\t\t\t\t",
    "5.属于三类内部事务信息\t5\t\t\t\t\t\t",
    "6.属于四类过程性信息\t3\t1\t\t\t\t\t",
    "8.属于行政查询事项\t10\t2\t\t\t\t\t",
    "（四）无法提供\t1.本机关不掌握相关政府信息\t252\t12\t\t\t1\t\t",
    "2.没有现成信息需要另行制作\t44\t3\t\t\t\t\t",
    "3.补正后申请内容仍不明确\t25\t\t\t\t\t\t",
    "（五）不予处理\t1.信访举报投诉类申请\t148\t1\t\t\t\t\t",
    "2.重复申请\t5\t4\t\t\t\t\t",
    "（七）总计\t\t767\t35\t\t\t2\t1\t805",
    "四、结转下年度继续办理\t\t\t72\t\t\t\t\t\t72",
]


def _t3(lines: list[str]) -> dict[tuple[str, str], object]:
    return cells_by_key(NationalTableParser(default_reference()).parse(lines).cells)


def test_a_row_that_fits_two_offsets_is_placed_by_the_column_sums() -> None:
    """`（一）予以公开 | | 258 | 12 | | | 1 | 1 |` fits the seven columns from its first or
    its second cell; only the second makes the 自然人, 商业企业 and 法律服务机构 columns add up
    to （七）总计, so it is printed there. Its 总计 cell, blank at that offset, stays blank."""
    cells = _t3(T3_MARKITDOWN)
    granted = {a: cells[("t3.result.granted", a)] for a in ("natural_person", "commercial")}
    assert {a: (c.value_text, c.value_status) for a, c in granted.items()} == {
        "natural_person": ("258", "printed"),
        "commercial": ("12", "printed"),
    }
    assert cells[("t3.result.granted", "legal_service")].value_text == "1"
    assert cells[("t3.result.granted", "total")].value_text is None
    partial = cells[("t3.result.partial", "natural_person")]
    assert (partial.value_text, partial.value_status) == ("3", "printed")
    assert cells[("t3.result.partial", "commercial")].value_text is None


def test_a_row_no_identity_places_is_uncertain_with_both_readings() -> None:
    """Without the 总计 row nothing tells the two offsets apart: the cells that differ are
    offered as uncertain with both readings, never printed at one of them."""
    cells = _t3([line for line in T3_MARKITDOWN if not line.startswith("（七）")])
    natural = cells[("t3.result.granted", "natural_person")]
    commercial = cells[("t3.result.granted", "commercial")]
    assert natural.value_status == commercial.value_status == "uncertain"
    assert {natural.value_text, commercial.value_text} <= {"258", "12"}
    assert "258" in commercial.alternatives and "12" in commercial.alternatives
