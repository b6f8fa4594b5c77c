"""Sweep the generator oracle over many seeds: `python -m bench.oracle_sweep [N]`.

Prints, per template (national and `local`) and rendering, how many cells came back exactly,
how many were kept `uncertain` with the truth among their readings, how many printed blanks
gave no number, and every report with a cell wrong or missing. `messiness` is messy text of a
report drawn with a stray table, blanks and units in cells.
"""

from __future__ import annotations

import json
import sys
from collections import Counter

from bench.synthetic import ALL_TEMPLATES, SyntheticReport, draw_report, messy_txt, render_txt
from ingest.parse import parse_document


def score(report: SyntheticReport, text: str) -> Counter:
    cells = {(c["metric_code"], c["applicant"]): c for c in parse_document("x", text).cells}
    tally: Counter = Counter()
    tally["extra"] = len(set(cells) - set(report.values))
    for key, value in report.values.items():
        cell = cells.get(key)
        if key in report.blank:
            tally["blank_ok" if cell is None or cell["value_text"] is None else "wrong"] += 1
        elif cell is None or cell["value_text"] is None:
            tally["missing"] += 1
        elif cell["value_status"] == "uncertain":
            readings = {float(v) for alt in json.loads(cell["alternatives"]) for v in alt}
            tally["uncertain_ok" if value in readings else "uncertain_wrong"] += 1
        elif float(cell["value_text"]) == value:
            tally["exact"] += 1
        else:
            tally["wrong"] += 1
    return tally


def main(n: int = 40) -> int:
    failures = 0
    for template in ALL_TEMPLATES:
        for kind in ("clean", "messy", "glued", "messiness"):
            total: Counter = Counter()
            for seed in range(n):
                report = draw_report(seed, template, messiness=kind == "messiness")
                if kind == "clean":
                    text = render_txt(report)
                else:
                    text = messy_txt(report, seed, glue=kind == "glued")
                tally = score(report, text)
                total.update(tally)
                bad = tally["missing"] + tally["wrong"] + tally["uncertain_wrong"] + tally["extra"]
                if bad:
                    failures += 1
                    print(f"  {template} {kind} seed {seed}: {dict(tally)}")
            print(f"{template:7} {kind:6} {dict(total)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 40))
