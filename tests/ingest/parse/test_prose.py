"""The prose reader (ingest/parse/prose.py): numbers the text states, with their lines."""

from __future__ import annotations

from ingest.parse.prose import extract_prose_numbers


def read(text: str) -> list[tuple[str, str, bool, str, int]]:
    return [
        (n.measure, n.value_text, n.approximate, n.subject, n.source_line)
        for n in extract_prose_numbers(text)
    ]


def test_key_measures_with_their_lines() -> None:
    text = (
        "固原市2018年政府信息公开工作年度报告\n"
        "\n"
        "2018年，全市受理政府信息公开申请 41 件，其中网络申请 14 件。\n"
        "全年主动公开政府信息共 13230 余条。\n"
        "因政府信息公开申请引发行政复议 1 件，引发行政诉讼共 0 件。\n"
    )
    assert read(text) == [
        ("requests_received", "41", False, "region", 3),
        ("proactive_items", "13230", True, "unspecified", 4),
        ("reviews_total", "1", False, "unspecified", 5),
        ("lawsuits_total", "0", False, "unspecified", 5),
    ]


def test_a_number_wrapped_over_two_lines_keeps_its_first_line() -> None:
    # PDF text wraps anywhere, even inside a number (平潭县 2012: "主动公开政府信息20\n26条")
    text = "一、概述\n其中主动公开政府信息20\n26条，作为依申请公开信息数46条。\n"
    assert read(text) == [("proactive_items", "2026", False, "unspecified", 2)]


def test_the_subject_of_the_clause() -> None:
    text = (
        "2024年，区政府办代表区政府受理政府信息公开申请 17 件。\n"
        "区直、县直各单位主动公开政府信息303条，各乡镇主动公开政府信息122条。\n"
        "2023 年，我区在政府网站平台主动公开政府信息 1136 条。\n"
    )
    assert [(m, v, s) for m, v, _, s, _ in read(text)] == [
        ("requests_received", "17", "office"),
        ("proactive_items", "303", "part"),
        ("proactive_items", "122", "part"),
        ("proactive_items", "1136", "part"),
    ]


def test_carried_over_and_forward() -> None:
    text = (
        "全市共受理政府信息公开申请 3119 件，答复 3050 件（含上年度结转申请 34 件，"
        "另有 103 件顺延到下年度答复）。\n"
    )
    assert [(m, v) for m, v, *_ in read(text)] == [
        ("requests_received", "3119"),
        ("requests_carried_over", "34"),
        ("requests_carried_forward", "103"),
    ]


def test_other_applications_and_table_labels_are_not_read() -> None:
    text = (
        "区县已开设窗口26个，共受理申请121510件。\n"  # 审批 applications, not disclosure
        "一、本年新收政府信息公开申请数量 33 0 0 0 0 0 33\n"  # table 三 row
        "四、结转下年度继续办理 0\n"
        "其他应主动公开政府信息856条\n"  # a category of information, not the total
        "未经复议直接起诉 9 件\n"
    )
    assert read(text) == []


def test_several_mentions_on_one_line_are_numbered() -> None:
    text = "行政复议案件2件，其中复议1件已审结；另有行政复议1件。\n"
    numbers = extract_prose_numbers(text)
    assert [(n.value_text, n.occurrence) for n in numbers] == [("2", 1), ("1", 2), ("1", 3)]


def test_requests_closed_only_in_a_sentence_about_information_requests() -> None:
    # 泾源县 2019: "全年收到政府信息公开申请 4件，办结 4 件"; 办结 of petitions is another count
    text = (
        "全年收到政府信息公开申请 4件，办结 4 件。\n"
        "受理咨询 4425 件，办结 4249 件，办结率 96.02%。\n"
        "共立代表建议 38 件，已办结 14 件。\n"
    )
    assert [(m, v, line) for m, v, _, _, line in read(text)] == [
        ("requests_received", "4", 1),
        ("requests_closed", "4", 1),
    ]


def test_the_years_of_the_statistics_period_and_the_tables() -> None:
    # 沙坡头区 2018, 淮安 2024 (wrapped), 上海 2019 (no year after 至), 固原 2018's table
    text = (
        "所列数据统计期限自 2018 年 1 月 1 日起，至 2018 年 12 月 31 日止。\n"
        "报告所列统计期限自 2024 年 1 月 1 日至\n2024 年 12 月 31 日。\n"
        "本年度报告中所列数据统计期限从2019年1月1日到12月31日止。\n"
        "固原市 2018 年政府信息公开情况统计表\n"
        "截至2017年12月31日，共有12019年度的档案。\n"
    )
    assert [(m, v, line) for m, v, _, _, line in read(text)] == [
        ("statistics_period_year", "2018", 1),
        ("statistics_period_year", "2018", 1),
        ("statistics_period_year", "2024", 2),
        ("statistics_period_year", "2024", 3),
        ("statistics_period_year", "2019", 4),
        ("table_year", "2018", 5),
    ]
