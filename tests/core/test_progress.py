"""What a command shows while its steps run (core/progress.py): plain periodic lines on a
pipe, rich's live display in a terminal, counts from dbt's events and from another process."""

from __future__ import annotations

import io
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from core import progress


def test_without_a_display_the_steps_report_to_nothing() -> None:
    with progress.step("land", "files"):
        progress.advance("land", 3, total=5)  # no display: nothing to do, nothing raised


def test_piped_output_gets_a_plain_line_per_running_step(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(progress, "PLAIN_EVERY_S", 0.05)
    out = io.StringIO()
    with progress.showing(out, live=False):
        with progress.step("land", "files landed", total=4):
            progress.advance("land", 3)
            time.sleep(0.3)
        time.sleep(0.2)  # no step running: no line
    lines = out.getvalue().splitlines()
    assert lines and all(line.startswith("  … land: 3/4 files landed (") for line in lines)
    assert len(lines) <= 0.3 / 0.05 + 1


def test_a_terminal_gets_a_live_display_and_printed_lines_stay_whole() -> None:
    out = io.StringIO()
    long_line = "summary:  " + "x" * 300
    with progress.showing(out, live=True), progress.step("build", "dbt nodes built or tested"):
        progress.dbt_event(
            SimpleNamespace(
                info=SimpleNamespace(name="LogStartLine"), data=SimpleNamespace(total=7)
            )
        )
        for _ in range(2):
            progress.dbt_event(SimpleNamespace(info=SimpleNamespace(name="NodeFinished")))
        time.sleep(0.3)
        print(long_line)  # goes above the live display, not wrapped into it
    text = out.getvalue()
    assert "build: 2/7 dbt nodes built or tested" in text
    assert long_line in text


def test_a_count_written_by_another_process_is_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(progress, "FOLLOW_EVERY_S", 0.02)
    monkeypatch.setattr(progress, "PLAIN_EVERY_S", 0.05)
    counts = progress.CountFile(tmp_path / "gate.count")
    out = io.StringIO()
    with (
        progress.showing(out, live=False),
        progress.step("validate", "suites validated"),
        progress.following(counts, "validate"),
    ):
        counts(5, 15)
        time.sleep(0.15)
        counts(15, 15)
        time.sleep(0.15)
    assert "validate: 15/15 suites validated" in out.getvalue()
    assert not counts.path.exists()  # removed once the step is over


def test_waiting_names_what_is_still_awaited() -> None:
    out = io.StringIO()
    with progress.showing(out, live=True):
        waiting = progress.Waiting("start", ["the server", "the parse"], then="starting")
        waiting.over("the server")
        time.sleep(0.3)
        shown = out.getvalue()
        waiting.over("the parse")
        time.sleep(0.3)
    last = shown.rsplit("\r", 1)[-1]  # the display as it was drawn last
    assert "start: waiting for the parse" in last and "the server" not in last
    assert "start: starting" in out.getvalue()
