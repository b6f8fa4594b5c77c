"""Damage to the serving and work files, detected and named.

**The serving file** is sealed when it is published (:func:`seal`): ``<name>.seal.json``
beside it holds its version, SHA-256 and stat stamp (device, inode, size, modification and
change times). No process writes the serving file, and any write moves its change time, so
while the stamp is the sealed one the bytes are the published ones (nothing is read); once
it differs the file is hashed again and a different checksum means damage
(:func:`check_serving`).

**The work file** changes with every run, so it is sealed by its stamp alone when a run
leaves it behind (:func:`seal_work`): a failed or unchanged run. A work file whose stamp is
still the sealed one was not touched since. Otherwise (a killed run, or another program
wrote it) DuckDB reads every table of it (:func:`verify_database`): every block carries a
checksum DuckDB checks as it reads.

A file that fails is *damaged*, which is not the same as *busy* (another process holds its
lock): :func:`is_damage` and :func:`ingest.db.is_lock_conflict` tell DuckDB's errors apart.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from serving.files import write_whole

HASH_CHUNK = 8 * 1024 * 1024
# DuckDB's messages for a file whose bytes are not what it wrote
DAMAGE_MESSAGES = (
    "corrupt database file",
    "not a valid duckdb database file",
    "checksum",
    "failed to read database header",
)


def is_damage(exc: BaseException) -> bool:
    """True for DuckDB's errors about a damaged file (not a busy one)."""
    duckdb = sys.modules.get("duckdb")  # not imported: not one of its errors (light import)
    message = str(exc).lower()
    return (
        duckdb is not None
        and isinstance(exc, duckdb.Error)
        and any(m in message for m in DAMAGE_MESSAGES)
    )


def seal_path(db: Path) -> Path:
    """``<name>.seal.json`` beside ``<name>.duckdb`` (the work file's is
    ``<name>.build.seal.json``)."""
    db = Path(db).resolve()
    return db.with_name(f"{db.stem}.seal.json")


def file_stamp(path: Path) -> list[int]:
    stat = os.stat(path)
    return [stat.st_dev, stat.st_ino, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns]


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _write(path: Path, record: dict) -> None:
    write_whole(path, json.dumps(record))


def _read(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def seal(serving_db: Path, version: int) -> None:
    """Record the published ``version``'s checksum and stamp beside the serving file."""
    serving_db = Path(serving_db)
    digest = sha256_of(serving_db)
    record = {"version": version, "sha256": digest, "stamp": file_stamp(serving_db)}
    _write(seal_path(serving_db), record)


@dataclass(frozen=True)
class Health:
    """A file's state: ``intact``, ``missing``, ``unsealed`` (no seal to check against; read
    by DuckDB and found readable) or ``damaged`` (``detail`` says how)."""

    status: str
    detail: str = ""

    @property
    def damaged(self) -> bool:
        return self.status == "damaged"

    def __str__(self) -> str:
        return f"{self.status}: {self.detail}" if self.detail else self.status


def check_serving(serving_db: Path) -> Health:
    """The serving file against the seal made when it was published."""
    serving_db = Path(serving_db)
    if not serving_db.is_file():
        return Health("missing")
    sealed = _read(seal_path(serving_db))
    if sealed is None:
        return _verified(serving_db, "unsealed", "no checksum was recorded at its publication")
    if file_stamp(serving_db) == sealed.get("stamp"):
        return Health("intact", f"version {sealed.get('version')}")
    digest = sha256_of(serving_db)
    if digest != sealed.get("sha256"):
        return Health(
            "damaged",
            f"its bytes are not those published as version {sealed.get('version')} "
            f"(SHA-256 {digest[:16]}…, published {str(sealed.get('sha256'))[:16]}…)",
        )
    _write(seal_path(serving_db), {**sealed, "stamp": file_stamp(serving_db)})  # e.g. touched
    return Health("intact", f"version {sealed.get('version')}")


def seal_work(work_db: Path) -> None:
    """A run leaves the work file behind: record its stamp (no checksum, it is rewritten by
    every run)."""
    work_db = Path(work_db)
    if work_db.is_file():
        _write(seal_path(work_db), {"stamp": file_stamp(work_db)})


def check_work(work_db: Path) -> Health:
    """The work file: untouched since the last run left it (its stamp), or readable whole."""
    work_db = Path(work_db)
    if not work_db.is_file():
        return Health("missing")
    sealed = _read(seal_path(work_db))
    if sealed is not None and file_stamp(work_db) == sealed.get("stamp"):
        return Health("intact")
    why = "a run ended without sealing it" if sealed is None else "changed since a run left it"
    return _verified(work_db, "intact", why)


def _verified(db: Path, readable: str, why: str) -> Health:
    """``db`` read whole by DuckDB: damaged, or ``readable`` with ``why`` it was read."""
    problem = verify_database(db)
    if problem:
        return Health("damaged", problem)
    return Health(readable, f"{why}; read whole: readable")


def verify_database(db: Path) -> str | None:
    """Read every table of the DuckDB file ``db`` (every block's checksum is checked on the
    way); None when all of it reads, else what failed."""
    import duckdb

    try:
        with duckdb.connect(str(db), read_only=True) as con:
            tables = con.execute(
                "select schema_name, table_name from duckdb_tables() "
                "where database_name = current_database() and not temporary"
            ).fetchall()
            for schema, table in tables:
                name = f'"{schema}"."{table}"'
                con.execute(f"select count(*), sum(hash(t)::hugeint) from {name} as t").fetchall()
    except duckdb.Error as exc:
        if is_damage(exc):
            return f"DuckDB cannot read it: {exc}"
        raise
    return None
