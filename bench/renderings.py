"""The text renderings of the corpus reports, with their truth: `python -m bench.renderings`.

What users have instead of the PDF (issue #27): for each PDF of data/corpus/

- `<stem>.pdftotext.txt`: poppler's `pdftotext` (raw reading order),
- `<stem>.layout.txt`: `pdftotext -layout`,
- `<stem>.pdfplumber.txt`: pdfplumber's `page.extract_text()`, pages joined by a newline,
- `<stem>.markitdown.md`: markitdown's Markdown of the PDF;

for each HTML report `<stem>.markitdown.md` (its tables as pipe tables); and for
WORD_SOURCE a Word 97 `.doc` saved by LibreOffice. They are written to data/renderings/, and
the same `.doc` bytes named `.wps` to data/renderings_wps/ (same bytes land once, so the
`.wps` is scored in a warehouse of its own). Each rendering's truth is its source's rows of
data/truth/corpus_*.csv under the rendering's file name: data/truth/renderings_*.csv and
renderings_wps_*.csv.

Regenerating needs poppler-utils and LibreOffice (Debian) and markitdown (the dev extra);
the files are committed, so reading them needs none of these. `--check` compares the
committed truth files with the corpus truth instead of writing anything.
"""

from __future__ import annotations

import argparse
import csv
import io
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from core.paths import ROOT

CORPUS = ROOT / "data" / "corpus"
TRUTH = ROOT / "data" / "truth"
OUT = ROOT / "data" / "renderings"
OUT_WPS = ROOT / "data" / "renderings_wps"
WORD_SOURCE = "31_pingtan_zhsyq_2024_article.html"
PDF_RENDERINGS = ("pdftotext.txt", "layout.txt", "pdfplumber.txt", "markitdown.md")
HTML_RENDERINGS = ("markitdown.md",)


def pdftotext(path: Path, layout: bool = False) -> str:
    command = ["pdftotext", "-enc", "UTF-8", *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(command, check=True, capture_output=True).stdout.decode("utf-8")


def pdfplumber_text(path: Path) -> str:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return "\n".join(page.extract_text() for page in pdf.pages) + "\n"


def markitdown_text(path: Path) -> str:
    from markitdown import MarkItDown

    return MarkItDown().convert(str(path)).text_content


RENDERERS: dict[str, Callable[[Path], str]] = {
    "pdftotext.txt": pdftotext,
    "layout.txt": lambda path: pdftotext(path, layout=True),
    "pdfplumber.txt": pdfplumber_text,
    "markitdown.md": markitdown_text,
}


def word97(source: Path) -> bytes:
    """``source`` saved by LibreOffice as a Word 97 document."""
    from ingest.extract.word97 import soffice_convert

    return soffice_convert(source.read_bytes(), source.name, "doc:MS Word 97", 120, source.name)


def renderings() -> dict[str, str]:
    """Rendering file name -> its source's file name in data/corpus/."""
    names = {}
    for source in sorted(CORPUS.iterdir()):
        kinds = {".pdf": PDF_RENDERINGS, ".html": HTML_RENDERINGS}.get(source.suffix, ())
        for kind in kinds:
            names[f"{source.stem}.{kind}"] = source.name
    stem = Path(WORD_SOURCE).stem
    names[f"{stem}.doc"] = WORD_SOURCE
    return names


def wps_renderings() -> dict[str, str]:
    return {f"{Path(WORD_SOURCE).stem}.wps": WORD_SOURCE}


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def truth_csv(kind: str, names: dict[str, str]) -> str:
    """The corpus truth file ``kind`` (`cells` or `reports`) with each source's rows repeated
    under each of its renderings' names, in the corpus files' format (CRLF line ends)."""
    fields, rows = _read(TRUTH / f"corpus_{kind}.csv")
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=fields)
    writer.writeheader()
    for name, source in sorted(names.items()):
        for row in rows:
            if row["file"] == source:
                writer.writerow({**row, "file": name})
    return out.getvalue()


def truth_files() -> dict[Path, str]:
    return {
        TRUTH / f"{prefix}_{kind}.csv": truth_csv(kind, names)
        for prefix, names in (("renderings", renderings()), ("renderings_wps", wps_renderings()))
        for kind in ("cells", "reports")
    }


def write() -> None:
    for tool in ("pdftotext",):
        if shutil.which(tool) is None:
            raise SystemExit(f"renderings: {tool} is needed (Debian package poppler-utils)")
    OUT.mkdir(exist_ok=True)
    OUT_WPS.mkdir(exist_ok=True)
    for name, source in renderings().items():
        path = CORPUS / source
        if name.endswith(".doc"):
            data = word97(path)
            (OUT / name).write_bytes(data)
            for wps in wps_renderings():
                (OUT_WPS / wps).write_bytes(data)
            continue
        kind = name.removeprefix(path.stem + ".")
        (OUT / name).write_text(RENDERERS[kind](path), encoding="utf-8")
    for path, text in truth_files().items():
        path.write_text(text, encoding="utf-8", newline="")
    print(f"renderings: {len(renderings()) + len(wps_renderings())} files and their truth written")


def stale_truth() -> list[Path]:
    """The committed truth files that differ from the corpus truth they are made from."""
    stale = []
    for path, text in truth_files().items():
        if not path.exists():
            stale.append(path)
            continue
        with path.open(encoding="utf-8", newline="") as handle:
            if handle.read() != text:
                stale.append(path)
    return stale


