"""Reading printed cells and splitting lines into label, unit column and values."""

from ingest.parse.cells import read_cell
from ingest.parse.rows import assemble_rows, split_line


def test_number_with_unit_keeps_raw_text() -> None:
    row = split_line("行政许可 525 893 条 1418", 1)
    assert [v.raw_text for v in row.values] == ["525", "893 条", "1418"]
    assert [v.numbers for v in row.values] == [("525",), ("893",), ("1418",)]
    assert row.values[1].unit == "条"


def test_wan_unit_inside_cell() -> None:
    row = split_line("政府集中采购 1 80 万", 1)
    assert row.values[1].raw_text == "80 万"
    assert row.values[1].numbers == ("80",)
    assert row.values[1].unit == "万"
    cell = read_cell("5 万")
    assert cell is not None and cell.numbers == ("5",) and cell.unit == "万"


def test_unit_column_before_value() -> None:
    row = split_line("（一）主动公开政府信息数（不同渠道和方式公开相同信息计 1条） 条 109964", 7)
    assert row.unit == "条"
    assert [v.numbers for v in row.values] == [("109964",)]
    assert row.label_parts == ("（一）主动公开政府信息数（不同渠道和方式公开相同信息计 1条）",)


def test_signed_and_decimal_numbers() -> None:
    row = split_line("行政处罚 2532 -139 条 2393", 1)
    assert [v.numbers[0] for v in row.values] == ["2532", "-139", "2393"]
    assert split_line("万元 198.93", 1).values[0].numbers == ("198.93",)


def test_blank_and_placeholder_cells() -> None:
    blank = split_line("5.其他方式回应事件数\t次\t", 1)
    assert blank.unit == "次" and blank.values == ()
    dash = read_cell("—")
    assert dash is not None and dash.is_blank and dash.raw_text == "—"
    assert read_cell("信息内容") is None


def test_fused_cell_is_one_cell_with_several_numbers() -> None:
    row = split_line('三、本\t\t3. 危及"三安全 一稳定"\t0 0 3\t0\t0\t0\t0\t0\t0', 1)
    assert row.values[0].numbers == ("0", "0", "3")
    assert len(row.values) == 7


def test_page_footer_is_not_a_row() -> None:
    rows = assemble_rows([(1, "规章 0 0 0"), (2, "- 3 -"), (3, "规范性文件 21 21 21")])
    assert [r.line for r in rows] == [1, 3]


def test_page_of_pages_is_a_footer_unless_a_lone_one_follows_a_label() -> None:
    lines = [(1, "规章"), (2, "4 / 5"), (3, "规范性文件 21 21 21")]
    rows = assemble_rows(lines)
    assert [v.raw_text for v in rows[0].values] == ["4", "/", "5"]
    # pages 4 and 5 of 5: footers, even inside a wrapped label
    rows = assemble_rows([*lines, (4, "规范性"), (5, "5 / 5"), (6, "文件 1 1 1")])
    assert [r.line for r in rows] == [3, 6]


def test_wrapped_label_joins_lines_before_values() -> None:
    rows = assemble_rows(
        [(1, "一、本年新收政府信息公开申请数"), (2, ""), (3, "量 "), (4, "4 0 0 0 0 0 4")]
    )
    assert len(rows) == 1
    labels = [text for text, _ in rows[0].label_candidates()]
    assert "一、本年新收政府信息公开申请数量" in labels
    assert rows[0].line == 4
