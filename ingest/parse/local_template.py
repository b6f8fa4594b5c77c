"""Local (provincial) statistics forms, described as data in seeds/local_forms.csv and
seeds/local_form_rows.csv: e.g. Fujian's 指标名称 | 计量单位 | 本年度 | 历年累计.

Rows whose meaning equals a national `old.*` row carry that code; the rest carry `local.*`
codes; the cumulative column is kept under `local.cum.<code>`. Glued digit runs are cut into
(本年度, 历年累计) with 累计 ≥ 本年度, and solved jointly with the form's own relations
(a 其中 row ≤ its parent; parts that sum to their parent).
"""

from __future__ import annotations

import csv
import itertools
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ingest.parse.cells import CellReading
from ingest.parse.digit_runs import Reading, Resolution, readings, resolve_jointly
from ingest.parse.matching import CandidateIndex, Match, RowMatcher, make_candidates
from ingest.parse.national_tables import glued_tokens, resolved_cells
from ingest.parse.normalise import compact
from ingest.parse.output import Cell, UnmappedLabel, cell_from_reading, note_unmapped
from ingest.parse.reference import SEEDS_DIR
from ingest.parse.rows import VALUE_COLUMN, LogicalRow, assemble_rows

SECTION = "local"


@dataclass(frozen=True)
class FormRow:
    metric_code: str
    label: str
    unit: str
    parent: str
    parent_relation: str  # '' | part | sum


@dataclass(frozen=True)
class LocalForm:
    form: str
    header_signature: tuple[str, ...]
    value_columns: tuple[str, ...]
    cumulative_prefix: str
    rows: tuple[FormRow, ...]


@dataclass
class LocalResult:
    form: str | None = None
    cells: list[Cell] = field(default_factory=list)
    unmapped: list[UnmappedLabel] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.cells)


@cache
def load_forms(seeds_dir: Path = SEEDS_DIR) -> tuple[LocalForm, ...]:
    def read(name: str) -> list[dict[str, str]]:
        path = seeds_dir / name
        if not path.exists():
            return []
        with path.open(newline="", encoding="utf-8") as handle:
            return list(csv.DictReader(handle))

    rows = read("local_form_rows.csv")
    forms = []
    for spec in read("local_forms.csv"):
        form_rows = sorted(
            (r for r in rows if r["form"] == spec["form"]), key=lambda r: int(r["row_order"])
        )
        forms.append(
            LocalForm(
                form=spec["form"],
                header_signature=tuple(spec["header_signature"].split("|")),
                value_columns=tuple(spec["value_columns"].split("|")),
                cumulative_prefix=spec["cumulative_prefix"],
                rows=tuple(
                    FormRow(
                        r["metric_code"], r["label"], r["unit"], r["parent"], r["parent_relation"]
                    )
                    for r in form_rows
                ),
            )
        )
    return tuple(forms)


@cache
def form_candidates(form: LocalForm) -> CandidateIndex:
    return CandidateIndex(make_candidates([(r.metric_code, [r.label]) for r in form.rows]))


HEADER_SPAN = 6  # non-empty lines a form's header may be spread over (a PDF dump: a cell a line)


def find_form(lines: list[str], forms: tuple[LocalForm, ...]) -> tuple[LocalForm, int] | None:
    """The first form whose header words all stand on one line, or on a few lines in a row
    starting with the first of them (a PDF dump prints each header cell on a line)."""
    for i, text in enumerate(lines):
        flat = compact(text)
        for form in forms:
            if form.header_signature[0] not in flat:
                continue
            following = (compact(t) for t in lines[i:])
            spread = "".join(itertools.islice((f for f in following if f), HEADER_SPAN))
            if all(sig in flat for sig in form.header_signature) or all(
                sig in spread for sig in form.header_signature
            ):
                return form, i
    return None


