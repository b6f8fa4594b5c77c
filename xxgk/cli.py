"""The `xxgk` command line."""

from __future__ import annotations

import argparse
import atexit
import os
import sys
import time
from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import NoReturn

from xxgk.paths import DEFAULT_DB, SAMPLE_DIR, data_docs_dir
from xxgk.settings import configure_environment


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xxgk", description="Government information-disclosure annual reports warehouse."
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="ingest report files, build the marts, validate them",
        description="Land every report file under --input into the warehouse at --db, "
        "parse it, build the dbt models and validate the marts. Re-running on the same "
        "input changes nothing.",
    )
    run.add_argument(
        "--input",
        type=Path,
        default=SAMPLE_DIR,
        help="directory of report files (default: the bundled sample)",
    )
    run.add_argument(
        "--db", type=Path, default=DEFAULT_DB, help=f"warehouse file (default: {DEFAULT_DB})"
    )
    run.add_argument(
        "-v", "--verbose", action="store_true", help="show Prefect's and dbt's own logs"
    )
    return parser


def _quiet_run_logs(environ: MutableMapping[str, str]) -> None:
    """The command line reports a failed step itself; Prefect's tracebacks would repeat it."""
    for logger in ("FLOW_RUNS", "TASK_RUNS"):
        environ.setdefault(f"PREFECT_LOGGING_LOGGERS_PREFECT_{logger}_LEVEL", "CRITICAL")


def _how_to_query(db_path: Path) -> str:
    one_liner = (
        f"import duckdb; con = duckdb.connect(r'{db_path}', read_only=True); "
        "print(con.sql('select * from marts.fct_report_metrics limit 20'))"
    )
    return (
        f"\nWarehouse: {db_path}\n"
        f"Data Docs: {data_docs_dir(db_path) / 'index.html'}\n"
        "Query it (read-only while no run writes it), e.g.:\n"
        f'  {sys.executable} -c "{one_liner}"\n'
        f'  duckdb -readonly "{db_path}" "select * from marts.dim_report"   # DuckDB CLI'
    )


def run(input_dir: Path, db_path: Path) -> int:
    input_dir = input_dir.expanduser().resolve()
    db_path = db_path.expanduser().resolve()
    if not input_dir.is_dir():
        print(f"xxgk: input directory not found: {input_dir}", file=sys.stderr)
        return 2
    print(f"xxgk run: {input_dir} -> {db_path}", flush=True)
    started = time.monotonic()
    # imported after configure_environment(): Prefect reads its settings on import
    from flows.refresh import refresh
    from flows.runtime import warm_start

    try:
        warm_start()
        refresh(input_dir, db_path)
    except Exception as exc:  # every pipeline error ends the run with its message
        print(f"\nxxgk: the pipeline failed: {exc}", file=sys.stderr)
        return 1
    print(f"done in {time.monotonic() - started:.1f} s", flush=True)
    print(_how_to_query(db_path), flush=True)
    return 0


def _exit_now(status: int) -> NoReturn:
    """Exit after the atexit handlers (they stop Prefect's temporary server) but without the
    interpreter's module teardown, which takes 2–3 s once dbt, GE and Prefect are loaded."""
    sys.stdout.flush()
    sys.stderr.flush()
    atexit._run_exitfuncs()
    os._exit(status)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point. As the console script (``argv`` None) it exits the process itself;
    given ``argv`` (tests) it returns the exit status."""
    status = _main(argv)
    if argv is None:
        _exit_now(status)
    return status


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    configure_environment()
    if args.verbose:
        os.environ["DBT_QUIET"] = "false"
    else:
        _quiet_run_logs(os.environ)
    if args.command == "run":
        return run(args.input, args.db)
    return 2


if __name__ == "__main__":
    sys.exit(main())
