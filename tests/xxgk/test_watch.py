"""`xxgk watch`: the inbox watcher's batches, the gate process it keeps, and the command
itself (a subprocess, as a user runs it) serving reports as they arrive."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from bench.add_one import until, watching
from core.paths import SAMPLE_DIR
from core.processes import kept_process, run_in
from ingest.discover import is_offered_path
from xxgk.watch import (
    InboxGone,
    InboxWatcher,
    Retry,
    WatchCannotGoOn,
    WatchSettings,
    describe,
    inbox_watcher,
    polling_wanted,
)


def _batch_in_thread(watcher: InboxWatcher) -> queue.Queue[list[Path] | None]:
    answer: queue.Queue[list[Path] | None] = queue.Queue()
    threading.Thread(target=lambda: answer.put(watcher.next_batch()), daemon=True).start()
    return answer


@pytest.mark.parametrize("polling", [False, True], ids=["inotify", "polling"])
def test_a_batch_is_the_report_files_added_or_changed_once_they_settle(
    tmp_path: Path, polling: bool
) -> None:
    (tmp_path / "old.txt").write_text("before the watch")
    (tmp_path / "sub").mkdir()
    stop = threading.Event()
    settings = WatchSettings(settle_s=0.3, force_polling=polling)
    with inbox_watcher(tmp_path, settings, stop) as watcher:
        # made before the first batch is asked for: still seen (watching starts with the
        # watcher, before the catch-up run)
        (tmp_path / "a.txt").write_text("one")
        (tmp_path / "sub" / "b.PDF").write_bytes(b"%PDF")
        (tmp_path / "notes.csv").write_text("not a report: offered, quarantined as unsupported")
        (tmp_path / ".c.txt.part").write_text("hidden: a download in progress")
        (tmp_path / "old.txt").unlink()  # a deletion runs nothing
        assert watcher.next_batch() == [Path("a.txt"), Path("notes.csv"), Path("sub/b.PDF")]

        answer = _batch_in_thread(watcher)
        for part in range(5):  # a file written in pieces is one batch, once it settles
            with (tmp_path / "d.html").open("a") as growing:
                growing.write(f"<p>{part}</p>")
            time.sleep(0.1)
        assert answer.get(timeout=30) == [Path("d.html")]

        answer = _batch_in_thread(watcher)
        time.sleep(0.5)
        stop.set()
        assert answer.get(timeout=30) is None  # stopped, with no change


def test_an_inbox_removed_while_watched_ends_the_watch_with_its_reason(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    with inbox_watcher(inbox, WatchSettings(settle_s=0.1), threading.Event()) as watcher:
        shutil.rmtree(inbox)
        with pytest.raises(InboxGone, match="the inbox is gone"):
            watcher.next_batch()


def test_with_no_change_a_batch_is_empty_once_the_retry_is_due(tmp_path: Path) -> None:
    with inbox_watcher(tmp_path, WatchSettings(settle_s=0.1), threading.Event()) as watcher:
        started = time.monotonic()
        assert watcher.next_batch(deadline=started + 0.3) == []
        assert time.monotonic() - started >= 0.3
        (tmp_path / "a.txt").write_text("a change comes before the retry")
        assert watcher.next_batch(deadline=time.monotonic() + 60) == [Path("a.txt")]


def test_a_failed_run_is_retried_later_and_later_until_one_succeeds() -> None:
    retry = Retry(first_s=30, longest_s=100)
    assert retry.after(succeeded=True) is None
    delays = []
    for _ in range(4):
        deadline = retry.after(succeeded=False)
        assert deadline is not None and deadline > time.monotonic() + retry.delay_s - 1
        delays.append(retry.delay_s)
    assert delays == [30, 60, 100, 100]
    assert retry.after(succeeded=True) is None
    retry.after(succeeded=False)
    assert retry.delay_s == 30  # a success starts the count again


def test_an_inbox_that_cannot_be_watched_says_why(tmp_path: Path) -> None:
    with pytest.raises(WatchCannotGoOn, match="cannot watch .*nope"):
        InboxWatcher(tmp_path / "nope", WatchSettings(), threading.Event())


def test_report_paths_and_descriptions() -> None:
    assert is_offered_path(Path("2019/report.DOCX"))
    assert is_offered_path(Path("2019/table.xls"))  # offered, and quarantined as unsupported
    assert not is_offered_path(Path(".cache/report.txt"))
    assert not is_offered_path(Path("report.txt.tmp"))
    assert not is_offered_path(Path("~$report.docx"))
    many = [Path(f"r{i}.txt") for i in range(5)]
    assert describe(many[:1]) == "1 file added or changed: r0.txt"
    assert describe(many) == "5 files added or changed: r0.txt, r1.txt, r2.txt and 2 more"
    # a name cannot drive the terminal (set its title, clear the screen)
    assert describe([Path("\x1b]0;owned\x07\x1b[2J.txt")]) == (
        "1 file added or changed: \\x1b]0;owned\\x07\\x1b[2J.txt"
    )
    assert polling_wanted({"WATCHFILES_FORCE_POLLING": "1"})
    assert not polling_wanted({"WATCHFILES_FORCE_POLLING": "false"})
    assert not polling_wanted({})


def test_the_kept_process_serves_the_block_and_is_renewed_on_demand() -> None:
    with kept_process("json") as kept:
        first = run_in(kept.process, "pid", os.getpid)
        assert run_in(kept.process, "pid", os.getpid) == first  # the same process each time
        kept.renew()
        assert run_in(kept.process, "pid", os.getpid) != first
        renewed = kept.process
    with pytest.raises(RuntimeError):  # shut down with the block
        renewed.submit(os.getpid)


@pytest.fixture
def watched_inbox(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], queue.Queue[str], Path]]:
    """`xxgk watch` on an inbox holding one sample report (yields the process, its output
    lines and the inbox)."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    first, *_ = sorted(SAMPLE_DIR.iterdir())
    shutil.copy(first, inbox)
    db = tmp_path / "served" / "xxgk.duckdb"
    with watching(inbox, db, options=("--settle", "0.2"), cwd=tmp_path) as (process, lines):
        yield process, lines, inbox


