"""Template-constrained decoding: tables whose labels and values a rendering separated.

Each test builds the text a converter makes of a table (pdftotext's one value per line,
pdfplumber's value lines beside wrapped labels, column-ordered blocks, runs out of order)
from numbers that satisfy the template's identities, and checks what comes back: the truth
as `printed` where exactly one reading survives, `uncertain` with the truth among the
readings where several do, and never a wrong `printed` value.
"""

from __future__ import annotations

import json

import pytest

from ingest.parse import parse_document
from ingest.parse.identities import identity_book
from ingest.parse.lookalikes import fold_lookalikes
from ingest.parse.national_decoding import find_regions
from ingest.parse.reference import applicant_columns, default_reference
from ingest.parse.stream import is_furniture, markdown_cells, print_header_title, read_stream

REFERENCE = default_reference()
APPLICANTS = applicant_columns()


def t3_rows(variant: str) -> list[tuple[str, str]]:
    return [
        (r.metric_code, r.label)
        for r in REFERENCE.rows_for(variant)
        if r.metric_code.startswith("t3.") and r.carries_value
    ]


def t3_values(variant: str) -> dict[str, list[int]]:
    """Table 三 numbers that satisfy every identity: new + carried = total + forward per
    column, total = Σ leaves, 总计 = Σ applicants."""
    rows = [code for code, _ in t3_rows(variant)]
    leaves = [c for c in rows if c.startswith("t3.result.") and c != "t3.result.total"]
    values: dict[str, list[int]] = {}
    for n, code in enumerate(leaves):
        values[code] = [(n * 7 + j * 3) % 5 for j in range(6)]
    total = [sum(values[c][j] for c in leaves) for j in range(6)]
    values["t3.result.total"] = total
    values["t3.carry_forward"] = [j % 3 for j in range(6)]
    values["t3.carried_over"] = [j % 2 for j in range(6)]
    values["t3.new_received"] = [
        total[j] + values["t3.carry_forward"][j] - values["t3.carried_over"][j] for j in range(6)
    ]
    return {c: [*v, sum(v)] for c, v in values.items()}


T4 = [3, 1, 0, 1, 5, 2, 0, 1, 0, 3, 1, 1, 0, 0, 2]
HEAD = [
    "某县人民政府2024年政府信息公开工作年度报告",
    "三、收到和处理政府信息公开申请情况",
    "申请人情况",
    "自然人",
    "法人或其他组织",
    "总计",
]
T4_HEAD = [
    "四、政府信息公开行政复议、行政诉讼情况",
    "行政复议",
    "行政诉讼",
    "未经复议直接起诉",
    "复议后起诉",
    "结果维持 结果纠正 其他结果 尚未审结 总计",
]
TAIL = ["五、存在的主要问题及改进情况", "工作中还存在一些不足。"]


def cells_of(text: str) -> dict[tuple[str, str], dict]:
    return {(c["metric_code"], c["applicant"]): c for c in parse_document("d", text).cells}


def assert_t3(cells: dict, variant: str, statuses: frozenset[str] = frozenset({"printed"})):
    for code, row in t3_values(variant).items():
        for applicant, value in zip(APPLICANTS, row, strict=True):
            cell = cells[(code, applicant)]
            assert cell["value_status"] in statuses, (code, applicant, cell)
            assert float(cell["value_text"]) == value, (code, applicant, cell)


def pdftotext_raw(variant: str, label_after: frozenset[str] = frozenset()) -> str:
    """One value per line, blank lines between; some labels after their values."""
    values = t3_values(variant)
    lines = list(HEAD)
    for code, label in t3_rows(variant):
        numbers = [str(v) for v in values[code]]
        block = [*numbers, label] if code in label_after else [label, *numbers]
        for item in block:
            lines += [item, ""]
    lines += T4_HEAD
    for v in T4:
        lines += [str(v), ""]
    return "\n".join(lines + TAIL) + "\n"


