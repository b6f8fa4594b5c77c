"""Publishing as one recoverable transaction: a journal of the renames that switch a version.

A version is served by several renames: the work file over the serving file, the Parquet
folder into place and the ``parquet`` link switched to it, the HTML report and the dbt docs
page (serving/publish.py). A process can die between any two of them. So before the first,
:func:`begin` writes the whole list, the **journal** ``<name>.publish.json`` beside the
serving file (written under a hidden name, flushed, renamed into place: it is there whole or
not at all), and :func:`finish` removes it after the last.

The next builder (or `xxgk doctor --repair`) finds a journal left behind and completes it
(:func:`recover`): if the version was stamped into the work file (the commit point: the
transaction that records it in meta.published), every step not done yet is done, so the
database, Parquet, report and docs are switched together; if it was not, the staged files
are removed and nothing changes. Each step can be done again: a rename whose source is
gone was made already.

Steps are plain data (``[kind, arguments...]``), so other published files (e.g. Parquet
snapshots with a manifest) can join a version by adding steps.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.paths import sidecar
from serving.files import discard, prune_versions, switch_link, sync_folder, write_whole

JOURNAL_VERSION = 1


def journal_path(serving_db: Path) -> Path:
    """``<name>.publish.json`` beside the serving file ``<name>.duckdb``."""
    return sidecar(serving_db, "publish.json")


@dataclass
class Journal:
    """The renames (and link switches) that serve ``version``, in order."""

    version: int
    serving_db: str
    work_db: str
    steps: list[list[Any]] = field(default_factory=list)

    def replace(self, staged: Path, target: Path) -> None:
        """Rename ``staged`` over ``target`` (a file, or a folder that replaces one)."""
        self.steps.append(["replace", str(staged), str(target)])

    def link(self, link: Path, folder: Path) -> None:
        """Point the symlink ``link`` at ``folder`` (serving/files.py ``switch_link``)."""
        self.steps.append(["link", str(link), str(folder)])

    def prune(self, parent: Path, prefix: str, keep: list[str]) -> None:
        """Remove the folders ``<prefix>*`` of ``parent`` not named in ``keep``."""
        self.steps.append(["prune", str(parent), prefix, sorted(keep)])

    def seal(self) -> None:
        """Record the served file's checksum (serving/integrity.py)."""
        self.steps.append(["seal", self.serving_db, self.version])

    def staged(self) -> list[Path]:
        """What the steps move into place (removed when the version is rolled back)."""
        return [Path(step[1]) for step in self.steps if step[0] == "replace"]

    def as_json(self) -> str:
        return json.dumps(
            {
                "journal": JOURNAL_VERSION,
                "version": self.version,
                "serving_db": self.serving_db,
                "work_db": self.work_db,
                "steps": self.steps,
            },
            indent=1,
            ensure_ascii=False,
        )

    @classmethod
    def read(cls, path: Path) -> Journal:
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls(data["version"], data["serving_db"], data["work_db"], data["steps"])


def begin(journal: Journal) -> Path:
    """Write the journal (before the version is stamped); returns its path."""
    path = journal_path(Path(journal.serving_db))
    write_whole(path, journal.as_json())
    return path


def _replace(staged: str, target: str) -> None:
    source, destination = Path(staged), Path(target)
    if not os.path.lexists(source):
        return  # renamed already
    if source.is_dir() and destination.is_dir() and not destination.is_symlink():
        shutil.rmtree(destination)  # left by an interrupted earlier run
    os.replace(source, destination)


def _link(link: str, folder: str) -> None:
    switch_link(Path(link), Path(folder))


def _prune(parent: str, prefix: str, keep: list[str]) -> None:
    prune_versions(Path(parent), prefix, set(keep))


def _seal(serving_db: str, version: int) -> None:
    from serving.integrity import seal

    seal(Path(serving_db), version)


STEPS: dict[str, Callable[..., None]] = {
    "replace": _replace,
    "link": _link,
    "prune": _prune,
    "seal": _seal,
}


def run_steps(journal: Journal, after_step: Callable[[int], None] | None = None) -> None:
    """Do every step (each can be done again); ``after_step(i)`` after the i-th."""
    for number, (kind, *arguments) in enumerate(journal.steps):
        STEPS[kind](*arguments)
        if after_step is not None:
            after_step(number)
    sync_folder(Path(journal.serving_db).parent)


def finish(serving_db: Path) -> None:
    """The version is switched: the journal goes."""
    journal_path(serving_db).unlink(missing_ok=True)


@dataclass(frozen=True)
class Recovery:
    """What :func:`recover` found and did."""

    version: int
    completed: bool  # True: rolled forward (the version is served); False: rolled back

    def __str__(self) -> str:
        if self.completed:
            return f"an interrupted publication of version {self.version} was completed"
        return f"an interrupted publication of version {self.version} was rolled back"


def recover(serving_db: Path, version_of: Callable[[Path], int | None]) -> Recovery | None:
    """Complete or roll back a publication a dead process left half done (its journal is
    there); None when there is none. ``version_of(path)`` reads the last version a
    warehouse file records as published: the version is committed once the work file records
    it (or, renamed already, the serving file does). Only the warehouse's builder may call
    this (it holds the build lock): nobody else publishes meanwhile."""
    path = journal_path(serving_db)
    if not path.exists():
        return None
    try:
        journal = Journal.read(path)
    except (OSError, ValueError, KeyError):
        # written under a hidden name and renamed whole: unreadable means damaged on disk
        raise RuntimeError(
            f"the publication journal {path} cannot be read; `xxgk doctor` says what to do"
        ) from None
    work_db = Path(journal.work_db)
    # committed: the work file records the version, or it was renamed over the serving file
    holder = work_db if work_db.exists() else Path(journal.serving_db)
    committed = holder.exists() and version_of(holder) == journal.version
    if committed:
        run_steps(journal)
    else:  # the staged files go; the work file stays, to be validated and published again
        discard(*[path for path in journal.staged() if path != work_db])
    finish(serving_db)
    return Recovery(journal.version, committed)
