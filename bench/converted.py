"""The "converted" family: the synthetic reports as PDF converters and text dumps give them.

Issue #27 lists what real converted text shows; each phenomenon here reproduces one of them
as text or Markdown directly (no PDF needed), on the tables of bench/synthetic.py, so the
report's drawn numbers stay the truth:

- `labels_apart`: a row's label on lines of its own (wrapped over two or three lines, header
  cells split into fragments such as `商业企` / `科研机`), its numbers on another line, and
  runs of value rows with no label between them;
- `markdown_broken`: pipe tables cut into small tables at every merged cell, header
  fragments merged into the first body row, a label cell holding the next row's label too,
  `|---|` rows mid-table (a `.md` file, read by ingest/extract/markdown.py);
- `by_column`: a table's values column by column (all of the first column, then the next);
- `by_column_paged`: the same, one page-half at a time (the two halves' columns interleave);
- `merged_labels`: merged cells (三、本年度办理结果, （三）不予公开, …; the old template's
  units) printed once, on a line of their own before the first of their rows, in the
  middle, or after the last;
- `page_furniture`: page numbers (`- 3 -`, `— 3 —`, `第 3 页 共 9 页`, a bare `3`), running
  heads, a browser's print header and footer (date and title, URL and `3/9`) between the
  rows of a table, which goes on without its header;
- `no_title`: no title line in the body: the title is only in the file name;
- `glued_headings`: section headings with no newline before them;
- `markdown_headings`: `#` headings and pipe tables (a `.md` file);
- `look_alike`: CJK radicals for ordinary characters (`人⺠`, `⼯作`), full-width digits,
  `〇` for zero.

``converted(report, phenomenon, seed)`` gives a :class:`Converted`: the file's bytes, its
suffix and name (the parser's file-name hint), and the report with its truth.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from bench.synthetic import Cell, SyntheticReport, sections
from ingest.parse.national_tables import t2_entities
from ingest.parse.reference import Reference, default_reference

PHENOMENA = (
    "labels_apart",
    "markdown_broken",
    "by_column",
    "by_column_paged",
    "merged_labels",
    "page_furniture",
    "no_title",
    "glued_headings",
    "markdown_headings",
    "look_alike",
)
MARKDOWN = frozenset({"markdown_broken", "markdown_headings"})
BY_COLUMN = frozenset({"by_column", "by_column_paged"})

# What Word-saved PDFs' text layers carry for ordinary characters: CJK Radicals Supplement
# forms, which NFKC leaves as they are, and Kangxi radicals, which NFKC folds back.
SUPPLEMENT_RADICALS = {
    "民": "⺠",
    "见": "⻅",
    "长": "⻓",
    "门": "⻔",
    "页": "⻚",
    "风": "⻛",
    "飞": "⻜",
    "马": "⻢",
    "车": "⻋",
    "贝": "⻉",
    "龙": "⻰",
    "齐": "⻬",
    "黄": "⻩",
}
KANGXI_RADICALS = {
    unicodedata.normalize("NFKC", chr(code)): chr(code)
    for code in range(0x2F00, 0x2FD6)
    if unicodedata.normalize("NFKC", chr(code)) in "人工行文日月用生立方大小入自至面高"
}
LOOK_ALIKE = {**KANGXI_RADICALS, **SUPPLEMENT_RADICALS}
FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(frozen=True)
class Converted:
    """One converted rendering of a report: the file as a user has it, and its truth."""

    report: SyntheticReport
    phenomenon: str
    data: bytes
    suffix: str  # `.txt` or `.md`
    file_name: str  # the parser's file-name hint
    # cells the rendering itself leaves undecided: no reader can tell their values apart
    # (table 二's blocks dumped by column, one value a line: read by row, they differ)
    ambiguous: frozenset[tuple[str, str]] = frozenset()

    @property
    def text(self) -> str:
        return self.data.decode("utf-8")


@dataclass
class _Row:
    """A table row as printed: its label cells (with their spans) and its value texts."""

    labels: list[Cell]
    values: list[str]

    @property
    def label(self) -> str:
        return " ".join(c.text for c in self.labels if c.text)


Block = tuple[str, "str | list[_Row]"]  # a heading with its prose or table


def _blocks(report: SyntheticReport, reference: Reference) -> list[Block]:
    blocks: list[Block] = []
    for heading, body in sections(report, reference):
        if isinstance(body, str):
            blocks.append((heading, body))
        else:
            rows = [
                _Row([c for c in row if not c.is_value], [c.text for c in row if c.is_value])
                for row in body
            ]
            blocks.append((heading, rows))
    return blocks


def converted(
    report: SyntheticReport, phenomenon: str, seed: int, reference: Reference | None = None
) -> Converted:
    """``report`` rendered with ``phenomenon`` (one of PHENOMENA)."""
    reference = reference or default_reference()
    rng = random.Random(f"converted-{phenomenon}-{report.template}-{seed}")
    blocks = _blocks(report, reference)
    if phenomenon in MARKDOWN:
        lines = _markdown(report, blocks, rng, broken=phenomenon == "markdown_broken")
        suffix = ".md"
    else:
        table = _TABLE_LAYOUTS.get(phenomenon, _plain_table)
        lines = _text(report, blocks, rng, table, phenomenon)
        suffix = ".txt"
    text = "\n".join(lines) + "\n"
    if phenomenon == "look_alike":
        text = "".join(LOOK_ALIKE.get(ch, ch) for ch in text)
    name = f"{report.title}{suffix}" if phenomenon == "no_title" else f"report_{seed}{suffix}"
    ambiguous = _by_column_ambiguous(report, reference) if phenomenon in BY_COLUMN else frozenset()
    return Converted(report, phenomenon, text.encode("utf-8"), suffix, name, ambiguous)


def _by_column_ambiguous(report: SyntheticReport, reference: Reference) -> frozenset:
    """Table 二's cells a dump by column leaves undecided. A block of two or more entities
    of equal width, printed column after column one value a line after its labels, reads
    as well row after row, and table 二 has no identities to tell the two apart: the cells
    where the two readings differ are ambiguous."""
    if report.template == "old":
        return frozenset()
    entities = t2_entities(reference.rows_for(report.t2_template))
    blocks: dict[str, list] = {}
    for entity in entities:
        blocks.setdefault(entity.block, []).append(entity)
    out = set()
    for members in blocks.values():
        widths = {len(e.columns) for e in members}
        if len(members) < 2 or len(widths) != 1 or widths == {1}:
            continue
        width = widths.pop()
        codes = [[f"t2.{e.block}.{e.entity}.{c}" for c, _ in e.columns] for e in members]
        truth = [[report.values[(code, "total")] for code in row] for row in codes]
        stream = [truth[j][c] for c in range(width) for j in range(len(members))]
        for j, row in enumerate(codes):
            for c, code in enumerate(row):
                if stream[j * width + c] != truth[j][c]:
                    out.add((code, "total"))
    return frozenset(out)


TableLayout = Callable[[list[_Row], random.Random, SyntheticReport], list[str]]


def _text(
    report: SyntheticReport,
    blocks: list[Block],
    rng: random.Random,
    table: TableLayout,
    phenomenon: str,
) -> list[str]:
    lines: list[str] = [] if phenomenon == "no_title" else [report.title, ""]
    for heading, body in blocks:
        if phenomenon == "glued_headings" and lines and lines[-1] and rng.random() < 0.7:
            lines[-1] += heading  # no newline before the heading
        else:
            lines.append(heading)
        if isinstance(body, str):
            lines.append(body)
            continue
        rows = body
        if phenomenon == "look_alike":
            rows = [_Row(r.labels, [_look_alike_value(v, rng) for v in r.values]) for r in body]
        lines.extend(table(rows, rng, report))
    return lines


def _look_alike_value(value: str, rng: random.Random) -> str:
    if value == "0" and rng.random() < 0.5:
        return "〇"
    return value.translate(FULL_WIDTH_DIGITS) if rng.random() < 0.5 else value


def _plain_table(rows: list[_Row], rng: random.Random, report: SyntheticReport) -> list[str]:
    """A row per line, its cells separated by spaces (as `pdftotext -layout` of a clean table)."""
    return [" ".join(filter(None, [row.label, *row.values])) for row in rows]


# -- labels and values apart -------------------------------------------------------------------
def _wrapped(label: str, rng: random.Random) -> list[str]:
    """A label wrapped over one to three lines, as a narrow table cell prints it."""
    pieces = rng.choice([1, 2, 2, 3]) if len(label) >= 8 else 1
    cuts = sorted(rng.sample(range(2, len(label) - 1), pieces - 1)) if pieces > 1 else []
    bounds = [0, *cuts, len(label)]
    return [label[a:b] for a, b in zip(bounds, bounds[1:], strict=False) if label[a:b]]


def _header_fragments(row: _Row, rng: random.Random) -> list[str]:
    """A header row whose cells wrap: the first fragment of every cell on one line, the rest
    on the next (`商业企 科研机 社会公` / `业 构 益组织`)."""
    heads, tails = [], []
    for cell in row.labels:
        text = cell.text
        cut = rng.randint(2, len(text) - 1) if len(text) >= 4 else len(text)
        heads.append(text[:cut])
        if text[cut:]:
            tails.append(text[cut:])
    return [" ".join(heads)] + ([" ".join(tails)] if tails else [])


def _labels_apart(rows: list[_Row], rng: random.Random, report: SyntheticReport) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(rows):
        if not rows[i].values:
            header = rows[i]
            several = len(header.labels) > 1
            out.extend(_header_fragments(header, rng) if several else _wrapped(header.label, rng))
            i += 1
            continue
        run = [rows[i]]
        size = rng.randint(1, 4)
        while len(run) < size and i + len(run) < len(rows) and rows[i + len(run)].values:
            run.append(rows[i + len(run)])
        for row in run:
            for cell in row.labels:
                out.extend(_wrapped(cell.text, rng) if cell.text else [])
        out.extend(" ".join(row.values) for row in run)
        i += len(run)
    return out


# -- reading order by column -------------------------------------------------------------------
def _segments(rows: list[_Row]) -> list[tuple[list[_Row], list[_Row]]]:
    """The table as (header rows, value rows) segments."""
    out: list[tuple[list[_Row], list[_Row]]] = []
    for row in rows:
        if not row.values:
            if not out or out[-1][1]:
                out.append(([], []))
            out[-1][0].append(row)
        else:
            if not out:
                out.append(([], []))
            out[-1][1].append(row)
    return out


def _column_dump(rows: list[_Row], units: bool) -> list[str]:
    """Labels one per line, then every value of the first column, then the next column's;
    with ``units`` (the old template's 单位 column) the units are a column of their own."""
    if units:
        out = [row.labels[0].text for row in rows] + [row.labels[-1].text for row in rows]
    else:
        out = [row.label for row in rows]
    width = max(len(row.values) for row in rows)
    for column in range(width):
        out.extend(row.values[column] for row in rows if column < len(row.values))
    return out


def _by_column(
    rows: list[_Row], rng: random.Random, report: SyntheticReport, paged: bool = False
) -> list[str]:
    out: list[str] = []
    units = report.template == "old"
    for headers, values in _segments(rows):
        out.extend(row.label for row in headers)
        if not values:
            continue
        if paged and len(values) >= 4:
            half = rng.randint(2, len(values) - 2)
            out.extend(_column_dump(values[:half], units))
            out.append(f"- {rng.randint(2, 9)} -")
            out.extend(_column_dump(values[half:], units))
        else:
            out.extend(_column_dump(values, units))
    return out


# -- merged cells printed once -----------------------------------------------------------------
def _merged_labels(rows: list[_Row], rng: random.Random, report: SyntheticReport) -> list[str]:
    """A spanned label cell (or, in the old template, a unit shared by a run of rows) on a
    line of its own: before its first row, in the middle of its rows, or after its last."""
    if report.template == "old":
        return _merged_units(rows, rng)
    out: list[str] = []
    pending: list[tuple[int, str]] = []  # (rows left until it is printed, label)
    for row in rows:
        own = []
        for cell in row.labels:
            if cell.rowspan > 1 and row.values:
                where = rng.choice(["before", "middle", "after"])
                if where == "before":
                    out.append(cell.text)
                else:
                    left = cell.rowspan // 2 if where == "middle" else cell.rowspan
                    pending.append((left, cell.text))
            else:
                own.append(cell.text)
        out.append(" ".join(filter(None, [*own, *row.values])))
        pending = [(left - 1, text) for left, text in pending]
        out.extend(text for left, text in pending if left == 0)
        pending = [(left, text) for left, text in pending if left > 0]
    return out


def _merged_units(rows: list[_Row], rng: random.Random) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(rows):
        row = rows[i]
        unit = row.labels[1].text if row.values and len(row.labels) > 1 else ""
        j = i
        while j < len(rows) and rows[j].values and rows[j].labels[1].text == unit and unit:
            j += 1
        if j - i < 2:
            out.append(" ".join(filter(None, [row.label, *row.values])))
            i += 1
            continue
        run = rows[i:j]
        where = rng.choice(["before", "after"])
        if where == "before":
            out.append(unit)
        out.extend(" ".join(filter(None, [r.labels[0].text, *r.values])) for r in run)
        if where == "after":
            out.append(unit)
        i = j
    return out


# -- page furniture ----------------------------------------------------------------------------
def _furniture(rng: random.Random, report: SyntheticReport, page: int, pages: int) -> list[str]:
    kind = rng.choice(["dash", "em_dash", "of", "bare", "running_head", "browser"])
    if kind == "dash":
        return ["", f"- {page} -", ""]
    if kind == "em_dash":
        return [f"— {page} —"]
    if kind == "of":
        return [f"第 {page} 页 共 {pages} 页"]
    if kind == "bare":
        return [str(page)]
    if kind == "running_head":
        return [f"{page}", f"{report.issuer}{report.year}年政府信息公开工作年度报告"]
    day, hour, minute = rng.randint(1, 28), rng.randint(8, 11), rng.randint(10, 59)
    stamp = f"{report.year + 1}/3/{day} 上午{hour}:{minute}"
    return [
        f"https://www.gov.cn/zwgk/art/{report.year + 1}/3/1/art_{rng.randint(100, 999)}.html "
        f"{page}/{pages}",
        f"{stamp} {report.title}",
    ]


def _page_furniture(rows: list[_Row], rng: random.Random, report: SyntheticReport) -> list[str]:
    out: list[str] = []
    for row in rows:
        out.append(" ".join(filter(None, [row.label, *row.values])))
        if row.values and rng.random() < 0.25:
            out.extend(_furniture(rng, report, rng.randint(2, 8), 9))
    return out


_TABLE_LAYOUTS: dict[str, TableLayout] = {
    "labels_apart": _labels_apart,
    "by_column": _by_column,
    "by_column_paged": lambda rows, rng, report: _by_column(rows, rng, report, paged=True),
    "merged_labels": _merged_labels,
    "page_furniture": _page_furniture,
}


# -- Markdown ----------------------------------------------------------------------------------
def _pipe(cells: list[str]) -> str:
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _separator(width: int) -> str:
    return "|" + "|".join(" --- " for _ in range(width)) + "|"


def _markdown(
    report: SyntheticReport, blocks: list[Block], rng: random.Random, broken: bool
) -> list[str]:
    lines = [f"# {report.title}", ""]
    for heading, body in blocks:
        lines += [f"## {heading}", ""]
        if isinstance(body, str):
            lines += [body, ""]
            continue
        lines += _broken_table(body, rng) if broken else _pipe_table(body)
        lines.append("")
    return lines


def _pipe_table(rows: list[_Row]) -> list[str]:
    width = max(len(r.labels) + len(r.values) for r in rows)

    def padded(row: _Row) -> list[str]:
        cells = [c.text for c in row.labels] + row.values
        return cells + [""] * (width - len(cells))

    return [_pipe(padded(rows[0])), _separator(width), *(_pipe(padded(r)) for r in rows[1:])]


def _broken_table(rows: list[_Row], rng: random.Random) -> list[str]:
    """Pipe rows as a converter gives a table with merged cells (see the module docstring)."""
    width = max(len(r.labels) + len(r.values) for r in rows)
    cells = [[c.text for c in r.labels] + r.values for r in rows]
    first_body = next((i for i, r in enumerate(rows) if r.values), None)
    header = first_body - 1 if first_body else None
    if header is not None and len(rows[header].labels) > 1 and rng.random() < 0.7:
        fragments = " ".join(c[:2] for c in cells[header] if c)
        cells[first_body][0] = f"{fragments} {cells[first_body][0]}"  # header merged in
        cells[header] = []
    for i in range(len(rows) - 1):
        if rows[i].values and rows[i + 1].values and rows[i + 1].labels and rng.random() < 0.1:
            label_cells = len(rows[i + 1].labels)
            cells[i][0] = f"{cells[i][0]} {' '.join(cells[i + 1][:label_cells])}"
            cells[i + 1][:label_cells] = [""] * label_cells  # the next row's label moved up
    out: list[str] = []
    started = False
    for i, row in enumerate(cells):
        if not row:
            continue
        merged = any(c.rowspan > 1 for c in rows[i].labels)
        if started and merged:
            out.append("")  # a new small table at every merged cell
            started = False
        out.append(_pipe(row + [""] * (width - len(row))))
        if not started:
            out.append(_separator(width))
            started = True
        elif rng.random() < 0.1:
            out.append(_separator(width))  # a separator mid-table
    return out
