"""The parser's fast paths give what the plain computations they replace give."""

import re
import unicodedata

import numpy as np
import pytest

from ingest.parse.cells import read_cell, read_value_token
from ingest.parse.matching import ACCEPT_SCORE_NEXT_IN_ORDER, CandidateIndex, Match, make_candidates
from ingest.parse.normalise import compact
from ingest.parse.prose import _LINK, _NUM, _POST, _PRE, PATTERNS, extract_prose_numbers
from ingest.parse.rows import split_line

LINES = [
    "一、总体情况",
    "（一）主动公开政府信息数（不同渠道和方式公开相同信息计 1条） 条 109964",
    "\u3000\u3000２０２３年，全市受理政府信息公开申请４１件。",
    "e\u0301 ＡＢＣ café",  # a combining mark, fullwidth letters
    "\u0301 a line that starts with a combining mark",
    "ﾊﾟ ｶﾞ halfwidth kana compose",
    "",
    " \t ",
    "⼀、总体情况 (a Kangxi radical)",
]


def test_compact_of_a_long_text_is_the_whole_texts_compact_form() -> None:
    text = "\n".join(LINES * 20)
    assert len(text) > 300
    assert compact(text) == "".join(unicodedata.normalize("NFKC", text).split())


@pytest.mark.parametrize(
    ("measure", "plain"),
    [
        (
            "proactive_items",
            rf"(?<!应)主动公开了?(?:各类|各项)?(?:政府)?信息{_LINK}{_PRE}{_NUM}{_POST}条",
        ),
        ("reviews_total", rf"(?:行政)?复议(?:案件|申请)?{_LINK}{_PRE}{_NUM}{_POST}[件起宗]"),
        ("lawsuits_total", rf"(?:行政)?诉讼(?:案件)?{_LINK}{_PRE}{_NUM}{_POST}[件起宗]"),
    ],
)
def test_prose_patterns_spelled_for_speed_match_as_written_plainly(
    measure: str, plain: str
) -> None:
    texts = [
        "主动公开政府信息 5 条，应主动公开信息 6 条；主动公开了各类信息共 7 条",
        "应主动公开信息 8 条主动公开信息 9 条",
        "行政行政复议 3 件，复议申请 4 件，行政复议案件共 5 起，复议 6 宗",
        "行政诉讼 2 件；诉讼案件 3 起；行政行政诉讼 4 件",
    ]
    fast = PATTERNS[measure][0]
    slow = re.compile(plain)
    for text in texts:
        assert [(m.span(), m.groupdict()) for m in fast.finditer(text)] == [
            (m.span(), m.groupdict()) for m in slow.finditer(text)
        ]


def test_carried_forward_is_still_read_where_its_words_are() -> None:
    found = extract_prose_numbers("另有 103 件顺延到下年度办理。")
    assert [(p.measure, p.value_text) for p in found] == [("requests_carried_forward", "103")]
    assert extract_prose_numbers("四、结转下年度继续办理 3 件") == []


def test_running_cells_are_read_as_whole_cells_are() -> None:
    row = split_line("行政许可 525 893 条 — 80万 1418", 1)
    assert row.values == tuple(read_cell(v.raw_text) for v in row.values)
    assert read_value_token("条") is None and read_value_token("规章") is None
    assert read_value_token("—") == read_cell("—")


def test_stored_score_is_the_score_to_two_decimals() -> None:
    for score in (100.0, 96.0, 0.0, 66.66666666666667, 75.125, 59.995):
        assert Match("k", score, "fuzzy", "l", 1).stored_score == round(score, 2)


def test_candidate_scores_keep_each_candidates_first_best_label() -> None:
    index = CandidateIndex(
        make_candidates(
            [
                ("a", ["收到申请数", "收到申请"]),
                ("b", ["申请数", "收到申请数"]),
                ("c", ["其他情形数"]),
            ]
        )
    )
    for printed in ("收到申请数", "(一)收到申请数", "申请", "其他", "收到的申请数量"):
        for floor in (ACCEPT_SCORE_NEXT_IN_ORDER, 0.0):
            scores = index.scores(printed)
            expected: dict[int, tuple[int, float, str]] = {}
            for position in np.flatnonzero(scores >= floor).tolist():
                cand, idx = index.owners[position]
                score = scores[position].item()
                method = (
                    "exact" if score == 100 and idx == 0 else "alias" if score == 100 else "fuzzy"
                )
                if cand.order not in expected or score > expected[cand.order][1]:
                    expected[cand.order] = (cand.order, score, method)
            assert index.candidate_scores(printed, floor) == tuple(expected.values())
