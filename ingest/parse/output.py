"""The parser's output records (rows of raw.cells and raw.unmapped_labels)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

from ingest.parse.cells import CellReading
from ingest.parse.matching import Match
from ingest.parse.rows import LogicalRow


@dataclass
class Cell:
    section: str
    metric_code: str
    applicant: str
    row_label: str
    raw_text: str
    value_text: str | None
    unit_text: str | None
    value_status: str  # printed | blank | uncertain
    source_line: int
    match_method: str
    match_score: float | None
    alternatives: str | None = None

    def as_record(self) -> dict[str, Any]:
        # the instance dict holds exactly the fields, in their order (a plain dataclass)
        return self.__dict__.copy()


CELL_FIELDS = tuple(f.name for f in fields(Cell))


@dataclass
class UnmappedLabel:
    section: str
    row_label: str
    normalised_label: str
    source_line: int
    best_code: str | None
    best_score: float | None

    def as_record(self) -> dict[str, Any]:
        return self.__dict__.copy()


def cell_from_reading(
    section: str,
    metric_code: str,
    applicant: str,
    reading: CellReading,
    match: Match,
    line: int,
    number_index: int = 0,
    unit_column: str | None = None,
) -> Cell:
    """A cell as printed: its first (or `number_index`-th) number, or blank."""
    if reading.numbers:
        value = reading.numbers[number_index]
        status = "printed"
    else:
        value = None
        status = "blank"
    # positional: a dataclass built with keywords is twice as slow, and a report has hundreds
    return Cell(
        section,
        metric_code,
        applicant,
        match.label,  # row_label
        reading.raw_text,
        value,
        reading.unit or unit_column,  # unit_text
        status,
        line,  # source_line
        match.method,
        match.stored_score,
    )


def alternatives_json(readings: Sequence[Sequence[str | None]]) -> str:
    return json.dumps(readings, ensure_ascii=False)


def note_unmapped(
    unmapped: list[UnmappedLabel], section: str, row: LogicalRow, best: Match | None
) -> None:
    """Keep a row that prints numbers but matched no template row, for label curation."""
    if not any(v.numbers for v in row.values):
        return
    label = unmapped_from_row(section, row, best)
    if label is not None:
        unmapped.append(label)


def unmapped_from_row(section: str, row: LogicalRow, best: Match | None) -> UnmappedLabel | None:
    from ingest.parse.normalise import normalise_label

    own = [f for f in row.fragments[len(row.fragments) - row.own_parts :] if f.text.strip()]
    parts = own or [f for f in row.fragments[-1:] if f.text.strip()]
    if not parts:
        return None
    label = "".join(f.text for f in parts)
    return UnmappedLabel(
        section=section,
        row_label=label,
        normalised_label=normalise_label(label),
        source_line=parts[0].line,
        best_code=best.key if best else None,
        best_score=best.stored_score if best else None,
    )
