"""xxgk-warehouse: government information-disclosure annual reports in DuckDB.

Reading the published warehouse from Python (serving/reader.py)::

    import xxgk
    con = xxgk.open_warehouse("warehouse/xxgk.duckdb")      # a read-only DuckDB connection
    engine = xxgk.warehouse_engine("warehouse/xxgk.duckdb")  # a SQLAlchemy engine
    export = xxgk.current_parquet("warehouse/xxgk.duckdb")   # the Parquet files served now
"""

from __future__ import annotations

from typing import Any

from core import __version__

__all__ = ["__version__", "current_parquet", "open_warehouse", "warehouse_engine"]

_READERS = {"current_parquet", "open_warehouse", "warehouse_engine"}


def __getattr__(name: str) -> Any:
    """The readers load DuckDB and SQLAlchemy on first use, not with every `xxgk` command."""
    if name in _READERS:
        from serving import reader

        return getattr(reader, name)
    raise AttributeError(f"module 'xxgk' has no attribute {name!r}")
