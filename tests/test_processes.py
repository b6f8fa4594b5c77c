"""Steps in fresh processes (xxgk/processes.py)."""

from __future__ import annotations

import os

import pytest

from xxgk.processes import StepProcessDied, fresh_process, preload, run_in


def test_a_step_runs_in_a_fresh_process_with_its_module_loaded() -> None:
    with fresh_process() as process:
        preload(process, "json").result()
        assert run_in(process, "pid", os.getpid) != os.getpid()
        assert run_in(process, "sum", sum, [1, 2, 3]) == 6


def test_a_step_s_error_comes_back_as_it_is() -> None:
    with fresh_process() as process, pytest.raises(ZeroDivisionError):
        run_in(process, "divide", divmod, 1, 0)


def test_a_process_that_dies_names_the_step() -> None:
    with fresh_process() as process, pytest.raises(StepProcessDied, match="^validate: its process"):
        run_in(process, "validate", os._exit, 9)
