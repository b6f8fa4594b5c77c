"""The `xxgk` command line."""

from __future__ import annotations

import argparse
import atexit
import os
import sys
import time
from collections.abc import MutableMapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from xxgk.paths import DEFAULT_DB, SAMPLE_DIR, data_docs_dir, work_db_path
from xxgk.settings import configure_environment

if TYPE_CHECKING:
    from serving.publish import Publication


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
        "--db",
        type=Path,
        default=DEFAULT_DB,
        help="the serving file analysts and BI tools open; builds go to <name>.build.duckdb "
        f"beside it and are published by an atomic swap (default: {DEFAULT_DB})",
    )
    run.add_argument(
        "-v", "--verbose", action="store_true", help="show Prefect's and dbt's own logs"
    )
    return parser


def _quiet_run_logs(environ: MutableMapping[str, str]) -> None:
    """The command line reports a failed step itself; Prefect's tracebacks would repeat it."""
    for logger in ("FLOW_RUNS", "TASK_RUNS"):
        environ.setdefault(f"PREFECT_LOGGING_LOGGERS_PREFECT_{logger}_LEVEL", "CRITICAL")


def _how_to_query(publication: Publication) -> str:
    db_path = publication.serving_db
    one_liner = (
        f"import duckdb; con = duckdb.connect(r'{db_path}', read_only=True); "
        "print(con.sql('select * from marts.fct_report_measures_wide'))"
    )
    docs = f"dbt docs:  {publication.dbt_docs}\n" if publication.dbt_docs else ""
    return (
        f"\nWarehouse: {db_path} (version {publication.version})\n"
        f"Work file: {work_db_path(db_path)} (only xxgk run opens it)\n"
        f"Report:    {publication.report}\n"
        f"{docs}"
        f"Data Docs: {data_docs_dir(db_path) / 'index.html'}\n"
        f"Parquet:   {publication.parquet}/<mart>/report_year=<year>/*.parquet\n"
        "Query it read-only (a run never locks it; reconnect to see a newer version), e.g.:\n"
        f'  {sys.executable} -c "{one_liner}"\n'
        f'  duckdb -readonly "{db_path}" "select * from meta.current_version"   # DuckDB CLI'
    )


def _what_is_served(db_path: Path) -> str:
    """After a failed run: the serving file was not touched; say which version it holds."""
    from serving.publish import served_version

    version = served_version(db_path)
    if version:
        return f"serving file left at version {version}: {db_path}"
    if db_path.exists():
        return f"serving file left unchanged: {db_path}"
    return f"nothing published yet: no serving file at {db_path}"


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
        result = refresh(input_dir, db_path)
    except Exception as exc:  # every pipeline error ends the run with its message
        print(f"\nxxgk: the pipeline failed: {exc}", file=sys.stderr)
        print(f"xxgk: {_what_is_served(db_path)}", file=sys.stderr)
        return 1
    print(f"done in {time.monotonic() - started:.1f} s", flush=True)
    print(_how_to_query(result.publication), flush=True)
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