@pytest.mark.slow
@pytest.mark.e2e
def test_watch_serves_each_report_as_it_arrives_and_stops_on_sigterm(
    watched_inbox: tuple[subprocess.Popen[str], queue.Queue[str], Path],
) -> None:
    process, lines, inbox = watched_inbox
    caught_up = until(lines, "watching ")
    assert any("publish:  version 1 served" in line for line in caught_up), caught_up
    db = inbox.parent / "served" / "xxgk.duckdb"
    # another builder of the same warehouse is refused while the watch holds it
    xxgk = str(Path(sys.executable).with_name("xxgk"))
    refused = subprocess.run(
        [xxgk, "run", "--input", str(inbox), "--db", str(db)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode == 1, refused.stdout + refused.stderr
    assert "another process is building this warehouse (xxgk watch, pid" in refused.stderr

    second = sorted(SAMPLE_DIR.iterdir())[1]
    shutil.copy(second, inbox / ".arriving.txt")  # hidden while it is copied in
    os.replace(inbox / ".arriving.txt", inbox / second.name)
    run = until(lines, "watching ")
    assert any(f"1 file added or changed: {second.name}" in line for line in run), run
    assert any("incremental (1 changed reports)" in line for line in run), run
    assert any("publish:  version 2 served" in line for line in run), run

    # bad input is quarantined with its reason, and the watch goes on
    (inbox / "broken.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    run = until(lines, "watching ")
    assert any("1 quarantined" in line for line in run), run

    with duckdb.connect(str(db), read_only=True) as con:
        landed = con.execute("select count(*) from raw.documents").fetchone()
        quarantined = con.execute("select source_path, reason from raw.quarantine").fetchall()
        kinds = con.execute("select distinct kind from audit.runs").fetchall()
    assert landed == (2,)
    assert [path for path, _ in quarantined] == ["broken.pdf"] and quarantined[0][1]
    assert kinds == [("watch",)]

    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) == 0
    assert any("xxgk watch: stopped" in line for line in until(lines, "stopped"))
    leftovers = [p.name for p in db.parent.iterdir() if p.name.startswith(".")]
    assert not leftovers  # no half-made copy of the work file
