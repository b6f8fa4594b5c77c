"""Properties of the parser on arbitrary and mutated text (hypothesis)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.paths import SAMPLE_DIR
from ingest.parse import parse_document

SAMPLE = SAMPLE_DIR
NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")
TABLE_WORDS = [
    "第二十条第（一）项",
    "规章",
    "行政许可",
    "本年新收政府信息公开申请数量",
    "（一）予以公开",
    "（七）总计",
    "四、结转下年度继续办理",
    "统计指标",
    "单位",
    "统计数",
    "指标名称",
    "历年累计",
    "收到申请数",
    "件",
    "条",
    "万",
    "元",
    "—",
    "\t",
    " ",
    "\n",
    "0",
    "00",
    "7",
    "123",
    "2019年",
    "-",
    "（",
    "）",
    "1.",
    "三、本年度办理结果",
    "行政复议",
    "行政诉讼",
]
table_like = st.lists(st.sampled_from(TABLE_WORDS), max_size=300).map("".join)
relaxed = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _assert_well_formed(text: str) -> None:
    parsed = parse_document("x", text)
    assert parsed.attributes["template"] in {"old", "v2019", "v2021", "hybrid", "local", "none"}
    lines = text.splitlines()
    for cell in parsed.cells:
        assert cell["value_status"] in {"printed", "blank", "uncertain"}
        if cell["value_text"] is None:
            assert cell["value_status"] == "blank"
        else:
            assert NUMBER.match(cell["value_text"]), cell
        assert 1 <= cell["source_line"] <= max(1, len(lines))


@relaxed
@given(st.text(max_size=2000))
def test_never_raises_on_arbitrary_text(text: str) -> None:
    _assert_well_formed(text)


@relaxed
@given(table_like)
def test_never_raises_on_table_like_noise(text: str) -> None:
    _assert_well_formed(text)


@pytest.mark.slow
@relaxed
@given(st.data())
def test_mutated_seed_reports_stay_well_formed(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(p.name for p in SAMPLE.glob("*.txt"))))
    lines = (SAMPLE / name).read_text(encoding="utf-8").splitlines()
    for _ in range(data.draw(st.integers(0, 8))):
        i = data.draw(st.integers(0, len(lines) - 1))
        action = data.draw(st.sampled_from(["drop", "dup", "glue", "digits"]))
        if action == "drop":
            lines.pop(i)
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "glue" and i + 1 < len(lines):
            lines[i : i + 2] = [lines[i] + lines[i + 1]]
        elif action == "digits":
            lines[i] = re.sub(r"\s+", "", lines[i])
    _assert_well_formed("\n".join(lines))