def _outcome(truth: dict[str, str], got: tuple[float | None, str] | None) -> str:
    """`right`, `uncertain`, `wrong` or `missing` for one truth cell (score.py's rules, but a
    value offered as `uncertain` is never counted `wrong`: *wrong* is a wrong `printed` value)."""
    value, status = got if got is not None else (None, None)
    want = float(truth["value"]) if truth["value"] else None
    if truth["status"] != "printed":  # blank in the document: none, or derived right
        derived = status == "derived" and want is not None and value == want
        if value is None or derived:
            return "right"
        return "uncertain" if status == "uncertain" else "wrong"
    if value is None:
        return "missing"
    if status == "uncertain":
        return "uncertain"
    return "right" if abs(value - want) < 1e-6 else "wrong"


Outcome = dict[str, int]  # right, uncertain, wrong, missing; fields_right, fields


def truth_rows(prefix: str = "renderings") -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    """The truth files ``prefix``_cells.csv and ``prefix``_reports.csv."""
    return _read(TRUTH / f"{prefix}_cells.csv")[1], _read(TRUTH / f"{prefix}_reports.csv")[1]


def score_file(
    name: str,
    metrics: dict[tuple[str, str], tuple[float | None, str]],
    fields: dict[str, object],
    truth: tuple[list[dict[str, str]], list[dict[str, str]]],
) -> Outcome:
    """One rendering's cells (metric_code, applicant) -> (value, status) and report fields
    against its truth (ambiguous truth cells left out, as score.py does)."""
    from bench.score import REPORT_FIELDS

    cells, reports = truth
    counts = dict.fromkeys(("right", "uncertain", "wrong", "missing"), 0)
    for cell in cells:
        if cell["file"] == name and cell["status"] != "ambiguous":
            got = metrics.get((cell["metric_code"], cell["applicant"]))
            counts[_outcome(cell, got)] += 1
    report = next(r for r in reports if r["file"] == name)
    wanted = [f for f in REPORT_FIELDS if report.get(f)]
    counts["fields"] = len(wanted)
    counts["fields_right"] = sum(
        str(fields.get(f) if fields.get(f) is not None else "") == report[f] for f in wanted
    )
    return counts


def parse_file(path: Path, truth: tuple[list[dict[str, str]], list[dict[str, str]]]) -> Outcome:
    """A rendering extracted and parsed as landing would (file name and title hints), scored
    against its truth without building a warehouse."""
    from ingest.extract import extract
    from ingest.parse import DocumentHints, parse_document

    extraction = extract(path)
    hints = DocumentHints(path.name, extraction.title_hint, extraction.title_source)
    parsed = parse_document("x", extraction.text, hints=hints)
    metrics = {
        (c["metric_code"], c["applicant"]): (
            None if c["value_text"] is None else float(c["value_text"]),
            c["value_status"],
        )
        for c in parsed.cells
    }
    return score_file(path.name, metrics, parsed.attributes, truth)


def _table_lines(outcomes: dict[str, Outcome]) -> str:
    lines = [
        "| rendering | cells | right | uncertain | wrong | missing | report fields right |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, c in outcomes.items():
        cells = c["right"] + c["uncertain"] + c["wrong"] + c["missing"]
        lines.append(
            f"| {name} | {cells} | {c['right']} | {c['uncertain']} | {c['wrong']} | "
            f"{c['missing']} | {c['fields_right']}/{c['fields']} |"
        )
    return "\n".join(lines)


def table(db: Path, prefix: str = "renderings") -> str:
    """Per rendering in the warehouse ``db``: its truth cells right, uncertain, wrong and
    missing, and report fields right."""
    import duckdb

    from bench.score import REPORT_FIELDS

    truth = truth_rows(prefix)
    with duckdb.connect(str(db), read_only=True) as con:
        metrics: dict[str, dict] = {}
        for f, code, app, value, status in con.execute(
            "select r.source_file, m.metric_code, m.applicant, m.value, m.value_status "
            "from marts.fct_report_metrics m join marts.dim_report r using (report_id)"
        ).fetchall():
            metrics.setdefault(f, {})[(code, app)] = (
                None if value is None else float(value),
                status,
            )
        fields = {
            row[0]: dict(zip(REPORT_FIELDS, row[1:], strict=True))
            for row in con.execute(
                f"select source_file, {', '.join(REPORT_FIELDS)} from marts.dim_report"
            ).fetchall()
        }
    return _table_lines(
        {
            r["file"]: score_file(
                r["file"], metrics.get(r["file"], {}), fields.get(r["file"], {}), truth
            )
            for r in truth[1]
        }
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare the truth, write nothing")
    parser.add_argument("--table", type=Path, metavar="DB", help="score a warehouse per file")
    parser.add_argument("--truth", default="renderings", help="truth prefix for --table")
    parser.add_argument(
        "--parse", action="store_true", help="score each rendering parsed alone (no warehouse)"
    )
    args = parser.parse_args(argv)
    if args.table:
        print(table(args.table, args.truth))
        return 0
    if args.parse:
        truth = truth_rows()
        print(_table_lines({name: parse_file(OUT / name, truth) for name in renderings()}))
        return 0
    if args.check:
        stale = stale_truth()
        for path in stale:
            print(f"renderings: {path.relative_to(ROOT)} differs from the corpus truth")
        return 1 if stale else 0
    write()
    return 0


if __name__ == "__main__":
    sys.exit(main())
