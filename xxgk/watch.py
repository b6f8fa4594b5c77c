"""`xxgk watch`: the refresh flow, run whenever report files arrive in an inbox, from one
process that stays up.

Each `xxgk run` pays for its own start: Prefect's temporary API server (about 5 s here),
importing Prefect, dbt and Great Expectations, parsing the dbt project, copying the serving
file to a work file. A watch pays for them once. It starts as `xxgk run` does
(flows/runtime.py, transform/parse_ahead.py), keeps the gate's process with Great Expectations
loaded (core/processes.py), runs the refresh flow once to catch up with the inbox, and then
again each time report files under the inbox are added or changed, once no report file has
changed for ``settle_s`` seconds (so a file still being copied in is not landed half
written). After a run published, the next run's work file is copied while the watch waits.

The inbox is watched before the first run starts, so nothing that arrives meanwhile is
missed; changes made during a run start the next one. Files are watched with inotify
(watchfiles); ``force_polling`` (`--poll`, or WATCHFILES_FORCE_POLLING) polls instead, for
network file systems where inotify sees nothing.

A failed run is reported and the watch goes on: what is served stays as it was, and the
next change runs again, or with no change a retry after 30 s (doubling after each failure
in a row, up to 10 minutes), since a failure may be transient (another program holding the
work file, a full disk since cleared). Ctrl-C stops at once (a run in progress ends as
failed, recorded in the work file's audit.runs); a set ``stop`` event (SIGTERM, in the
command) stops once the run in progress has ended.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from watchfiles import Change

from core.environment import ReportLanguage
from core.paths import ROOT, work_db_path
from core.safe_output import for_terminal
from flows.schedule import DEFAULT_SETTLE_S
from ingest.discover import is_offered_path
from xxgk.adapters.watchfiles_notify import Notifier

if TYPE_CHECKING:
    from flows.context import RunContext

# a report file that keeps changing for this long is run anyway (watchfiles' debounce)
LONGEST_WAIT_MS = 10 * 60 * 1000
STOP_CHECK_MS = 500  # how often a wait with no change looks at the stop event
POLL_DELAY_MS = 300  # between two scans of the inbox when polling
RETRY_FIRST_S = 30.0  # a failed run is run again after this long with no change, then
RETRY_LONGEST_S = 600.0  # twice as long after each failure in a row, up to this


@dataclass(frozen=True)
class WatchSettings:
    settle_s: float = DEFAULT_SETTLE_S  # no report file changed for this long: a run starts
    force_polling: bool = False  # scan the inbox instead of inotify
    report_lang: ReportLanguage | None = None  # the command's --lang, over XXGK_REPORT_LANG


def polling_wanted(environ: dict[str, str] | os._Environ[str]) -> bool:
    """WATCHFILES_FORCE_POLLING set to anything but empty, 0 or false."""
    value = environ.get("WATCHFILES_FORCE_POLLING", "").strip().lower()
    return value not in ("", "0", "false")


class WatchCannotGoOn(RuntimeError):
    """What the watch needs is gone: the command ends with an error (a supervisor, e.g.
    systemd, may start it again)."""


class InboxGone(WatchCannotGoOn):
    """The watched inbox was removed (or unmounted) while it was watched."""


class ApiGone(WatchCannotGoOn):
    """The Prefect API the runs report to no longer answers."""


class InboxWatcher:
    """The report files added or changed under an inbox, one settled batch at a time."""

    def __init__(self, inbox: Path, settings: WatchSettings, stop: threading.Event) -> None:
        self.inbox = inbox
        self.settings = settings
        self.stop = stop
        # watching starts here: changes made before the first batch is asked for are kept
        try:
            self._notify = Notifier(
                inbox, force_polling=settings.force_polling, poll_delay_ms=POLL_DELAY_MS
            )
        except (OSError, RuntimeError) as exc:  # e.g. no inotify watches left
            hint = "" if settings.force_polling else " (--poll scans it instead of inotify)"
            raise WatchCannotGoOn(f"cannot watch {inbox}: {exc}{hint}") from exc

    def close(self) -> None:
        self._notify.close()

    def next_batch(self, deadline: float | None = None) -> list[Path] | None:
        """The report files (relative to the inbox, sorted) added or changed since the last
        batch, once none changed for ``settle_s``; an empty list once ``deadline`` (a
        ``time.monotonic()`` value) has passed with no change; None when ``stop`` is set.
        Raises KeyboardInterrupt on Ctrl-C, :class:`InboxGone` when the inbox is removed."""
        settle_ms = max(1, round(self.settings.settle_s * 1000))
        while True:
            changes = self._notify.wait(
                quiet_ms=settle_ms,
                timeout_ms=STOP_CHECK_MS,
                longest_ms=LONGEST_WAIT_MS,
                stop=self.stop,
            )
            if changes == "signal":
                raise KeyboardInterrupt
            if changes == "stop":
                return None
            if changes == "timeout":
                if not self.inbox.is_dir():  # inotify would wait for it forever
                    raise InboxGone(f"the inbox is gone: {self.inbox}")
                if deadline is not None and time.monotonic() >= deadline:
                    return []
                continue
            batch = {
                relative
                for change, path in changes
                if change != Change.deleted
                and not os.path.isdir(path)  # a folder's own change (polling) lands nothing
                and is_offered_path(relative := Path(os.path.relpath(path, self.inbox)))
            }
            if batch:
                return sorted(batch)


@contextmanager
def inbox_watcher(
    inbox: Path, settings: WatchSettings, stop: threading.Event
) -> Iterator[InboxWatcher]:
    watcher = InboxWatcher(inbox, settings, stop)
    try:
        yield watcher
    finally:
        watcher.close()


def describe(batch: list[Path], shown: int = 3) -> str:
    names = ", ".join(for_terminal(path) for path in batch[:shown])
    more = f" and {len(batch) - shown} more" if len(batch) > shown else ""
    files = "file" if len(batch) == 1 else "files"
    return f"{len(batch)} {files} added or changed: {names}{more}"


def _clock() -> str:
    return time.strftime("%H:%M:%S")


def watch(inbox: Path, db_path: Path, settings: WatchSettings, stop: threading.Event) -> int:
    """Watch ``inbox`` and keep the warehouse served at ``db_path`` up to date with it until
    ``stop`` is set (returns 0) or Ctrl-C (KeyboardInterrupt)."""
    from core.processes import kept_process
    from flows.context import RunContext
    from flows.runtime import api_healthy, one_shot_api
    from serving.recovery import ServingFileDamaged, ServingFileInUse, prepare_build
    from serving.work_file import adopt_serving_file_ahead
    from transform.parse_ahead import parsed_ahead

    work_db = work_db_path(db_path)
    mode = "polling" if settings.force_polling else "inotify"
    print(f"xxgk watch: {inbox} -> {db_path} ({mode}, settle {settings.settle_s:g} s)", flush=True)
    try:  # what a dead process left is finished before the work file is copied
        notes = prepare_build(db_path).notes
    except (ServingFileDamaged, ServingFileInUse) as exc:
        raise WatchCannotGoOn(str(exc)) from exc
    for note in notes:
        print(f"recover:  {for_terminal(note)}", flush=True)
    with inbox_watcher(inbox, settings, stop) as watcher, parsed_ahead(work_db, ROOT) as parse:
        copying = adopt_serving_file_ahead(work_db, db_path, after=parse.wait)
        context = RunContext.of(db_path, report_lang=settings.report_lang, parse=parse)
        try:
            with one_shot_api(prepare=_import_flow) as api_url:
                from flows.refresh import GATE_MODULE

                with kept_process(GATE_MODULE) as gate:
                    print(
                        f"[{_clock()}] Prefect API {api_url}; catching up with the inbox",
                        flush=True,
                    )
                    context = replace(context, gate=gate)
                    copying, succeeded, deferred = _run(inbox, context, copying, settings)
                    retry = Retry()
                    while not stop.is_set():
                        deadline = retry.after(succeeded)
                        waiting = "" if deadline is None else f"; retrying in {retry.delay_s:g} s"
                        if deferred and deadline is None:  # files still being written
                            deadline = time.monotonic() + max(settings.settle_s, 1.0)
                            waiting = "; files still being written are landed once complete"
                        shown = for_terminal(inbox)
                        print(f"[{_clock()}] watching {shown} (Ctrl-C stops){waiting}", flush=True)
                        batch = watcher.next_batch(deadline)
                        if batch is None:
                            break
                        reason = describe(batch) if batch else "running again"
                        print(f"[{_clock()}] {reason}", flush=True)
                        if api_url and not api_healthy(api_url, timeout_s=5):
                            raise ApiGone(f"the Prefect API does not answer at {api_url}")
                        # the dbt project or the settings may have changed meanwhile
                        renewed = context.parse.renewed() if context.parse else None
                        context = replace(context, parse=renewed)
                        copying, succeeded, deferred = _run(inbox, context, copying, settings)
        finally:
            wait([copying])  # never leave a copy half made
            if context.parse is not None:
                context.parse.wait()  # the latest parse, when it was renewed
    print(f"[{_clock()}] xxgk watch: stopped", flush=True)
    return 0


class Retry:
    """When to run again after a failed run with no change meanwhile: after
    ``first_s`` seconds, twice as long after each failure in a row, at most ``longest_s``
    (a transient failure, e.g. another program holding the work file, clears by itself)."""

    def __init__(self, first_s: float = RETRY_FIRST_S, longest_s: float = RETRY_LONGEST_S):
        self.first_s = first_s
        self.longest_s = longest_s
        self.delay_s = 0.0

    def after(self, succeeded: bool) -> float | None:
        """The deadline (``time.monotonic()``) of the next retry, None after a success."""
        if succeeded:
            self.delay_s = 0.0
            return None
        self.delay_s = min(self.longest_s, self.delay_s * 2 if self.delay_s else self.first_s)
        return time.monotonic() + self.delay_s


def _import_flow() -> None:
    import flows.refresh  # noqa: F401


def _run(
    inbox: Path, context: RunContext, copying: Future[bool], settings: WatchSettings
) -> tuple[Future[bool], bool, bool]:
    """One refresh run, reported; returns the copy of the next run's work file, started now
    (it does nothing when this run did not publish: its work file is still there), whether
    the run succeeded, and whether it left files still being written for the next run (a
    file changed within the last ``settle_s`` seconds is not landed: it may be half
    written)."""
    from flows.refresh import refresh
    from serving.publish import what_is_served
    from serving.work_file import adopt_serving_file_ahead

    db_path, work_db = context.serving_db, context.work_db
    copy_failure = copying.exception()  # the run copies the serving file itself then
    if copy_failure is not None:
        print(f"xxgk watch: copying the serving file failed: {copy_failure}", file=sys.stderr)
    started = time.monotonic()
    succeeded = deferred = False
    try:
        result = refresh(inbox, db_path, kind="watch", settle_s=settings.settle_s, context=context)
    except Exception as exc:  # reported; the next change, or the retry, runs again
        message = for_terminal(exc, keep_lines=True)
        print(f"[{_clock()}] xxgk watch: the run failed: {message}", file=sys.stderr, flush=True)
        print(f"xxgk watch: {what_is_served(db_path)}", file=sys.stderr, flush=True)
    else:
        succeeded = True
        deferred = bool(result.landing and result.landing.deferred)
        print(f"summary:  {for_terminal(result.run.summary())}", flush=True)
    print(f"[{_clock()}] the run took {time.monotonic() - started:.1f} s", flush=True)
    return adopt_serving_file_ahead(work_db, db_path), succeeded, deferred
