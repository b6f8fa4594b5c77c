"""Replacing served files and folders without a reader ever seeing half of one."""

from __future__ import annotations

import os
import re
import shutil
import time
from pathlib import Path


def staging_name(target: Path, tag: str) -> Path:
    """A hidden sibling of ``target`` (same directory, so ``os.replace`` stays a rename)."""
    return target.with_name(f".{target.name}.{tag}.{os.getpid()}.tmp")


def discard(*paths: Path) -> None:
    """Remove files or folders if they exist."""
    for path in paths:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def switch_link(link: Path, folder: Path) -> None:
    """Point the symlink ``link`` at ``folder`` (a sibling) in one rename.

    A reader resolving ``link`` gets the old folder or the new one, never neither. A real
    folder at ``link`` (from an older layout) is removed first.
    """
    if link.is_dir() and not link.is_symlink():
        shutil.rmtree(link)
    staged = staging_name(link, "link")
    staged.unlink(missing_ok=True)
    staged.symlink_to(folder.name, target_is_directory=True)
    os.replace(staged, link)


def prune_versions(parent: Path, prefix: str, keep: set[str]) -> None:
    """Remove the folders ``<prefix>*`` in ``parent`` whose names are not in ``keep``."""
    for folder in parent.glob(f"{prefix}*"):
        if folder.is_dir() and not folder.is_symlink() and folder.name not in keep:
            shutil.rmtree(folder, ignore_errors=True)


def set_aside_wal(db: Path) -> Path | None:
    """Move a WAL found beside ``db`` aside (``<name>.wal.foreign-<time>``), so that no
    connection replays it onto ``db``; returns where it went. Only a writer that should not
    exist leaves one beside the serving file (publishing never writes it)."""
    wal = db.with_name(db.name + ".wal")
    if not wal.exists():
        return None
    aside = wal.with_name(f"{wal.name}.foreign-{time.strftime('%Y%m%dT%H%M%S')}")
    os.replace(wal, aside)
    return aside


def leftover_staged_files(folder: Path) -> list[Path]:
    """Hidden staged files and folders (``staging_name``) in ``folder`` made by other
    processes: left by one that died. Only the warehouse's builder may remove them."""
    return sorted(
        path
        for path in folder.glob(".*.tmp")
        if (found := _STAGED.fullmatch(path.name)) and int(found.group(1)) != os.getpid()
    )


_STAGED = re.compile(r"\..+\.[a-z]+\.(\d+)\.tmp")  # staging_name's pattern


def write_whole(path: Path, text: str) -> None:
    """``text`` at ``path``, whole or not at all (written under a hidden name, flushed to
    the disk, renamed into place), and the rename durable when this returns."""
    staged = staging_name(path, "write")
    with open(staged, "w", encoding="utf-8") as file:
        file.write(text)
        file.flush()
        os.fsync(file.fileno())
    os.replace(staged, path)
    sync_folder(path.parent)


def sync_folder(folder: Path) -> None:
    """Make the renames in ``folder`` durable."""
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
