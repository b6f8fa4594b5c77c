"""Splitting glued digit runs back into cells.

Published text often prints a table row with no separator between cells:
`一、本年新收政府信息公开申请数量640020470` is 64,0,0,2,0,4,70. A run is cut into the
row's number of cells under the template's constraints: spaces in the run are cell boundaries,
no cell has a leading zero (a lone 0 is fine), and the row identities hold. Several rows are then
solved jointly against the table's column identities. When more than one reading survives, the
best one is kept as `uncertain` with the alternatives; a guess is never presented as printed.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

_CELL = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$")
MAX_READINGS = 5000  # readings kept for one row
MAX_VISITED = 200_000  # readings tried for one row

Reading = tuple[str, ...]


def is_cell(text: str) -> bool:
    return bool(_CELL.match(text))


def _cuts(token: str, parts: int) -> Iterator[Reading]:
    """Every way to cut one token into `parts` valid cells, in order."""
    if parts == 1:
        if is_cell(token):
            yield (token,)
        return
    for i in range(1, len(token) - parts + 2):
        head = token[:i]
        if not is_cell(head):
            continue
        for rest in _cuts(token[i:], parts - 1):
            yield (head, *rest)


def readings(tokens: Sequence[str], cells: int, limit: int = MAX_READINGS) -> list[Reading]:
    """All ways (up to `limit`) to read space-separated digit tokens as exactly `cells` cells.

    Each token holds at least one cell (a space is always a boundary).
    """
    return list(itertools.islice(iter_readings(tokens, cells), limit))


def iter_readings(tokens: Sequence[str], cells: int) -> Iterator[Reading]:
    """The readings of `readings`, lazily, in a fixed order."""
    tokens = [t for t in tokens if t]
    if not tokens or len(tokens) > cells:
        return

    def allocate(i: int, remaining: int, prefix: Reading) -> Iterator[Reading]:
        if i == len(tokens):
            if remaining == 0:
                yield prefix
            return
        digits = len(tokens[i].lstrip("-").replace(".", ""))
        for parts in range(1, min(remaining - (len(tokens) - i - 1), digits) + 1):
            for piece in _cuts(tokens[i], parts):
                yield from allocate(i + 1, remaining - parts, prefix + piece)

    yield from allocate(0, cells, ())


@dataclass
class Resolution:
    """The reading chosen for one row and how sure it is."""

    reading: Reading
    status: str  # printed | uncertain
    alternatives: list[Reading]


def resolve_row(
    tokens: Sequence[str],
    cells: int,
    row_rule: Callable[[Reading], bool] | None = None,
    max_visited: int = MAX_VISITED,
) -> list[Reading]:
    """Readings of one row that satisfy its own rule (every reading when there is no rule).

    At most `max_visited` readings are tried: a run so long that it has more readings than
    that is left unread rather than guessed.
    """
    found: list[Reading] = []
    for reading in itertools.islice(iter_readings(tokens, cells), max_visited):
        if row_rule is None or row_rule(reading):
            found.append(reading)
            if len(found) >= MAX_READINGS:
                break
    return found


def best_reading(options: Sequence[Reading]) -> Reading:
    """Among undecidable readings prefer the most even cell widths (then the first found)."""

    def unevenness(reading: Reading) -> float:
        widths = [len(c) for c in reading]
        mean = sum(widths) / len(widths)
        return sum((w - mean) ** 2 for w in widths)

    return min(options, key=unevenness)


def resolve_jointly(
    options: dict[str, list[Reading]],
    consistent: Callable[[dict[str, Reading]], bool],
    limit: int = 200_000,
) -> dict[str, Resolution]:
    """Choose one reading per row so that the table's identities hold.

    `options` maps a row key to its candidate readings. Rows with a single candidate are fixed.
    When the joint search leaves exactly one combination, every row is `printed`; otherwise rows
    whose reading differs between surviving combinations are `uncertain`.
    """
    keys = list(options)
    pools = [options[k] for k in keys]
    total = 1
    for pool in pools:
        total *= max(1, len(pool))
    survivors: list[tuple[Reading, ...]] = []
    if all(pools) and total <= limit:
        for combo in itertools.product(*pools):
            if consistent(dict(zip(keys, combo, strict=True))):
                survivors.append(combo)
    if not survivors:
        # the identities cannot be met (the report itself may break them): judge rows alone
        return {
            k: Resolution(
                reading=best_reading(p) if p else (),
                status="printed" if len(p) == 1 else "uncertain",
                alternatives=list(p) if len(p) > 1 else [],
            )
            for k, p in zip(keys, pools, strict=True)
        }
    out: dict[str, Resolution] = {}
    for index, key in enumerate(keys):
        distinct = list(dict.fromkeys(combo[index] for combo in survivors))
        if len(distinct) == 1:
            out[key] = Resolution(distinct[0], "printed", [])
        else:
            out[key] = Resolution(best_reading(distinct), "uncertain", distinct)
    return out
