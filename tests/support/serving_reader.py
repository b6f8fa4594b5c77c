"""Readers of the serving file, as the README tells analysts and BI tools to read it.

Run by tests/serving/test_serving.py (and the Parquet route by tests/serving/test_reading.py) in a
process of its own per route while the warehouse is refreshed:

    python tests/support/serving_reader.py DB OUT STOP ROUTE THREADS

ROUTE is one of :data:`ROUTES`: ``duckdb`` (xxgk.open_warehouse, a connection per query),
``nullpool`` (xxgk.warehouse_engine), ``pool`` (the same with a QueuePool recycled every
:data:`POOL_RECYCLE_S` seconds), ``cli`` (the DuckDB CLI, a process per query), ``held``
(one connection for the whole run) and ``parquet`` (xxgk.current_parquet, then the files of
two marts, one read with pyarrow, one with polars). THREADS busy connections query at once.
Each query reads the published version, the row counts stamped with it and the live row
counts in one statement, and is written to OUT as one JSON line (or the error) with its
thread and the time it started. The loop ends when the file STOP exists.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import QueuePool, text

import xxgk

POOL_RECYCLE_S = 3
ROUTES = ("duckdb", "nullpool", "pool", "cli", "held", "parquet")
VERSION_AND_COUNTS = """
    select
        v.version,
        v.document_count, v.report_count, v.metric_row_count,
        (select count(*) from raw.documents),
        (select count(*) from marts.dim_report),
        (select count(*) from marts.fct_report_metrics)
    from meta.current_version as v
"""
CLI = Path(sys.executable).with_name("duckdb")


def record(row: Any) -> dict:
    return {"version": row[0], "stamped": list(row[1:4]), "live": list(row[4:7])}


def parquet_query(db: str) -> dict:
    """The export served now: its version, the row counts its manifest states and the rows
    its files hold (dim_report through pyarrow, fct_report_metrics through polars)."""
    import polars as pl
    import pyarrow.dataset as ds

    export = xxgk.current_parquet(db)
    reports = ds.dataset(export.files("dim_report"), format="parquet").count_rows()
    metrics = pl.scan_parquet(export.files("fct_report_metrics"), hive_partitioning=False)
    stamped = [export.rows("dim_report"), export.rows("fct_report_metrics")]
    live = [reports, metrics.select(pl.len()).collect().item()]
    return {"version": export.version, "stamped": stamped, "live": live}


def route_query(route: str, db: str) -> Callable[[], dict]:
    """One query of ``route`` (for ``held``, through a connection opened here, once)."""
    if route == "duckdb":

        def query() -> dict:
            with xxgk.open_warehouse(db) as con:
                return record(con.execute(VERSION_AND_COUNTS).fetchone())

        return query
    if route == "held":
        con = xxgk.open_warehouse(db)
        return lambda: record(con.execute(VERSION_AND_COUNTS).fetchone())  # one thread
    if route == "parquet":
        return lambda: parquet_query(db)
    if route == "cli":

        def query() -> dict:
            done = subprocess.run(
                [str(CLI), "-readonly", "-list", "-noheader", db, VERSION_AND_COUNTS],
                capture_output=True,
                text=True,
                timeout=60,
            )
            if done.returncode != 0:
                raise RuntimeError(done.stderr.strip())
            return record([int(v) for v in done.stdout.strip().split("|")])

        return query
    options = {"poolclass": QueuePool, "pool_recycle": POOL_RECYCLE_S} if route == "pool" else {}
    engine = xxgk.warehouse_engine(db, **options)

    def query() -> dict:
        with engine.connect() as connection:
            row = connection.execute(text(VERSION_AND_COUNTS)).one()
            connection.rollback()  # end the read transaction, as a BI tool does after a query
            return record(row)

    return query


def main(db: str, out: str, stop: str, route: str, threads: str) -> None:
    query = route_query(route, db)
    lock = threading.Lock()
    with Path(out).open("w", encoding="utf-8") as sink:

        def loop(thread: int) -> None:
            while not Path(stop).exists():
                started = time.time()
                try:
                    result = query()
                except Exception as exc:  # every failure is a finding, keep reading
                    result = {"error": f"{type(exc).__name__}: {exc}"}
                result.update(thread=thread, started=started, ended=time.time())
                with lock:
                    sink.write(json.dumps(result) + "\n")
                    sink.flush()
                time.sleep(0.25)

        workers = [threading.Thread(target=loop, args=(n,)) for n in range(int(threads))]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()


if __name__ == "__main__":
    main(*sys.argv[1:6])
