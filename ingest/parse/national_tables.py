"""The v2019 / v2021 national tables: 二 (第二十条 items), 三 (requests × applicant), 四 (15 cells).

One pass over the rows that follow the first 第二十条第（一）项 caption (or, without table 二, the
first 本年新收 row): table 二 rows until a row of table 三 appears, table 三 rows until 结转下年度,
then the 15 cells of table 四.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ingest.parse.cells import CellReading
from ingest.parse.digit_runs import (
    Reading,
    Resolution,
    best_reading,
    readings,
    resolve_jointly,
    resolve_row,
)
from ingest.parse.identities import IdentityInstance, Key, ReadingRule, holds
from ingest.parse.matching import CandidateIndex, Match, RowMatcher, make_candidates
from ingest.parse.national_decoding import T3_VARIANTS, find_regions, national_decoder
from ingest.parse.normalise import compact, normalise_label
from ingest.parse.output import (
    Cell,
    UnmappedLabel,
    alternatives_json,
    cell_from_reading,
    note_unmapped,
)
from ingest.parse.reference import Reference, TemplateRow, applicant_columns, derived
from ingest.parse.rows import LONE_VALUE, VALUE_COLUMN, LogicalRow, assemble_rows

APPLICANTS = applicant_columns()
T4_CELLS = 15
_BLOCK = re.compile(r"第二十条第\(([一二三四五六七八九十]+)\)项")
_BLOCK_NUMBERS = {"一": "1", "五": "5", "六": "6", "八": "8", "九": "9"}
T2_SIGNATURES = {
    "v2019": (
        "制作数量",
        "新公开数量",
        "对外公开总数量",
        "上一年项目数量",
        "本年增/减",
        "采购项目数量",
        "第二十条第(九)项",
    ),
    "v2021": (
        "本年制发件数",
        "本年废止件数",
        "现行有效件数",
        "本年收费金额",
        "制发件数",
        "废止件数",
    ),
}
V2021_OTHER_ROWS = (
    "t3.result.other.no_correction",
    "t3.result.other.no_fee",
    "t3.result.other.other",
)


@dataclass
class NationalResult:
    cells: list[Cell] = field(default_factory=list)
    unmapped: list[UnmappedLabel] = field(default_factory=list)
    t2_variant: str | None = None
    t3_variant: str | None = None
    t4_found: bool = False
    notes: list[str] = field(default_factory=list)  # how tables were decoded
    unread: list[str] = field(default_factory=list)  # tables found but not decoded, and why

    @property
    def found(self) -> bool:
        return any(c.section == "t3" for c in self.cells) or self.t4_found

    @property
    def template(self) -> str | None:
        t2, t3 = self.t2_variant, self.t3_variant
        if t2 and t3 and t2 != t3:
            return "hybrid"
        return t3 or t2


@dataclass(frozen=True)
class T2Entity:
    block: str  # art20_1 …
    entity: str  # regulation …
    label: str  # 规章 …
    columns: tuple[tuple[str, str], ...]  # (column code, column label)


def t2_entities(rows: list[TemplateRow]) -> list[T2Entity]:
    grouped: dict[tuple[str, str], tuple[str, list[tuple[str, str]]]] = {}
    for row in rows:
        parts = row.metric_code.split(".")
        if parts[0] != "t2" or len(parts) != 4:
            continue
        entity_label, _, column_label = row.label.partition(" / ")
        key = (parts[1], parts[2])
        grouped.setdefault(key, (entity_label, []))[1].append((parts[3], column_label))
    return [T2Entity(b, e, label, tuple(cols)) for (b, e), (label, cols) in grouped.items()]


def find_anchor(lines: list[str]) -> tuple[int, str] | None:
    for i, text in enumerate(lines):
        if _BLOCK.search(normalise_label(text)):
            return i, "t2"
    for i, text in enumerate(lines):
        if "本年新收政府信息公开申请" in compact(text):
            return i, "t3"
    return None


def _from_anchor(rows: list[LogicalRow], anchor_line: int) -> list[LogicalRow]:
    """Drop the prose that a glued anchor line carries before the first table caption."""
    for k, row in enumerate(rows):
        if row.line != anchor_line:
            break
        flat = "".join(normalise_label(f.text) for f in row.fragments)
        if _BLOCK.search(flat) or "本年新收政府信息公开申请" in flat:
            return rows[k:]
    return rows


def detect_t2_variant(text: str) -> str | None:
    flat = normalise_label(text)
    hits = {v: sum(flat.count(sig) for sig in sigs) for v, sigs in T2_SIGNATURES.items()}
    best = max(hits, key=lambda v: hits[v])
    return best if hits[best] else None


class NationalTableParser:
    """Reads the national tables; holds only what it derives from the reference, so one
    parser (see `national_parser`) serves every document."""

    def __init__(self, reference: Reference) -> None:
        self.reference = reference
        t3_rows: dict[str, TemplateRow] = {}
        for template in ("v2019", "v2021"):
            for row in reference.rows_for(template):
                if row.metric_code.startswith("t3.") and row.carries_value:
                    t3_rows.setdefault(row.metric_code, row)
        ordered = sorted(t3_rows.values(), key=_t3_order(reference))
        self.t3_candidates = make_candidates(
            [(r.metric_code, [r.label, *reference.aliases.get(r.metric_code, ())]) for r in ordered]
        )
        self.t3_index = CandidateIndex(self.t3_candidates)
        self.t4_codes = [
            r.metric_code for r in reference.rows_for("v2019") if r.metric_code.startswith("t4.")
        ]
        self.entities = {v: t2_entities(reference.rows_for(v)) for v in ("v2019", "v2021")}
        self.t2_pools = {
            (variant, block): self._t2_pool(entities, block)
            for variant, entities in self.entities.items()
            for block in (None, *(f"art20_{n}" for n in _BLOCK_NUMBERS.values()))
        }

    def _t2_pool(
        self, entities: list[T2Entity], block: str | None
    ) -> tuple[list[T2Entity], CandidateIndex]:
        """The entities of one block of table 二 (all of them before a block caption), and
        their candidate index."""
        pool = [e for e in entities if block is None or e.block == block] or entities
        candidates = make_candidates(
            [(f"{e.block}.{e.entity}", [e.label, *self._entity_aliases(e)]) for e in pool]
        )
        return pool, CandidateIndex(candidates)

    def parse(self, lines: list[str]) -> NationalResult:
        result = NationalResult()
        anchor = find_anchor(lines)
        if anchor is not None:
            self._parse_by_rows(lines, anchor, result)
        self._decode_where_needed(lines, result)
        return result

    def _decode_where_needed(self, lines: list[str], result: NationalResult) -> None:
        """Tables 三 and 四 decoded by their grid where the row-driven reading is incomplete
        or breaks identities (a rendering that separates labels from values)."""
        decoder = national_decoder(self.reference)
        by_section: dict[str, list[Cell]] = {"t2": [], "t3": [], "t4": []}
        for cell in result.cells:
            by_section.setdefault(cell.section, []).append(cell)
        wanted = [
            section
            for section in ("t3", "t4", "t2")
            if not decoder.complete(section, self._variant(result, section), by_section[section])
            or decoder.failures(section, self._variant(result, section), by_section[section])
        ]
        if not wanted:
            return  # every table read whole and consistent: the common case
        regions = find_regions(lines)
        for section in wanted:
            region = getattr(regions, section)
            if region is None:
                continue
            current = by_section[section]
            variant = self._variant(result, section)
            if section == "t2":
                reading = decoder.read_t2(lines, region, variant)
            elif section == "t3":
                reading = decoder.read_t3(lines, region)
            else:
                reading = decoder.read_t4(lines, region)
            if reading is None:
                result.unread.append(f"table {section}: no values fit its grid")
                continue
            if not decoder.replaces(reading, variant, current):
                if not current:
                    result.unread.append(reading.note)
                continue
            result.cells = [c for c in result.cells if c.section != section] + reading.cells
            result.notes.append(reading.note)
            if section == "t2":
                result.t2_variant = reading.template
            elif section == "t3":
                result.t3_variant = reading.template
            else:
                result.t4_found = True

    @staticmethod
    def _variant(result: NationalResult, section: str) -> str | None:
        return result.t2_variant if section == "t2" else result.t3_variant

    def _parse_by_rows(
        self, lines: list[str], anchor: tuple[int, str], result: NationalResult
    ) -> None:
        start, first_section = anchor
        rows = _from_anchor(
            assemble_rows((i + 1, lines[i]) for i in range(start, len(lines))), start + 1
        )
        t3_matcher = RowMatcher(self.t3_index)
        t3_index = next(
            (k for k, row in enumerate(rows) if self._is_t3_row(row, RowMatcher(self.t3_index))),
            len(rows),
        )
        if first_section == "t2":
            t2_text = "\n".join(
                lines[start : rows[t3_index].line if t3_index < len(rows) else len(lines)]
            )
            result.t2_variant = detect_t2_variant(t2_text)
            self._parse_t2(rows[:t3_index], result)
        t3_rows, rest = self._parse_t3(rows[t3_index:], t3_matcher, result)
        result.cells.extend(t3_rows)
        self._parse_t4(rest, result)

    # -- table 二 ---------------------------------------------------------------------------
    def _parse_t2(self, rows: list[LogicalRow], result: NationalResult) -> None:
        variant = result.t2_variant or "v2021"
        block: str | None = None
        seen: set[str] = set()
        for row in rows:
            for fragment in row.fragments:
                found = _BLOCK.search(normalise_label(fragment.text))
                if found and found.group(1) in _BLOCK_NUMBERS:
                    block = f"art20_{_BLOCK_NUMBERS[found.group(1)]}"
            if row.extra.get(VALUE_COLUMN):
                continue  # one of a column of lone numbers: its row is not beside it
            pool, index = self.t2_pools[(variant, block)]
            if _names_several(row, index):
                continue  # a label cell holding the next row's label too: left to decoding
            matcher = RowMatcher(index)
            match = matcher.best(row, max_back=2)
            if match is None:
                note_unmapped(result.unmapped, "t2", row, matcher.closest(row, max_back=2))
                continue
            if match.key in seen:
                continue
            seen.add(match.key)
            entity = next(e for e in pool if f"{e.block}.{e.entity}" == match.key)
            codes = [f"t2.{entity.block}.{entity.entity}.{column}" for column, _ in entity.columns]
            tokens = glued_tokens(row, len(codes))
            if tokens is not None:
                options = readings(tokens, len(codes))
                resolution = Resolution(
                    reading=best_reading(options) if options else (),
                    status="printed" if len(options) == 1 else "uncertain",
                    alternatives=options if len(options) > 1 else [],
                )
                cells = resolved_cells("t2", codes, ["total"] * len(codes), row, match, resolution)
                if row.extra.get(LONE_VALUE) and row.own_parts == 0:
                    # a run alone on its line may as well be one cell of a dump whose other
                    # cells stand elsewhere: without an identity to confirm it, never printed
                    cells = [_unconfirmed(c) for c in cells]
                result.cells.extend(cells)
                continue
            for code, reading in zip(codes, row.padded_values(len(codes)), strict=False):
                result.cells.append(
                    cell_from_reading("t2", code, "total", reading, match, row.line)
                )

    def _entity_aliases(self, entity: T2Entity) -> list[str]:
        prefix = f"t2.{entity.block}.{entity.entity}."
        return [
            alias.partition(" / ")[0]
            for code, aliases in self.reference.aliases.items()
            if code.startswith(prefix)
            for alias in aliases
        ]

    # -- table 三 ---------------------------------------------------------------------------
    def _is_t3_row(self, row: LogicalRow, matcher: RowMatcher) -> bool:
        if sum(len(v.numbers) or 1 for v in row.values) < 5 and glued_tokens(row, 7) is None:
            return False
        match = matcher.best(row, commit=False)
        return match is not None and match.key in ("t3.new_received", "t3.carried_over")

    def _parse_t3(
        self, rows: list[LogicalRow], matcher: RowMatcher, result: NationalResult
    ) -> tuple[list[Cell], list[LogicalRow]]:
        grid: list[tuple[Match, LogicalRow, list[CellReading | None]]] = []
        glued: dict[str, tuple[Match, LogicalRow, list[Reading]]] = {}
        # rows whose cells fit the seven columns at more than one offset (a converter's empty
        # cell after the label, or an empty 总计 cell it dropped): each offset is an option
        shifted: dict[str, tuple[Match, LogicalRow, list[list[CellReading | None]]]] = {}
        seen: set[str] = set()
        consumed = 0
        for k, row in enumerate(rows):
            if (grid or glued) and _starts_t4(row):
                break
            consumed = k + 1
            match = matcher.best(row)
            if match is None:
                note_unmapped(result.unmapped, "t3", row, matcher.closest(row))
                continue
            if match.key in seen:
                continue
            seen.add(match.key)
            tokens = glued_tokens(row, len(APPLICANTS))
            if tokens is not None:
                glued[match.key] = (
                    match,
                    row,
                    resolve_row(tokens, len(APPLICANTS), self._row_rule(match.key)),
                )
            else:
                windows = _column_windows(row)
                grid.append((match, row, list(windows[0])))
                if len(windows) > 1:
                    shifted[match.key] = (match, row, windows)
            if match.key == "t3.carry_forward":
                break
        _distribute_fused_cells(grid)
        # a blank cell that took its number from a fused cell above is a cell: its row's
        # usual reading stands
        confirmed = {
            m.key for m, _, cols in grid if m.key in shifted and cols != shifted[m.key][2][0]
        }
        shifted = {k: v for k, v in shifted.items() if k not in confirmed}
        grid = [entry for entry in grid if entry[0].key not in shifted]
        cells: list[Cell] = []
        for match, row, columns in grid:
            for applicant, reading in zip(APPLICANTS, columns, strict=True):
                if reading is not None:
                    cells.append(
                        cell_from_reading("t3", match.key, applicant, reading, match, row.line)
                    )
        if glued or shifted:
            fixed = {m.key: [_number(c) for c in cols] for m, _, cols in grid}
            options = {key: options for key, (_, _, options) in glued.items()}
            options.update(
                {
                    key: [_window_reading(w) for w in windows]
                    for key, (_, _, windows) in shifted.items()
                }
            )
            resolutions = resolve_jointly(
                options, lambda assignment: self._t3_holds(fixed, assignment)
            )
            for key, (match, row, _) in glued.items():
                codes = [key] * len(APPLICANTS)
                cells.extend(
                    resolved_cells("t3", codes, list(APPLICANTS), row, match, resolutions[key])
                )
            settled = self._settle_offsets(grid, shifted, resolutions)
            for key, (match, row, windows) in shifted.items():
                cells.extend(
                    _shifted_cells(key, match, row, windows, resolutions[key], settled.get(key))
                )
        read = {m.key for m, _, _ in grid} | set(glued) | set(shifted)
        if read & set(V2021_OTHER_ROWS):
            result.t3_variant = "v2021"
        elif "t3.result.other" in read:
            result.t3_variant = "v2019"
        return cells, rows[consumed:]

    def _settle_offsets(
        self,
        grid: list[tuple[Match, LogicalRow, list[CellReading | None]]],
        shifted: dict[str, tuple[Match, LogicalRow, list[list[CellReading | None]]]],
        resolutions: dict[str, Resolution],
    ) -> dict[str, tuple[Reading, set[int]]]:
        """Offsets the identities could not choose (their terms blank), chosen with the
        table's blank cells, and the rows it prints no cell of, read as 0: the one combination
        that breaks strictly fewest identities. A cell is printed where an identity holds at
        that reading and breaks at every other; the other cells that differ stay uncertain.

        markitdown's `（一）予以公开 | | 258 | 12 | | | 1 | 1 |` read from its second cell
        puts 258 in the 商业企业 column, whose results then no longer add up to its 总计."""
        values: dict[Key, float | None] = {}
        for m, _, cols in grid:
            for applicant, cell in zip(APPLICANTS, cols, strict=True):
                values[(m.key, applicant)] = _zeroed(cell)
        for key, resolution in resolutions.items():
            if resolution.status == "printed":
                values.update(_reading_values(key, resolution.reading, blank=0.0))
        instances = self._t3_identities({k for k, _ in values})
        for instance in instances:  # a template row the table printed no cell of
            for term in instance.cells:
                values.setdefault(term, 0.0)
        undecided = [k for k in shifted if resolutions[k].status != "printed"]
        pools = [resolutions[k].alternatives for k in undecided]
        if not undecided or math.prod(len(p) for p in pools) > 4096:
            return {}
        outcomes: list[tuple[tuple[Reading, ...], list[str]]] = []
        for combo in itertools.product(*pools):
            trial = dict(values)
            for key, reading in zip(undecided, combo, strict=True):
                trial.update(_reading_values(key, reading, blank=0.0))
            outcomes.append((combo, [i.status(trial) for i in instances]))
        fewest = min(statuses.count("fail") for _, statuses in outcomes)
        best = [o for o in outcomes if o[1].count("fail") == fewest]
        if len(best) != 1:
            return {}
        combo, statuses = best[0]
        # a cell is sure where an identity over it holds at this reading and breaks at every
        # reading that gives the cell another value
        settled: dict[str, tuple[Reading, set[int]]] = {}
        for k, (key, reading) in enumerate(zip(undecided, combo, strict=True)):
            sure = set()
            for index, applicant in enumerate(APPLICANTS):
                rivals = [other for c, other in outcomes if c[k][index] != reading[index]]
                if any(
                    statuses[n] == "pass" and all(other[n] == "fail" for other in rivals)
                    for n, instance in enumerate(instances)
                    if (key, applicant) in instance.cells
                ):
                    sure.add(index)
            settled[key] = (reading, sure)
        return settled

    def _row_rule(self, code: str) -> ReadingRule:
        """A glued row of table 三 read under its own identity (seeds/identity_checks.csv:
        its 总计 is the sum of the six applicant columns)."""
        decoder = national_decoder(self.reference)
        instances = [i for v in T3_VARIANTS for i in decoder.t3_identities[v]]
        return ReadingRule([(code, a) for a in APPLICANTS], instances)

    def _t3_holds(
        self, fixed: dict[str, list[float | None]], assignment: dict[str, Reading]
    ) -> bool:
        """Table 三's identities on a candidate reading of its glued rows, with the rows
        read as printed (an identity with a term missing is not assessed)."""
        values: dict[Key, float | None] = {
            (code, applicant): value
            for code, cells in fixed.items()
            for applicant, value in zip(APPLICANTS, cells, strict=True)
        }
        for key, reading in assignment.items():
            values.update(_reading_values(key, reading, blank=None))
        return holds(self._t3_identities({code for code, _ in values}), values)

    def _t3_identities(self, codes: set[str]) -> tuple[IdentityInstance, ...]:
        """Table 三's identities for the variant its rows show (v2021 prints （六）'s rows)."""
        variant = "v2021" if codes & set(V2021_OTHER_ROWS) else "v2019"
        return national_decoder(self.reference).t3_identities[variant]

    # -- table 四 ---------------------------------------------------------------------------
    def _parse_t4(self, rows: list[LogicalRow], result: NationalResult) -> None:
        collected: list[tuple[CellReading, int, str]] = []
        for row in rows:
            label = "".join(f.text for f in row.fragments)
            flat = compact(label)
            if "五、" in flat or "存在的主要问题" in flat or (collected and len(flat) > 40):
                break  # past table 四: the next section's prose
            for reading in row.padded_values(T4_CELLS - len(collected)):
                for index in range(max(1, len(reading.numbers))):
                    collected.append((_single(reading, index), row.line, label))
            if len(collected) >= T4_CELLS:
                break
        if len(collected) < T4_CELLS:
            self._parse_glued_t4(collected, result)
            return
        result.t4_found = True
        for code, (reading, line, _) in zip(self.t4_codes, collected[:T4_CELLS], strict=True):
            match = _t4_match(code, line)
            result.cells.append(cell_from_reading("t4", code, "total", reading, match, line))

    def _parse_glued_t4(
        self, collected: list[tuple[CellReading, int, str]], result: NationalResult
    ) -> None:
        """Fewer than 15 cells: a glued digit run, cut under the block sums of table 四."""
        if not collected or any(r.is_blank or r.unit for r, _, _ in collected):
            return
        tokens = [r.numbers[0] for r, _, _ in collected]
        decoder = national_decoder(self.reference)
        rule = ReadingRule(decoder.t4_grid.rows[0].cells, decoder.t4_identities)
        options = resolve_row(tokens, T4_CELLS, rule) or readings(tokens, T4_CELLS)
        if not options:
            return
        line = collected[0][1]
        raw = " ".join(r.raw_text for r, _, _ in collected)
        resolution = Resolution(
            reading=best_reading(options),
            status="printed" if len(options) == 1 else "uncertain",
            alternatives=options if len(options) > 1 else [],
        )
        row = LogicalRow(
            fragments=[],
            unit=None,
            values=(CellReading(raw, tuple(tokens)),),
            line=line,
            tabular=False,
        )
        result.t4_found = True
        result.cells.extend(
            resolved_cells(
                "t4",
                self.t4_codes,
                ["total"] * T4_CELLS,
                row,
                _t4_match(self.t4_codes[0], line),
                resolution,
            )
        )


def national_parser(reference: Reference) -> NationalTableParser:
    """The parser for `reference`, built once."""
    return derived(reference, NationalTableParser)


def _names_several(row: LogicalRow, index: CandidateIndex) -> bool:
    """The row's own label cell names two or more rows outright (a converter moved the next
    row's label up): which values are whose is for the decoding to tell."""
    own = row.fragments[len(row.fragments) - row.own_parts :]
    named = {
        hit[0].key
        for fragment in own
        for part in fragment.text.split()
        for hit in index.exact.get(normalise_label(part), ())
    }
    return len(named) >= 2


