"""Find report files under an input directory."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ingest.extract import EXTRACTORS

# the suffixes of the file types the extractors read (ingest/extract/__init__.py EXTRACTORS)
REPORT_SUFFIXES: frozenset[str] = frozenset(EXTRACTORS)


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _inside(real: str, root: str) -> bool:
    """True when the resolved path ``real`` is ``root`` or under it."""
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def is_report_path(relative: Path) -> bool:
    """Whether discovery would take a file at ``relative`` (a path under the input directory):
    a report suffix, and no hidden file or directory on the way."""
    hidden = any(_is_hidden(part) for part in relative.parts)
    return not hidden and relative.suffix.lower() in REPORT_SUFFIXES


@dataclass(frozen=True)
class Discovery:
    """Report files found (relative paths) and report-named paths refused, with the reason."""

    files: list[Path] = field(default_factory=list)
    refused: list[tuple[Path, str]] = field(default_factory=list)


def discover(input_dir: Path | str) -> list[Path]:
    """Report files under ``input_dir``, as sorted paths relative to it (see discover_all)."""
    return discover_all(input_dir).files


def discover_all(input_dir: Path | str) -> Discovery:
    """Report files under ``input_dir``, as sorted paths relative to it.

    Recursive; the suffixes of REPORT_SUFFIXES in any case. Hidden files and
    directories are skipped. A report-named symlink that leads outside ``input_dir``, or
    nowhere, is not read: it is listed in ``refused`` so the run can account for it.
    Directory links are followed while they stay inside ``input_dir`` (each real directory
    once, so a link loop ends). The walk reads each directory once (``os.scandir``): a
    regular file costs no system call of its own.
    """
    root = Path(input_dir).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"input directory not found: {input_dir}")
    top = str(root)
    found: list[str] = []
    refused: list[tuple[str, str]] = []
    seen: set[str] = {top}  # real directories entered
    pending = [(top, top, "")]  # (path to scan, its real path, its path relative to root)
    while pending:
        directory, real_directory, prefix = pending.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:  # unreadable: skipped, as os.walk does
            continue
        for entry in entries:
            name = entry.name
            if _is_hidden(name):
                continue
            rel = prefix + name
            link = entry.is_symlink()
            if entry.is_dir():  # follows a link
                real = os.path.realpath(entry.path) if link else os.path.join(real_directory, name)
                if _inside(real, top) and real not in seen:
                    seen.add(real)
                    pending.append((entry.path, real, rel + "/"))
                continue
            if os.path.splitext(name)[1].lower() not in REPORT_SUFFIXES:
                continue
            if link and not _inside(os.path.realpath(entry.path), top):
                refused.append((rel, "the path is a link to a place outside the input directory"))
            elif not entry.is_file():
                refused.append((rel, "the path is not a regular file (a broken link or a device)"))
            else:
                found.append(rel)
    return Discovery(
        files=[Path(rel) for rel in sorted(found)],
        refused=[(Path(rel), reason) for rel, reason in sorted(refused)],
    )
