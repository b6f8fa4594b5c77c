"""The `old` national template (≤2018): 政府信息公开情况统计表, rows of 统计指标 | 单位 | 统计数."""

from __future__ import annotations

from dataclasses import dataclass, field

from ingest.parse.grid_decoding import decoded_cells
from ingest.parse.matching import CandidateIndex, RowMatcher, make_candidates
from ingest.parse.normalise import compact
from ingest.parse.old_decoding import old_decoder
from ingest.parse.output import Cell, UnmappedLabel, cell_from_reading, note_unmapped
from ingest.parse.reference import Reference, derived
from ingest.parse.rows import VALUE_COLUMN, assemble_rows

SECTION = "old"
MIN_ROWS_FOR_TABLE = 5


@dataclass
class OldTableResult:
    cells: list[Cell] = field(default_factory=list)
    unmapped: list[UnmappedLabel] = field(default_factory=list)
    start_line: int | None = None
    note: str | None = None  # how the table was decoded, where it was

    @property
    def found(self) -> bool:
        return len(self.cells) >= MIN_ROWS_FOR_TABLE


def find_table_start(lines: list[str]) -> int | None:
    """Index of the table's header line (统计指标 | 单位 | 统计数: two of the three words are
    enough, as a typo may hit one), else of its title line."""
    for i, text in enumerate(lines):
        flat = compact(text)
        columns = ("指标" in flat, "单位" in flat, "统计数" in flat or "汇总数" in flat)
        if sum(columns) >= 2 and len(flat) <= 30:
            return i
    title_lines = [i for i, text in enumerate(lines) if "情况统计表" in compact(text)]
    return title_lines[-1] if title_lines else None


def old_candidates(reference: Reference) -> CandidateIndex:
    """The old template's rows that carry a value, with their aliases."""
    candidates = make_candidates(
        [
            (row.metric_code, [row.label, *reference.aliases.get(row.metric_code, ())])
            for row in reference.rows_for("old")
            if row.carries_value
        ]
    )
    return CandidateIndex(candidates)


def parse_old_table(lines: list[str], reference: Reference) -> OldTableResult:
    """The 统计表 read row by row (a label beside its value); where that reads it incomplete
    or breaks identities, read by the template's grid too (old_decoding.py), and the reading
    that reads more for certain kept."""
    start = find_table_start(lines)
    if start is None:
        return OldTableResult()
    result = _parse_by_rows(lines, start, reference)
    decoder = old_decoder(reference)
    present = {c.metric_code for c in result.cells if c.value_text is not None}
    whole = all(row.key in present for row in decoder.grid.rows)
    if whole and not decoder.failures(result.cells):
        return result
    decoded = decoder.read(lines, start)
    if decoded is None:
        return result
    cells = decoded_cells(SECTION, decoded)
    certain = sum(c.value_status == "printed" for c in cells)
    current = sum(c.value_status == "printed" and c.value_text is not None for c in result.cells)
    consistent = decoded.failures == 0 and decoder.failures(result.cells) > 0
    more = (certain, len(cells)) > (current, len(result.cells))
    if more or (consistent and certain == current):
        result.cells = cells
        result.note = decoded.note
    return result


def _parse_by_rows(lines: list[str], start: int, reference: Reference) -> OldTableResult:
    result = OldTableResult()
    result.start_line = start + 1
    matcher = RowMatcher(derived(reference, old_candidates))
    seen: set[str] = set()
    numbered = [(i + 1, lines[i]) for i in range(start, len(lines))]
    for row in assemble_rows(numbered):
        if row.extra.get(VALUE_COLUMN):
            continue  # one of a column of lone numbers (a dump by column): no label beside it
        match = matcher.best(row)
        if match is None:
            note_unmapped(result.unmapped, SECTION, row, matcher.closest(row))
            continue
        if match.key in seen:
            continue
        seen.add(match.key)
        reading = row.values[0] if row.values else None
        if reading is None:
            from ingest.parse.cells import CellReading

            reading = CellReading(raw_text="", numbers=())
        result.cells.append(
            cell_from_reading(
                SECTION, match.key, "total", reading, match, row.line, unit_column=row.unit
            )
        )
    return result