def _t4_match(code: str, line: int) -> Match:
    return Match(
        key=code,
        score=100.0,
        method="structure",
        label="政府信息公开行政复议、行政诉讼情况",
        label_line=line,
    )


def glued_tokens(row: LogicalRow, cells: int) -> list[str] | None:
    """The digit tokens of a row that prints fewer numbers than it has cells (glued), else None."""
    if not row.values or any(v.is_blank for v in row.values) or row.extra.get(VALUE_COLUMN):
        return None  # a dump's column of one number a line is no glued run
    tokens = [n for v in row.values for n in v.numbers]
    if len(tokens) >= cells:
        return None
    digits = sum(len(t.lstrip("-").split(".")[0]) for t in tokens)
    if digits < cells:
        return None
    return tokens


def resolved_cells(
    section: str,
    codes: list[str],
    applicants: list[str],
    row: LogicalRow,
    match: Match,
    resolution: Resolution,
) -> list[Cell]:
    """Cells of a glued run: every cell keeps the run as its raw text, and its alternatives."""
    raw = " ".join(v.raw_text for v in row.values)
    out = []
    for index, (code, applicant) in enumerate(zip(codes, applicants, strict=True)):
        if index >= len(resolution.reading):
            break
        value = resolution.reading[index]
        alternatives = sorted({r[index] for r in resolution.alternatives} - {value})
        status = "uncertain" if alternatives else "printed"
        out.append(
            Cell(
                section=section,
                metric_code=code,
                applicant=applicant,
                row_label=match.label,
                raw_text=raw,
                value_text=value,
                unit_text=next((v.unit for v in row.values if v.unit), None),
                value_status=status,
                source_line=row.line,
                match_method=match.method,
                match_score=match.stored_score,
                alternatives=alternatives_json([[value, *alternatives]]) if alternatives else None,
            )
        )
    return out


