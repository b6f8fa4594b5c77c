"""Land report files in raw.documents (or raw.quarantine).

All SQL is parameterised: file names and texts never become part of a statement.
"""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from core import progress
from ingest.db import connect, ensure_raw_schema, insert_records, insert_sql
from ingest.discover import discover_all, is_readable_type, unsupported_reason
from ingest.extract import EXTRACTOR_VERSION, Extraction, ExtractionError
from ingest.extract.worker import ExtractionWorker
from ingest.limits import MIB, IngestLimits
from ingest.retire import record_retirements


class AccountingError(RuntimeError):
    """Files offered to a run do not add up to landed + duplicates + quarantined."""


@dataclass(frozen=True)
class LandingSummary:
    offered: int = 0  # files found under the input directory (hidden and temporary ones aside)
    landed: int = 0  # new documents written to raw.documents
    already_landed: int = 0  # same bytes, same path as a document landed earlier
    duplicates: int = 0  # same bytes as another file (this run or earlier)
    # files not landed, each with a raw.quarantine row saying why: unreadable, of a type the
    # warehouse does not read, a folder that cannot be read, a looping, broken or outgoing link
    quarantined: int = 0
    deferred: int = 0  # still being written (changed within the last min_age_s): next run
    skipped: int = 0  # hidden and temporary files and folders: counted, not offered
    # raw.quarantine rows added, or whose reason changed (a file quarantined again for the
    # same reason changes nothing)
    quarantine_changed: int = 0
    superseded: int = 0  # documents retired because their file now holds other bytes
    ocr_pages: int = 0  # pages of the landed documents read by OCR
    ocr_failed_pages: int = 0  # pages that needed OCR and could not be read (raw.document_pages)

    @property
    def accounted(self) -> int:
        return (
            self.landed + self.already_landed + self.duplicates + self.quarantined + self.deferred
        )

    def __str__(self) -> str:
        ocr = ""
        if self.ocr_pages or self.ocr_failed_pages:
            ocr = f" ({self.ocr_pages} pages OCR'd, {self.ocr_failed_pages} could not be read)"
        text = (
            f"{self.offered} files: {self.landed} landed, {self.already_landed} already landed, "
            f"{self.duplicates} duplicates, {self.quarantined} quarantined{ocr}"
        )
        if self.deferred:
            text += f", {self.deferred} still being written (left for the next run)"
        if self.superseded:
            text += f"; {self.superseded} earlier versions superseded"
        if self.skipped:
            text += f"; {self.skipped} hidden or temporary skipped"
        return text


def document_id(data: bytes) -> tuple[str, str]:
    """``(document_id, sha256)``: the id is the first 16 hex digits of the SHA-256."""
    digest = hashlib.sha256(data).hexdigest()
    return digest[:16], digest


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


# The landed files' stat stamps: a file found again at the same path with the same stamp
# (device, inode, size, modification and change times, in ns) holds the same bytes, so it
# is not read and hashed again. A write to a file always moves its change time (ctime),
# which no user can set, so a changed file is read. Only a cache: without it, or without a
# row, a file is read as before.
FILE_INDEX_DDL = """
create table if not exists meta.landed_files (
    source_path varchar primary key,
    document_id varchar not null,
    sha256 varchar not null,
    device ubigint not null,
    inode ubigint not null,
    size_bytes bigint not null,
    mtime_ns bigint not null,
    ctime_ns bigint not null
)
"""

Stamp = tuple[int, int, int, int, int]  # device, inode, size, mtime_ns, ctime_ns


def file_stamp(stat: os.stat_result) -> Stamp:
    return (stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)


@dataclass(frozen=True)
class IndexedFile:
    """A landed file's row of meta.landed_files."""

    document_id: str
    sha256: str
    stamp: Stamp


def load_file_index(con: Any) -> dict[str, IndexedFile]:
    """source_path -> its last landing's :class:`IndexedFile` (creates the table if missing)."""
    con.execute("create schema if not exists meta")
    con.execute(FILE_INDEX_DDL)
    rows = con.execute(
        "select source_path, document_id, sha256, device, inode, size_bytes, mtime_ns, "
        "ctime_ns from meta.landed_files"
    ).fetchall()
    return {path: IndexedFile(doc, sha, tuple(rest)) for path, doc, sha, *rest in rows}


