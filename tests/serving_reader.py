"""A reader of the serving file, as a BI tool would be: SQLAlchemy (duckdb-engine), read-only.

Run by tests/test_serving.py in its own process while `xxgk run` refreshes the warehouse:

    python tests/serving_reader.py DB OUT STOP {fresh|held}

``fresh`` opens a new connection for every query (NullPool), ``held`` keeps one connection
for the whole run. Each query reads the published version, the row counts stamped with it
and the live row counts in one statement, and is written to OUT as one JSON line (or the
error). The loop ends when the file STOP exists.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

VERSION_AND_COUNTS = text(
    """
    select
        v.version,
        v.document_count, v.report_count, v.metric_row_count,
        (select count(*) from raw.documents),
        (select count(*) from marts.dim_report),
        (select count(*) from marts.fct_report_metrics)
    from meta.current_version as v
    """
)


def observe(connection) -> dict:  # noqa: ANN001 - a SQLAlchemy Connection
    row = connection.execute(VERSION_AND_COUNTS).one()
    connection.rollback()  # end the read transaction, as a BI tool does after a query
    return {"version": row[0], "stamped": list(row[1:4]), "live": list(row[4:7])}


def main(db: str, out: str, stop: str, mode: str) -> None:
    url = f"duckdb:///{db}"
    args = {"read_only": True}
    engine = (
        create_engine(url, connect_args=args, poolclass=NullPool)
        if mode == "fresh"
        else create_engine(url, connect_args=args)
    )
    held = engine.connect() if mode == "held" else None
    with Path(out).open("w", encoding="utf-8") as sink:
        while not Path(stop).exists():
            try:
                if held is not None:
                    record = observe(held)
                else:
                    with engine.connect() as connection:
                        record = observe(connection)
            except Exception as exc:  # every failure is a finding, keep reading
                record = {"error": f"{type(exc).__name__}: {exc}"}
            record["at"] = time.time()
            sink.write(json.dumps(record) + "\n")
            sink.flush()
            time.sleep(0.1)
    if held is not None:
        held.close()


if __name__ == "__main__":
    main(*sys.argv[1:5])
