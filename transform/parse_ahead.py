"""The dbt project parsed ahead of its build, while a one-shot run waits for its Prefect API.

A dbt build starts by parsing the project (about 1 s in a fresh process, most of it dbt
setting itself up, even when its partial parse finds nothing changed). `xxgk run` spends
several seconds waiting for the temporary Prefect server with a core to spare, so it parses
the project then, in a thread (:func:`parsed_ahead`), and the build uses that manifest
(``dbtRunner(manifest=...)``, dbt's own way to reuse a parse).

The manifest is used only while it is certainly the one the build would parse: same
project directory, same warehouse file, same project files (the build fingerprint, which
covers models, macros, seeds and the dbt settings) and the same ``XXGK_*``/``DBT_*``
environment, and only for a command without ``--vars`` (vars change what dbt parses).
Otherwise, or if the parse failed, dbt parses as usual. Only incremental builds use it
(:func:`reuses_a_parse`). Every dbt invocation in the block
first waits for the parse to end, so two never run at once. A block that outlives several
builds (`xxgk watch`) parses again after the project changed (:func:`parse_again_if_changed`).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transform.build_state import build_fingerprint
from transform.invoke import DB_PATH_VARIABLE, invoke_dbt

ENVIRONMENT_PREFIXES = ("XXGK_", "DBT_")  # what profiles.yml, the project and dbt read


@dataclass(frozen=True)
class ParseKey:
    """Everything a parse of the project depends on."""

    project_dir: str
    db_path: str
    fingerprint: str
    environment: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, db_path: Path | str, project_dir: Path | str) -> ParseKey:
        # the warehouse path is db_path, whatever the environment says outside an invocation
        environment = sorted(
            (name, value)
            for name, value in os.environ.items()
            if name.startswith(ENVIRONMENT_PREFIXES) and name != DB_PATH_VARIABLE
        )
        return cls(
            project_dir=str(Path(project_dir).resolve()),
            db_path=str(Path(db_path).resolve()),
            fingerprint=build_fingerprint(Path(project_dir)),
            environment=tuple(environment),
        )


def reuses_a_parse(command: Sequence[str]) -> bool:
    """Whether ``command`` may run on a manifest parsed before: a build that writes no
    manifest.json (dbt writes none for a manifest it did not parse, and the docs page after a
    full refresh is made from the build's) and sets no vars (they change the parse)."""
    return command[:1] == ["build"] and "--no-write-json" in command and "--vars" not in command


class ProjectParse:
    """``dbt parse`` of ``project_dir`` for the warehouse at ``db_path``, in a thread."""

    def __init__(self, db_path: Path | str, project_dir: Path | str) -> None:
        self.key: ParseKey | None = None
        # the key is taken in the thread too: the caller goes on at once. A failure is kept
        # in the result: the build then parses itself and reports it
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dbt parse ahead")
        self.result: Future[Any] = thread.submit(self._parse, db_path, project_dir)
        thread.shutdown(wait=False)

    def _parse(self, db_path: Path | str, project_dir: Path | str) -> Any:
        self.key = ParseKey.of(db_path, project_dir)
        result = invoke_dbt(
            ["parse", "--no-write-json"], self.key.db_path, Path(self.key.project_dir)
        )
        if result.success and result.result is not None:
            return result.result
        raise RuntimeError(f"dbt parse failed: {result.exception}")

    def wait(self) -> None:
        wait([self.result])

    def manifest_for(
        self, command: Sequence[str], db_path: Path | str, project_dir: Path | str
    ) -> Any | None:
        """The parsed manifest when ``command`` on ``db_path`` would parse the same project,
        else None. Waits for the parse to end either way."""
        self.wait()
        if not reuses_a_parse(command) or self.result.exception() is not None:
            return None
        if ParseKey.of(db_path, project_dir) != self.key:  # the project or settings changed
            return None
        return self.result.result()


_AHEAD: ContextVar[ProjectParse | None] = ContextVar("xxgk_parse_ahead", default=None)


@contextmanager
def parsed_ahead(db_path: Path | str, project_dir: Path | str) -> Iterator[ProjectParse]:
    """Start parsing the project now; dbt commands run inside the block (in this context)
    may use the result (see the module's docstring). The parse is waited for on exit."""
    parse = ProjectParse(db_path, project_dir)
    token = _AHEAD.set(parse)
    try:
        yield parse
    finally:
        latest = _AHEAD.get() or parse  # a later parse (parse_again_if_changed)
        _AHEAD.reset(token)
        latest.wait()


def parse_again_if_changed(db_path: Path | str, project_dir: Path | str) -> bool:
    """In a :func:`parsed_ahead` block that outlives several builds (`xxgk watch`): when the
    project or the settings changed since its parse, start parsing again (the next
    incremental builds then use it). True when it did."""
    parse = _AHEAD.get()
    if parse is None:
        return False
    parse.wait()
    if parse.result.exception() is None and ParseKey.of(db_path, project_dir) == parse.key:
        return False
    _AHEAD.set(ProjectParse(db_path, project_dir))
    return True


def settle() -> None:
    """Wait for a parse started ahead in this context, if any (before dbt runs elsewhere,
    e.g. in another process, so that two never parse the project at once)."""
    parse = _AHEAD.get()
    if parse is not None:
        parse.wait()


def manifest_for(command: Sequence[str], db_path: Path | str, project_dir: Path | str) -> Any:
    """The manifest parsed ahead for this invocation, or None (dbt then parses itself)."""
    parse = _AHEAD.get()
    if parse is None:
        return None
    return parse.manifest_for(command, db_path, project_dir)
