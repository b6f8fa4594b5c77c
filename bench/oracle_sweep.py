"""Sweep the generator oracle over many seeds: `python -m bench.oracle_sweep [N] [--family F]`.

Families (`--family`, all by default):
- `classic`: per template (national and `local`) and rendering, clean text, messy text,
  glued digit runs, and `messiness` (messy text of a report drawn with a stray table, blanks
  and units in cells); every report with a cell wrong or missing is listed;
- `converted`: the phenomena of converted text (bench/converted.py) per national template;
- `printed`: the generator's PDFs as browsers and Word print them, and their text renderings
  (bench/printed.py), per national template (`--printed-seeds`, fewer: each needs tools).

For every cell drawn it counts `right` (printed and equal), `uncertain` (kept uncertain with
the truth among its readings), `uncertain_wrong` (uncertain, truth not among them), `wrong`
(a printed value that is not the truth, or a blank read as a number: worse than uncertain),
`missing` (no value), `blank_ok` (a printed blank read as none), `extra` cells the report
does not hold, and `ambiguous`: cells the rendering itself leaves undecided (bench/converted.py
marks them; read as anything but a wrong printed value), outside the share of cells right.
`fields` counts report attributes right (year, template, region code) of those compared. The
table is Markdown; the exit status is 1 when any cell is wrong, uncertain without the truth,
missing, or extra.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

from bench.converted import PHENOMENA, converted
from bench.printed import PRINTS, READINGS, printable, printed_pdf, readable, reading
from bench.synthetic import (
    ALL_TEMPLATES,
    TEMPLATES,
    SyntheticReport,
    draw_report,
    messy_txt,
    render_txt,
)
from ingest.extract import extract_bytes
from ingest.parse import DocumentHints, parse_document
from ingest.parse.document import ParsedDocument
from ingest.parse.reference import default_reference

COLUMNS = (
    "right",
    "uncertain",
    "uncertain_wrong",
    "wrong",
    "missing",
    "blank_ok",
    "extra",
    "ambiguous",
)
BAD = ("uncertain_wrong", "wrong", "missing", "extra")
FIELDS = ("report_year", "template", "region_code")


def score(report: SyntheticReport, text: str, hints: DocumentHints | None = None) -> Counter:
    """The cell tally of parsing ``text`` (see the module docstring), with the report's
    fields (`fields_right` of `fields`)."""
    return tally(report, parse_document("x", text, hints=hints))


def tally(
    report: SyntheticReport,
    parsed: ParsedDocument,
    ambiguous: frozenset[tuple[str, str]] = frozenset(),
) -> Counter:
    cells = {(c["metric_code"], c["applicant"]): c for c in parsed.cells}
    counts: Counter = Counter()
    counts["extra"] = len(set(cells) - set(report.values))
    for key, value in report.values.items():
        cell = cells.get(key)
        if key in ambiguous:  # the rendering leaves it undecided: right if read right,
            printed = cell is not None and cell["value_status"] == "printed"  # never wrong
            if printed and cell["value_text"] is not None and float(cell["value_text"]) != value:
                counts["wrong"] += 1
            else:
                counts["ambiguous"] += 1
            continue
        if key in report.blank:
            counts["blank_ok" if cell is None or cell["value_text"] is None else "wrong"] += 1
        elif cell is None or cell["value_text"] is None:
            counts["missing"] += 1
        elif cell["value_status"] == "uncertain":
            readings = {float(v) for alt in json.loads(cell["alternatives"]) for v in alt}
            counts["uncertain" if value in readings else "uncertain_wrong"] += 1
        elif float(cell["value_text"]) == value:
            counts["right"] += 1
        else:
            counts["wrong"] += 1
    expected = expected_fields(report)
    counts["fields"] += len(expected)
    counts["fields_right"] += sum(
        parsed.attributes.get(name) in wanted for name, wanted in expected.items()
    )
    return counts


def expected_fields(report: SyntheticReport) -> dict[str, set]:
    """The report fields a parse must give: year, template, and the issuer's region (any
    division of that name)."""
    county = report.issuer.removesuffix("人民政府")
    codes = {r.code for r in default_reference().regions if r.name == county}
    return {"report_year": {report.year}, "template": {report.template}, "region_code": codes}


@dataclass(frozen=True)
class Case:
    """A rendering of a report to score: ``family``/``variant``/``template``, the file as a
    user has it (bytes and suffix) and the file name the parser is given as a hint."""

    family: str
    variant: str
    report: SyntheticReport
    data: bytes
    suffix: str
    file_name: str
    seed: int
    ambiguous: frozenset[tuple[str, str]] = frozenset()


def classic_cases(n: int) -> Iterator[Case]:
    for template in ALL_TEMPLATES:
        for kind in ("clean", "messy", "glued", "messiness"):
            for seed in range(n):
                report = draw_report(seed, template, messiness=kind == "messiness")
                if kind == "clean":
                    text = render_txt(report)
                else:
                    text = messy_txt(report, seed, glue=kind == "glued")
                yield Case("classic", kind, report, text.encode(), ".txt", "report.txt", seed)


def converted_case(template: str, phenomenon: str, seed: int) -> Case:
    c = converted(draw_report(seed, template), phenomenon, seed)
    return Case("converted", phenomenon, c.report, c.data, c.suffix, c.file_name, seed, c.ambiguous)


def converted_cases(n: int) -> Iterator[Case]:
    for template in TEMPLATES:
        for phenomenon in PHENOMENA:
            for seed in range(n):
                yield converted_case(template, phenomenon, seed)


def printed_cases(n: int) -> Iterator[Case]:
    readings = [r for r in READINGS if readable(r)]
    for template in TEMPLATES:
        for kind in filter(printable, PRINTS):
            for seed in range(n):
                report = draw_report(seed, template)
                pdf = printed_pdf(report, kind)
                # a browser names the saved PDF after the page's title
                stem = report.title if kind == "browser_pdf" else f"report_{seed}"
                for name in readings:
                    data, suffix = reading(pdf, name)
                    file_name = f"{stem}.pdf" if name == "extract" else f"{stem}.{name}"
                    yield Case("printed", f"{kind}:{name}", report, data, suffix, file_name, seed)


def parse_case(case: Case) -> ParsedDocument:
    extraction = extract_bytes(case.data, case.suffix)
    hints = DocumentHints(
        file_name=case.file_name,
        title=extraction.title_hint,
        title_source=extraction.title_source,
    )
    return parse_document("x", extraction.text, hints=hints)


FAMILIES = {"classic": classic_cases, "converted": converted_cases, "printed": printed_cases}


def sweep(cases: Iterator[Case], verbose: bool) -> dict[tuple[str, str, str], Counter]:
    table: dict[tuple[str, str, str], Counter] = {}
    for case in cases:
        counts = tally(case.report, parse_case(case), case.ambiguous)
        counts["reports"] += 1
        table.setdefault((case.family, case.variant, case.report.template), Counter()).update(
            counts
        )
        bad = {k: counts[k] for k in BAD if counts[k]}
        if bad and verbose:
            print(f"  {case.family} {case.variant} {case.report.template} seed {case.seed}: {bad}")
    return table


def markdown_table(table: dict[tuple[str, str, str], Counter]) -> str:
    head = ("family", "variant", "template", "reports", "cells", *COLUMNS, "fields right")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for (family, variant, template), counts in table.items():
        cells = sum(counts[c] for c in COLUMNS if c != "extra")
        fields = f"{counts['fields_right']}/{counts['fields']}"
        row = [family, variant, template, counts["reports"], cells]
        row += [counts[c] for c in COLUMNS] + [fields]
        lines.append("| " + " | ".join(str(v) for v in row) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", nargs="?", type=int, default=40, help="seeds per row")
    parser.add_argument("--family", choices=sorted(FAMILIES), action="append")
    parser.add_argument("--printed-seeds", type=int, default=3, help="seeds per printed row")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every bad report")
    args = parser.parse_args(argv)
    table: dict[tuple[str, str, str], Counter] = {}
    for family in args.family or list(FAMILIES):
        seeds = args.printed_seeds if family == "printed" else args.n
        table.update(sweep(FAMILIES[family](seeds), args.verbose or family == "classic"))
    print(markdown_table(table))
    return 1 if any(counts[k] for counts in table.values() for k in BAD) else 0


if __name__ == "__main__":
    sys.exit(main())
