"""Find report files under an input directory."""

from __future__ import annotations

import os
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


def discover(input_dir: Path | str) -> list[Path]:
    """Report files under ``input_dir``, as sorted paths relative to it.

    Recursive; suffixes ``.txt .html .htm .pdf .docx`` in any case. Hidden files and
    directories are skipped, and so are symlinks (to files or directories) that lead
    outside ``input_dir``.
    """
    root = Path(input_dir).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"input directory not found: {input_dir}")
    found: list[Path] = []
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
            if path.is_file() and _inside(path, root):
                found.append(path.relative_to(root))
    return sorted(found, key=lambda p: p.as_posix())
