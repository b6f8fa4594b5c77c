"""The old template's 统计表 decoded by its grid where its labels and values came apart.

The 统计表 is one value per row (统计指标 | 单位 | 统计数). When a rendering prints the labels
away from the values (a label wrapped around its row's value line, labels after their values,
one cell a line), the values still come in the template's order; the rows it prints are
anchored by their labels, and the 单位 column tells a 件 row from a 条 row. With one value a
row, a label can only anchor its row on one side: every label of a rendering stands before
its value, or every label after it; both are tried and the cheaper reading kept. The old
identities (seeds/identity_checks.csv) check what they cover; rows they do not cover are
`printed` only where their label confirms them.
"""

from __future__ import annotations

from ingest.parse.grid_decoding import (
    AnchorMatcher,
    Decoded,
    Grid,
    GridRow,
    anchors_of,
    cell_domain,
    decode,
)
from ingest.parse.identities import IdentityInstance, identity_book
from ingest.parse.output import Cell
from ingest.parse.reference import Reference, derived
from ingest.parse.stream import read_stream, running_heads

SECTION = "old"
LABEL_SIDES = ("before", "after")


class OldDecoder:
    """The old template's grid, label matcher and identities, built once per reference."""

    def __init__(self, reference: Reference) -> None:
        rows = tuple(
            GridRow(
                r.metric_code,
                r.label,
                ((r.metric_code, "total"),),
                _unit(r.unit),
                (cell_domain(r.unit),),
            )
            for r in reference.rows_for("old")
            if r.carries_value
        )
        self.grid = Grid(SECTION, rows)
        self.matcher = AnchorMatcher(self.grid, reference.aliases)
        keys = {row.cells[0] for row in rows}
        self.identities: tuple[IdentityInstance, ...] = tuple(
            i for i in identity_book(reference).for_template("old") if set(i.cells) <= keys
        )

    def read(self, lines: list[str], start: int) -> Decoded | None:
        """The table from line index `start` (its header) to the end, read by order."""
        stream = read_stream(
            ((i + 1, lines[i]) for i in range(start, len(lines))), running_heads(lines)
        )
        anchors = anchors_of(stream, self.matcher)
        best: Decoded | None = None
        for side in LABEL_SIDES:
            decoded = decode(self.grid, stream, anchors, self.identities, side=side)
            if decoded.found and (best is None or decoded.cost < best.cost):
                best = decoded
        return best

    def failures(self, cells: list[Cell]) -> int:
        values = {
            (c.metric_code, c.applicant): float(c.value_text)
            for c in cells
            if c.value_text is not None
        }
        return sum(1 for i in self.identities if i.status(values) == "fail")


def _unit(unit: str) -> str | None:
    """The template's unit as a cell prints it (`(件)` → 件); None where it varies."""
    unit = unit.strip("()（） ")
    return unit if unit and ";" not in unit and " " not in unit else None


def old_decoder(reference: Reference) -> OldDecoder:
    return derived(reference, OldDecoder)