@pytest.mark.parametrize("variant", ["v2019", "v2021"])
def test_pdftotext_one_value_per_line_reads_every_cell(variant):
    after = frozenset({"t3.result.granted", "t3.result.unable.not_held", "t3.carry_forward"})
    text = pdftotext_raw(variant, label_after=after)
    parsed = parse_document("d", text)
    cells = {(c["metric_code"], c["applicant"]): c for c in parsed.cells}
    assert_t3(cells, variant)
    for code, value in zip(
        [r.metric_code for r in REFERENCE.rows_for("v2019") if r.metric_code.startswith("t4.")],
        T4,
        strict=True,
    ):
        assert cells[(code, "total")]["value_text"] == str(value)
        assert cells[(code, "total")]["value_status"] == "printed"
    assert "decoded" in parsed.attributes["parse_note"]
    assert parsed.attributes["template"] == variant


def test_value_lines_beside_wrapped_labels_are_placed_by_order():
    """pdfplumber's flat text: a row's values on one line, its label wrapped above or below,
    a vertical caption's characters in between."""
    values = t3_values("v2021")
    lines = list(HEAD)
    for n, (code, label) in enumerate(t3_rows("v2021")):
        numbers = " ".join(str(v) for v in values[code])
        half = len(label) // 2
        if n % 3 == 0:
            lines += [label[:half], numbers, label[half:]]  # centred beside a wrapped label
        elif n % 3 == 1:
            lines += [numbers, label]
        else:
            lines += ["果", label, numbers]
    text = "\n".join(lines + T4_HEAD + [" ".join(map(str, T4))] + TAIL) + "\n"
    assert_t3(cells_of(text), "v2021")


def test_a_block_of_rows_printed_column_by_column():
    """A dump that follows text blocks prints some rows column after column."""
    values = t3_values("v2019")
    rows = t3_rows("v2019")
    lines = list(HEAD)
    block = rows[4:12]  # the eight 不予公开 rows as one block
    for code, label in rows[:4]:
        lines += [label, *map(str, values[code])]
    for column in range(7):
        lines += [str(values[code][column]) for code, _ in block]
    lines += [label for _, label in block]
    for code, label in rows[12:]:
        lines += [label, *map(str, values[code])]
    text = "\n".join(lines + T4_HEAD + [" ".join(map(str, T4))] + TAIL) + "\n"
    assert_t3(cells_of(text), "v2019")


def test_runs_out_of_order_are_uncertain_where_the_identities_cannot_tell():
    """Table 四's runs cut by header fragments and printed out of order (as pdftotext
    prints a real report): the review block is settled by its sum, the two lawsuit blocks
    are interchangeable, so their cells stay uncertain with the truth among the readings."""
    t4 = [72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20]
    body = [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议",
        "未经复议直接起诉",
        *map(str, t4[0:4]),
        "复议后起诉 尚未审结",
        *map(str, t4[10:14]),
        "总计",
        str(t4[4]),
        "结果维持",
        *map(str, t4[5:10]),
        "总计",
        str(t4[14]),
    ]
    text = pdftotext_raw("v2021").split("四、政府信息公开行政复议")[0] + "\n".join(body + TAIL)
    cells = cells_of(text)
    codes = [r.metric_code for r in REFERENCE.rows_for("v2019") if r.metric_code.startswith("t4.")]
    for code, value in zip(codes, t4, strict=True):
        cell = cells[(code, "total")]
        if code.startswith("t4.review."):
            assert cell["value_status"] == "printed" and float(cell["value_text"]) == value
        else:
            assert cell["value_status"] == "uncertain", cell
            readings = [float(v) for alt in json.loads(cell["alternatives"]) for v in alt]
            assert value in readings


def test_an_inconsistent_report_in_document_order_is_printed_as_printed():
    """Exactly one plain reading survives: printed, and the broken identity is data."""
    t4 = [10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 0]  # 0 ≠ 10 + 1, 0 ≠ 5
    text = pdftotext_raw("v2021").split("四、政府信息公开行政复议")[0] + "\n".join(
        [*T4_HEAD, *map(str, t4), *TAIL]
    )
    cells = cells_of(text)
    codes = [r.metric_code for r in REFERENCE.rows_for("v2019") if r.metric_code.startswith("t4.")]
    for code, value in zip(codes, t4, strict=True):
        assert cells[(code, "total")]["value_status"] == "printed"
        assert float(cells[(code, "total")]["value_text"]) == value


