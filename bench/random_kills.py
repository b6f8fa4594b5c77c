"""50 random kills across whole `xxgk run`s: the served file stays intact, and one more run
gives the facts of a clean build.

    .venv/bin/python -m bench.random_kills                  # 50 kills, in /tmp/xxgk-kills
    .venv/bin/python -m bench.random_kills --kills 10 --seed 7

The inbox starts with four of the bundled reports (a run adding the fourth sets the time
scale: how long each step takes); before each run the next report (of the sample and the dev
corpus) is added, or once all are in, one is edited in place (a new version supersedes it),
so every run has work. Each run is SIGKILLed with its whole process group, as a power cut
would end it, at a random moment of a step drawn at random (start-up, land, parse, build,
validate and stage, publish): once the step before it has reported, after a delay uniform
between 0 and 1.2 times that step's length in the timing run. A uniform moment of the whole
run would land mostly in the start-up (Prefect's server, dbt's parse), which takes most of a
short run. After every kill the serving file must open read-only and read as one complete
version (its meta.published, marts and raw tables), and not be damaged
(serving/integrity.py). At the end every report is in the inbox and one run goes to the
end: its marts must equal, row for row, those of a clean build of the final inbox.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

from core.paths import ROOT
from serving.integrity import check_serving, verify_database
from serving.journal import journal_path
from tests.support.warehouse_tables import mart_rows

REPORTS = sorted((ROOT / "data" / "sample").iterdir()) + sorted(
    (ROOT / "data" / "corpus").iterdir()
)
# the steps a run reports, in order ("start": before landing, while Prefect starts)
STEPS = (
    "recover",
    "land",
    "parse",
    "reviews",
    "build",
    "dbt docs",
    "validate",
    "hold",
    "publish",
    "summary",
)
OPTIONAL = {"recover", "dbt docs", "hold"}  # steps only some runs report
XXGK = [str(Path(sys.executable).parent / "xxgk")]


# the steps a kill aims at, each with the step whose line ends just before it (None: the
# command's start); "validate" includes staging the next version, "publish" the swap
TARGETS: dict[str, str | None] = {
    "start": None,
    "land": None,
    "parse": "land",
    "build": "reviews",
    "validate": "build",
    "publish": "validate",
}


@dataclass(frozen=True)
class Aim:
    """Kill ``delay`` seconds after the line of step ``after`` appears (None: the start)."""

    step: str
    after: str | None
    delay: float


def step_times(log: Path) -> dict[str, float]:
    """Each step's seconds, as its line in the run's output says (``land: … (0.2 s)``)."""
    times = {}
    for line in log.read_text(errors="replace").splitlines():
        if found := re.match(r"([a-z ]+):\s.*\((\d+(?:\.\d+)?) s\)$", line):
            times[found.group(1)] = float(found.group(2))
    return times


def aim(rng: random.Random, timing: dict[str, float], total_s: float) -> Aim:
    """A random step, and a random moment in it."""
    step = rng.choice(list(TARGETS))
    after = TARGETS[step]
    if step == "start":  # the part of the run before landing starts
        length = total_s - sum(timing.values())
    else:
        length = timing.get(step, 1.0)
        if step == "land":  # no line before it: from the start, past the start-up
            return Aim(step, None, total_s - sum(timing.values()) + rng.uniform(0, 1.2 * length))
    return Aim(step, after, rng.uniform(0, 1.2 * max(length, 0.2)))


def _reported(log: Path, step: str) -> bool:
    return any(line.startswith(f"{step}:") for line in log.read_text(errors="replace").splitlines())


def run(inbox: Path, db: Path, log: Path, target: Aim | None) -> tuple[bool, float]:
    """`xxgk run`, SIGKILLed with its process group as ``target`` says (None: not killed);
    returns whether it was killed (False: it ended first) and how long it ran."""
    started = time.monotonic()
    with open(log, "w") as out:
        process = subprocess.Popen(
            [*XXGK, "run", "--input", str(inbox), "--db", str(db)],
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        killed = False
        try:
            if target is None:
                process.wait()
            else:
                killed = _kill_when(process, log, target)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if not killed and process.returncode != 0:
        raise RuntimeError(f"a run failed by itself:\n{log.read_text()[-3000:]}")
    return killed, time.monotonic() - started


def _kill_when(process: subprocess.Popen, log: Path, target: Aim) -> bool:
    """Wait for ``target``'s moment; True when it came before the run ended."""
    deadline = None if target.after else time.monotonic() + target.delay
    while process.poll() is None:
        if deadline is None and _reported(log, target.after or ""):
            deadline = time.monotonic() + target.delay
        if deadline is not None and time.monotonic() >= deadline:
            return True
        time.sleep(0.02)
    return False


