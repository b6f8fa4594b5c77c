"""A report's statistics as the template's grid: one table per section, the template's rows
(indented under their parent) by the applicant columns the section has (table 三: the six
applicant kinds and 总计; every other table: one value column)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

CellKey = tuple[str, str]  # (metric_code, applicant)


@dataclass(frozen=True)
class GridCell:
    metric_code: str
    applicant: str
    value: float | None  # the reviewed value
    printed_value: float | None
    value_status: str  # printed, blank, uncertain, derived; `absent` when not read
    review_status: str  # as_printed, corrected, added; `absent`
    source_line: int | None
    raw_text: str | None
    failed_checks: tuple[str, ...]  # checks using the cell that fail on the reviewed values
    settled_checks: tuple[str, ...]  # ... that fail as printed, no longer once reviewed
    in_selected_check: bool
    selected: bool

    @property
    def key(self) -> str:
        return f"{self.metric_code}|{self.applicant}"

    @property
    def classes(self) -> str:
        names = [f"status-{self.value_status}"]
        if self.failed_checks:
            names.append("failing")
        elif self.settled_checks:
            names.append("settled")
        if self.review_status in ("corrected", "added"):
            names.append("corrected")
        if self.in_selected_check:
            names.append("in-check")
        if self.selected:
            names.append("selected")
        return " ".join(names)


@dataclass(frozen=True)
class GridRow:
    metric_code: str
    label: str
    depth: int
    is_value_row: bool
    cells: list[GridCell]


@dataclass
class GridSection:
    section: str
    label: str
    columns: list[tuple[str, str]]  # (applicant, label)
    rows: list[GridRow] = field(default_factory=list)


def _depths(metrics: list[dict[str, Any]]) -> dict[str, int]:
    parents = {m["metric_code"]: m["parent"] for m in metrics}
    depths: dict[str, int] = {}
    for code in parents:
        depth, parent, seen = 0, parents.get(code), {code}
        while parent in parents and parent not in seen:
            seen.add(parent)
            depth += 1
            parent = parents.get(parent)
        depths[code] = depth
    return depths


@dataclass(frozen=True)
class Highlights:
    """Which cells the grid marks: per cell, the checks failing on the reviewed values and
    those only failing as printed; the cells of the check and the cell selected."""

    failing: dict[CellKey, tuple[str, ...]] = field(default_factory=dict)
    settled: dict[CellKey, tuple[str, ...]] = field(default_factory=dict)
    check_cells: frozenset[CellKey] = frozenset()
    cell: CellKey | None = None


def highlights(
    checks: Iterable[dict[str, Any]],
    report_id: str,
    selected_check: str | None = None,
    selected_cell: CellKey | None = None,
) -> Highlights:
    """The :class:`Highlights` of a report from its check rows
    (warehouse.checks: status, printed_status, cell_keys)."""
    failing: dict[CellKey, list[str]] = {}
    settled: dict[CellKey, list[str]] = {}
    check_cells: set[CellKey] = set()
    for check in checks:
        keys = [
            (k["metric_code"], k["applicant"])
            for k in check.get("cell_keys") or []
            if k["report_id"] == report_id
        ]
        if check["status"] == "fail":
            target = failing
        elif check["printed_status"] == "fail":
            target = settled
        else:
            target = None
        for key in keys:
            if target is not None:
                target.setdefault(key, []).append(check["check_code"])
            if selected_check is not None and check_id(check) == selected_check:
                check_cells.add(key)
    return Highlights(
        {k: tuple(v) for k, v in failing.items()},
        {k: tuple(v) for k, v in settled.items()},
        frozenset(check_cells),
        selected_cell,
    )


def check_id(check: dict[str, Any]) -> str:
    """One check instance as a URL value: code|instance|related report."""
    return f"{check['check_code']}|{check['instance']}|{check.get('related_report_id') or ''}"


def build_grid(
    metrics: list[dict[str, Any]],
    cells: Iterable[dict[str, Any]],
    applicants: list[dict[str, Any]],
    marks: Highlights,
) -> list[GridSection]:
    """The grid of one report: ``metrics`` are the template's rows in order
    (warehouse.template_metrics), ``cells`` the report's reviewed cells; a cell the report
    has but the template does not list is shown at the end of its section."""
    by_key = {(c["metric_code"], c["applicant"]): c for c in cells}
    listed = {m["metric_code"] for m in metrics}
    extra = sorted(
        {
            (c["metric_code"], c.get("section") or "other", c.get("row_label") or c["metric_code"])
            for c in by_key.values()
            if c["metric_code"] not in listed
        }
    )
    rows = [*metrics] + [
        {
            "metric_code": code,
            "label_zh": label,
            "section": section,
            "section_label": section,
            "parent": None,
            "is_value_row": True,
        }
        for code, section, label in extra
    ]
    depths = _depths(rows)
    section_of = {str(row["metric_code"]): str(row["section"]) for row in rows}
    applicant_order = [(a["applicant"], a["label_zh"]) for a in applicants]
    sections: dict[str, GridSection] = {}
    for metric in rows:
        section = str(metric["section"])
        if section not in sections:
            present = {a for (code, a) in by_key if section_of.get(code) == section}
            columns = [(a, label) for a, label in applicant_order if a in present or a == "total"]
            sections[section] = GridSection(
                section, str(metric["section_label"] or section), columns
            )
        grid = sections[section]
        grid.rows.append(
            GridRow(
                metric_code=metric["metric_code"],
                label=str(metric["label_zh"] or metric["metric_code"]),
                depth=depths.get(metric["metric_code"], 0),
                is_value_row=bool(metric["is_value_row"]),
                cells=[
                    _cell(
                        metric["metric_code"],
                        applicant,
                        by_key.get((metric["metric_code"], applicant)),
                        marks,
                    )
                    for applicant, _ in grid.columns
                ],
            )
        )
    return list(sections.values())


def _cell(
    metric_code: str, applicant: str, cell: dict[str, Any] | None, marks: Highlights
) -> GridCell:
    key = (metric_code, applicant)
    read = cell or {}
    return GridCell(
        metric_code=metric_code,
        applicant=applicant,
        value=read.get("value"),
        printed_value=read.get("printed_value"),
        value_status=str(read.get("value_status") or "absent"),
        review_status=str(read.get("review_status") or "absent"),
        source_line=read.get("source_line"),
        raw_text=read.get("raw_text"),
        failed_checks=marks.failing.get(key, ()),
        settled_checks=marks.settled.get(key, ()),
        in_selected_check=key in marks.check_cells,
        selected=key == marks.cell,
    )
