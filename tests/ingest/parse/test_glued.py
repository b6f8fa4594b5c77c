"""Glued table text: cutting lines into segments and digit runs into cells."""

from ingest.parse import parse_document
from ingest.parse.digit_runs import readings, resolve_jointly, resolve_row
from ingest.parse.identities import ReadingRule, identity_book
from ingest.parse.local_template import parse_local_table
from ingest.parse.reference import applicant_columns, default_reference
from ingest.parse.unglue import looks_glued, unglue

BOOK = identity_book(default_reference())
# a row of table 三 and table 四, each read under its identities from seeds/identity_checks.csv
row_total_is_sum = ReadingRule(
    [("t3.new_received", a) for a in applicant_columns()], BOOK.for_template("v2021")
)
blocks_total_is_sum = ReadingRule(
    [
        (r.metric_code, "total")
        for r in default_reference().rows_for("v2019")
        if r.metric_code.startswith("t4.")
    ],
    BOOK.for_template("v2019"),
)


def test_unique_split_from_row_sum() -> None:
    assert resolve_row(["640020470"], 7, row_total_is_sum) == [
        ("64", "0", "0", "2", "0", "4", "70")
    ]


def test_spaces_are_cell_boundaries() -> None:
    assert resolve_row(["230", "000023"], 7, row_total_is_sum) == [
        ("23", "0", "0", "0", "0", "0", "23")
    ]


def test_no_leading_zeros() -> None:
    assert all(not (c.startswith("0") and c != "0") for r in readings(["10203"], 3) for c in r)
    assert readings(["000"], 3) == [("0", "0", "0")]


def test_several_solutions_survive_without_identities() -> None:
    options = readings(["898989"], 3)
    assert len(options) == 10
    assert ("89", "89", "89") in options


def test_no_solution() -> None:
    assert readings(["12"], 3) == []
    assert resolve_row(["1234567"], 7, row_total_is_sum) == []


def test_table_four_block_sums() -> None:
    assert resolve_row(["000000000000000"], 15, blocks_total_is_sum) == [("0",) * 15]


def test_joint_solution_uses_column_identities() -> None:
    # two rows each readable two ways; only one pair keeps the column sum a + b = c
    options = {"a": [("1", "12"), ("11", "2")], "b": [("2", "3"), ("23", "")]}
    options["b"] = [("2", "3")]

    def consistent(assignment: dict) -> bool:
        return int(assignment["a"][0]) + int(assignment["b"][0]) == 3

    result = resolve_jointly(options, consistent)
    assert result["a"].reading == ("1", "12")
    assert result["a"].status == "printed"


def test_joint_ambiguity_is_uncertain_with_alternatives() -> None:
    result = resolve_jointly({"a": [("1", "2"), ("12", "0")]}, lambda _: True)
    assert result["a"].status == "uncertain"
    assert set(result["a"].alternatives) == {("1", "2"), ("12", "0")}


def test_unglue_keeps_row_numbers_with_labels() -> None:
    line = "（三）不予公开1.属于国家秘密00000002.其他法律行政法规禁止公开0000000第二十条"
    assert looks_glued(line)
    assert unglue(line) == [
        "（三）不予公开1.属于国家秘密",
        "0000000",
        "2.其他法律行政法规禁止公开",
        "0000000",
        "第二十条",
    ]


def test_unglue_leaves_digits_inside_parentheses() -> None:
    segments = unglue(
        "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）条109964二、回应解读情况三、x"
    )
    assert segments[0] == "（一）主动公开政府信息数（不同渠道和方式公开相同信息计1条）"
    assert segments[1] == "条 109964"


def test_unglue_keeps_blank_cells_with_the_values() -> None:
    assert unglue("其中：1.网站公开 条 — 3 2.政府公报公开 条 5 / 6 3.其他") == [
        "其中：1.网站公开",
        "条 — 3",
        "2.政府公报公开",
        "条 5 / 6",
        "3.其他",
    ]


def test_a_count_with_its_unit_is_not_glue() -> None:
    assert not looks_glued("息计1条） 条 0条")  # a wrapped label, then its unit and value cells
    assert looks_glued("规章0件0件0件规范性文件8件9件")


GLUED_V2021 = (
    "二、主动公开政府信息情况第二十条第（一）项 信息内容 本年制发件数 本年废止件数 现行有效件数 "
    "规章000行政规范性文件8855698第二十条第（五）项信息内容本年处理决定数量行政许可10690"
    "三、收到和处理政府信息公开申请情况 一、本年新收政府信息公开申请数量 713000074"
    "二、上年结转政府信息公开申请数量 1000001三、本年度办理结果 （一）予以公开 210000021"
    "（二）部分公开（区分处理的，只计这一情形，不计其他情形） 8100009"
    "（七）总计 723000075四、结转下年度继续办理 0000000 "
    "四、政府信息公开行政复议、行政诉讼情况 0 1 1 0 2 1 0 0 0 1 0 0 0 0 0 五、存在的主要问题"
)


def test_glued_report_parses_with_provenance() -> None:
    parsed = parse_document("x", "某区2022年政府信息公开工作年度报告\n" + GLUED_V2021)
    cells = {(c["metric_code"], c["applicant"]): c for c in parsed.cells}
    received = cells[("t3.new_received", "natural_person")]
    assert (received["value_text"], received["value_status"]) == ("71", "printed")
    assert received["raw_text"] == "713000074"
    assert received["source_line"] == 2
    assert cells[("t3.new_received", "commercial")]["value_text"] == "3"
    assert cells[("t3.result.total", "total")]["value_text"] == "75"
    regulation = cells[("t2.art20_1.normative_doc.in_force", "total")]
    assert regulation["value_status"] == "uncertain"
    assert regulation["alternatives"] is not None
    assert cells[("t2.art20_1.regulation.issued", "total")]["value_status"] == "printed"
    assert cells[("t4.review.total", "total")]["value_text"] == "2"


FUJIAN = (
    "附件1：某县人民政府2012年政府信息公开情况统计表 指标名称计量单位2012年度历年累计"
    "主动公开信息数条20263542其中：1.网站公开条179533042.政府公报公开条07"
    "受理依申请公开信息总数条2121其中：1.当面申请数条18182.传真申请数条003.电子邮件申请数条33"
    "4.网上申请数条005.信函申请数条006.其它形式申请数条00对申请的答复数条2121"
    "其中：1.同意公开答复数条17172.同意部分公开答复数条223.否决公开答复数条22"
    "行政复议数条00行政诉讼数条00行政申诉数条00"
)


def test_local_form_glued_two_columns() -> None:
    result = parse_local_table([FUJIAN])
    assert result.form == "fujian_2008"
    cells = {c.metric_code: c for c in result.cells}
    # settled by the subset rule: 818 > 121 is impossible, so 21/21 and 18/18
    assert (cells["old.s3.received"].value_text, cells["old.s3.received"].value_status) == (
        "21",
        "printed",
    )
    assert cells["old.s3.received.in_person"].value_text == "18"
    assert cells["local.cum.old.s3.received"].value_text == "21"
    assert cells["local.s3.received.email"].value_text == "3"
    # two readings keep every rule: kept as the best reading, marked uncertain
    assert cells["old.s1.proactive_items"].value_status == "uncertain"
    assert cells["old.s1.channels.gazette"].value_text == "0"
    assert "old.s3.received.online" not in cells  # derived later, never printed