COMMIT_EVERY = 100  # documents per transaction at most
# a document landed again goes from these tables (its parse with it, so it is parsed again)
REPLACED_TABLES = (
    "documents",
    "document_pages",
    "ocr_boxes",
    "report_attributes",
    "cells",
    "unmapped_labels",
    "prose_numbers",
)
COMMIT_SECONDS = 1.0  # and at most this long between commits


@dataclass
class _PendingWrites:
    """What the landing loop has decided but not yet committed: a transaction's worth."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    pages: list[dict[str, Any]] = field(default_factory=list)  # raw.document_pages rows
    boxes: list[dict[str, Any]] = field(default_factory=list)  # raw.ocr_boxes rows
    quarantine: list[list[Any]] = field(default_factory=list)
    cleared: set[str] = field(default_factory=set)  # paths that no longer need quarantine
    restored: set[str] = field(default_factory=set)  # retired documents whose file is back
    replaced: set[str] = field(default_factory=set)  # documents landed again (their scans read)
    superseded: dict[str, tuple[str, str]] = field(default_factory=dict)  # doc -> path, reason
    indexed: dict[str, list[Any]] = field(default_factory=dict)  # path -> meta.landed_files row
    unindexed: set[str] = field(default_factory=set)  # paths whose row is out of date

    def __len__(self) -> int:
        return (
            len(self.documents)
            + len(self.quarantine)
            + len(self.cleared)
            + len(self.restored)
            + len(self.superseded)
        )


@dataclass(frozen=True)
class _Quarantined:
    """A path's raw.quarantine row: the reason, and the held-back document (ingest/hold.py)
    for a landed one."""

    reason: str
    document_id: str | None


class _LandingWriter:
    """Commits the landing loop's decisions a group at a time. Each group is one transaction,
    so a process killed at any moment leaves whole documents (and their quarantine entries)
    or none; what was committed before stays, and the next run skips it."""

    def __init__(self, con: Any, quarantined: dict[str, _Quarantined]) -> None:
        self.con = con
        self.quarantined = quarantined  # source_path -> its raw.quarantine row
        self.changed = 0  # quarantine rows added, changed or cleared
        self.pending = _PendingWrites()
        self.last_commit = time.monotonic()

    def land(
        self,
        record: dict[str, Any],
        pages: list[dict[str, Any]] | None = None,
        boxes: list[dict[str, Any]] | None = None,
        replaces: bool = False,
    ) -> None:
        """Land a document (with its pages and OCR boxes); ``replaces``: in place of its
        earlier landing and everything parsed from it."""
        if replaces:
            self.pending.replaced.add(record["document_id"])
        self.pending.documents.append(record)
        self.pending.pages += pages or []
        self.pending.boxes += boxes or []
        # a document read again (its scans OCR'd) is parsed again: a hold on it ends too
        self.clear_quarantine(record["source_path"], record["document_id"], replaces)
        self._maybe_commit()

    def quarantine(self, rel: Path, size: int | None, sha: str | None, reason: str) -> None:
        source_path = rel.as_posix()
        full_reason = f"{source_path}: {reason}"
        existing = self.quarantined.get(source_path)
        self.pending.cleared.discard(source_path)
        if existing is not None and existing.document_id is not None:
            return  # a held-back document stays held until its file holds other bytes
        if existing is not None and existing.reason == full_reason:
            return  # quarantined before for the same reason: nothing changes
        self.pending.quarantine = [q for q in self.pending.quarantine if q[0] != source_path]
        self.pending.quarantine.append([source_path, rel.name, size, sha, full_reason, _now()])
        self._maybe_commit()

    def clear_quarantine(self, source_path: str, document_id: str, reread: bool = False) -> None:
        """The file at ``source_path`` holds the landed ``document_id``: its quarantine row
        goes, unless it holds back that very document (the file is unchanged) and that
        document was not read again (``reread``)."""
        existing = self.quarantined.get(source_path)
        if existing is not None and (reread or existing.document_id != document_id):
            self.pending.cleared.add(source_path)

    def restore(self, document_id: str) -> None:
        self.pending.restored.add(document_id)
        self.pending.superseded.pop(document_id, None)

    def supersede(self, document_id: str, source_path: str, reason: str) -> None:
        self.pending.superseded[document_id] = (source_path, reason)

    def index(self, source_path: str, document_id: str, sha: str, stamp: Stamp) -> None:
        """Record the stamp of a file read and landed (or found landed) at ``source_path``."""
        self.pending.unindexed.discard(source_path)
        self.pending.indexed[source_path] = [source_path, document_id, sha, *stamp]

    def unindex(self, source_path: str) -> None:
        self.pending.indexed.pop(source_path, None)
        self.pending.unindexed.add(source_path)

    def _maybe_commit(self) -> None:
        due = time.monotonic() - self.last_commit >= COMMIT_SECONDS
        if len(self.pending) >= COMMIT_EVERY or due:
            self.commit()

    def commit(self) -> None:
        pending, self.pending = self.pending, _PendingWrites()
        self.last_commit = time.monotonic()
        if not (len(pending) or pending.indexed or pending.unindexed):
            return
        con = self.con
        con.begin()
        try:
            stale = sorted(pending.unindexed | set(pending.indexed))
            if stale:
                con.execute(
                    "delete from meta.landed_files where source_path in (select unnest(?))",
                    [stale],
                )
            if pending.indexed:
                con.executemany(
                    "insert into meta.landed_files values (?, ?, ?, ?, ?, ?, ?, ?)",
                    list(pending.indexed.values()),
                )
            renewed = sorted(pending.cleared | {q[0] for q in pending.quarantine})
            if renewed:
                con.execute(
                    "delete from raw.quarantine where source_path in (select unnest(?))",
                    [renewed],
                )
            if pending.quarantine:
                con.executemany(_QUARANTINE_FILE, pending.quarantine)
            if pending.replaced:
                for table in REPLACED_TABLES:
                    con.execute(
                        f"delete from raw.{table} where document_id in (select unnest(?))",
                        [sorted(pending.replaced)],
                    )
            if pending.documents:
                insert_records(con, "documents", pending.documents)
                insert_records(con, "document_pages", pending.pages)
                insert_records(con, "ocr_boxes", pending.boxes)
            if pending.restored:
                con.execute(
                    "update raw.documents set retired_at = null, retired_reason = null "
                    "where document_id in (select unnest(?))",
                    [sorted(pending.restored)],
                )
            if pending.superseded:
                record_retirements(
                    con, [(doc, path, why) for doc, (path, why) in pending.superseded.items()]
                )
        except BaseException:
            con.rollback()
            raise
        con.commit()
        self.changed += len(pending.cleared) + len(pending.quarantine)
        for path in pending.cleared:
            self.quarantined.pop(path, None)
        for path, _, _, _, reason, _ in pending.quarantine:
            self.quarantined[path] = _Quarantined(reason, None)


# a file that could not be landed (raw.quarantine's other columns are for held-back documents)
_QUARANTINE_FILE = insert_sql("quarantine", count=6)


def land_documents(
    db_path: Path | str,
    input_dir: Path | str,
    limits: IngestLimits | None = None,
    workers: int | None = None,
    min_age_s: float = 0.0,
) -> LandingSummary:
    """Land every report file under ``input_dir`` into the warehouse at ``db_path``.

    Same bytes land once (the first path and landing time are kept); a file that cannot
    be read, or is of a type the warehouse does not read, goes to raw.quarantine with the
    reason, and the run goes on. Every file offered is accounted for (landed, already
    landed, duplicate, quarantined, or deferred): the run checks the sum, records it in
    audit.landing_runs with the hidden and temporary files skipped, and fails loudly if it
    does not add up.

    One current version per path: when the file at a path now holds other bytes, the
    document it held before is retired as superseded (unless another file still holds it),
    and restored if those bytes come back. A file changed less than ``min_age_s`` seconds
    ago may still be being written (`xxgk watch`): it is left for the next run (deferred).

    PDF, DOCX and HTML files are extracted ``workers`` at a time (default
    ``limits.extraction_workers``, XXGK_EXTRACT_WORKERS) but landed in the order found.

    Documents are committed in groups (at most COMMIT_EVERY, at most COMMIT_SECONDS apart):
    a killed run loses at most its last group, never leaves part of a document, and the
    next run lands what is missing. A retired document whose file is offered again is
    restored (see :func:`ingest.retire.retire_documents`). A document landed with its scans
    unread (``needs_ocr``: OCR was off) is read again once OCR is on, in place of the first
    landing: its landing time is kept, its parse is dropped so that it is parsed again.
    """
    limits = limits or IngestLimits.from_env()
    root = Path(input_dir).resolve()
    found = discover_all(root)
    counts = dict.fromkeys(("landed", "already_landed", "duplicates", "quarantined", "deferred"), 0)
    pages = {"ocr_pages": 0, "ocr_failed_pages": 0}
    started = _now()
    with connect(db_path) as con, ExtractionWorker(limits, workers) as worker:
        ensure_raw_schema(con)
        file_index = load_file_index(con)
        # scans landed unread while OCR was off are read again now that it is on
        unread: dict[str, datetime] = {}
        if limits.ocr:
            unread = dict(
                con.execute(
                    "select document_id, landed_at from raw.documents "
                    "where extraction_status = 'needs_ocr'"
                ).fetchall()
            )
        known = {
            doc_id: (path, retired is not None)
            for doc_id, path, retired in con.execute(
                "select document_id, source_path, retired_at from raw.documents"
            ).fetchall()
            if doc_id not in unread
        }
        quarantine = con.execute(
            "select source_path, reason, document_id from raw.quarantine"
        ).fetchall()
        writer = _LandingWriter(
            con, {path: _Quarantined(reason, doc) for path, reason, doc in quarantine}
        )
        for rel, reason in found.refused:
            writer.quarantine(rel, None, None, reason)
            writer.unindex(rel.as_posix())
            counts["quarantined"] += 1
        landing = _Landing(writer, root, known, limits, file_index, unread, min_age_s)
        files = (landing.read(rel) for rel in [*found.files, *found.unsupported])
        progress.advance("land", len(found.refused), total=found.offered)
        for read, outcome in worker.extract_in_order(files):
            settled = landing.settle(read, outcome)
            counts[settled] += 1
            progress.advance("land")
            if settled == "landed" and isinstance(outcome, Extraction):
                pages["ocr_pages"] += sum(p.method == "ocr" for p in outcome.pages)
                pages["ocr_failed_pages"] += sum(p.method == "failed" for p in outcome.pages)
        superseded = landing.supersede()
        writer.commit()
        summary = LandingSummary(
            offered=found.offered,
            skipped=len(found.skipped),
            quarantine_changed=writer.changed,
            superseded=superseded,
            **counts,
            **pages,
        )
        _record_run(con, root, started, summary)
    if summary.accounted != summary.offered:
        raise AccountingError(
            f"{summary.offered} files were offered but {summary.accounted} are accounted for "
            f"({summary}); see audit.landing_runs"
        )
    return summary


LANDING_RUNS_COLUMNS = (
    ("started_at", "timestamp"),
    ("finished_at", "timestamp"),
    ("input_dir", "varchar"),
    ("offered", "integer"),
    ("landed", "integer"),
    ("already_landed", "integer"),
    ("duplicates", "integer"),
    ("quarantined", "integer"),
    ("balanced", "boolean"),  # offered = landed + already + duplicates + quarantined + deferred
    ("deferred", "integer"),
    ("skipped", "integer"),  # hidden and temporary: not offered
    ("superseded", "integer"),
    ("ocr_pages", "integer"),  # pages landed by OCR
    ("ocr_failed_pages", "integer"),  # pages that needed OCR and could not be read
)


def _record_run(con: Any, root: Path, started: datetime, summary: LandingSummary) -> None:
    con.execute("create schema if not exists audit")
    body = ", ".join(f"{name} {kind}" for name, kind in LANDING_RUNS_COLUMNS)
    con.execute(f"create table if not exists audit.landing_runs ({body})")
    for name, kind in LANDING_RUNS_COLUMNS:  # a table made by an earlier version lacks some
        con.execute(f"alter table audit.landing_runs add column if not exists {name} {kind}")
    names = [name for name, _ in LANDING_RUNS_COLUMNS]
    values = {
        "started_at": started,
        "finished_at": _now(),
        "input_dir": str(root),
        "balanced": summary.accounted == summary.offered,
        **{name: getattr(summary, name) for name in names if hasattr(summary, name)},
    }
    con.execute(
        f"insert into audit.landing_runs ({', '.join(names)}) "
        f"values ({', '.join('?' for _ in names)})",
        [values[name] for name in names],
    )


@dataclass(frozen=True)
class _Read:
    """A file as read, before its extraction; ``refusal`` says why it is not read at all."""

    rel: Path
    size: int | None = None
    doc_id: str = ""
    sha: str | None = None
    refusal: str | None = None
    stamp: Stamp | None = None  # of the file as read; None when known by its stamp alone
    deferred: bool = False  # changed too recently: it may still be being written

    @property
    def job(self) -> tuple[str, str]:
        """What its extraction depends on: the bytes and the file type."""
        return self.doc_id, self.rel.suffix.lower()


class _Landing:
    """One landing run's decisions, file by file.

    :meth:`read` runs as a file is read ahead: it decides by the bytes' hash whether the
    file needs extracting, so two files with the same bytes are never extracted at once.
    :meth:`settle` runs in the order the files were found, with the extraction's outcome,
    and tells the writer what to do; by then every file found earlier is settled.
    """

    def __init__(
        self,
        writer: _LandingWriter,
        root: Path,
        known: dict[str, tuple[str, bool]],
        limits: IngestLimits,
        file_index: dict[str, IndexedFile],
        unread: dict[str, datetime] | None = None,
        min_age_s: float = 0.0,
    ) -> None:
        self.writer = writer
        self.unread = unread or {}  # document_id -> first landing of scans landed unread
        self.root = root
        self.known = known  # document_id -> (source_path, retired) of landed documents
        self.limits = limits
        self.file_index = file_index  # source_path -> stamp of its last landing
        self.min_age_s = min_age_s
        self.extracting: set[tuple[str, str]] = set()  # jobs submitted for extraction
        self.failed: dict[tuple[str, str], str] = {}  # job -> quarantine reason
        self.now_at: dict[str, str] = {}  # source_path -> the document its file holds now

    def read(self, rel: Path) -> tuple[_Read, bytes | None, str]:
        """``(read, data, suffix)``; data is None when there is nothing to extract."""
        if not is_readable_type(rel):
            return _Read(rel, self._size(rel), refusal=unsupported_reason(rel)), None, rel.suffix
        unchanged = self._unchanged(rel)
        if unchanged is not None:
            return unchanged, None, rel.suffix
        if self._too_fresh(rel):
            return _Read(rel, deferred=True), None, rel.suffix
        read_bytes = self._bytes(rel)
        if isinstance(read_bytes, _Read):
            return read_bytes, None, rel.suffix
        data, stamp = read_bytes
        doc_id, sha = document_id(data)
        read = _Read(rel, len(data), doc_id, sha, stamp=stamp)
        if doc_id in self.known or read.job in self.extracting:
            return read, None, rel.suffix  # same bytes as a file landed or found before
        self.extracting.add(read.job)
        return read, data, rel.suffix

    def _unchanged(self, rel: Path) -> _Read | None:
        """The file as its last landing read it, when its stamp says it is unchanged since
        and its document is landed; None when it has to be read."""
        indexed = self.file_index.get(rel.as_posix())
        if indexed is None or indexed.document_id not in self.known:
            return None
        try:
            stamp = file_stamp(os.stat(os.path.join(self.root, rel)))
        except OSError:
            return None  # reading it says why
        if stamp != indexed.stamp or stamp[2] > self.limits.max_file_bytes:
            return None
        return _Read(rel, stamp[2], indexed.document_id, indexed.sha256)

    def _size(self, rel: Path) -> int | None:
        try:
            return os.stat(os.path.join(self.root, rel)).st_size
        except OSError:
            return None

    def _too_fresh(self, rel: Path) -> bool:
        """Changed within the last ``min_age_s`` seconds: a copy or download may still be
        writing it (size and modification time not yet stable)."""
        if self.min_age_s <= 0:
            return False
        try:
            modified = os.stat(os.path.join(self.root, rel)).st_mtime
        except OSError:
            return False  # reading it says why
        return time.time() - modified < self.min_age_s

    def _bytes(self, rel: Path) -> tuple[bytes, Stamp] | _Read:
        """The file's bytes and stamp, or a refused :class:`_Read` saying why they are not
        read."""
        try:
            with open(os.path.join(self.root, rel), "rb") as file:
                stat = os.fstat(file.fileno())
                size = stat.st_size
                if size > self.limits.max_file_bytes:
                    refusal = (
                        f"the file is {size / MIB:.1f} MiB, over the "
                        f"{self.limits.max_file_bytes / MIB:.0f} MiB limit (XXGK_MAX_FILE_MB); "
                        "not read"
                    )
                    return _Read(rel, size, refusal=refusal)
                return file.read(), file_stamp(stat)
        except OSError as exc:
            return _Read(rel, refusal=f"the file cannot be read ({exc.strerror or exc})")

    def settle(self, read: _Read, outcome: Extraction | Exception | None) -> str:
        """Land, skip or quarantine the file; returns the LandingSummary field to count.

        ``outcome`` is None when the file was not extracted: its bytes were landed before,
        or the same bytes of the same type were found earlier in this run (and are settled).
        """
        source_path = read.rel.as_posix()
        if read.deferred:
            return "deferred"
        if read.refusal is not None:
            self.writer.quarantine(read.rel, read.size, None, read.refusal)
            self.writer.unindex(source_path)
            return "quarantined"
        if read.doc_id in self.known:
            return self._indexed(read, self._seen_before(read))
        if outcome is None:
            reason = self.failed[read.job]  # the first file with these bytes was quarantined
        elif isinstance(outcome, Exception):
            reason = self.failed[read.job] = _failure(outcome)
        else:
            self._land(read, outcome)
            return self._indexed(read, "landed")
        self.writer.quarantine(read.rel, read.size, read.sha, reason)
        self.writer.unindex(source_path)
        return "quarantined"

    def _indexed(self, read: _Read, counted: str) -> str:
        """Record the stamp of a file read whose bytes are landed, and which document its
        path holds now; returns ``counted``."""
        self.now_at[read.rel.as_posix()] = read.doc_id
        if read.stamp is not None and read.sha is not None:
            self.writer.index(read.rel.as_posix(), read.doc_id, read.sha, read.stamp)
        return counted

    def _seen_before(self, read: _Read) -> str:
        """Same bytes as a landed document (landed in an earlier run or by an earlier file)."""
        source_path = read.rel.as_posix()
        landed_path, retired = self.known[read.doc_id]
        self.writer.clear_quarantine(source_path, read.doc_id)
        if retired:
            self.writer.restore(read.doc_id)
            self.known[read.doc_id] = (landed_path, False)
        return "already_landed" if landed_path == source_path else "duplicates"

    def _land(self, read: _Read, extraction: Extraction) -> None:
        source_path = read.rel.as_posix()
        document = {"document_id": read.doc_id}
        self.writer.land(
            {
                "document_id": read.doc_id,
                "source_file": read.rel.name,
                "source_path": source_path,
                "size_bytes": read.size,
                "sha256": read.sha,
                "media_type": extraction.media_type,
                "encoding": extraction.encoding,
                "extraction_status": extraction.status,
                "text": extraction.text,
                "extractor_version": EXTRACTOR_VERSION,
                "landed_at": self.unread.get(read.doc_id) or _now(),
                "title_hint": extraction.title_hint,
                "title_source": extraction.title_source,
                "ocr_engine": extraction.ocr_engine,
            },
            [{**asdict(page), **document} for page in extraction.pages],
            [{**asdict(box), **document} for box in extraction.boxes],
            replaces=read.doc_id in self.unread,
        )
        self.known[read.doc_id] = (source_path, False)

    def _held_before(self, source_path: str, first_landed: dict[str, set[str]]) -> set[str]:
        """The active documents the file at ``source_path`` held before this run: its last
        landing's (meta.landed_files), or without one, those first landed from that path."""
        indexed = self.file_index.get(source_path)
        before = {indexed.document_id} if indexed else first_landed.get(source_path, set())
        return {doc for doc in before if doc in self.known and not self.known[doc][1]}

    def supersede(self) -> int:
        """Retire each document whose path now holds another one and that no file found in
        this run holds any more (one current version per path); returns how many."""
        current = set(self.now_at.values())
        first_landed: dict[str, set[str]] = {}
        for doc, (path, _) in self.known.items():
            first_landed.setdefault(path, set()).add(doc)
        superseded = 0
        for source_path, now in sorted(self.now_at.items()):
            for before in sorted(self._held_before(source_path, first_landed) - current):
                self.writer.supersede(
                    before,
                    source_path,
                    f"superseded: its file {source_path} now holds document {now}",
                )
                self.known[before] = (self.known[before][0], True)
                superseded += 1
        return superseded


def _failure(exc: Exception) -> str:
    """The quarantine reason for an extraction that raised ``exc``."""
    if isinstance(exc, ExtractionError):
        return exc.reason
    # a damaged file can break a third-party parser in any way
    return f"extraction failed ({type(exc).__name__}: {exc})"