def _unconfirmed(cell: Cell) -> Cell:
    """A cell read by a guess nothing confirms: uncertain, with its reading as the one
    alternative known."""
    if cell.value_status != "printed":
        return cell
    cell.value_status = "uncertain"
    cell.alternatives = alternatives_json([[cell.value_text]])
    return cell


def _reading_values(key: str, reading: Reading, blank: float | None) -> dict[Key, float | None]:
    """A row's reading as cell values, a blank ('') read as ``blank``."""
    return {
        (key, applicant): float(text) if text else blank
        for applicant, text in zip(APPLICANTS, reading, strict=False)
    }


def _zeroed(cell: CellReading | None) -> float:
    """A cell's number with blank (or absent) cells read as 0, for choosing between offsets."""
    return float(cell.numbers[0]) if cell is not None and cell.numbers else 0.0


def _number(cell: CellReading | None) -> float | None:
    return float(cell.numbers[0]) if cell is not None and cell.numbers else None


def _single(reading: CellReading, index: int) -> CellReading:
    if len(reading.numbers) <= 1:
        return reading
    return CellReading(
        raw_text=reading.raw_text, numbers=(reading.numbers[index],), unit=reading.unit
    )


def _starts_t4(row: LogicalRow) -> bool:
    flat = "".join(compact(f.text) for f in row.fragments)
    return "行政复议" in flat and "行政诉讼" in flat


