"""Whether a report prints its statistics, by the captions of the templates' tables.

A report whose tables could not be read is not a report without tables: it is graded and
listed as `table_unread`, with the template its captions (or its year) name. Only captions
the tables themselves print count, not the section headings a prose-only report also uses.
"""

from __future__ import annotations

import re

from ingest.parse.normalise import compact

# caption -> what it shows: the first match of each names a section
SECTION_CAPTIONS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("table 二 (第二十条)", re.compile(r"第二十条第[(（][一五六八九][)）]项")),
    ("table 三 (申请人情况)", re.compile(r"(?:本年新收|上年结转)政府信息公开申请数量")),
    ("table 四 (行政复议、行政诉讼)", re.compile(r"未经复议直接起诉|复议后起诉")),
    ("统计表", re.compile(r"政府信息公开情况统计表|统计指标.{0,6}统计数")),
)
_T2_V2021 = ("本年制发件数", "本年废止件数", "现行有效件数", "本年收费金额")
_T2_V2019 = ("本年新制作数量", "本年新公开数量", "对外公开总数量", "上一年项目数量")


def statistics_sections(lines: list[str]) -> list[str]:
    """The statistics captions a report prints, in template order."""
    flat = compact("\n".join(lines))
    return [name for name, caption in SECTION_CAPTIONS if caption.search(flat)]


def template_from_sections(sections: list[str], text: str, year: int | None) -> str:
    """The template the captions name (table 二's columns tell v2019 from v2021), else the
    one in force in the report's year."""
    if sections == ["统计表"]:
        return "old"
    flat = compact(text)
    v2021 = sum(flat.count(w) for w in _T2_V2021)
    v2019 = sum(flat.count(w) for w in _T2_V2019)
    if v2021 != v2019:
        return "v2021" if v2021 > v2019 else "v2019"
    if year is None:
        return "v2021"
    return "old" if year <= 2018 else "v2019" if year <= 2020 else "v2021"