def test_a_missing_row_and_a_duplicated_line_never_shift_values():
    """Rows printed with their own labels keep them: a row the rendering lost stays absent,
    a repeated line is not taken for the next row (no value moves to a wrong row)."""
    values = t3_values("v2021")
    lines = list(HEAD)
    for code, label in t3_rows("v2021"):
        if code in ("t3.result.denied.internal_affairs", "t3.result.unable.need_create"):
            continue
        line = "\t".join([label, *map(str, values[code])])
        lines.append(line)
        if code == "t3.result.denied.admin_query":
            lines.append(line)
    text = "\n".join(lines + T4_HEAD + ["\t".join(map(str, T4))] + TAIL) + "\n"
    cells = cells_of(text)
    for code, row in values.items():
        for applicant, value in zip(APPLICANTS, row, strict=True):
            cell = cells.get((code, applicant))
            if code in ("t3.result.denied.internal_affairs", "t3.result.unable.need_create"):
                assert cell is None
            else:
                assert cell["value_status"] == "printed" and float(cell["value_text"]) == value


def test_values_that_fit_no_grid_are_not_guessed():
    """Blanks lost in the rendering (six values for seven cells): the row cannot be placed
    column by column, so it is left unread and the others are still read."""
    values = t3_values("v2021")
    lines = list(HEAD)
    for code, label in t3_rows("v2021"):
        numbers = values[code]
        if code == "t3.result.partial":
            numbers = numbers[:2] + numbers[3:]  # one cell lost
        lines += [label, *map(str, numbers)]
    text = "\n".join(lines + T4_HEAD + list(map(str, T4)) + TAIL) + "\n"
    cells = cells_of(text)
    assert not any(cells.get(("t3.result.partial", a)) for a in APPLICANTS)
    assert cells[("t3.result.granted", "total")]["value_status"] == "printed"
    assert float(cells[("t3.carry_forward", "total")]["value_text"]) == float(
        values["t3.carry_forward"][-1]
    )


def test_statistics_present_but_unread_is_never_silently_none():
    text = "\n".join(
        [
            "某县人民政府2021年政府信息公开工作年度报告",
            "二、主动公开政府信息情况",
            "第二十条第（一）项",
            "信息内容 本年制发件数 本年废止件数 现行有效件数",
            "三、收到和处理政府信息公开申请情况",
            "一、本年新收政府信息公开申请数量",
            "（表格为图片，无法复制）",
            "四、政府信息公开行政复议、行政诉讼情况",
            "未经复议直接起诉 复议后起诉",
            "五、存在的主要问题及改进情况",
        ]
    )
    attributes = parse_document("d", text).attributes
    assert attributes["template"] == "v2021"
    assert attributes["parse_status"] == "table_unread"
    assert "statistics present" in attributes["parse_note"]


def test_a_prose_report_stays_none():
    text = "某局2013年政府信息公开工作年度报告\n一、主动公开政府信息情况\n全年公开信息45条。\n"
    assert parse_document("d", text).attributes["parse_status"] == "no_table"


def test_lookalike_characters_fold_one_for_one():
    printed = "人⺠政府⼯作报告 收到申请１２件，〇件不予公开；二〇二四年"
    folded = fold_lookalikes(printed)
    assert folded == "人民政府工作报告 收到申请12件，0件不予公开；二〇二四年"
    assert len(folded) == len(printed)


def test_radicals_in_the_text_layer_still_read():
    """A Word-saved PDF's text layer: CJK radicals (⺠ U+2EA0, ⻓ U+2ED3) and Kangxi radicals
    (⼯ U+2F2F) for ordinary characters."""
    text = pdftotext_raw("v2021").replace("人民", "人⺠").replace("工作", "⼯作")
    text = text.replace("结转下年度继续办理", "结转下年度继续办理").replace("长", "⻓")
    assert "⺠" in text and "⼯" in text
    assert_t3(cells_of(text), "v2021")
    assert parse_document("d", text).attributes["issuer"] == "某县人民政府"


