"""Tables 三 and 四 of the v2019/v2021 templates decoded by their grid (grid_decoding.py).

The label-driven reading (national_tables.py) needs each row's label beside its values. When
a rendering separates them, the row-driven reading comes out incomplete, inconsistent or
empty; the section's region is then read as a stream of values and decoded against the
template's grid, and the decoding replaces the row-driven cells where it reads more of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.parse.grid_decoding import (
    AnchorMatcher,
    Decoded,
    Grid,
    GridRow,
    anchors_of,
    cell_domain,
    decode,
    decoded_cells,
)
from ingest.parse.identities import IdentityInstance, identity_book
from ingest.parse.normalise import compact
from ingest.parse.output import Cell
from ingest.parse.reference import Reference, applicant_columns, derived
from ingest.parse.stream import read_stream, running_heads

T3_VARIANTS = ("v2021", "v2019")
T4_SCAN_LINES = 150  # table 四 ends within this many lines of its heading
T4_CAPTIONS = (  # table 四's block captions and the metric codes they head
    ("行政复议", "t4.review."),
    ("未经复议直接起诉", "t4.lit_direct."),
    ("复议后起诉", "t4.lit_after_review."),
)
_T3_HEADING = "收到和处理政府信息公开申请"
_T3_FIRST_ROW = "本年新收政府信息公开申请"
_T3_HEADER_WORDS = ("申请人情况", "自然人")
_T3_ROW_WORDS = ("本年新收", "上年结转", "予以公开", "结转下年度")
# words only table 四 of the v2019/v2021 templates prints (the old template's 复议/诉讼 rows
# print none of them)
_T4_HEADER_WORDS = ("未经复议", "复议后起诉", "尚未审结", "尚未审")
_T4_HEADING = "政府信息公开行政复议、行政诉讼情况"  # the new templates' heading (the old one's
# is 因政府信息公开申请行政复议、提起行政诉讼的情况)
_T2_CAPTION = re.compile(r"第二十条第[（(][一二三四五六七八九十]+[)）]项")


@dataclass(frozen=True)
class Regions:
    """Line index ranges [start, end) of tables 二, 三 and 四 (None when not found)."""

    t2: tuple[int, int] | None
    t3: tuple[int, int] | None
    t4: tuple[int, int] | None


def _is_t4_heading(flat: str) -> bool:
    return "行政复议" in flat and "行政诉讼" in flat and (flat.startswith("四") or len(flat) <= 30)


def find_regions(lines: list[str], first: int = 0) -> Regions:
    """Where tables 三 and 四 stand, by their headings (or their first row and header)."""
    flats = [compact(t) for t in lines]
    t3_start = next(
        (i for i in range(first, len(flats)) if _T3_HEADING in flats[i] and len(flats[i]) <= 40),
        None,
    )
    if t3_start is None:
        row = next((i for i in range(first, len(flats)) if _T3_FIRST_ROW in flats[i]), None)
        if row is not None:
            header = next(
                (
                    i
                    for i in range(max(first, row - 30), row)
                    if any(w in flats[i] for w in _T3_HEADER_WORDS)
                ),
                None,
            )
            t3_start = header if header is not None else max(first, row - 8)
    search_from = t3_start if t3_start is not None else first
    t4_start = next(
        (i for i in range(search_from, len(flats)) if _is_t4_heading(flats[i])),
        None,
    )
    t3 = None
    if t3_start is not None:
        t3 = (t3_start, t4_start if t4_start is not None else len(lines))
        if not any(w in f for f in flats[t3[0] : t3[1]] for w in _T3_ROW_WORDS):
            t3 = None  # a heading without the table's rows (the old template's, or prose)
    t4 = None
    if t4_start is not None:
        end = min(len(lines), t4_start + T4_SCAN_LINES)
        for i in range(t4_start + 1, end):
            if flats[i].startswith("五、") or "存在的主要问题" in flats[i]:
                end = i
                break
        if _T4_HEADING in flats[t4_start] or any(
            w in f for f in flats[t4_start:end] for w in _T4_HEADER_WORDS
        ):
            t4 = (t4_start, end)
    # table 二's first caption, on one line or broken over up to three (`第二十条第（` / `一` /
    # `）项`)
    t2_start = next(
        (
            i
            for i in range(first, len(flats))
            if "第" in flats[i] and _T2_CAPTION.search("".join(flats[i : i + 3]))
        ),
        None,
    )
    t2 = None
    if t2_start is not None and t3 is not None and t2_start < t3[0]:
        t2 = (t2_start, t3[0])
    return Regions(t2, t3, t4)


@dataclass(frozen=True)
class SectionReading:
    section: str
    template: str | None  # the variant the grid came from (table 三)
    cells: list[Cell]
    note: str
    order: str
    failures: int

    @property
    def read(self) -> int:
        """Cells whose number was read for certain."""
        return _read_for_certain(self.cells)


class NationalDecoder:
    """Grids and identities of tables 三 and 四, built once per reference."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        applicants = applicant_columns()
        book = identity_book(reference)
        self.t3_grids: dict[str, Grid] = {}
        self.t3_identities: dict[str, tuple[IdentityInstance, ...]] = {}
        self.t3_matchers: dict[str, AnchorMatcher] = {}
        for variant in T3_VARIANTS:
            rows = tuple(
                GridRow(
                    r.metric_code,
                    r.label,
                    tuple((r.metric_code, a) for a in applicants),
                    domains=(cell_domain(r.unit),) * len(applicants),
                )
                for r in reference.rows_for(variant)
                if r.metric_code.startswith("t3.") and r.carries_value
            )
            grid = Grid("t3", rows)
            self.t3_grids[variant] = grid
            keys = {k for row in rows for k in row.cells}
            self.t3_identities[variant] = tuple(
                i for i in book.for_template(variant) if set(i.cells) <= keys
            )
            self.t3_matchers[variant] = AnchorMatcher(grid, reference.aliases)
        self.t2_grids = {v: _t2_grid(reference, v) for v in T3_VARIANTS}
        self.t2_matchers = {
            v: AnchorMatcher(grid, _entity_aliases(reference)) for v, grid in self.t2_grids.items()
        }
        t4_rows = [r for r in reference.rows_for("v2019") if r.metric_code.startswith("t4.")]
        t4_cells = tuple((r.metric_code, "total") for r in t4_rows)
        t4_domains = tuple(cell_domain(r.unit) for r in t4_rows)
        self.t4_grid = Grid(
            "t4",
            (GridRow("t4", "政府信息公开行政复议、行政诉讼情况", t4_cells, domains=t4_domains),),
            captions=tuple(
                (caption, frozenset((0, j) for j, key in enumerate(t4_cells) if block in key[0]))
                for caption, block in T4_CAPTIONS
            ),
        )
        t4_keys = set(self.t4_grid.rows[0].cells)
        self.t4_identities = tuple(i for i in book.for_template("v2019") if set(i.cells) <= t4_keys)

    # -- reading ---------------------------------------------------------------------------
    def read_t3(self, lines: list[str], region: tuple[int, int]) -> SectionReading | None:
        heads = running_heads(lines)
        stream = read_stream(((i + 1, lines[i]) for i in range(*region)), heads)
        best: tuple[tuple[int, int, int], str, Decoded] | None = None
        # the variant whose grid the values fill exactly first; it settles it when it reads
        # every cell for certain
        variants = sorted(T3_VARIANTS, key=lambda v: self.t3_grids[v].size != len(stream.values))
        for variant in variants:
            grid = self.t3_grids[variant]
            anchors = anchors_of(stream, self.t3_matchers[variant])
            decoded = decode(grid, stream, anchors, self.t3_identities[variant])
            printed = sum(c.status in ("printed", "blank") for c in decoded.cells)
            rank = (printed, len(decoded.cells), -len(decoded.unread_rows))
            if decoded.found and (best is None or rank > best[0]):
                best = (rank, variant, decoded)
            if printed == grid.size:
                break
        if best is None:
            return None
        _, variant, decoded = best
        return SectionReading(
            "t3",
            variant,
            decoded_cells("t3", decoded),
            decoded.note,
            decoded.order,
            decoded.failures,
        )

    def read_t2(
        self, lines: list[str], region: tuple[int, int], variant: str | None
    ) -> SectionReading | None:
        """Table 二 (no identities: its order is carried by its labels alone)."""
        heads = running_heads(lines)
        stream = read_stream(((i + 1, lines[i]) for i in range(*region)), heads)
        best: tuple[tuple[int, int, int, int], str, Decoded] | None = None
        for name in T3_VARIANTS:  # both: table 二's columns may not be legible in a dump
            grid = self.t2_grids[name]
            anchors = anchors_of(stream, self.t2_matchers[name])
            decoded = decode(grid, stream, anchors, ())
            printed = sum(c.status in ("printed", "blank") for c in decoded.cells)
            rank = (printed, len(decoded.cells), -len(decoded.unread_rows), name == variant)
            if decoded.found and (best is None or rank > best[0]):
                best = (rank, name, decoded)
        if best is None:
            return None
        _, name, decoded = best
        return SectionReading(
            "t2", name, decoded_cells("t2", decoded), decoded.note, decoded.order, decoded.failures
        )

    def read_t4(self, lines: list[str], region: tuple[int, int]) -> SectionReading | None:
        heads = running_heads(lines)
        stream = read_stream(((i + 1, lines[i]) for i in range(*region)), heads)
        decoded = decode(self.t4_grid, stream, [], self.t4_identities, allow_run_orders=True)
        if not decoded.found:
            return None
        return SectionReading(
            "t4", None, decoded_cells("t4", decoded), decoded.note, decoded.order, decoded.failures
        )

    # -- judging the row-driven reading ----------------------------------------------------
    def failures(self, section: str, variant: str | None, cells: list[Cell]) -> int:
        """Identity instances that `cells` (one section's) break."""
        values = {
            (c.metric_code, c.applicant): float(c.value_text)
            for c in cells
            if c.value_text is not None
        }
        if section == "t4":
            instances = self.t4_identities
        elif section == "t3":
            instances = self.t3_identities.get(variant or "", ())
        else:
            instances = ()
        return sum(1 for i in instances if i.status(values) == "fail")

    def complete(self, section: str, variant: str | None, cells: list[Cell]) -> bool:
        """Every cell of the section's grid holds a number. A blank counts as unread here: a
        converter's padding cells look like blanks, and the decoding passes them over (it
        replaces the row-driven reading only where it reads more)."""
        grids = {"t2": self.t2_grids, "t3": self.t3_grids}.get(section, {})
        grid = self.t4_grid if section == "t4" else grids.get(variant or "")
        if grid is None:
            return False
        present = {(c.metric_code, c.applicant) for c in cells if c.value_text is not None}
        return all(k in present for row in grid.rows for k in row.cells)

    def replaces(self, reading: SectionReading, variant: str | None, cells: list[Cell]) -> bool:
        """Whether the decoded reading should replace the row-driven one: it reads more
        cells for certain, or it reads them in document order where the row-driven reading
        breaks identities and the decoding does not; with as many for certain, it holds more
        cells (uncertain ones, where the row-driven reading found none)."""
        current_failures = self.failures(reading.section, variant, cells)
        if reading.order != "by_runs" and reading.failures == 0 and current_failures > 0:
            return True
        current = _read_for_certain(cells)
        return (reading.read, len(reading.cells)) > (current, len(cells))