def last_step(log: Path) -> str:
    """The step a killed run was in: the one after the last it reported."""
    reached = [line.split(":", 1)[0] for line in log.read_text(errors="replace").splitlines()]
    done = [step for step in STEPS if step in reached]
    if not done:
        return "start/land"  # landing reports only once it is over
    after = [step for step in STEPS[STEPS.index(done[-1]) + 1 :] if step not in OPTIONAL]
    return after[0] if after else "end"


def served_whole(db: Path) -> str | None:
    """None when the serving file reads as one complete version; else what is wrong."""
    if not db.exists():
        return "no serving file"
    if journal_path(db).exists():
        # killed inside publishing (serving/journal.py): the file may be the new version,
        # committed but not sealed yet (the seal is the last step; the next run or `xxgk
        # doctor --repair` completes it), so DuckDB reads it whole, checking every block
        problem = verify_database(db)
        if problem:
            return f"damaged: {problem}"
    elif (health := check_serving(db)).damaged:
        return str(health)
    try:
        with duckdb.connect(str(db), read_only=True) as con:
            version, documents = con.execute(
                "select version, document_count from meta.current_version"
            ).fetchone()
            (landed,) = con.execute("select count(*) from raw.documents").fetchone()
            con.execute("select count(*) from marts.fct_report_metrics").fetchone()
    except duckdb.Error as exc:
        return f"unreadable: {exc}"
    if landed != documents:
        return f"version {version} stamped {documents} documents, holds {landed}"
    return None


def change_inbox(inbox: Path, pending: list[Path], rng: random.Random, edits: int) -> str:
    """Give the next run something to do: the next report, or once all are in, a new
    version of one of them (edited in place: the earlier version is superseded)."""
    if pending:
        report = pending.pop(0)
        shutil.copy(report, inbox)
        return f"added {report.name}"
    target = rng.choice(sorted(inbox.glob("*.txt")))  # text: a line added is a new version
    with open(target, "a", encoding="utf-8") as file:
        file.write(f"\n（第{edits}次修订）\n")
    return f"edited {target.name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--seed", type=int, default=26)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "xxgk-kills")
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    work = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    inbox, clean_inbox = work / "inbox", work / "clean_inbox"
    inbox.mkdir(parents=True)
    db, log = work / "killed" / "w.duckdb", work / "run.log"

    started = time.monotonic()
    pending = list(REPORTS)
    for report in pending[:3]:
        shutil.copy(report, inbox)
    run(inbox, db, log, None)  # the first version: a full build
    shutil.copy(pending[3], inbox)
    del pending[:4]
    _, normal_s = run(inbox, db, log, None)  # what a run with one report added takes
    timing = step_times(log)
    print(
        f"a first version of 3 reports; a run adding one: {normal_s:.0f} s ("
        + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in timing.items())
        + ")"
    )

    kills, completed, phases, broken = 0, 0, Counter(), []
    while kills < args.kills:
        change = change_inbox(inbox, pending, rng, kills + completed)
        target = aim(rng, timing, normal_s)
        killed, seconds = run(inbox, db, log, target)
        if not killed:
            completed += 1
            continue
        kills += 1
        phase = last_step(log)
        phases[phase] += 1
        problem = served_whole(db)
        if problem:
            broken.append(f"kill {kills} ({phase}, {seconds:.1f} s): {problem}")
        print(
            f"kill {kills:2d} after {seconds:5.1f} s, aimed at {target.step:<8} "
            f"(+{target.delay:4.1f} s), in {phase:<9} ({change}); served: {problem or 'whole'}"
        )
    for report in pending:
        shutil.copy(report, inbox)
    run(inbox, db, log, None)
    shutil.copytree(inbox, clean_inbox)  # a clean build of the same final inbox
    run(clean_inbox, work / "clean" / "w.duckdb", log, None)
    same = mart_rows(db) == mart_rows(work / "clean" / "w.duckdb")
    print(
        f"\n{kills} kills ({completed} runs ended before their kill), by step: "
        + ", ".join(f"{phase} {n}" for phase, n in sorted(phases.items()))
    )
    print(f"served file whole after every kill: {not broken} ({len(broken)} not)")
    for line in broken:
        print("  " + line)
    print(f"one more run: facts identical to a clean build: {same}")
    print(f"{time.monotonic() - started:.0f} s in all")
    return 0 if same and not broken else 1


if __name__ == "__main__":
    sys.exit(main())