def test_page_furniture_and_print_headers():
    assert is_furniture("- 3 -")
    assert is_furniture("2024/3/5 10:23 某县2023年政府信息公开工作年度报告 - 某县人民政府")
    assert is_furniture("https://www.example.gov.cn/art/2024/3/5/art_1.html 2/5")
    assert not is_furniture("一、本年新收政府信息公开申请数量 12 0 0 0 0 0 12")
    assert (
        print_header_title(
            ["2024/3/5 10:23 某县2023年政府信息公开工作年度报告 - 某县人民政府", "正文"]
        )
        == "某县2023年政府信息公开工作年度报告"
    )


def test_browser_printed_report_takes_its_title_from_the_print_header():
    body = pdftotext_raw("v2021").replace(HEAD[0] + "\n", "")
    header = "2025/1/20 09:15 某县人民政府2024年政府信息公开工作年度报告 - 某县人民政府门户网站"
    footer = "https://www.mouxian.gov.cn/art/2025/1/20/art_9.html 1/3"
    text = f"{header}\n{body}\n{footer}\n"
    attributes = parse_document("d", text).attributes
    assert attributes["title"] == "某县人民政府2024年政府信息公开工作年度报告"
    assert attributes["report_year"] == 2024 and attributes["scope"] == "aggregate"
    assert json.loads(attributes["attribute_sources"])["title"] == "print_header"


def test_a_file_name_or_metadata_title_when_the_body_has_none():
    from ingest.parse import DocumentHints

    body = pdftotext_raw("v2021").replace(HEAD[0] + "\n", "")
    hints = DocumentHints(file_name="某区人民政府2022年政府信息公开工作年度报告.pdf")
    attributes = parse_document("d", body, hints=hints).attributes
    assert attributes["report_year"] == 2022
    assert json.loads(attributes["attribute_sources"])["title"] == "file_name"
    hints = DocumentHints(
        title="某区人民政府2023年政府信息公开工作年度报告", title_source="pdf_metadata"
    )
    attributes = parse_document("d", body, hints=hints).attributes
    assert attributes["report_year"] == 2023
    assert json.loads(attributes["attribute_sources"])["title"] == "pdf_metadata"


def test_compiled_from_the_region_is_aggregate():
    text = (
        "某县人民政府办公室2021年政府信息公开工作年度报告\n"
        "本报告由县政府办公室汇总全县各有关单位政府信息公开工作情况编制而成。\n"
    )
    attributes = parse_document("d", text).attributes
    assert attributes["scope"] == "aggregate"
    assert json.loads(attributes["attribute_sources"])["scope"] == "compiled_from_region"


def test_markdown_pipe_rows_and_separators():
    assert markdown_cells("| 一、本年新收 | 95 0 | 0 0 | 95 |") == [
        "一、本年新收",
        "95 0",
        "0 0",
        "95",
    ]
    assert markdown_cells("| --- | :---: | --- |") is None
    stream = read_stream(
        enumerate(["| 一、本年新收 | 95 0 | 0 0 | 95 |", "| --- | --- |", "|  | - 3 - |"], 1)
    )
    assert [v.number for v in stream.values] == ["95", "0", "0", "0", "95"]


def test_regions_need_the_tables_own_words():
    """The old template's 复议/诉讼 heading is not table 四 of the new templates."""
    lines = ["四、因政府信息公开申请行政复议、提起行政诉讼的情况", "行政复议数 件 3", "五、其他"]
    assert find_regions(lines).t4 is None


def test_the_parser_reads_identities_from_the_seed():
    book = identity_book(REFERENCE)
    codes = {i.check_code for i in book.for_template("v2021")}
    assert codes == {
        "t3.balance",
        "t3.results_sum",
        "t3.applicant_sum",
        "t4.review_sum",
        "t4.lit_direct_sum",
        "t4.lit_after_review_sum",
    }


def old_table_lines(label_after: frozenset[str]) -> tuple[list[str], dict[str, float]]:
    """The old 统计表 as Markdown rows (numbers drawn by the generator, so the identities
    hold), some labels printed after their row (wrapped)."""
    from bench.synthetic import draw_report

    drawn = draw_report(3, "old").values
    rows = [r for r in REFERENCE.rows_for("old") if r.carries_value]
    truth = {r.metric_code: drawn[(r.metric_code, "total")] for r in rows}
    lines = ["某县人民政府2017年政府信息公开工作年度报告", "| 统计指标 | 单位 | 统计数 |"]
    lines.append("| --- | --- | --- |")
    for r in rows:
        unit = r.unit.strip("()（）")
        value = f"{truth[r.metric_code]:g}"
        if r.metric_code in label_after:
            lines += [f"|  | {unit} | {value} |", r.label]
        else:
            lines.append(f"| {r.label} | {unit} | {value} |")
    return lines, truth