def parse_local_table(lines: list[str], forms: tuple[LocalForm, ...] | None = None) -> LocalResult:
    forms = load_forms() if forms is None else forms
    found = find_form(lines, forms)
    result = LocalResult()
    if found is None:
        return result
    form, start = found
    result.form = form.form
    matcher = RowMatcher(form_candidates(form))
    width = len(form.value_columns)
    fixed: dict[str, tuple[Match, LogicalRow]] = {}
    glued: dict[str, tuple[Match, LogicalRow, list[Reading]]] = {}
    rows = assemble_rows((i + 1, lines[i]) for i in range(start, len(lines)))
    continued: dict[int, list[tuple[CellReading, int]]] = {}  # row → its values, with lines
    for row in _value_columns_joined(_after_header(rows, form), width, continued):
        match = matcher.best(row, max_back=2)
        if match is None:
            note_unmapped(result.unmapped, SECTION, row, matcher.closest(row, max_back=2))
            continue
        if match.key in fixed or match.key in glued:
            continue
        tokens = glued_tokens(row, width)
        if tokens is not None:
            options = [r for r in readings(tokens, width) if _cumulative_not_smaller(r)]
            glued[match.key] = (match, row, options or readings(tokens, width))
        else:
            fixed[match.key] = (match, row)
    for key, (match, row) in fixed.items():
        values = continued.get(id(row)) or [(v, row.line) for v in row.values]
        for column, (reading, line) in zip(form.value_columns, values, strict=False):
            code = _column_code(form, column, key)
            result.cells.append(cell_from_reading(SECTION, code, "total", reading, match, line))
    if glued:
        known = {
            key: tuple(_first(v) for v in row.values[:width]) for key, (_, row) in fixed.items()
        }
        resolutions = resolve_jointly(
            {key: options for key, (_, _, options) in glued.items()},
            lambda assignment: _relations_hold(form, known, assignment),
        )
        for key, (match, row, _) in glued.items():
            resolution: Resolution = resolutions[key]
            if not resolution.reading:
                continue
            codes = [_column_code(form, column, key) for column in form.value_columns]
            result.cells.extend(
                resolved_cells(SECTION, codes, ["total"] * width, row, match, resolution)
            )
    return result


def _value_columns_joined(
    rows: list[LogicalRow], width: int, continued: dict[int, list[tuple[CellReading, int]]]
) -> list[LogicalRow]:
    """A dump that prints a cell a line gives a row's 本年度 and 历年累计 on lines of their own:
    a run of exactly `width` lone numbers after a row's label is that row's cells (each keeps
    its own line, in `continued`, keyed by the row). A longer run is a column dumped after
    all the labels (all of 本年度, then all of 历年累计): no label stands beside those values,
    so the row-driven reading leaves them out."""
    out: list[LogicalRow] = []
    k = 0
    while k < len(rows):
        row = rows[k]
        if not row.extra.get(VALUE_COLUMN):
            out.append(row)
            k += 1
            continue
        run = [row]
        while (
            k + len(run) < len(rows)
            and rows[k + len(run)].extra.get(VALUE_COLUMN)
            and not rows[k + len(run)].fragments
        ):
            run.append(rows[k + len(run)])
        k += len(run)
        values = [(v, r.line) for r in run for v in r.values]
        if row.fragments and len(values) == width:
            continued[id(row)] = values
            row.values = tuple(v for v, _ in values)
            out.append(row)
    return out


def _column_code(form: LocalForm, column: str, code: str) -> str:
    """This year's value keeps the row's code; the cumulative column goes under local.cum.*."""
    if column == "this_year":
        return code
    return form.cumulative_prefix + code.removeprefix("local.")


def _after_header(rows: list[LogicalRow], form: LocalForm) -> list[LogicalRow]:
    """Rows after the form's header. On a glued line the header's words may be split over two
    segments by its year caption ('指标名称计量单位' 2012 '年度历年累计主动公开信息数'), and the
    row that completes the header also carries the first data row's label."""
    seen = ""
    for k, row in enumerate(rows):
        seen += "".join(compact(f.text) for f in row.fragments)
        if all(sig in seen for sig in form.header_signature):
            return rows[k:]
    return rows


def _first(reading: CellReading) -> str | None:
    return reading.numbers[0] if reading.numbers else None


def _cumulative_not_smaller(reading: Reading) -> bool:
    return all(float(reading[0]) <= float(cell) for cell in reading[1:])


def _relations_hold(
    form: LocalForm, known: dict[str, tuple[str | None, ...]], assignment: dict[str, Reading]
) -> bool:
    values: dict[str, tuple[str | None, ...]] = dict(known)
    values.update(assignment)
    for column in range(len(form.value_columns)):

        def number(code: str, column: int = column) -> float | None:
            cells = values.get(code)
            if cells is None or column >= len(cells):
                return None
            value = cells[column]
            return None if value is None else float(value)

        for parent in {r.parent for r in form.rows if r.parent}:
            total = number(parent)
            if total is None:
                continue
            children = [r for r in form.rows if r.parent == parent]
            parts = [number(r.metric_code) for r in children]
            if any(p is not None and p > total + 1e-9 for p in parts):
                return False
            complete = [p for p in parts if p is not None]
            is_sum = children[0].parent_relation == "sum"
            if is_sum and len(complete) == len(parts) and abs(sum(complete) - total) > 1e-9:
                return False
    return True
