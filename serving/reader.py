"""Opening the serving file for reading: one way, the same from DuckDB and from SQLAlchemy.

Every connection is its own in-memory DuckDB database that attaches the serving file
read-only and makes it the default catalog (``ATTACH … (READ_ONLY)``, ``USE``). Two things
follow that ``duckdb.connect(path, read_only=True)`` cannot give:

- a connection reads the version that was served when it was opened, and a new connection
  reads the version served now, whatever other connections the process holds. DuckDB shares
  one database instance per file and process (its instance cache): a plain connection opened
  while any other is open gets the old file even after a refresh replaced it;
- the two routes mix in one process. duckdb-engine connects with settings of its own, and
  DuckDB refuses a second configuration for a file another connection holds open.

:func:`open_warehouse` gives a DuckDB connection, :func:`warehouse_engine` a SQLAlchemy
engine (duckdb-engine) whose connections are made by the same :func:`attach_warehouse`.
:func:`current_parquet` finds the Parquet export of the version served now.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import NullPool

from core.paths import parquet_pointer
from serving.parquet import MANIFEST_FILE

RESERVED_CATALOGS = frozenset({"memory", "system", "temp"})  # DuckDB's own database names


def catalog_name(path: Path) -> str:
    """The name the serving file has in a connection: its file name without the extension,
    as DuckDB names a file it opens (``xxgk`` for ``xxgk.duckdb``), unless DuckDB keeps that
    name for a database of its own."""
    stem = path.stem
    return f"{stem}_warehouse" if stem.lower() in RESERVED_CATALOGS else stem


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def warehouse_path(path: str | Path) -> Path:
    """``path`` as an absolute path to an existing file, or a clear error naming it."""
    resolved = Path(path).expanduser().absolute()
    if not resolved.is_file():
        raise FileNotFoundError(f"xxgk: no warehouse file at {resolved}")
    return resolved


def attach_warehouse(con: Any, path: Path) -> None:
    """Attach the serving file at ``path`` read-only to ``con`` (a DuckDB connection, or
    duckdb-engine's wrapper of one) and make it the default catalog."""
    name = _identifier(catalog_name(path))
    con.execute(f"attach {_literal(str(path))} as {name} (read_only)")
    con.execute(f"use {name}")


def open_warehouse(path: str | Path) -> duckdb.DuckDBPyConnection:
    """A read-only DuckDB connection to the serving file at ``path``, reading the version
    served now. Close it (``with open_warehouse(p) as con:``) to let the file go."""
    resolved = warehouse_path(path)
    con = duckdb.connect(":memory:")
    try:
        attach_warehouse(con, resolved)
    except BaseException:
        con.close()
        raise
    return con


def warehouse_engine(path: str | Path, **options: Any) -> Engine:
    """A SQLAlchemy engine (duckdb-engine) for the serving file at ``path``: each connection
    it makes is opened as :func:`open_warehouse` opens one. By default without a pool
    (``NullPool``: every checkout reads the version served now); ``options`` go to
    :func:`sqlalchemy.create_engine`, e.g. ``poolclass=QueuePool, pool_recycle=60`` for a
    pool whose connections move to a new version within ``pool_recycle`` seconds."""
    resolved = warehouse_path(path)
    options.setdefault("poolclass", NullPool)
    engine = create_engine("duckdb:///:memory:", **options)

    @event.listens_for(engine, "connect")
    def _attach(dbapi_connection: Any, _record: Any) -> None:
        attach_warehouse(dbapi_connection, resolved)

    return engine


@dataclass(frozen=True)
class ParquetExport:
    """One published version of the Parquet export: its folder never changes, and stays
    until two newer versions have been published."""

    version: int
    folder: Path
    manifest: dict[str, Any]

    def files(self, mart: str) -> list[Path]:
        """The Parquet files of ``mart`` in this version (``report_year`` is in them)."""
        entry = self.manifest["marts"].get(mart)
        if entry is None:
            raise KeyError(f"xxgk: no mart {mart!r} in the Parquet export {self.folder}")
        return [self.folder / name for name in entry["files"]]

    def rows(self, mart: str) -> int:
        return int(self.manifest["marts"][mart]["rows"])


def current_parquet(path: str | Path) -> ParquetExport:
    """The Parquet export of the version served now beside the serving file at ``path``
    (read ``<name>.parquet.current``, then that folder's ``_manifest.json``)."""
    pointer = parquet_pointer(Path(path).expanduser().absolute())
    try:
        folder = pointer.parent / pointer.read_text(encoding="utf-8").strip()
        manifest = json.loads((folder / MANIFEST_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise FileNotFoundError(f"xxgk: no Parquet export to read at {pointer}: {exc}") from exc
    return ParquetExport(int(manifest["version"]), folder, manifest)
