"""Find report files under an input directory."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

REPORT_SUFFIXES: frozenset[str] = frozenset({".txt", ".html", ".htm", ".pdf", ".docx"})


def _is_hidden(name: str) -> bool:
    return name.startswith(".")


def _inside(path: Path, root: Path) -> bool:
    """True when ``path`` resolves (following symlinks) to a place under ``root``."""
    try:
        path.resolve().relative_to(root)
    except (ValueError, OSError):
        return False
    return True


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

    Recursive; suffixes ``.txt .html .htm .pdf .docx`` in any case. Hidden files and
    directories are skipped. A report-named symlink that leads outside ``input_dir``, or
    nowhere, is not read: it is listed in ``refused`` so the run can account for it.
    """
    root = Path(input_dir).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"input directory not found: {input_dir}")
    found: list[Path] = []
    refused: list[tuple[Path, str]] = []
    seen: set[Path] = {root}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=True):
        here = Path(dirpath)
        keep = []
        for d in sorted(dirnames):
            real = (here / d).resolve()
            if _is_hidden(d) or not _inside(here / d, root) or real in seen:
                continue  # hidden, leaves the input directory, or a symlink loop
            seen.add(real)
            keep.append(d)
        dirnames[:] = keep
        for name in filenames:
            path = here / name
            if _is_hidden(name) or path.suffix.lower() not in REPORT_SUFFIXES:
                continue
            rel = path.relative_to(root)
            # ``here`` is inside root (checked as the walk entered it): only a link can leave
            if path.is_symlink() and not _inside(path, root):
                refused.append((rel, "the path is a link to a place outside the input directory"))
            elif not path.is_file():
                refused.append((rel, "the path is not a regular file (a broken link or a device)"))
            else:
                found.append(rel)
    return Discovery(
        files=sorted(found, key=lambda p: p.as_posix()),
        refused=sorted(refused, key=lambda r: r[0].as_posix()),
    )
