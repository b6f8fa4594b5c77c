#!/usr/bin/env python3
"""Score a built warehouse against hand-checked ground truth.

    python score.py --db WAREHOUSE.duckdb --cells CELLS.csv --reports REPORTS.csv [-v]

Reads marts.dim_report, marts.fct_report_metrics and marts.fct_check_results (see
docs/contract.md) and compares them with the truth files (format of data/truth/seed_*.csv).
Prints one line per finding with -v, then a summary; the last line is

    score: cells A/B (P%) reports C/D checks E/F false_alarms G measures H/I

(measures: marts.fct_harmonised_metrics against the contract's mapping, for the reports whose
every input is printed in the truth.)

Exit status 0 when every scored item matches and no false alarm was raised, 1 otherwise,
2 when the warehouse cannot be read. Needs only the `duckdb` package.
"""

import argparse
import csv
import sys
from collections import defaultdict

import duckdb

REPORT_FIELDS = ("report_year", "template", "region_code", "scope")

DENIED = [
    f"t3.result.denied.{k}"
    for k in (
        "state_secret",
        "law_forbidden",
        "three_safety",
        "third_party",
        "internal_affairs",
        "process_info",
        "enforcement_file",
        "admin_query",
    )
]
# measure -> (old-template inputs, v2019/v2021 inputs); the measure is the sum of its inputs
HARMONISED = {
    "requests_received": (["old.s3.received"], ["t3.new_received"]),
    "requests_granted": (
        ["old.s3.replies.granted", "old.s3.replies.already_public"],
        ["t3.result.granted"],
    ),
    "requests_partial": (["old.s3.replies.partial"], ["t3.result.partial"]),
    "requests_denied": (["old.s3.replies.denied"], DENIED),
    "requests_not_held": (
        ["old.s3.replies.not_this_agency", "old.s3.replies.not_exist"],
        ["t3.result.unable.not_held"],
    ),
    "requests_handled": (["old.s3.replies"], ["t3.result.total"]),
    "reviews_total": (["old.s4.review"], ["t4.review.total"]),
    "reviews_corrected": (["old.s4.review.corrected"], ["t4.review.corrected"]),
    "lawsuits_total": (["old.s5.litigation"], ["t4.lit_direct.total", "t4.lit_after_review.total"]),
    "lawsuits_corrected": (
        ["old.s5.litigation.corrected"],
        ["t4.lit_direct.corrected", "t4.lit_after_review.corrected"],
    ),
}


def expected_harmonised(truth_cells):
    """Measures whose every input is printed in the truth, per file."""
    printed = {
        (c["file"], c["metric_code"]): float(c["value"])
        for c in truth_cells
        if c["status"] == "printed" and c["applicant"] == "total"
    }
    files = {f for f, _ in printed}
    out = {}
    for f in files:
        for measure, variants in HARMONISED.items():
            for inputs in variants:
                if all((f, m) in printed for m in inputs):
                    out[(f, measure)] = sum(printed[(f, m)] for m in inputs)
    return out


def load_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def number(text):
    return None if text in (None, "") else float(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True)
    ap.add_argument("--cells", required=True)
    ap.add_argument("--reports", required=True)
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()

    truth_cells = load_csv(args.cells)
    truth_reports = load_csv(args.reports)

    try:
        con = duckdb.connect(args.db, read_only=True)
        reports = {
            row[0]: dict(zip(("report_id",) + REPORT_FIELDS, row[1:], strict=True))
            for row in con.execute(
                "select source_file, report_id, report_year, template, region_code, scope "
                "from marts.dim_report"
            ).fetchall()
        }
        metrics = {}
        for fid, code, applicant, value, status in con.execute(
            "select r.source_file, m.metric_code, m.applicant, m.value, m.value_status "
            "from marts.fct_report_metrics m join marts.dim_report r using (report_id)"
        ).fetchall():
            metrics[(fid, code, applicant)] = (None if value is None else float(value), status)
        harmonised = {
            (fid, code): (None if value is None else float(value))
            for fid, code, value in con.execute(
                "select r.source_file, h.measure_code, h.value "
                "from marts.fct_harmonised_metrics h join marts.dim_report r using (report_id)"
            ).fetchall()
        }
        checks = defaultdict(dict)
        for fid, code, status in con.execute(
            "select r.source_file, c.check_code, c.status "
            "from marts.fct_check_results c join marts.dim_report r using (report_id)"
        ).fetchall():
            # a check evaluated per column or row fails for the report if any instance fails
            prev = checks[fid].get(code)
            if prev != "fail":
                checks[fid][code] = status
    except duckdb.Error as exc:
        print(f"score: cannot read the warehouse: {exc}")
        return 2

    def say(msg):
        if args.verbose:
            print(msg)

    cell_ok = cell_n = 0
    for c in truth_cells:
        if c["status"] == "ambiguous":
            continue
        key = (c["file"], c["metric_code"], c["applicant"])
        want = number(c["value"])
        got, status = metrics.get(key, (None, None))
        cell_n += 1
        if c["status"] == "printed":
            ok = got is not None and abs(got - want) < 1e-6
        else:  # missing in the document: NULL, absent, or derived and right
            ok = got is None or (
                status == "derived" and want is not None and abs(got - want) < 1e-6
            )
        if ok:
            cell_ok += 1
        else:
            say(
                f"cell  {key[0]} {key[1]} [{key[2]}]: want {c['value'] or 'NULL'} "
                f"({c['status']}), got {got} ({status})"
            )

    rep_ok = 0
    for r in truth_reports:
        got = reports.get(r["file"])
        if got is None:
            say(f"report {r['file']}: not in marts.dim_report")
            continue
        bad = [
            f"{f} want {r[f]!r} got {got[f]!r}"
            for f in REPORT_FIELDS
            if r.get(f, "") != "" and str(got[f] if got[f] is not None else "") != r[f]
        ]
        if bad:
            say(f"report {r['file']}: " + "; ".join(bad))
        else:
            rep_ok += 1

    chk_ok = chk_n = false_alarms = 0
    for r in truth_reports:
        expected = {c for c in r.get("failing_checks", "").split(";") if c}
        got = checks.get(r["file"], {})
        for code in expected:
            chk_n += 1
            if got.get(code) == "fail":
                chk_ok += 1
            else:
                say(f"check {r['file']} {code}: want fail, got {got.get(code)}")
        for code, status in got.items():
            if status == "fail" and code not in expected:
                false_alarms += 1
                say(f"check {r['file']} {code}: fails, but the printed values satisfy it")

    harm_ok = 0
    harm_want = expected_harmonised(truth_cells)
    for key, want in sorted(harm_want.items()):
        got = harmonised.get(key)
        if got is not None and abs(got - want) < 1e-6:
            harm_ok += 1
        else:
            say(f"measure {key[0]} {key[1]}: want {want:g}, got {got}")

    pct = 100.0 * cell_ok / cell_n if cell_n else 0.0
    print(
        f"score: cells {cell_ok}/{cell_n} ({pct:.1f}%) reports {rep_ok}/{len(truth_reports)} "
        f"checks {chk_ok}/{chk_n} false_alarms {false_alarms} measures {harm_ok}/{len(harm_want)}"
    )
    perfect = (
        cell_ok == cell_n
        and rep_ok == len(truth_reports)
        and chk_ok == chk_n
        and not false_alarms
        and harm_ok == len(harm_want)
    )
    return 0 if perfect else 1


if __name__ == "__main__":
    sys.exit(main())
