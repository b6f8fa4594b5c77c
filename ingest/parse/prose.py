"""Numbers the report's own text states for key measures, with the line they were read on.

The 总体情况 prose of a report repeats some of its statistics: "全市受理政府信息公开申请 41 件",
"主动公开政府信息共 10947 条", "行政复议 351 件", "诉讼 9 件", "含上年度结转申请 34 件",
"另有 103 件顺延到下年度", "收到政府信息公开申请 4 件，办结 4 件". These are read here
(→ raw.prose_numbers) so that the warehouse can set them against the table (int_prose_checks).
The years the text gives its statistics for are read too: the statistics period
("统计期限自 2018 年 1 月 1 日起至 2018 年 12 月 31 日止") and a statistics table's caption
("2016 年政府信息公开情况统计表"); int_text_checks sets them against the title's year.
Nothing is compared or corrected here.

Reading rules:
* Lines are stripped and joined without a separator (PDF text wraps sentences anywhere, even
  inside a number: "20\\n26条"); a match's line is the line of its number's first digit.
* Only Arabic numerals are read (Chinese numerals such as 三十 are left out).
* ``approximate`` marks 余/多 after or 近/约/超/逾 before the number ("5500 余条").
* ``subject`` says whose number the clause gives, from words in the clause before the number
  (the text since the last comma or full stop): ``part`` (one channel such as 政府网站, or
  some units such as 各乡镇/县直各单位), ``region`` (全市/全区/各级…), ``office`` (the issuing
  office itself: 政府办/办公厅/公开办/本机关…), or ``unspecified``. 洪泽 2024 prints
  "区政府办代表区政府受理政府信息公开申请 17 件" in a region-wide report whose table shows 95:
  subject ``office`` lets the check say the scopes differ instead of flagging an error.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import asdict, dataclass
from typing import Any

PROSE_VERSION = "2"

# Every pattern runs in time linear in the text (bench/adversarial_parse.py): two
# whitespace runs never meet around an optional word (`\s*(?:余\s*)?`, not `\s*余?\s*`,
# which is quadratic on a long run of spaces), and a number starts after a non-digit only:
# `(?<!\d)` keeps the engine from trying every digit of a long run as a start (the leftmost
# match never starts after a digit anyway, so the matches are the same).
_PRE = r"(?:(?P<pre>近|约|超过|超|逾)\s*)?"
_NUM = r"(?<!\d)(?P<n>\d+(?:,\d{3})*)"
_POST = r"\s*(?:(?P<post>余|多)\s*)?"
_LINK = r"(?:数量|总数|数)?(?:共计|合计|总计|共|为|达)?\s*"
_NO_BREAK = r"[^，,。；;：:！!？?（）()\d]"
_YEAR = r"(?<!\d)(?P<n>(?:19|20)\d{2})"

# measure -> patterns; every pattern has the group n (and optionally pre/post). A pattern that
# starts with literal words lets the regex engine skip to where they occur: an optional first
# word is spelled as an alternative ((?:行政复议|复议), not (?:行政)?复议), and 应 before 主动公开
# is ruled out by a look-behind after the words (the same matches, several times faster).
PATTERNS: dict[str, tuple[re.Pattern[str], ...]] = {
    "requests_received": (
        re.compile(
            rf"(?:收到|受理|办理|接收|接到){_NO_BREAK}{{0,24}}?申请{_LINK}{_PRE}{_NUM}{_POST}[件条个]"
        ),
        re.compile(
            rf"(?:收到|受理|接到)\s*{_PRE}{_NUM}{_POST}件(?:申请)?{_NO_BREAK}{{0,12}}?"
            r"(?:依申请公开|信息公开申请)"
        ),
    ),
    "proactive_items": (
        re.compile(
            rf"主动公开(?<!应主动公开)了?(?:各类|各项)?(?:政府)?信息{_LINK}{_PRE}{_NUM}{_POST}条"
        ),
    ),
    "reviews_total": (
        re.compile(rf"(?:行政复议|复议)(?:案件|申请)?{_LINK}{_PRE}{_NUM}{_POST}[件起宗]"),
    ),
    "lawsuits_total": (
        re.compile(rf"(?:行政诉讼|诉讼)(?:案件)?{_LINK}{_PRE}{_NUM}{_POST}[件起宗]"),
    ),
    "requests_carried_over": (
        re.compile(rf"上一?年度?结转的?(?:政府信息公开)?申请{_LINK}{_NUM}\s*件"),
    ),
    "requests_carried_forward": (
        re.compile(rf"{_NUM}\s*件(?:申请)?[^，,。；;\d]{{0,15}}?(?:顺延|结转)(?:到|至)下一?年度?"),
    ),
    # 办结 in a sentence about information requests ("收到政府信息公开申请 4 件，办结 4 件"),
    # not the 办结 of petitions or licensing further on
    "requests_closed": (
        re.compile(
            rf"(?:信息公开申请|依申请公开)[^。；;]{{0,40}}?办结{_LINK}{_PRE}{_NUM}{_POST}件"
        ),
    ),
    # the years of the statistics period: its first year, and the year after 至/到 if stated
    "statistics_period_year": (
        re.compile(rf"统计(?:期限|时限|时间|区间|周期)[^。；;\d]{{0,8}}{_YEAR}\s*年"),
        re.compile(rf"统计(?:期限|时限|时间|区间|周期)[^。；;]{{0,30}}?(?:至|到)\s*{_YEAR}\s*年"),
    ),
    # the year in a statistics table's caption ("2016 年政府信息公开情况统计表")
    "table_year": (re.compile(rf"{_YEAR}\s*年度?[^，,。；;\d]{{0,20}}?统计(?:报)?表"),),
}

# words without which a measure's patterns cannot match: patterns that start at the number make
# the regex engine try every digit, so a text without the words is not searched
_REQUIRED = {
    "requests_carried_forward": re.compile(r"(?:顺延|结转)(?:到|至)下"),
    "table_year": re.compile(r"统计(?:报)?表"),
}

# a requests match must name the kind of request (not 审批 or 行政许可 applications)
_REQUEST_KIND = re.compile(r"信息公开|依申请")

_CLAUSE_BREAK = re.compile(r"[，,。；;：:！!？?\n]")
_LOOKBACK = 40
_CHANNEL = re.compile(r"网站|网上|公报|微博|微信|客户端|新媒体|平台|公开栏|报刊|广播|电视")
_REGION = re.compile(r"全省|全市|全区|全县|全州|全盟|全旗|全镇|全乡|各级|全辖区")
_UNITS = re.compile(r"各单位|各部门|各乡镇|各街道|各县|区直|县直|市直|乡镇")
_OFFICE = re.compile(
    r"政府办|办公厅|办公室|公开办|本机关|本单位|本级|我局|我委|我办|我厅|本局|本委"
)


@dataclass(frozen=True)
class ProseNumber:
    """One number the text states for a measure (a row of raw.prose_numbers)."""

    measure: str
    value_text: str
    approximate: bool
    subject: str  # part | region | office | unspecified
    source_line: int
    occurrence: int  # 1 for the first mention of this measure on this line, 2 …
    phrase: str  # the words matched, as printed (line breaks removed)
    context: str  # the clause they stand in

    def as_record(self) -> dict[str, Any]:
        return asdict(self)


class _JoinedText:
    """The stripped lines joined without separators, with a map back to line numbers."""

    def __init__(self, text: str) -> None:
        parts: list[str] = []
        self.starts: list[int] = []
        self.lines: list[int] = []
        offset = 0
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip(" \t\u3000\xa0")
            if not stripped:
                continue
            self.starts.append(offset)
            self.lines.append(number)
            parts.append(stripped)
            offset += len(stripped)
        self.text = "".join(parts)

    def line_at(self, offset: int) -> int:
        return self.lines[bisect_right(self.starts, offset) - 1]


def _subject(measure: str, clause: str) -> str:
    if measure == "proactive_items" and _CHANNEL.search(clause):
        return "part"
    if _REGION.search(clause):
        return "region"
    if _UNITS.search(clause):
        return "part"
    if _OFFICE.search(clause):
        return "office"
    return "unspecified"


def _clause_start(text: str, start: int) -> int:
    window_start = max(0, start - _LOOKBACK)
    breaks = [m.end() for m in _CLAUSE_BREAK.finditer(text, window_start, start)]
    return breaks[-1] if breaks else window_start


def extract_prose_numbers(text: str) -> list[ProseNumber]:
    """Every statement of a key measure in ``text``, in reading order."""
    joined = _JoinedText(text)
    found: list[tuple[int, str, re.Match[str]]] = []
    for measure, patterns in PATTERNS.items():
        required = _REQUIRED.get(measure)
        if required is not None and not required.search(joined.text):
            continue
        seen: set[int] = set()
        for pattern in patterns:
            for match in pattern.finditer(joined.text):
                if measure == "requests_received" and not _REQUEST_KIND.search(match.group(0)):
                    continue
                if match.start("n") in seen:  # two patterns read the same number
                    continue
                seen.add(match.start("n"))
                found.append((match.start("n"), measure, match))
    found.sort(key=lambda item: item[0])
    records: list[ProseNumber] = []
    per_line: dict[tuple[str, int], int] = {}
    for number_start, measure, match in found:
        line = joined.line_at(number_start)
        per_line[(measure, line)] = per_line.get((measure, line), 0) + 1
        clause_start = _clause_start(joined.text, match.start())
        groups = match.groupdict()
        records.append(
            ProseNumber(
                measure=measure,
                value_text=match.group("n").replace(",", ""),
                approximate=bool(groups.get("pre") or groups.get("post")),
                subject=_subject(measure, joined.text[clause_start:number_start]),
                source_line=line,
                occurrence=per_line[(measure, line)],
                phrase=match.group(0),
                context=joined.text[clause_start : match.end()],
            )
        )
    return records
