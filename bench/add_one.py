"""One new report added to a warehouse of N reports, end to end:
`python -m bench.add_one --reports 1000`.

Builds (once, kept in --workdir) a warehouse of N synthetic reports with `xxgk run`, then drops
one new report into the inbox and times `xxgk run` again as a user runs it (a subprocess, the
whole command). Prints both runs' step lines and summaries: the second must land one document,
parse one, and build incrementally (one changed report). With --served it first starts a
Prefect server (as `xxgk serve` runs) so the runs skip the temporary server's start-up.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import subprocess
import sys
import time
from pathlib import Path

from bench.run import make_corpus
from bench.synthetic import TEMPLATES, draw_report, messy_txt

STEP_PREFIXES = ("land:", "parse:", "build:", "validate:", "dbt docs:", "publish:", "summary:")


def xxgk_run(inbox: Path, db: Path, env: dict[str, str]) -> tuple[float, list[str]]:
    command = [str(Path(sys.executable).with_name("xxgk")), "run", "--input", str(inbox)]
    started = time.perf_counter()
    result = subprocess.run(
        [*command, "--db", str(db)], capture_output=True, text=True, env=env, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"xxgk run failed:\n{result.stdout}\n{result.stderr}")
    return seconds, [line for line in result.stdout.splitlines() if line.startswith(STEP_PREFIXES)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/xxgk-bench"))
    parser.add_argument("--served", action="store_true", help="runs use a running Prefect server")
    args = parser.parse_args()

    inbox = args.workdir / f"inbox_{args.reports}"
    make_corpus(inbox, args.reports)
    db = args.workdir / f"add_one_{args.reports}" / "xxgk.duckdb"
    env = dict(os.environ)
    server: contextlib.AbstractContextManager[str | None] = contextlib.nullcontext(None)
    if args.served:
        from xxgk.settings import configure_environment

        configure_environment()
        from flows.deployment import local_prefect_server

        server = local_prefect_server(4319)
    with server as api_url:
        if api_url:
            env["PREFECT_API_URL"] = api_url
        if not db.exists():
            seconds, lines = xxgk_run(inbox, db, env)
            print(f"## full run of {args.reports} reports: {seconds:.1f} s")
            print("\n".join(lines))
        existing = len(list(inbox.glob("*.txt")))
        report = draw_report(10_000_000 + existing, TEMPLATES[existing % len(TEMPLATES)])
        (inbox / f"added_{existing:07d}.txt").write_text(messy_txt(report, existing), "utf-8")
        seconds, lines = xxgk_run(inbox, db, env)
        served = " (Prefect server running)" if api_url else ""
        print(f"\n## one report added to {existing} reports{served}: {seconds:.1f} s end to end")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