def _column_windows(row: LogicalRow) -> list[list[CellReading | None]]:
    """The ways the row's cells fit the seven applicant columns, the usual reading first.

    On a TAB line a converter may add an empty cell after the label (a label spanning two
    columns) and drop the last one (an empty 总计): `label, '', 258, 12, '', '', 1, 1, ''`
    fits the columns from its first or its second cell. Each fit that reads differently is
    returned; the table's identities choose between them, or the cells stay uncertain."""
    usual = _seven_columns(row)
    width = len(APPLICANTS)
    if (
        not row.tabular
        or row.trailing_blanks == 0
        or len(row.values) + row.trailing_blanks <= width
    ):
        return [usual]
    cells = list(row.padded_values(len(row.values) + row.trailing_blanks))
    fits = [
        cells[start : start + width]
        for start in range(len(cells) - width + 1)
        if all(c.is_blank for c in cells[:start])
        and all(c.is_blank for c in cells[start + width :])
    ]
    windows: list[list[CellReading | None]] = [usual]
    seen = {_window_reading(usual)}
    for fit in fits:
        if any(len(c.numbers) > 1 for c in fit):
            continue  # a fused cell: read as printed by the usual rule
        if (reading := _window_reading(fit)) not in seen:
            seen.add(reading)
            windows.append([*fit])
    return windows


