"""The `xxgk review` and `xxgk compare` commands (xxgk/cli.py parses their arguments)."""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

from core.paths import reviews_store_path
from serving.review import warehouse

LOOPBACK = ("127.0.0.1", "localhost", "::1")
NEEDED = ("marts", "fct_quality_checks_reviewed")  # the reviewed layer the pages read


def _readable(db_path: Path) -> str | None:
    """Why the serving file cannot be reviewed, or None."""
    if not db_path.is_file():
        return f"no warehouse at {db_path} (build one with xxgk run --db {db_path})"
    try:
        with warehouse.serving(db_path) as con:
            if not warehouse.has_relation(con, *NEEDED):
                return (
                    f"{db_path} was built before the reviewed layer "
                    f"({'.'.join(NEEDED)}); run xxgk run --db {db_path} once"
                )
    except duckdb.Error as exc:
        return f"{db_path} cannot be opened read-only: {exc}"
    return None


def serve_review(db_path: Path, host: str, port: int) -> int:
    problem = _readable(db_path)
    if problem:
        print(f"xxgk: {problem}", file=sys.stderr)
        return 2
    import uvicorn

    from serving.review.app import create_app

    store = reviews_store_path(db_path)
    shown = f"[{host}]" if ":" in host else host
    print(f"xxgk review: http://{shown}:{port}/  (Ctrl-C stops)", flush=True)
    print(f"  warehouse: {db_path} (read-only)\n  reviews:   {store}", flush=True)
    if host not in LOOPBACK:
        print(
            f"xxgk review: listening on {host}: anyone who can reach it can read the "
            "reports and record reviews",
            file=sys.stderr,
            flush=True,
        )
    uvicorn.run(
        create_app(db_path, host=host, store=store), host=host, port=port, log_level="warning"
    )
    return 0


def write_compare(db_path: Path, a: str, b: str, out: Path | None) -> int:
    problem = _readable(db_path)
    if problem:
        print(f"xxgk: {problem}", file=sys.stderr)
        return 2
    from serving.review.static_page import write_comparison

    try:
        written = write_comparison(db_path, a, b, out)
    except warehouse.NotFound as exc:
        print(f"xxgk: {exc.args[0]} in {db_path}", file=sys.stderr)
        return 2
    for path in written:
        print(f"compare:  {path}", flush=True)
    return 0