def _read_for_certain(cells: list[Cell]) -> int:
    return sum(c.value_status == "printed" and c.value_text is not None for c in cells)


def _t2_grid(reference: Reference, variant: str) -> Grid:
    """Table 二's entities in print order, each a row of its columns (v2019: 3 or 2 columns;
    v2021: 3 for 规章 and 规范性文件, 1 for the others)."""
    rows: dict[str, tuple[str, list[tuple[str, str]], list[str]]] = {}
    for r in reference.rows_for(variant):
        parts = r.metric_code.split(".")
        if parts[0] == "t2" and len(parts) == 4:
            entity = ".".join(parts[:3])
            label = r.label.partition(" / ")[0]
            row = rows.setdefault(entity, (label, [], []))
            row[1].append((r.metric_code, "total"))
            row[2].append(cell_domain(r.unit))
    return Grid(
        "t2",
        tuple(
            GridRow(entity, label, tuple(cells), domains=tuple(domains))
            for entity, (label, cells, domains) in rows.items()
        ),
    )


def _entity_aliases(reference: Reference) -> dict[str, tuple[str, ...]]:
    """Other printed names of table 二's entities, from the label aliases of their cells."""
    out: dict[str, list[str]] = {}
    for code, aliases in reference.aliases.items():
        parts = code.split(".")
        if parts[0] == "t2" and len(parts) == 4:
            # an alias names the entity only before its ` / ` (a bare alias is a column's)
            out.setdefault(".".join(parts[:3]), []).extend(
                a.partition(" / ")[0] for a in aliases if " / " in a
            )
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def national_decoder(reference: Reference) -> NationalDecoder:
    """The decoder for `reference`, built once."""
    return derived(reference, NationalDecoder)