def _window_reading(window: Sequence[CellReading | None]) -> Reading:
    """A window's values as a reading ('' for a blank or absent cell)."""
    return tuple(c.numbers[0] if c is not None and c.numbers else "" for c in window)


def _shifted_cells(
    key: str,
    match: Match,
    row: LogicalRow,
    windows: list[list[CellReading | None]],
    resolution: Resolution,
    settled: tuple[Reading, set[int]] | None = None,
) -> list[Cell]:
    """The cells of a row read at the offset the identities chose; a cell that reads
    differently at another surviving offset is uncertain, with those readings, unless the
    offset was settled (`_settle_offsets`) and no broken identity touches the cell."""
    readings = [_window_reading(w) for w in windows]
    reading_chosen, sure = settled if settled is not None else (resolution.reading, set())
    chosen = windows[readings.index(reading_chosen)]
    cells = []
    for index, (applicant, reading) in enumerate(zip(APPLICANTS, chosen, strict=True)):
        if reading is None:
            continue
        cell = cell_from_reading("t3", key, applicant, reading, match, row.line)
        others = sorted({r[index] for r in resolution.alternatives} - {reading_chosen[index]})
        if others and index not in sure:
            # blank here, a number at another offset: offered, unless the offset was settled
            if cell.value_text is None and settled is None:
                cell.value_text = next(o for o in others if o)
                others = [o for o in others if o != cell.value_text] + [""]
            if cell.value_text is not None:
                cell.value_status = "uncertain"
                cell.alternatives = alternatives_json([[cell.value_text, *others]])
        cells.append(cell)
    return cells


