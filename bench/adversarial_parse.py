"""Adversarial texts through the parser: does the time grow linearly with the size?

    .venv/bin/python -m bench.adversarial_parse                      # 1-50 MB, every kind
    .venv/bin/python -m bench.adversarial_parse --sizes 1 2 --kinds digit_run

Each kind of text is made at each size and parsed as a landed document is (the template
parser ``ingest.parse.parse_document`` and the prose reader, as ``parse_batch`` does, but
without the per-document time limit), each case in a fresh process: the table gives the
seconds of each part, the seconds per MB (flat when the time is linear) and the process's
peak memory. A case that runs past ``--timeout`` is shown as such (it would be quadratic).

The kinds (issue #26): a long digit run after 结转到下年度 (the prose pattern that was
quadratic), one number per line (a PDF table extracted one cell per line: the lines join
into one digit run), the template's headings and table headers repeated, a real report
repeated, long blanks inside the prose's phrases, a glued table line of placeholders, and a
long blank after a page footer's 第1页 among the rows of a statistics table (quadratic in
ingest/parse/rows.py until it was fixed; bench/RESULTS.md).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable

from core.paths import SAMPLE_DIR

MB = 1024 * 1024
DEFAULT_SIZES = (1, 2, 5, 10, 20, 50)
HEADINGS = (
    "一、总体情况\n"
    "二、主动公开政府信息情况\n"
    "三、收到和处理政府信息公开申请情况\n"
    "本年新收政府信息公开申请数量\n"
    "申请人情况 自然人 法人或其他组织 商业企业 科研机构 社会公益组织 法律服务机构 其他 总计\n"
    "四、政府信息公开行政复议、行政诉讼情况\n"
    "第二十条第（一）项\n"
    "结转下年度继续办理\n"
)


BLANK_RUNS = "收到申请1" + " " * 4000 + "件\n第1页" + " " * 4000 + "x\n"


def _repeat(unit: str, size: int) -> str:
    """``unit`` repeated to ``size`` bytes of UTF-8."""
    return unit * max(1, size // len(unit.encode("utf-8")))


def _sample() -> str:
    return (SAMPLE_DIR / "003_15ff2673dd8233d5.txt").read_text(encoding="utf-8")


KINDS: dict[str, Callable[[int], str]] = {
    "digit_run": lambda size: "结转到下年度\n" + "7" * size,
    "one_number_lines": lambda size: "结转到下年度\n" + _repeat("7\n", size),
    "repeated_headings": lambda size: _repeat(HEADINGS, size),
    "repeated_report": lambda size: _repeat(_sample(), size),
    "blank_runs": lambda size: _repeat(
        "收到申请1" + " " * 4000 + "件\n第1页" + " " * 4000 + "x\n", size
    ),
    "placeholder_glue": lambda size: _repeat("规章" + "— " * 2000 + "x 5 条 6\n", size),
    "footer_blanks": lambda size: _in_table("第1页" + " " * size + "x\n"),
}


def _in_table(line: str) -> str:
    """A real report with ``line`` among the rows of its statistics table."""
    sample = _sample()
    row = sample.index("（一）予以公开")
    return sample[:row] + line + sample[row:]


def measure(kind: str, megabytes: float) -> dict[str, float]:
    """Parse one text of ``kind`` and ``megabytes`` here: seconds and peak memory."""
    from ingest.parse import parse_document
    from ingest.parse.prose import extract_prose_numbers

    text = KINDS[kind](int(megabytes * MB))
    started = time.perf_counter()
    parse_document("adversarial", text)
    parsed = time.perf_counter()
    extract_prose_numbers(text)
    done = time.perf_counter()
    return {
        "bytes": len(text.encode("utf-8")),
        "parse_s": parsed - started,
        "prose_s": done - parsed,
        "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _case(kind: str, megabytes: float, timeout_s: float) -> dict[str, float] | None:
    """:func:`measure` in a fresh process; None when it ran past ``timeout_s``."""
    command = [sys.executable, "-m", "bench.adversarial_parse", "--one", kind, str(megabytes)]
    try:
        result = subprocess.run(
            command, capture_output=True, text=True, timeout=timeout_s, check=True
        )
    except subprocess.TimeoutExpired:
        return None
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=DEFAULT_SIZES, help="MB")
    parser.add_argument("--kinds", nargs="+", choices=sorted(KINDS), default=list(KINDS))
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per case")
    parser.add_argument("--one", nargs=2, metavar=("KIND", "MB"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(measure(args.one[0], float(args.one[1]))), flush=True)
        return 0
    print("| text | MB | parse s | prose s | s per MB | peak MiB |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in args.kinds:
        for megabytes in args.sizes:
            found = _case(kind, megabytes, args.timeout)
            if found is None:
                print(f"| {kind} | {megabytes:g} | > {args.timeout:g} s (timeout) | | | |")
                continue
            size = found["bytes"] / MB
            total = found["parse_s"] + found["prose_s"]
            print(
                f"| {kind} | {size:.3g} | {found['parse_s']:.2f} | {found['prose_s']:.2f} | "
                f"{total / size:.2f} | {found['peak_mib']:.0f} |",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
