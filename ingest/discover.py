"""Find the files under an input directory, and account for every entry.

No file is ignored in silence. Every entry under the input directory ends up in one list of
:class:`Discovery`: a report file of a type the warehouse reads (``files``), a file of
another type (``unsupported``: offered and quarantined as such), a path that cannot be read
or followed (``refused``, with the reason: an unreadable folder, a looping or broken link, a
link leaving the input directory), or a hidden or temporary file or folder (``skipped``:
counted, not offered). A problem with one path never stops the walk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from ingest.extract import EXTRACTORS

# the suffixes of the file types the extractors read (ingest/extract/__init__.py EXTRACTORS:
# the one list), in any case
REPORT_SUFFIXES: frozenset[str] = frozenset(EXTRACTORS)

# Names of hidden and temporary files and folders (matched in lower case): skipped, counted.
# Dot-files cover `.~lock.x.docx#` (LibreOffice) and `.x.part` (copy under a hidden name).
TEMPORARY_NAMES: tuple[str, ...] = (
    ".*",  # hidden
    "~$*",  # Microsoft Office owner files
    "*.part",  # downloads in progress (Firefox, curl, wget --continue, rsync --partial-dir)
    "*.crdownload",  # Chromium
    "*.download",  # Safari
    "*.tmp",
    "*.swp",  # vim
    "*~",  # editor backups
)


def is_skipped_name(name: str) -> bool:
    """A hidden or temporary file or folder name (:data:`TEMPORARY_NAMES`)."""
    lowered = name.lower()
    return any(fnmatchcase(lowered, pattern) for pattern in TEMPORARY_NAMES)


def is_readable_type(path: Path | str) -> bool:
    """A file type the warehouse reads (:data:`REPORT_SUFFIXES`)."""
    return os.path.splitext(str(path))[1].lower() in REPORT_SUFFIXES


def unsupported_reason(path: Path | str) -> str:
    """The quarantine reason of a file of a type the warehouse does not read."""
    suffix = os.path.splitext(str(path))[1].lower()
    kind = f"{suffix} files" if suffix else "files without a suffix"
    readable = ", ".join(sorted(REPORT_SUFFIXES))
    return f"unsupported type: {kind} are not read (the warehouse reads {readable})"


def _inside(real: str, root: str) -> bool:
    """True when the resolved path ``real`` is ``root`` or under it."""
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def is_offered_path(relative: Path) -> bool:
    """Whether discovery would offer a file at ``relative`` (a path under the input
    directory) to landing: no hidden or temporary file or folder on the way."""
    return not any(is_skipped_name(part) for part in relative.parts)


@dataclass(frozen=True)
class Discovery:
    """Every entry under the input directory (relative paths), in one of four lists."""

    files: list[Path] = field(default_factory=list)  # of a type the warehouse reads
    unsupported: list[Path] = field(default_factory=list)  # of another type
    refused: list[tuple[Path, str]] = field(default_factory=list)  # cannot be read: why
    skipped: list[Path] = field(default_factory=list)  # hidden or temporary

    @property
    def offered(self) -> int:
        """The files landing accounts for (each is landed, skipped as known, or quarantined)."""
        return len(self.files) + len(self.unsupported) + len(self.refused)


def discover(input_dir: Path | str) -> list[Path]:
    """Report files under ``input_dir``, as sorted paths relative to it (see discover_all)."""
    return discover_all(input_dir).files


def _error(exc: OSError) -> str:
    return exc.strerror or str(exc)


class _Walk:
    """The state of one walk: what was found, and the real folders entered."""

    def __init__(self, top: str) -> None:
        self.top = top
        self.found: dict[str, list] = {"files": [], "unsupported": [], "refused": [], "skipped": []}
        self.seen: dict[str, str] = {top: "."}  # real folder -> the path it was read under
        self.pending: list[tuple[str, str, str]] = [(top, top, "")]

    def refuse(self, rel: str, reason: str) -> None:
        self.found["refused"].append((rel, reason))

    def scan(self, directory: str, real_directory: str, prefix: str) -> None:
        try:
            entries = list(os.scandir(directory))
        except OSError as exc:
            where = prefix.rstrip("/") or "."
            self.refuse(where, f"the folder cannot be read ({_error(exc)}): its files are not seen")
            return
        for entry in entries:
            self.entry(entry, real_directory, prefix + entry.name)

    def entry(self, entry: os.DirEntry[str], real_directory: str, rel: str) -> None:
        if is_skipped_name(entry.name):
            self.found["skipped"].append(rel)
            return
        try:
            link = entry.is_symlink()
            is_dir = entry.is_dir()  # follows a link; raises on a loop (ELOOP)
            is_file = not is_dir and entry.is_file()
        except OSError as exc:
            self.refuse(rel, f"the path cannot be followed ({_error(exc)})")
            return
        if not (is_dir or is_file):
            self.refuse(rel, "the path is not a regular file (a broken link, a pipe or a device)")
            return
        real = os.path.realpath(entry.path) if link else os.path.join(real_directory, entry.name)
        if link and not _inside(real, self.top):
            what = "folder" if is_dir else "file"
            self.refuse(rel, f"the path is a link to a {what} outside the input directory")
        elif is_dir:
            if real in self.seen:
                already = self.seen[real]
                self.refuse(rel, f"the folder link leads to a folder read already: {already}")
            else:
                self.seen[real] = rel
                self.pending.append((entry.path, real, rel + "/"))
        elif is_readable_type(entry.name):
            self.found["files"].append(rel)
        else:
            self.found["unsupported"].append(rel)


def discover_all(input_dir: Path | str) -> Discovery:
    """Every entry under ``input_dir``, recursively, as sorted paths relative to it (see
    :class:`Discovery`). Folder links are followed while they stay inside ``input_dir``,
    each real folder once. The walk reads each folder once (``os.scandir``): a regular file
    costs no system call of its own."""
    root = Path(input_dir).resolve()
    if not root.is_dir():
        raise NotADirectoryError(f"input directory not found: {input_dir}")
    walk = _Walk(str(root))
    while walk.pending:
        walk.scan(*walk.pending.pop())
    found = walk.found
    return Discovery(
        files=[Path(rel) for rel in sorted(found["files"])],
        unsupported=[Path(rel) for rel in sorted(found["unsupported"])],
        refused=[(Path(rel), reason) for rel, reason in sorted(found["refused"])],
        skipped=[Path(rel) for rel in sorted(found["skipped"])],
    )
