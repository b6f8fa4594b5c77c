"""Template-constrained decoding: a table's values placed in its template's grid by order.

A national template fixes its tables: the rows in order, the cells of each row, and the
identities they satisfy. A rendering that separates labels from values (`pdftotext`, a PDF's
flat text, a converter's Markdown) still prints the values in order. So the values of a table
region (ingest/parse/stream.py) are aligned with the grid:

- **by row**: row after row, every row taking its cells in turn. The labels found among the
  values anchor it: a row's own label stands right before its values or right after them (a
  label centred beside a row lands on either side). A row that prints fewer values than it has
  cells (blanks lost in the rendering) cannot be placed column by column: it stays unread, and
  the values after it are aligned again. Stray values can be skipped. Each of these costs, and
  every alignment within a small margin of the cheapest is kept.
- **by column**: the whole grid column after column, when the count is exact.
- **by runs**: for a table whose values come in runs cut by header fragments (a dump that
  follows the page's text blocks), the runs in another order.

The identities (seeds/identity_checks.csv, ingest/parse/identities.py) then judge: the
alignments that break the fewest identities, and among them the cheapest, survive. A cell that
every survivor reads alike is `printed`; where they differ it is `uncertain`, with the readings
kept. A value is never placed in a row by a guess the identities and labels do not support:
without support (no identity can be checked and no label confirms the order) the cells are
`uncertain`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from ingest.parse.identities import TOLERANCE, IdentityInstance
from ingest.parse.matching import CandidateIndex, make_candidates
from ingest.parse.normalise import normalise_label, strip_numbering
from ingest.parse.output import Cell, alternatives_json
from ingest.parse.stream import Label, Stream, Value

Key = tuple[str, str]  # (metric_code, applicant)

ANCHOR_SCORE = 82.0  # a label this close to one row's label (and no other) anchors that row
PREFIX_MIN = 5  # a label's first characters, when this many or more, may name its row
VIOLATION = 1  # an anchor label on a line of its own, not beside its row's values
OWN_VIOLATION = 20  # a row's label printed on a line of values that are not the row's
UNIT_MISMATCH = 2  # a value whose printed unit is not its row's
INVALID_VALUE = 5  # a value its cell cannot hold (more than leaving it out as stray)
SKIPPED_VALUE = 3  # a value left out as stray
SHORT_ROW = 6  # a row that prints fewer values than cells (plus one per missing cell)
BROKEN_IDENTITY = 2  # a row whose own identity (total = sum of parts) fails as placed
COLUMN_BLOCK = 1  # a block of rows read column after column instead of row after row
MAX_COLUMN_BLOCK = 12  # rows in such a block, where rows may also be left out
MAX_COLUMN_BLOCK_WHOLE = 30  # … where every row is read in turn (the values fill the grid)
RUN_ORDER = 2  # runs of values read in another order than printed (plus one per inversion)
MARGIN = 2  # alignments this much costlier than the cheapest are still weighed
MAX_ALIGNMENTS = 400
MAX_VALUES_PER_CELL = 3  # a region holding more values than this is not the table alone
INF = float("inf")
MAX_RUN_ORDERS = 5040  # 7 runs


@dataclass(frozen=True)
class GridRow:
    key: str  # the row's metric code (or a block's)
    label: str  # the template's label, for provenance
    cells: tuple[Key, ...]  # in print order
    unit: str | None = None  # the unit column's unit, where the table prints one
    # what each cell may hold (`count`: a whole number, not negative; `signed`: a whole
    # number; `amount`: any number, not negative), where the template says; empty: anything
    domains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Grid:
    section: str
    rows: tuple[GridRow, ...]
    # captions of blocks of cells (table 四's 行政复议 / 未经复议直接起诉 / 复议后起诉): the
    # caption and the cells, as (row, column) positions, it heads
    captions: tuple[tuple[str, frozenset[tuple[int, int]]], ...] = ()

    @property
    def size(self) -> int:
        return sum(len(r.cells) for r in self.rows)


@dataclass(frozen=True)
class Anchor:
    """A label that names a grid row: the row's values start at `starts_at` when the label
    stands before them, or end at `ends_at` when it stands after them. A label stacked with
    others also stands for itself (`position`: right before or right after its values), for a
    stack may be one row's label after its values and the next row's before its own."""

    row: int
    starts_at: int
    ends_at: int
    on_value_line: bool
    label: Label

    @property
    def position(self) -> int:
        return self.label.position


@dataclass
class Alignment:
    """Values placed in the grid: per row the stream indices of its values, or None (unread)."""

    rows: list[list[int] | None]
    cost: int  # structural: anchors not beside their rows, gaps, blocks read by column
    order: str  # by_row | by_column | by_runs
    skipped: list[int] = field(default_factory=list)

    @property
    def read(self) -> int:
        return sum(len(r) for r in self.rows if r is not None)

    @property
    def plain(self) -> bool:
        """Every row in turn, in document order, nothing skipped or left out, every label
        beside its row."""
        return self.order == "by_row" and self.cost == 0


@dataclass
class DecodedCell:
    key: Key
    row: GridRow
    value: Value | None  # the reading kept (None: blank)
    status: str  # printed | blank | uncertain
    alternatives: list[str | None]
    anchor: Label | None


@dataclass
class Decoded:
    cells: list[DecodedCell]
    unread_rows: list[str]
    note: str
    order: str = "by_row"  # how the surviving reading ordered the values
    failures: int = 0  # identity instances the surviving reading breaks
    cost: float = 0.0  # the surviving reading's cost (structure and broken identities)

    @property
    def found(self) -> bool:
        return bool(self.cells)


class AnchorMatcher:
    """Finds which grid row a label names (its template label, an alias, or their start)."""

    def __init__(self, grid: Grid, aliases: dict[str, tuple[str, ...]]) -> None:
        entries = [(str(i), [r.label, *aliases.get(r.key, ())]) for i, r in enumerate(grid.rows)]
        self.index = CandidateIndex(make_candidates(entries))
        self.grid = grid

    def row_of(self, text: str, after: int = -1) -> int | None:
        """The one row `text` names, else None (no row, or several equally well). Rows that
        share a label (（三）其他情形数 under 复议 and under 诉讼) are told apart by order: the
        first of them after row `after`."""
        return self.scored_row(text, after)[0]

    def scored_row(self, text: str, after: int = -1) -> tuple[int | None, float]:
        """`row_of`, with the score it matched at (0 when none)."""
        best: dict[int, float] = {}
        parts = text.split()
        for start in range(len(parts)):  # the label itself, then without a stray prefix
            self._score("".join(parts[start:]), best)
        row = self._winner(best, after)
        return row, (max(best.values()) if row is not None else 0.0)

    def rows_of(self, text: str, after: int = -1) -> list[int]:
        """The rows a label cell names, in order: a converter may print a row's label and the
        next row's in one cell (`5.属于三类内部事务信息 6.属于四类过程性信息`). Each
        space-separated part is matched alone; one row, or none, unless two or more parts
        each name a different row."""
        return self.scored_rows(text, after)[0]

    def scored_rows(self, text: str, after: int = -1) -> tuple[list[int], float]:
        """`rows_of`, with how well: the score of a single row's match, 100 for a cell that
        names several rows outright."""
        rows: list[int] = []
        for part in text.split():
            best: dict[int, float] = {}
            self._score(part, best)
            row = self._winner(best, rows[-1] if rows else after)
            if row is not None and row not in rows:
                rows.append(row)
        if len(rows) >= 2:
            return rows, 100.0
        row, score = self.scored_row(text, after)
        return ([row] if row is not None else []), score

    def _score(self, text: str, best: dict[int, float]) -> None:
        norm = normalise_label(text)
        bare = strip_numbering(norm)
        if len(bare) < 2:
            return
        for number, score, _ in self.index.candidate_scores(norm, ANCHOR_SCORE):
            best[number] = max(best.get(number, 0.0), score)
        if len(bare) >= PREFIX_MIN:
            for number, cand in enumerate(self.index.candidates):
                if any(strip_numbering(lab).startswith(bare) for lab in cand.labels):
                    best[number] = max(best.get(number, 0.0), ANCHOR_SCORE)

    def _winner(self, best: dict[int, float], after: int = -1) -> int | None:
        if not best:
            return None
        top = max(best.values())
        winners = sorted(
            int(self.index.candidates[n].key) for n, s in best.items() if s >= top - 1e-9
        )
        if len(winners) == 1:
            return winners[0]
        if self._same_label(winners):  # one label, several rows: the next in order
            later = [w for w in winners if w > after]
            return later[0] if later else None
        return None

    def begins(self, row: int, text: str) -> bool:
        """Whether `text` is how the row's label (or an alias) begins: the first piece of a
        label wrapped over lines, not a header that happens to stand before it."""
        piece = strip_numbering(normalise_label(text))
        labels = self.index.candidates[row].labels  # candidates are in the grid's order
        return bool(piece) and any(strip_numbering(lab).startswith(piece) for lab in labels)

    def _same_label(self, rows: list[int]) -> bool:
        labels = {strip_numbering(normalise_label(self.grid.rows[r].label)) for r in rows}
        return len(labels) == 1


def anchors_of(stream: Stream, matcher: AnchorMatcher) -> list[Anchor]:
    """The labels that name grid rows. Labels stacked at one place (a cell naming a row and
    the next, or a run of rows' labels printed before or after the run's values) anchor
    their rows in turn: before the values, the first row starts there and each next one
    where the rows before it end; after them, the last row ends there."""
    widths = [len(row.cells) for row in matcher.grid.rows]
    named = [(label, row) for label, rows in _named_labels(stream.labels, matcher) for row in rows]
    out: list[Anchor] = []
    k = 0
    while k < len(named):
        stack = [named[k]]
        while k + len(stack) < len(named):
            label, row = named[k + len(stack)]
            same_cell = label is stack[-1][0]
            apart = not label.on_value_line and not stack[-1][0].on_value_line
            if label.position != named[k][0].position or row <= stack[-1][1]:
                break
            if not (same_cell or apart):
                break  # a row's own label on its value line starts a stack of its own
            stack.append((label, row))
        k += len(stack)
        # the stack names rows in the grid's order; rows between them whose labels were not
        # recognised still hold their values in between
        position = stack[0][0].position
        first, last = stack[0][1], stack[-1][1]
        for n, (label, row) in enumerate(stack):
            starts_at = position + sum(widths[first:row])
            ends_at = position - sum(widths[row + 1 : last + 1])
            own = label.on_value_line and n == 0
            out.append(Anchor(row, starts_at, ends_at, own, label))
    return out


def _fits(domain: str, number: float) -> bool:
    """Whether a cell of `domain` can hold `number` (a blank, NaN, fits every cell)."""
    if np.isnan(number) or domain not in ("count", "signed", "amount"):
        return True
    if domain == "amount":
        return number >= 0
    whole = float(number).is_integer()
    return whole and (domain == "signed" or number >= 0)


def cell_domain(unit: str) -> str:
    """What a template row's cells hold, from its unit (seeds/template_rows.csv): `signed`
    where the unit says so, `amount` for money (元, 万元), `count` otherwise."""
    if "signed" in unit:
        return "signed"
    return "amount" if "元" in unit else "count"


def _named_labels(labels: list[Label], matcher: AnchorMatcher) -> list[tuple[Label, list[int]]]:
    """Each label with the rows it names. A label wrapped over lines (`1．属于` / `已主动公开
    范围数`, or `（一）维持具体行政` / `行为数`) is read with the pieces after it at the same
    place, up to three in all: the reading that names a row best wins (a piece alone may
    name a row by its start or by a loose match that the whole label beats)."""
    out = []
    j = 0
    previous = -1
    while j < len(labels):
        label = labels[j]
        rows, best = matcher.scored_rows(label.text, previous)
        span = 1
        if not label.on_value_line:
            for extra in (1, 2):
                pieces = labels[j : j + extra + 1]
                if len(pieces) <= extra or any(
                    p.position != label.position or p.on_value_line for p in pieces
                ):
                    break
                joined, score = matcher.scored_rows("".join(p.text for p in pieces), previous)
                if joined and score > best and matcher.begins(joined[0], label.text):
                    rows, best, span = joined, score, extra + 1
        out.append((label, rows))
        previous = rows[-1] if rows else previous
        j += span
    return out


def _block_anchor_cost(anchors: Sequence[Anchor], start: int, end: int) -> int:
    """What a row's labels cost when its row is one of a block read column after column
    ([start, end) is the block's): its labels stand before the block or after it."""
    cost = 0
    for a in anchors:
        if a.on_value_line:
            cost += 0 if a.label.position == start else OWN_VIOLATION
        else:
            cost += 0 if a.label.position in (start, end) else VIOLATION
    return cost


def _anchor_cost(anchors: Sequence[Anchor], start: int, end: int, side: str = "either") -> int:
    """What a row's labels cost when the row holds the values [start, end): a label on a line
    of values must stand right before them (a row left out leaves its label's values to
    another row); a label on a line of its own right before them or right after them
    (`side`: `either`, or, for a table of one value per row, where the rendering puts all its
    labels: `before` or `after`)."""
    cost = 0
    for a in anchors:
        if a.on_value_line:
            cost += 0 if a.starts_at == start < end else OWN_VIOLATION
        elif side == "before":
            cost += 0 if a.starts_at == start else VIOLATION
        elif side == "after":
            cost += 0 if a.ends_at == end else VIOLATION
        else:
            beside = a.starts_at == start or a.ends_at == end or a.position in (start, end)
            cost += 0 if beside else VIOLATION
    return cost


class RowChecks:
    """Each grid row's own identities as coefficient rows (+1 lhs, -1 rhs), so a placement
    of values is checked in one product; a blank (NaN) leaves an identity unassessed."""

    def __init__(self, grid: Grid, identities: Sequence[IdentityInstance]) -> None:
        self.matrices: list[np.ndarray | None] = []
        shared: dict[bytes, np.ndarray] = {}  # rows with the same identities share one matrix
        for row in grid.rows:
            position = {key: j for j, key in enumerate(row.cells)}
            own = [i for i in identities if all(k in position for k in i.cells)]
            if not own:
                self.matrices.append(None)
                continue
            matrix = np.zeros((len(own), len(row.cells)))
            for r, instance in enumerate(own):
                for key in instance.lhs:
                    matrix[r, position[key]] += 1
                for key in instance.rhs:
                    matrix[r, position[key]] -= 1
            self.matrices.append(shared.setdefault(matrix.tobytes(), matrix))

    def broken(self, k: int, values: np.ndarray) -> int:
        """How many of row k's identities `values` (the row's cells, in order) break."""
        matrix = self.matrices[k]
        if matrix is None:
            return 0
        return int(np.count_nonzero(np.abs(matrix @ values) > TOLERANCE))

    def broken_block(self, k: int, block: np.ndarray) -> int:
        """`broken` summed over the rows k, k+1, … that the rows of `block` hold."""
        matrices = self.matrices[k : k + len(block)]
        first = matrices[0]
        if first is not None and all(m is first for m in matrices):
            return int(np.count_nonzero(np.abs(block @ first.T) > TOLERANCE))
        return sum(self.broken(k + j, row) for j, row in enumerate(block))


def align_by_row(
    grid: Grid,
    stream: Stream,
    anchors: list[Anchor],
    checks: RowChecks | None = None,
    gaps: bool = True,
    side: str = "either",
) -> list[Alignment]:
    """Every by-row alignment within MARGIN of the cheapest (at most MAX_ALIGNMENTS).

    A row takes its cells in turn; a block of rows may instead come column after column (a
    dump that follows text blocks prints a block of rows that way). With `gaps`, a row may
    also print fewer values than cells (left unread) and a stray value may be skipped. A
    row's own identities (`checks`: its total is the sum of its parts) cost when broken, so
    the order in which each block reads true is the cheaper one."""
    n, k_rows = len(stream.values), len(grid.rows)
    widths = [len(r.cells) for r in grid.rows]
    by_row: dict[int, list[Anchor]] = {}
    for a in anchors:
        by_row.setdefault(a.row, []).append(a)
    breaks = _breaks(stream) if gaps else set()
    line_end = [0] * n  # where the values of the line holding value i end
    for i in range(n - 1, -1, -1):
        same = i + 1 < n and stream.values[i + 1].line == stream.values[i].line
        line_end[i] = line_end[i + 1] if same else i + 1
    lone = [0] * (n + 1)  # how many of the first values stand alone on their line
    for i in range(n):
        lone[i + 1] = lone[i] + (line_end[i] == i + 1 and (i == 0 or line_end[i - 1] == i))
    numbers = np.array(
        [np.nan if v.number is None else float(v.number) for v in stream.values] + [np.nan]
    )

    def broken(k: int, values: np.ndarray) -> int:
        return checks.broken(k, values) if checks is not None else 0

    def labels(k: int, start: int, end: int) -> int:
        return _anchor_cost(by_row.get(k, ()), start, end, side)

    def units(k: int, start: int, end: int) -> int:
        """A value printed with a unit other than its row's (件 where the row counts 条)."""
        unit = grid.rows[k].unit
        if not unit:
            return 0
        return UNIT_MISMATCH * sum(1 for v in stream.values[start:end] if v.unit and v.unit != unit)

    def misfits(k: int, indices: Sequence[int]) -> int:
        """Values their cells cannot hold (-49 or 247.5 in a count of requests)."""
        domains = grid.rows[k].domains
        if not domains:
            return 0
        return INVALID_VALUE * sum(
            1 for d, i in zip(domains, indices, strict=True) if not _fits(d, numbers[i])
        )

    def moves(k: int, i: int) -> list[Move]:
        """(search cost, structural cost, next k, next i, the rows placed; None for a skipped
        value). The search cost adds the rows' broken identities to the structural cost."""
        out: list[Move] = []
        if k < k_rows:
            w = widths[k]
            if i + w <= n:
                cost = labels(k, i, i + w) + units(k, i, i + w) + misfits(k, range(i, i + w))
                failing = broken(k, numbers[i : i + w])
                out.append((cost + BROKEN_IDENTITY * failing, cost, k + 1, i + w, (i, 1, w)))
                out.extend(by_column_blocks(k, i, w))
            if gaps:
                for c in range(w):
                    if i + c <= n and (c == 0 or i + c in breaks):
                        cost = SHORT_ROW + (w - c) + labels(k, i, i + c)
                        out.append((cost, cost, k + 1, i + c, (i, 0, c)))
        if gaps and i < n:
            out.append((SKIPPED_VALUE, SKIPPED_VALUE, k, i + 1, None))
            end = line_end[i]
            if end - i > 1:  # the rest of a line of values, stray as a whole
                cost = SKIPPED_VALUE * 2
                out.append((cost, cost, k, end, None))
        return out

    def by_column_blocks(k: int, i: int, w: int) -> list[Move]:
        out: list[Move] = []
        if w == 1:
            return out  # rows of one value read the same either way
        longest = MAX_COLUMN_BLOCK if gaps else MAX_COLUMN_BLOCK_WHOLE
        for r in range(2, min(longest, k_rows - k) + 1):
            if widths[k + r - 1] != w or i + r * w > n:
                break
            block = numbers[i : i + r * w].reshape(w, r).T  # row j of the block
            # a dump of one value a line may read either way: a block by column costs no
            # more than its rows in turn there (the identities, or nothing, tell them apart)
            by_line = lone[i + r * w] - lone[i] == r * w
            cost = (0 if by_line else COLUMN_BLOCK) + sum(
                _block_anchor_cost(by_row.get(k + j, ()), i, i + r * w)
                + misfits(k + j, [i + c * r + j for c in range(w)])
                for j in range(r)
            )
            failing = checks.broken_block(k, block) if checks is not None else 0
            out.append((cost + BROKEN_IDENTITY * failing, cost, k + r, i + r * w, (i, r, w)))
        return out

    # the cheapest cost from (k, i) to the end, over the states reachable from the start
    table: dict[tuple[int, int], list[Move]] = {}
    togo: dict[tuple[int, int], float] = {(k_rows, n): 0.0}
    order: list[tuple[int, int]] = []
    pending = [(0, 0)]
    seen = {(0, 0)}
    while pending:  # discover reachable states; every move goes forward
        state = pending.pop()
        order.append(state)
        if state == (k_rows, n):
            continue
        table[state] = moves(*state)
        for _, _, nk, ni, _ in table[state]:
            if (nk, ni) not in seen:
                seen.add((nk, ni))
                pending.append((nk, ni))
    for state in sorted(order, key=lambda s: (s[0] + s[1], s[0]), reverse=True):
        if state != (k_rows, n):
            togo[state] = min(
                (c + togo.get((nk, ni), INF) for c, _, nk, ni, _ in table[state]), default=INF
            )
    if togo.get((0, 0), INF) == INF:
        return []
    budget = togo[(0, 0)] + MARGIN
    found: list[Alignment] = []

    def walk(
        k: int, i: int, spent: float, built: int, rows: list[list[int] | None], skipped: list[int]
    ) -> None:
        if len(found) >= MAX_ALIGNMENTS:
            return
        if k == k_rows and i == n:
            found.append(Alignment(list(rows), built, "by_row", list(skipped)))
            return
        for search, cost, nk, ni, placed in table[(k, i)]:
            if spent + search + togo.get((nk, ni), INF) > budget:
                continue
            if placed is None:  # skipped values
                skipped.extend(range(i, ni))
                walk(nk, ni, spent + search, built + cost, rows, skipped)
                del skipped[len(skipped) - (ni - i) :]
            else:
                placed_rows = _placed(*placed)
                rows.extend(placed_rows)
                walk(nk, ni, spent + search, built + cost, rows, skipped)
                del rows[len(rows) - len(placed_rows) :]

    walk(0, 0, 0, 0, [], [])
    return found


# (search cost, structural cost, next row, next value, placement: (start, rows, width) or
# None for a skipped value; rows 0 is a row left unread, 1 a row in turn, r > 1 a block of r
# rows read column after column)
Move = tuple[float, int, int, int, "tuple[int, int, int] | None"]


def _placed(start: int, rows: int, width: int) -> list[list[int] | None]:
    """The stream indices of each row a placement fills (None: a row left unread)."""
    if rows == 0:
        return [None]
    if rows == 1:
        return [list(range(start, start + width))]
    return [[start + c * rows + j for c in range(width)] for j in range(rows)]


def align_by_column(grid: Grid, stream: Stream) -> Alignment | None:
    """The grid filled column after column (all rows equally wide, exact count)."""
    widths = {len(r.cells) for r in grid.rows}
    if len(widths) != 1 or len(grid.rows) < 2 or len(stream.values) != grid.size:
        return None
    if widths == {1}:
        return None  # one value a row: by column is by row
    width, k_rows = widths.pop(), len(grid.rows)
    rows: list[list[int] | None] = [
        [column * k_rows + k for column in range(width)] for k in range(k_rows)
    ]
    return Alignment(rows, COLUMN_BLOCK, "by_column")


def align_by_runs(grid: Grid, stream: Stream) -> list[Alignment]:
    """The runs of values in every other order, for a grid the stream fills exactly."""
    spans = stream.run_spans()
    if len(stream.values) != grid.size or not 2 <= len(spans) <= 7:
        return []
    out = []
    numbered = list(enumerate(spans))
    for order in itertools.islice(itertools.permutations(numbered), 1, MAX_RUN_ORDERS):
        flat = [i for _, (start, end) in order for i in range(start, end)]
        rows: list[list[int] | None] = []
        at = 0
        for row in grid.rows:
            rows.append(flat[at : at + len(row.cells)])
            at += len(row.cells)
        # the fewer runs out of their printed order, the likelier
        moved = sum(1 for a, b in itertools.combinations(order, 2) if a[0] > b[0])
        out.append(Alignment(rows, RUN_ORDER + moved, "by_runs"))
    return out


def _breaks(stream: Stream) -> set[int]:
    """Stream positions where a row may end short: a label or a new line comes between."""
    out = {len(stream.values)}
    out.update(stream.runs)
    for i in range(1, len(stream.values)):
        if stream.values[i].line != stream.values[i - 1].line:
            out.add(i)
    return out


def _numbers(grid: Grid, stream: Stream, alignment: Alignment) -> dict[Key, float | None]:
    out: dict[Key, float | None] = {}
    for row, indices in zip(grid.rows, alignment.rows, strict=True):
        if indices is None:
            continue
        for key, index in zip(row.cells, indices, strict=True):
            number = stream.values[index].number
            out[key] = float(number) if number is not None else None
    return out


def _failures(instances: Sequence[IdentityInstance], values: dict[Key, float | None]) -> int:
    return sum(1 for i in instances if i.status(values) == "fail")


def _assessed(instances: Sequence[IdentityInstance], values: dict[Key, float | None]) -> int:
    return sum(1 for i in instances if i.status(values) != "not_assessable")


def decode(
    grid: Grid,
    stream: Stream,
    anchors: list[Anchor],
    identities: Sequence[IdentityInstance],
    allow_run_orders: bool = False,
    side: str = "either",
) -> Decoded:
    """The grid's cells read from the stream (see the module's description)."""
    if not stream.values:
        return Decoded([], [r.key for r in grid.rows], "no values in the table region")
    if len(stream.values) > MAX_VALUES_PER_CELL * grid.size:
        note = f"{len(stream.values)} values in the region of a {grid.size}-cell table"
        return Decoded([], [r.key for r in grid.rows], note)
    checks = RowChecks(grid, identities)
    candidates: list[Alignment] = []
    if len(stream.values) == grid.size:
        settled = _settled_by_identities(grid, stream, identities)
        if settled is not None:
            return settled
    if len(stream.values) == grid.size:  # every row in turn first: the common case, quick
        candidates = align_by_row(grid, stream, anchors, checks, gaps=False, side=side)
        readings = [_numbers(grid, stream, c) for c in candidates]
        if not any(_failures(identities, v) == 0 for v in readings):
            candidates = []
    if not candidates:
        candidates = align_by_row(grid, stream, anchors, checks, gaps=True, side=side)
    by_column = align_by_column(grid, stream)
    if by_column is not None:
        candidates.append(by_column)
    if not candidates:
        return Decoded([], [r.key for r in grid.rows], "the values do not fit the grid")
    scored = [(c, _numbers(grid, stream, c)) for c in candidates]
    fails = [_failures(identities, values) for _, values in scored]
    if allow_run_orders and min(fails) > 0:
        for alignment in align_by_runs(grid, stream):
            values = _numbers(grid, stream, alignment)
            if _failures(identities, values) == 0:
                scored.append((alignment, values))
                fails.append(0)
    # the plainest order that breaks the fewest identities: each broken identity costs as
    # much as it does in the search (a row left unread breaks none, but costs its gap)
    totals = [c.cost + BROKEN_IDENTITY * f for (c, _), f in zip(scored, fails, strict=True)]
    lowest = min(totals)
    survivors = []
    placements = set()
    for (alignment, values), total in zip(scored, totals, strict=True):
        placed = tuple(tuple(r) if r is not None else None for r in alignment.rows)
        if total == lowest and placed not in placements:  # one reading found by two paths
            placements.add(placed)
            survivors.append((alignment, values))
    if len(survivors) > 1 and grid.captions:
        survivors = _best_by_captions(grid, stream, survivors)
    best_fail = min(f for f, t in zip(fails, totals, strict=True) if t == lowest)
    supported = _supported_rows(grid, survivors, anchors, identities, side)
    decoded = _cells(grid, stream, survivors, anchors, supported, best_fail)
    decoded.cost = lowest
    return decoded


def _settled_by_identities(
    grid: Grid, stream: Stream, identities: Sequence[IdentityInstance]
) -> Decoded | None:
    """The values fill the grid exactly: read row after row (or column after column), with
    no regard for the labels, does one reading check every row by an identity and break
    none? Then the table is read, whatever its labels say (a converter may print a row's
    label on the line of the row before)."""
    readings = [
        Alignment(
            [
                list(range(start, start + len(row.cells)))
                for start, row in zip(_starts(grid), grid.rows, strict=True)
            ],
            0,
            "by_row",
        )
    ]
    if (by_column := align_by_column(grid, stream)) is not None:
        readings.append(by_column)
    row_of = {key: k for k, row in enumerate(grid.rows) for key in row.cells}
    settled = []
    for alignment in readings:
        values = _numbers(grid, stream, alignment)
        statuses = [(i, i.status(values)) for i in identities]
        if any(status == "fail" for _, status in statuses):
            continue
        checked = {row_of[key] for i, status in statuses if status == "pass" for key in i.cells}
        if len(checked) == len(grid.rows):
            settled.append((alignment, values))
    if len(settled) != 1:
        return None
    alignment, _ = settled[0]
    every_row = set(range(len(grid.rows)))
    decoded = _cells(grid, stream, settled, [], every_row, 0)
    decoded.note = f"{decoded.note}; every row checked by an identity"
    return decoded


def _starts(grid: Grid) -> list[int]:
    starts, at = [], 0
    for row in grid.rows:
        starts.append(at)
        at += len(row.cells)
    return starts


def _best_by_captions(
    grid: Grid,
    stream: Stream,
    survivors: list[tuple[Alignment, dict[Key, float | None]]],
) -> list[tuple[Alignment, dict[Key, float | None]]]:
    """Among equally good readings, those that put the most values printed right after a
    block's caption into that block (a dump that scrambles 四's runs keeps a caption before
    its block's values)."""
    printed = [
        (caption, block, label.position)
        for label in stream.labels
        for caption, block in grid.captions
        if normalise_label(label.text) == normalise_label(caption)
    ]
    if not printed:
        return survivors

    def agreement(alignment: Alignment) -> int:
        where = {
            index: (k, column)
            for k, indices in enumerate(alignment.rows)
            if indices is not None
            for column, index in enumerate(indices)
        }
        return sum(1 for _, block, position in printed if where.get(position) in block)

    scores = [agreement(a) for a, _ in survivors]
    return [sv for sv, score in zip(survivors, scores, strict=True) if score == max(scores)]


def _supported_rows(
    grid: Grid,
    survivors: list[tuple[Alignment, dict[Key, float | None]]],
    anchors: list[Anchor],
    identities: Sequence[IdentityInstance],
    side: str,
) -> set[int]:
    """The rows whose placement the evidence carries: all of them when one plain reading in
    document order survives (a report may print inconsistent numbers); else a row that
    identities check and none breaks in any surviving reading, or, in a reading that breaks
    no identity, whose own label stands beside its values."""
    first, _ = survivors[0]
    placed = {k for k, r in enumerate(first.rows) if r is not None}
    if len(survivors) == 1 and first.plain:
        return placed
    row_of = {key: k for k, row in enumerate(grid.rows) for key in row.cells}
    touching: dict[int, list[IdentityInstance]] = {}
    for instance in identities:
        for k in {row_of[key] for key in instance.cells if key in row_of}:
            touching.setdefault(k, []).append(instance)
    out = set()
    for k in placed:
        statuses = {i.status(values) for _, values in survivors for i in touching.get(k, [])}
        # a row's own identity over all its cells (its total is the sum of its parts) holds
        # wherever its values stand: only an identity across rows, or over some of the
        # row's cells (table 四's blocks), speaks for where they stand
        whole_row = set(grid.rows[k].cells)
        across = {
            i.status(values)
            for _, values in survivors
            for i in touching.get(k, [])
            if set(i.cells) != whole_row
        }
        if "pass" in across and "fail" not in statuses:
            out.add(k)
    if any(i.status(values) == "fail" for _, values in survivors for i in identities):
        return out  # a reading that breaks identities: its labels vouch for no row
    labelled: dict[int, list[Anchor]] = {}
    for a in anchors:
        labelled.setdefault(a.row, []).append(a)
    for k, row_anchors in labelled.items():
        indices = first.rows[k] if k < len(first.rows) else None
        broken = any(
            i.status(values) == "fail" for _, values in survivors for i in touching.get(k, [])
        )
        if (
            k in placed
            and indices
            and not broken  # a label is no evidence for values an identity rejects
            and _anchor_cost(row_anchors, min(indices), max(indices) + 1, side) == 0
        ):
            out.add(k)
    return out


def _cells(
    grid: Grid,
    stream: Stream,
    survivors: list[tuple[Alignment, dict[Key, float | None]]],
    anchors: list[Anchor],
    supported: set[int],
    best_fail: int,
) -> Decoded:
    first = survivors[0][0]
    anchor_by_row = {a.row: a.label for a in anchors}
    cells: list[DecodedCell] = []
    unread: list[str] = []
    for k, row in enumerate(grid.rows):
        placements = [c.rows[k] for c, _ in survivors]
        if all(p is None for p in placements):
            unread.append(row.key)
            continue
        for column, key in enumerate(row.cells):
            readings: list[Value | None] = [
                stream.values[p[column]] if p is not None else None for p in placements
            ]
            kept = next((r for r in readings if r is not None), None)
            numbers = list(dict.fromkeys(r.number if r else "(unread)" for r in readings))
            agree = len(numbers) == 1
            if kept is None:
                continue
            if agree and k in supported:
                status = "printed" if kept.number is not None else "blank"
                alternatives: list[str | None] = []
            else:
                status = "uncertain"
                alternatives = [kept.number] + [
                    n for n in numbers if n not in ("(unread)", kept.number)
                ]
            cells.append(DecodedCell(key, row, kept, status, alternatives, anchor_by_row.get(k)))
    note = (
        f"table {grid.section} decoded {first.order.replace('_', ' ')} from "
        f"{len(stream.values)} values"
        + (f"; {len(survivors)} readings survive" if len(survivors) > 1 else "")
        + (f"; identities failing: {best_fail}" if best_fail else "")
        + (f"; rows unread: {', '.join(unread)}" if unread else "")
    )
    return Decoded(cells, unread, note, first.order, best_fail)


def decoded_cells(section: str, decoded: Decoded) -> list[Cell]:
    """The decoded cells as the parser stores them (raw.cells): the value's own line, the
    row's label where one anchored it, the readings of an uncertain cell."""
    out = []
    for cell in decoded.cells:
        value = cell.value
        assert value is not None
        anchored = cell.anchor is not None
        out.append(
            Cell(
                section,
                cell.key[0],
                cell.key[1],
                cell.anchor.text if cell.anchor is not None else cell.row.label,  # row_label
                value.raw,
                value.number,
                value.unit,
                cell.status,
                value.line,
                "structure",
                100.0 if anchored else None,
                alternatives_json([cell.alternatives]) if cell.status == "uncertain" else None,
            )
        )
    return out
