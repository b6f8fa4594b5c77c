"""Who published the report, for which year and region, and whether it covers a whole region."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePath

from ingest.parse.normalise import compact
from ingest.parse.reference import Reference, Region, derived, report_years
from ingest.parse.stream import is_furniture, print_header_title

TITLE_MARKERS = ("年度报告", "年报", "工作报告", "情况报告")
ORG_SUFFIXES = (
    "人民政府办公室",
    "人民政府办公厅",
    "人民政府",
    "管委会办公室",
    "管理委员会",
    "管委会",
    "办公室",
    "办公厅",
    "委员会",
    "局",
    "厅",
    "委",
    "署",
    "院",
    "中心",
    "街道办事处",
    "办事处",
)
AGGREGATE_ISSUERS = ("人民政府", "管委会", "管理委员会")
_YEAR_IN_TITLE = re.compile(r"((?:19|20)\d{2})\s*年")
_COVER_PERIOD = re.compile(r"统计期限为\s*((?:19|20)\d{2})\s*年|\(\s*((?:19|20)\d{2})\s*年度\s*\)")
# GB/T 2260 placeholder entries that are not names a report would print
PLACEHOLDER_DIVISIONS = (
    "市辖区",
    "县",
    "省直辖县级行政区划",
    "自治区直辖县级行政区划",
    "直辖县级行政区划",
)
REGION_SUFFIXES = ("省", "市", "县", "区", "旗", "州", "盟", "自治区", "自治州", "自治县")


@dataclass(frozen=True)
class DocumentHints:
    """What is known of a report besides its text: the file's name, and a title the file
    carries outside its body (a PDF's metadata, an HTML page's <title>)."""

    file_name: str | None = None
    title: str | None = None
    title_source: str | None = None  # `pdf_metadata`, `html_title`, …


@dataclass
class ReportAttributes:
    title: str | None
    title_line: int | None
    issuer: str | None
    region_name: str | None
    region_code: str | None
    scope: str
    report_year: int | None
    sources: dict[str, str] = field(default_factory=dict)  # attribute -> where it came from


_SECTION_HEADING = re.compile(r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十]+[)）])")
_HEADER_FIELD = re.compile(
    r"^\s*(标题|题目|发布机构|发文机关|发布时间|成文日期|来源|文号|栏目|索引号)\s*[:：]\s*(.*)$"
)


def header_fields(lines: list[str], search_lines: int = 15) -> dict[str, tuple[str, int]]:
    """`key: value` fields of a crawler or CMS header (标题, 发布机构, …) with their lines."""
    fields: dict[str, tuple[str, int]] = {}
    for i, text in enumerate(lines[:search_lines]):
        match = _HEADER_FIELD.match(text)
        if match and match.group(2).strip():
            fields.setdefault(match.group(1), (match.group(2).strip(), i + 1))
    return fields


def find_title(
    lines: list[str],
    search_lines: int = 20,
    furniture: Callable[[str], bool] | None = None,
) -> tuple[str | None, int | None]:
    """The title line: a CMS header's 标题 field, else the first line that reads like an
    annual report's title (lines that are `furniture`, e.g. a browser's print header, are not
    the body and are passed over)."""
    fields = header_fields(lines)
    if "标题" in fields or "题目" in fields:
        title, line = fields.get("标题") or fields["题目"]
        return " ".join(title.split()), line
    seen = 0
    first: tuple[str, int] | None = None  # the first line, if it reads like a title
    for i, text in enumerate(lines):
        stripped = text.strip()
        if not stripped or (furniture is not None and furniture(stripped)):
            continue
        seen += 1
        if first is None:
            first = (stripped, i + 1)
        flat = compact(stripped)
        if any(m in flat for m in TITLE_MARKERS) and "政府信息公开" in flat and len(flat) <= 60:
            return " ".join(stripped.split()), i + 1
        if seen >= search_lines:
            break
    # the first line, if short and about disclosure; a section heading is no title
    if (
        first
        and len(compact(first[0])) <= 40
        and "公开" in first[0]
        and not _SECTION_HEADING.match(compact(first[0]))
    ):
        return first
    return None, None


def find_year(title: str | None, text: str) -> int | None:
    return find_year_with_source(title, text)[0]


def find_year_with_source(title: str | None, text: str) -> tuple[int | None, str | None]:
    """The year the statistics cover: the title's, the stated statistics period's, or the
    year the opening text names most; a year counts only within `report_years()` (the
    regular expressions find four digits, the range is dbt_project.yml's)."""
    valid = report_years()
    if title:
        for found in _YEAR_IN_TITLE.finditer(title):
            if int(found.group(1)) in valid:
                return int(found.group(1)), "title"
    for found in _COVER_PERIOD.finditer(text):
        if int(found.group(1) or found.group(2)) in valid:
            return int(found.group(1) or found.group(2)), "statistics_period"
    years = [int(y) for y in _YEAR_IN_TITLE.findall(text[:3000]) if int(y) in valid]
    if not years:
        return None, None
    return max(set(years), key=years.count), "opening_text"


def issuer_from_title(title: str | None) -> str | None:
    if not title:
        return None
    prefix = (
        _YEAR_IN_TITLE.split(compact(title))[0] if _YEAR_IN_TITLE.search(compact(title)) else ""
    )
    prefix = prefix.strip('《》<>“”"（）() ')
    if not prefix:
        # a year-first title: '2019年上海市人民政府办公厅政府信息公开工作年度报告'
        rest = _YEAR_IN_TITLE.split(compact(title), maxsplit=1)[-1]
        prefix = re.split(r"(?:年度)?政府信息公开|(?:年度)?信息公开", rest, maxsplit=1)[0]
        prefix = prefix.removeprefix("度")
    if not prefix or prefix.startswith(("关于", "对", "在")):
        return None  # a letter or notice ('关于2014年…的函'), not an issuer's name
    if prefix.endswith(ORG_SUFFIXES):
        return prefix
    if prefix.endswith(REGION_SUFFIXES) or prefix.endswith("实验区"):
        return f"{prefix}人民政府" if not prefix.endswith("实验区") else f"{prefix}管委会"
    return prefix


@dataclass(frozen=True)
class RegionNames:
    """The division names a report may print, for finding them in text (built once)."""

    regions: tuple[Region, ...]  # the reference's regions, in its order
    by_code: dict[str, Region]
    positions: dict[str, tuple[int, ...]]  # a printable name -> its regions' positions
    by_prefix: dict[str, tuple[str, ...]]  # the first two characters -> printable names
    all_names: frozenset[str]  # every name and alias, printable or not

    def named_in(self, flat: str) -> list[Region]:
        """The regions whose name occurs in `flat`, in the reference's order."""
        found: set[str] = set()
        for k in range(len(flat) - 1):
            for name in self.by_prefix.get(flat[k : k + 2], ()):
                if flat.startswith(name, k):
                    found.add(name)
        positions = sorted(p for name in found for p in self.positions[name])
        return [self.regions[p] for p in positions]


def region_names(reference: Reference) -> RegionNames:
    positions: dict[str, list[int]] = {}
    for position, region in enumerate(reference.regions):
        if len(region.name) >= 2 and region.name not in PLACEHOLDER_DIVISIONS:
            positions.setdefault(region.name, []).append(position)
    by_prefix: dict[str, list[str]] = {}
    for name in positions:
        by_prefix.setdefault(name[:2], []).append(name)
    return RegionNames(
        regions=reference.regions,
        by_code={r.code: r for r in reference.regions},
        positions={name: tuple(p) for name, p in positions.items()},
        by_prefix={prefix: tuple(names) for prefix, names in by_prefix.items()},
        all_names=frozenset({r.name for r in reference.regions} | set(reference.region_aliases)),
    )


def find_region(
    reference: Reference, title: str | None, issuer: str | None, text: str
) -> Region | None:
    """The most specific division named in the issuer, else the title, else the opening text."""
    names = derived(reference, region_names)
    by_code = names.by_code
    context = compact(text[:5000])
    for source in (issuer, title, text[:2000]):
        if not source:
            continue
        flat = compact(source)
        aliased = [
            (alias, by_code[c])
            for alias, c in reference.region_aliases.items()
            if alias in flat and c in by_code
        ]
        if aliased:
            # a name the reports use for a division (平潭综合实验区 → 350128) is kept as printed
            alias, region = max(aliased, key=lambda a: len(a[0]))
            return Region(region.code, alias, region.level, region.parent_code)
        specific = _most_specific(names.named_in(flat), by_code, context)
        if specific is not None:
            return specific
    return None


def _most_specific(named: list[Region], by_code: dict[str, Region], context: str) -> Region | None:
    """Prefer counties over cities over provinces; a name shared by several divisions (鼓楼区)
    counts only when its parent is named too."""
    mentioned = {r.code for r in named}
    counts: dict[str, int] = {}
    for r in named:
        counts[r.name] = counts.get(r.name, 0) + 1

    def parent_named(region: Region) -> bool:
        parent = by_code.get(region.parent_code)
        return region.parent_code in mentioned or bool(parent and parent.name in context)

    level = {"county": 3, "city": 2, "province": 1}
    kept = [r for r in named if counts[r.name] == 1 or parent_named(r)]
    if not kept:
        return None
    return max(
        kept,
        key=lambda r: (level.get(r.level, 0), parent_named(r), context.count(r.name), len(r.name)),
    )


_OVERVIEW_SUBJECT = re.compile(
    r"一、\s*总体情况\s*(?:(?:19|20)\d{2}\s*年(?:度)?\s*[，,]\s*)?"
    r"([\u4e00-\u9fff（）()]{2,30}?)"
    r"(?:坚持|深入|认真|全面|围绕|以|在|紧紧|按照|严格|持续|始终|积极|扎实|高度|聚焦|着力|切实|不断|进一步)"
)


def overview_subject(text: str) -> str | None:
    """Who the 总体情况 section's first sentence is about: '2024年，平潭综合实验区坚持…'."""
    match = _OVERVIEW_SUBJECT.search(compact(text[:20000]))
    return match.group(1) if match else None


# the report says it was compiled from a region's bodies: 汇总…各有关单位…编制
_COMPILED_FROM_REGION = re.compile(
    r"汇总[^。；]{0,30}?(?:各有关单位|各单位|各部门|各乡镇|各街道|人民政府|全县|全区|全市|全省|全旗)"
    r"[^。；]{0,40}?(?:编制|编写|形成)"
)


def find_scope(issuer: str | None, subject: str | None, reference: Reference, text: str) -> str:
    """`aggregate` for a government's report on its whole region, `agency` for one body's."""
    return find_scope_with_source(issuer, subject, reference, text)[0]


def find_scope_with_source(
    issuer: str | None, subject: str | None, reference: Reference, text: str
) -> tuple[str, str]:
    """The scope, and what decided it: the report's own words on how it was compiled, the
    issuer, the subject of its overview, or regional words in its opening."""
    flat = compact(text[:5000])
    if _COMPILED_FROM_REGION.search(flat):
        return "aggregate", "compiled_from_region"
    if issuer:
        return ("aggregate" if issuer.endswith(AGGREGATE_ISSUERS) else "agency"), "issuer"
    if subject:
        if subject.endswith(ORG_SUFFIXES) and not subject.endswith(AGGREGATE_ISSUERS):
            return "agency", "overview_subject"
        names = derived(reference, region_names).all_names
        if subject in names or subject.endswith(AGGREGATE_ISSUERS):
            return "aggregate", "overview_subject"
    regional = ("汇总", "全市", "全县", "全区", "全省")
    if any(w in flat for w in regional):
        return "aggregate", "regional_words"
    return "agency", "default"


def is_annual_report(title: str | None) -> bool:
    flat = compact(title or "")
    return any(m in flat for m in ("年度报告", "年报")) and "公开" in flat


def title_from_file_name(file_name: str | None) -> str | None:
    """A report's title in its file name (`某县2023年政府信息公开工作年度报告.pdf`)."""
    if not file_name:
        return None
    stem = PurePath(file_name).stem.replace("_", " ").strip()
    return stem if is_annual_report(stem) and _YEAR_IN_TITLE.search(stem) else None


def read_attributes(
    lines: list[str],
    text: str,
    reference: Reference,
    hints: DocumentHints | None = None,
) -> ReportAttributes:
    """The report's attributes, each with where it came from (`sources`). A title printed in
    the body comes first; without one, a browser's print header, the file's out-of-body title
    (PDF metadata, HTML <title>) or its file name. Page furniture is not the body."""
    hints = hints or DocumentHints()
    sources: dict[str, str] = {}
    title, title_line = find_title(lines, furniture=is_furniture)
    if title is not None:
        sources["title"] = "header_field" if header_fields(lines).get("标题") else "body"
    else:
        for candidate, source in (
            (print_header_title(lines), "print_header"),
            (hints.title, hints.title_source or "file_title"),
            (title_from_file_name(hints.file_name), "file_name"),
        ):
            if candidate and is_annual_report(candidate):
                title, sources["title"] = " ".join(candidate.split()), source
                break
    issuer = issuer_from_title(title)
    if issuer is not None:
        sources["issuer"] = "title"
    subject = overview_subject(text)
    if issuer is None:
        published_by = header_fields(lines).get("发布机构")
        issuer = published_by[0] if published_by else None
        if issuer is not None:
            sources["issuer"] = "header_field"
    if issuer is None and subject and subject.endswith(ORG_SUFFIXES):
        issuer, sources["issuer"] = subject, "overview_subject"
    region = find_region(reference, title, issuer, text)
    if region is not None:
        sources["region"] = "issuer_title_or_text"
    scope, sources["scope"] = find_scope_with_source(issuer, subject, reference, text)
    year, year_source = find_year_with_source(title, text)
    if year_source:
        sources["report_year"] = year_source
    return ReportAttributes(
        title=title,
        title_line=title_line,
        issuer=issuer,
        region_name=region.name if region else None,
        region_code=region.code if region else None,
        scope=scope,
        report_year=year,
        sources=sources,
    )
