"""`dbt build` and `dbt docs generate` in-process against the warehouse file."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from xxgk.paths import ROOT

DB_PATH_VARIABLE = "XXGK_DB_PATH"  # read by profiles.yml
FAILED = frozenset({"error", "fail", "runtime error"})


class DbtBuildFailed(RuntimeError):
    """dbt build did not succeed; the message names the failing nodes."""


@dataclass(frozen=True)
class DbtSummary:
    statuses: dict[str, int] = field(default_factory=dict)  # node status -> count

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {status}" for status, n in sorted(self.statuses.items()))
        return f"dbt build ok ({counts or 'nothing to do'})"


@contextmanager
def _environment(name: str, value: str) -> Iterator[None]:
    previous = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if previous is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = previous


REFRESH_SELECTOR = "refresh"


def _invoke(command: list[str], db_path: Path | str, project_dir: Path) -> Any:
    """Run a dbt command on ``project_dir`` with the warehouse at ``db_path``."""
    from dbt.cli.main import dbtRunner

    project = str(Path(project_dir).resolve())
    # the debug-level file log (~100k lines a build) costs time; info keeps one line per node
    args = [*command, "--project-dir", project, "--profiles-dir", project]
    args += ["--log-level-file", "info"]
    with _environment(DB_PATH_VARIABLE, str(Path(db_path).resolve())):
        return dbtRunner().invoke(args)


def dbt_build(
    db_path: Path | str, project_dir: Path = ROOT, selector: str | None = REFRESH_SELECTOR
) -> DbtSummary:
    """Run ``dbt build`` on ``project_dir`` with the warehouse at ``db_path``.

    ``selector`` names a selector in selectors.yml: by default `refresh` (every seed and model,
    and the tests on staging and the marts); None builds everything with every test.
    Raises :class:`DbtBuildFailed` naming the failing nodes (models, seeds or tests).
    """
    result = _invoke(
        ["build", *(["--selector", selector] if selector else [])], db_path, project_dir
    )
    nodes = list(getattr(result.result, "results", None) or [])
    statuses = Counter(str(node.status) for node in nodes)
    if result.success:
        return DbtSummary(statuses=dict(statuses))
    failed = [
        f"{node.node.unique_id} ({node.status}): {(node.message or '').strip()}"
        for node in nodes
        if str(node.status) in FAILED
    ]
    if failed:
        raise DbtBuildFailed("dbt build failed:\n" + "\n".join(f"  - {f}" for f in failed))
    reason = result.exception or "see logs/dbt.log in the project directory"
    raise DbtBuildFailed(f"dbt build failed: {reason}")


def dbt_docs(db_path: Path | str, project_dir: Path = ROOT) -> Path:
    """``dbt docs generate --static --no-compile``: the catalog of the warehouse at
    ``db_path`` and the manifest of the last build, in one self-contained page. Returns the
    page (``target/static_index.html`` in ``project_dir``).

    ``--no-compile`` reuses the build's compilation (about 2 s instead of 14 s).
    """
    result = _invoke(["docs", "generate", "--static", "--no-compile"], db_path, project_dir)
    page = Path(project_dir).resolve() / "target" / "static_index.html"
    if not result.success or not page.is_file():
        reason = result.exception or "see logs/dbt.log in the project directory"
        raise DbtBuildFailed(f"dbt docs generate failed: {reason}")
    return page