def _seven_columns(row: LogicalRow) -> list[CellReading | None]:
    """The row's value cells aligned to the seven applicant columns (None = no cell)."""
    values = list(row.padded_values(len(APPLICANTS)))
    numbers = sum(len(v.numbers) for v in values)
    if (
        len(values) < len(APPLICANTS)
        and numbers == len(APPLICANTS)
        and not any(v.is_blank for v in values)
    ):
        return [_single(v, i) for v in values for i in range(len(v.numbers))]
    while len(values) > len(APPLICANTS) and values[0].is_blank:
        values.pop(0)
    if len(values) > len(APPLICANTS):
        values = values[-len(APPLICANTS) :]
    # fewer cells than columns: cells are right-aligned (总计 is the last column)
    return [None] * (len(APPLICANTS) - len(values)) + values


def _distribute_fused_cells(grid: list[tuple[Match, LogicalRow, list[CellReading | None]]]) -> None:
    """Extraction sometimes fuses the first cells of k consecutive rows into one cell ('0 0 3').

    When a cell holds k numbers and the next k-1 rows have a blank cell in the same column,
    give each row its own number (the raw text stays the fused cell's, for provenance).
    """
    for col in range(len(APPLICANTS)):
        for r, (_, _, columns) in enumerate(grid):
            cell = columns[col]
            if cell is None or len(cell.numbers) < 2:
                continue
            k = len(cell.numbers)
            below = [grid[r + j][2] for j in range(1, k) if r + j < len(grid)]
            if len(below) == k - 1 and all((c := b[col]) is not None and c.is_blank for b in below):
                for j, cols in enumerate([columns, *below]):
                    cols[col] = CellReading(
                        raw_text=cell.raw_text, numbers=(cell.numbers[j],), unit=cell.unit
                    )
            else:
                columns[col] = _single(cell, 0)


def _t3_order(reference: Reference) -> Callable[[TemplateRow], int]:
    """Print order of table 三's rows. Every v2019 code is also a v2021 row (v2019's single
    （六）其他处理 row is v2021's group caption), so v2021's order serves both."""
    order = {r.metric_code: i for i, r in enumerate(reference.rows_for("v2021"))}

    def key(row: TemplateRow) -> int:
        return order[row.metric_code]

    return key
