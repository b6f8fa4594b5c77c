"""What a command shows while a step runs, so that it is never silent for long.

The command line opens one display for the whole command (:func:`showing`): in a terminal a
live `rich` progress display (a spinner, what the step does, documents or nodes done of
their total, the time elapsed), redrawn several times a second; on a pipe or in a file,
plain lines, one per running step every :data:`PLAIN_EVERY_S` seconds. The steps report
to whatever display is open through the module's functions (:func:`step`, :func:`advance`),
which do nothing when none is (tests, the scheduled deployment, library use).

A step run in another process (the Great Expectations gate) reports through a small file
(:class:`CountFile`), which this process follows while the step runs (:func:`following`).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

PLAIN_EVERY_S = 10.0  # piped output: a line for each running step at most this often
FOLLOW_EVERY_S = 0.2  # how often a count file written by another process is read


@dataclass
class _Step:
    name: str
    what: str  # e.g. "documents landed"
    total: int | None = None
    done: int = 0
    started: float = field(default_factory=time.monotonic)

    def text(self) -> str:
        count = f"{self.done}/{self.total} " if self.total is not None else ""
        return f"{self.name}: {count}{self.what}"


class _Display:
    """The steps running now; subclasses draw them."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.steps: dict[str, _Step] = {}

    def begin(self, name: str, what: str, total: int | None) -> None:
        with self.lock:
            self.steps[name] = _Step(name, what, total)
            self.changed(self.steps[name])

    def advance(self, name: str, n: int, total: int | None) -> None:
        with self.lock:
            running = self.steps.get(name)
            if running is None:
                return
            running.done += n
            if total is not None:
                running.total = total
            self.changed(running)

    def end(self, name: str) -> None:
        with self.lock:
            running = self.steps.pop(name, None)
            if running is not None:
                self.ended(running)

    def changed(self, running: _Step) -> None: ...

    def ended(self, running: _Step) -> None: ...

    def close(self) -> None: ...


class _LiveDisplay(_Display):
    """A terminal: rich's live progress display; what is printed meanwhile goes above it."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        from rich.console import Console
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=24),
            TimeElapsedColumn(),
            # soft_wrap: what is printed above keeps its lines (the terminal wraps them)
            console=Console(file=stream, highlight=False, soft_wrap=True, force_terminal=True),
            transient=True,
            refresh_per_second=8,
        )
        self.tasks: dict[str, object] = {}
        self.progress.start()

    def changed(self, running: _Step) -> None:
        task = self.tasks.get(running.name)
        if task is None:
            self.tasks[running.name] = self.progress.add_task(
                running.text(), total=running.total, completed=running.done
            )
        else:
            self.progress.update(
                task,  # type: ignore[arg-type]
                description=running.text(),
                total=running.total,
                completed=running.done,
            )

    def ended(self, running: _Step) -> None:
        task = self.tasks.pop(running.name, None)
        if task is not None:
            self.progress.remove_task(task)  # type: ignore[arg-type]

    def close(self) -> None:
        self.progress.stop()


class _PlainDisplay(_Display):
    """A pipe or a file: a line for each step still running every PLAIN_EVERY_S seconds."""

    def __init__(self, stream: TextIO) -> None:
        super().__init__()
        self.stream, self.every_s = stream, PLAIN_EVERY_S
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._tick, name="progress lines", daemon=True)
        self.thread.start()

    def _tick(self) -> None:
        while not self.stop.wait(self.every_s):
            with self.lock:
                now = time.monotonic()
                lines = [
                    f"  … {running.text()} ({now - running.started:.0f} s)"
                    for running in self.steps.values()
                    if now - running.started >= self.every_s
                ]
            for line in lines:
                print(line, file=self.stream, flush=True)

    def close(self) -> None:
        self.stop.set()
        self.thread.join()


_ACTIVE: _Display | None = None


@contextmanager
def showing(stream: TextIO | None = None, *, live: bool | None = None) -> Iterator[None]:
    """Show the steps that run inside the block on ``stream`` (stdout by default): live in a
    terminal, plain periodic lines otherwise (``live`` overrides the choice)."""
    global _ACTIVE
    stream = stream or sys.stdout
    if live is None:
        live = stream.isatty() and os.environ.get("TERM") != "dumb"
    display = _LiveDisplay(stream) if live else _PlainDisplay(stream)
    previous, _ACTIVE = _ACTIVE, display
    try:
        yield
    finally:
        _ACTIVE = previous
        display.close()


def begin(name: str, what: str, total: int | None = None) -> None:
    """Show the step ``name`` as running from now on (replacing a running one of that name):
    ``what`` it does or waits for, and, once known, how many of ``total`` are done
    (:func:`advance`). Until :func:`end`."""
    display = _ACTIVE
    if display is not None:
        display.begin(name, what, total)


def end(name: str) -> None:
    """The step ``name`` is no longer running (nothing happens if it is not)."""
    display = _ACTIVE
    if display is not None:
        display.end(name)


@contextmanager
def step(name: str, what: str, total: int | None = None) -> Iterator[None]:
    """:func:`begin` the step ``name`` for the block, :func:`end` it after."""
    begin(name, what, total)
    try:
        yield
    finally:
        end(name)


def advance(name: str, n: int = 1, total: int | None = None) -> None:
    """``n`` more of the running step ``name`` are done (``total``: now known, or changed).
    Nothing happens when no display is open or the step is not running."""
    display = _ACTIVE
    if display is not None:
        display.advance(name, n, total)


class Waiting:
    """A step that waits for several things at once, shown as ``waiting for`` those still
    awaited; :meth:`over` as each arrives (from any thread). Then it shows ``then``."""

    def __init__(self, name: str, awaited: list[str], then: str) -> None:
        self.name, self.awaited, self.then = name, list(awaited), then
        self.lock = threading.Lock()
        self._show()

    def over(self, item: str) -> None:
        with self.lock:
            if item in self.awaited:
                self.awaited.remove(item)
                self._show()

    def _show(self) -> None:
        begin(self.name, f"waiting for {', '.join(self.awaited)}" if self.awaited else self.then)


@dataclass(frozen=True)
class CountFile:
    """A count written by another process (picklable): ``CountFile(path)(done, total)``
    replaces the file's content in one rename."""

    path: Path

    def __call__(self, done: int, total: int) -> None:
        staged = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        staged.write_text(f"{done} {total}", encoding="ascii")
        os.replace(staged, self.path)

    def read(self) -> tuple[int, int] | None:
        try:
            done, total = self.path.read_text(encoding="ascii").split()
            return int(done), int(total)
        except (OSError, ValueError):
            return None


@contextmanager
def following(counts: CountFile, name: str) -> Iterator[None]:
    """While the block runs, show what another process writes to ``counts`` as the running
    step ``name``'s count; the file is removed afterwards."""
    stop = threading.Event()
    shown = [0]

    def follow() -> None:
        while not stop.wait(FOLLOW_EVERY_S):
            read = counts.read()
            if read is not None:
                advance(name, read[0] - shown[0], total=read[1])
                shown[0] = read[0]

    thread = threading.Thread(target=follow, name=f"follow {name}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        counts.path.unlink(missing_ok=True)


def dbt_event(event: object) -> None:
    """dbtRunner's callback: each node dbt starts tells the build's total, each node that
    finishes counts one (step ``build``)."""
    name = getattr(getattr(event, "info", None), "name", "")
    if name == "LogStartLine":
        total = getattr(getattr(event, "data", None), "total", None)
        advance("build", 0, total=int(total) if total else None)
    elif name == "NodeFinished":
        advance("build")
