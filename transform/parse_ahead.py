"""The dbt project parsed ahead of its build, while a one-shot run waits for its Prefect API.

A dbt build starts by parsing the project (about 1 s in a fresh process, most of it dbt
setting itself up, even when its partial parse finds nothing changed). `xxgk run` spends
several seconds waiting for the temporary Prefect server with a core to spare, so it parses
the project then, in a thread (:func:`parsed_ahead`), and the build uses that manifest
(``dbtRunner(manifest=...)``, dbt's own way to reuse a parse).

The parse is an object the caller holds and hands to the run (``RunContext.parse``,
flows/context.py); the build asks it for its manifest (:meth:`ProjectParse.manifest_for`).
The manifest is used only while it is certainly the one the build would parse: same
project directory, same warehouse file, same project files (the build fingerprint, which
covers models, macros, seeds and the dbt settings), the same dbt vars (the warehouse and its
memory limit, transform/invoke.py) and ``DBT_*`` environment, and only for a command with no
vars of its own (vars change what dbt parses). Otherwise, or if the parse failed, dbt parses
as usual. Only incremental builds use it (:func:`reuses_a_parse`). A build given the parse
first waits for it to end, so two never run at once. A caller that outlives several builds
(`xxgk watch`) parses again after the project changed (:meth:`ProjectParse.renewed`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from transform.build_state import build_fingerprint
from transform.invoke import dbt_vars, invoke_dbt

ENVIRONMENT_PREFIX = "DBT_"  # dbt's own settings


@dataclass(frozen=True)
class ParseKey:
    """Everything a parse of the project depends on."""

    project_dir: str
    db_path: str
    fingerprint: str
    dbt_vars: str
    environment: tuple[tuple[str, str], ...]

    @classmethod
    def of(cls, db_path: Path | str, project_dir: Path | str) -> ParseKey:
        environment = sorted(
            (name, value)
            for name, value in os.environ.items()
            if name.startswith(ENVIRONMENT_PREFIX)
        )
        return cls(
            project_dir=str(Path(project_dir).resolve()),
            db_path=str(Path(db_path).resolve()),
            fingerprint=build_fingerprint(Path(project_dir)),
            dbt_vars=json.dumps(dbt_vars(db_path), sort_keys=True),
            environment=tuple(environment),
        )


def reuses_a_parse(command: Sequence[str], extra_vars: Mapping[str, object] | None = None) -> bool:
    """Whether ``command`` may run on a manifest parsed before: a build that writes no
    manifest.json (dbt writes none for a manifest it did not parse, and the docs page after a
    full refresh is made from the build's) and sets no vars of its own (they change the
    parse)."""
    return command[:1] == ["build"] and "--no-write-json" in command and not extra_vars


class ProjectParse:
    """``dbt parse`` of ``project_dir`` for the warehouse at ``db_path``, in a thread."""

    def __init__(self, db_path: Path | str, project_dir: Path | str) -> None:
        self.db_path, self.project_dir = db_path, project_dir
        self.key: ParseKey | None = None
        # the key is taken in the thread too: the caller goes on at once. A failure is kept
        # in the result: the build then parses itself and reports it
        thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="dbt parse ahead")
        self.result: Future[Any] = thread.submit(self._parse, db_path, project_dir)
        thread.shutdown(wait=False)

    def _parse(self, db_path: Path | str, project_dir: Path | str) -> Any:
        self.key = ParseKey.of(db_path, project_dir)  # dbt loads in this thread
        result = invoke_dbt(
            ["parse", "--no-write-json"], self.key.db_path, Path(self.key.project_dir)
        )
        if result.success and result.result is not None:
            return result.result
        raise RuntimeError(f"dbt parse failed: {result.exception}")

    def wait(self) -> None:
        wait([self.result])

    def manifest_for(
        self,
        command: Sequence[str],
        db_path: Path | str,
        project_dir: Path | str,
        extra_vars: Mapping[str, object] | None = None,
    ) -> Any | None:
        """The parsed manifest when ``command`` (with ``extra_vars``) on ``db_path`` would
        parse the same project, else None. Waits for the parse to end either way."""
        self.wait()
        if not reuses_a_parse(command, extra_vars) or self.result.exception() is not None:
            return None
        if ParseKey.of(db_path, project_dir) != self.key:  # the project or settings changed
            return None
        return self.result.result()

    def renewed(self) -> ProjectParse:
        """This parse, or, when the project or the settings changed since (or it failed), a
        new one started now (the next incremental builds then use it)."""
        self.wait()
        unchanged = ParseKey.of(self.db_path, self.project_dir) == self.key
        if self.result.exception() is None and unchanged:
            return self
        return ProjectParse(self.db_path, self.project_dir)


@contextmanager
def parsed_ahead(db_path: Path | str, project_dir: Path | str) -> Iterator[ProjectParse]:
    """Start parsing the project now; hand the parse to the dbt commands that may use it
    (see the module's docstring). The parse is waited for on exit."""
    parse = ProjectParse(db_path, project_dir)
    try:
        yield parse
    finally:
        parse.wait()
