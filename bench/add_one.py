"""One new report added to a warehouse of N reports, end to end:
`python -m bench.add_one --reports 1000`.

Builds (once, kept in --workdir) a warehouse of N synthetic reports with `xxgk run`, then drops
one new report into the inbox and times `xxgk run` again as a user runs it (a subprocess, the
whole command). Prints both runs' step lines and summaries: the second must land one document,
parse one, and build incrementally (one changed report). With --served it first starts a
Prefect server (as `xxgk serve` runs) so the runs skip the temporary server's start-up.

With --watch it starts `xxgk watch` on the warehouse instead, waits until it watches, and
then --rounds times drops one new report into the inbox and times it from the file written
to the watch's publish line (the version served): end to end for a warehouse that keeps up
with its inbox.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import queue
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from bench.run import make_corpus
from bench.synthetic import TEMPLATES, draw_report, messy_txt

XXGK = str(Path(sys.executable).with_name("xxgk"))  # the command, as a user runs it
STEP_PREFIXES = ("land:", "parse:", "build:", "validate:", "dbt docs:", "publish:", "summary:")


def xxgk_run(inbox: Path, db: Path, env: dict[str, str]) -> tuple[float, list[str]]:
    command = [XXGK, "run", "--input", str(inbox)]
    started = time.perf_counter()
    result = subprocess.run(
        [*command, "--db", str(db)], capture_output=True, text=True, env=env, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"xxgk run failed:\n{result.stdout}\n{result.stderr}")
    return seconds, [line for line in result.stdout.splitlines() if line.startswith(STEP_PREFIXES)]


def add_report(inbox: Path) -> Path:
    """One new synthetic report (the next template in turn) written into ``inbox``."""
    existing = len(list(inbox.glob("*.txt")))
    report = draw_report(10_000_000 + existing, TEMPLATES[existing % len(TEMPLATES)])
    path = inbox / f"added_{existing:07d}.txt"
    path.write_text(messy_txt(report, existing), "utf-8")
    return path


@contextlib.contextmanager
def watching(
    inbox: Path,
    db: Path,
    env: dict[str, str] | None = None,
    options: tuple[str, ...] = (),
    cwd: Path | None = None,
) -> Iterator[tuple[subprocess.Popen[str], queue.Queue[str]]]:
    """`xxgk watch` on ``inbox`` → ``db`` (with ``options``) in a subprocess; yields it and
    the queue of its output lines (read in a thread). Stopped with SIGTERM on exit, if still
    running (it ends after its run in progress), killed if it does not end in 2 minutes."""
    command = [XXGK, "watch", "--input", str(inbox)]
    process = subprocess.Popen(
        [*command, "--db", str(db), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        cwd=cwd,
    )
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))

    threading.Thread(target=read, daemon=True).start()
    try:
        yield process, lines
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=120)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def until(lines: queue.Queue[str], marker: str, timeout_s: float = 600) -> list[str]:
    """The watch's output lines up to the first containing ``marker``; RuntimeError (with
    the lines) when a run failed or no such line came within ``timeout_s``."""
    seen: list[str] = []
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            raise RuntimeError(f"no line with {marker!r} after:\n" + "\n".join(seen)) from None
        seen.append(line)
        if "run failed" in line:
            raise RuntimeError("xxgk watch: a run failed:\n" + "\n".join(seen))
        if marker in line:
            return seen


def resident_mib(pid: int) -> float:
    """The resident memory of process ``pid`` (Linux /proc), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def time_watch(inbox: Path, db: Path, env: dict[str, str], rounds: int, pause_s: float) -> None:
    with watching(inbox, db, env) as (process, lines):
        until(lines, "watching ")  # caught up with the inbox
        times = []
        for round_number in range(1, rounds + 1):
            time.sleep(pause_s)  # the next work file is copied meanwhile, as in use
            started = time.perf_counter()
            add_report(inbox)
            seen = until(lines, "publish:")
            times.append(time.perf_counter() - started)
            seen += until(lines, "watching ")
            memory = resident_mib(process.pid)
            print(
                f"\n## round {round_number}: one report added to a watched warehouse: "
                f"{times[-1]:.1f} s end to end (the watch holds {memory:.0f} MiB)"
            )
            print("\n".join(line for line in seen if line.startswith(STEP_PREFIXES)))
    print(
        f"\n## {rounds} rounds: median {statistics.median(times):.1f} s, "
        f"range {min(times):.1f}–{max(times):.1f} s; "
        f"{sum(t <= 15 for t in times)} of {rounds} within 15 s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/xxgk-bench"))
    parser.add_argument("--served", action="store_true", help="runs use a running Prefect server")
    parser.add_argument("--watch", action="store_true", help="time `xxgk watch` instead")
    parser.add_argument("--rounds", type=int, default=5, help="reports added with --watch")
    parser.add_argument(
        "--pause", type=float, default=2.0, help="seconds between two reports with --watch"
    )
    args = parser.parse_args()

    inbox = args.workdir / f"inbox_{args.reports}"
    make_corpus(inbox, args.reports)
    db = args.workdir / f"add_one_{args.reports}" / "xxgk.duckdb"
    env = dict(os.environ)
    server: contextlib.AbstractContextManager[str | None] = contextlib.nullcontext(None)
    if args.served:
        from core.environment import configure_environment

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
        if args.watch:
            time_watch(inbox, db, env, args.rounds, args.pause)
            return
        existing = len(list(inbox.glob("*.txt")))
        add_report(inbox)
        seconds, lines = xxgk_run(inbox, db, env)
        served = " (Prefect server running)" if api_url else ""
        print(f"\n## one report added to {existing} reports{served}: {seconds:.1f} s end to end")
        print("\n".join(lines))


if __name__ == "__main__":
    main()
