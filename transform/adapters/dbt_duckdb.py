"""dbt-duckdb's shared database instance, which it offers no public way to close.

profiles.yml sets ``keep_open: true``: one DuckDB instance serves every node of a build.
dbt-duckdb keeps it on ``DuckDBConnectionManager._ENV`` (guarded by ``_LOCK``) for the life
of the process; its public ``close_all_connections()`` drops the reference without closing
it, so the file stays locked until the garbage collector runs. :func:`close_database`
closes it. tests/transform/test_adapters.py pins what this relies on (dbt-duckdb 1.11).
"""

from __future__ import annotations


def close_database() -> None:
    """Close dbt-duckdb's database instance in this process, if it has one open."""
    try:
        from dbt.adapters.duckdb.connections import DuckDBConnectionManager
    except ImportError:  # dbt-duckdb not imported: nothing is open
        return
    with DuckDBConnectionManager._LOCK:
        environment = DuckDBConnectionManager._ENV
        DuckDBConnectionManager._ENV = None
        if environment is not None:
            environment.close()


def database_open() -> bool:
    """Whether dbt-duckdb holds a database instance in this process."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    return DuckDBConnectionManager._ENV is not None