def test_old_table_with_labels_after_their_rows():
    after = frozenset({"old.s1.proactive_items.normative_issued", "old.s3.replies.not_this_agency"})
    lines, truth = old_table_lines(after)
    cells = cells_of("\n".join(lines) + "\n")
    for code, value in truth.items():
        cell = cells[(code, "total")]
        assert cell["value_status"] == "printed" and float(cell["value_text"]) == value, code


def test_a_local_form_dumped_one_cell_a_line():
    """pdftotext of a Fujian form: header cells, label, unit and both columns each on a line;
    a lone number is never cut into digits."""
    text = "\n\n".join(
        [
            "附件1：某县人民政府2011年政府信息公开情况统计表",
            "指标名称",
            "计量单位",
            "2011年度",
            "历年累计",
            "主动公开信息数",
            "条",
            "25",
            "7369",
            "其中：1.网站公开",
            "条",
            "25",
            "6114",
        ]
    )
    cells = cells_of(text)
    assert cells[("old.s1.proactive_items", "total")]["value_text"] == "25"
    assert cells[("local.cum.old.s1.proactive_items", "total")]["value_text"] == "7369"
    assert cells[("old.s1.channels.website", "total")]["value_text"] == "25"
    assert cells[("local.cum.old.s1.channels.website", "total")]["value_text"] == "6114"


def test_a_block_caption_before_its_run_settles_the_order():
    """As pdftotext prints a real report's 四: the caption 复议后起诉 stands right before its
    block's first run, which tells the two lawsuit blocks apart."""
    t4 = [72, 64, 178, 37, 351, 13, 4, 8, 1, 26, 12, 1, 1, 6, 20]
    body = [
        "四、政府信息公开行政复议、行政诉讼情况",
        "行政复议",
        "行政诉讼",
        "未经复议直接起诉",
        *map(str, t4[0:4]),
        "其他",
        "复议后起诉",
        "尚未",
        *map(str, t4[10:14]),
        "总计",
        str(t4[4]),
        "维持 纠正 结果 审结",
        *map(str, t4[5:10]),
        "总计",
        str(t4[14]),
    ]
    text = pdftotext_raw("v2021").split("四、政府信息公开行政复议")[0] + "\n".join(body + TAIL)
    cells = cells_of(text)
    codes = [r.metric_code for r in REFERENCE.rows_for("v2019") if r.metric_code.startswith("t4.")]
    for code, value in zip(codes, t4, strict=True):
        cell = cells[(code, "total")]
        assert cell["value_status"] == "printed" and float(cell["value_text"]) == value, code


def test_markdown_cells_with_line_breaks_and_bold_headings():
    """marker and MinerU write a wrapped cell with `<br>`, headings in `**`."""
    values = t3_values("v2021")
    lines = [
        "**某县人民政府2024年政府信息公开工作年度报告**",
        "**三、收到和处理政府信息公开申请情况**",
    ]
    lines += [
        "| 申请人情况 | 自然人 | 商业企业 | 科研机构 | 社会公益组织 | 法律服务机构 | 其他 | 总计 |"
    ]
    lines += ["|---|---|---|---|---|---|---|---|"]
    for code, label in t3_rows("v2021"):
        half = len(label) // 2
        cells = [f"{label[:half]}<br>{label[half:]}", *map(str, values[code])]
        lines.append("| " + " | ".join(cells) + " |")
    text = "\n".join([*lines, *T4_HEAD, " ".join(map(str, T4)), *TAIL]) + "\n"
    parsed = parse_document("d", text)
    assert parsed.attributes["title"] == "某县人民政府2024年政府信息公开工作年度报告"
    assert_t3({(c["metric_code"], c["applicant"]): c for c in parsed.cells}, "v2021")
