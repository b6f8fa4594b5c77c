"""The `xxgk` command line."""

from __future__ import annotations

import argparse
import json
import os
import shlex
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from core import __version__, progress
from core.environment import (
    REPORT_LANGUAGE_VARIABLE,
    REPORT_LANGUAGES,
    ReportLanguage,
    configure_environment,
)
from core.paths import DEFAULT_DB, ROOT, SAMPLE_DIR, data_docs_dir, parquet_pointer, work_db_path
from core.safe_output import for_terminal, survive_closed_pipes
from flows.schedule import DEFAULT_CRON, DEFAULT_PORT, DEFAULT_SETTLE_S, DEPLOYMENT
from xxgk.adapters.exit_handlers import run_exit_handlers

if TYPE_CHECKING:
    from serving.publish import Publication


def _db_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=Path,
        default=DEFAULT_DB,
        help="the serving file analysts and BI tools open; builds go to <name>.build.duckdb "
        f"beside it and are published by an atomic swap (default: {DEFAULT_DB})",
    )
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="show Prefect's and dbt's own logs"
    )


def _lang_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--lang",
        choices=REPORT_LANGUAGES,
        help="language of the published HTML report: Chinese, English, or both side by side "
        f"(default: ${REPORT_LANGUAGE_VARIABLE}, else both)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xxgk", description="Government information-disclosure annual reports warehouse."
    )
    parser.add_argument("--version", action="version", version=f"xxgk {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="ingest report files, build the marts, validate them, publish",
        description="Land every report file under --input into the warehouse at --db, "
        "parse what is new, build the dbt models (incrementally), validate the marts and "
        "publish. Re-running on the same input changes nothing.",
    )
    run.add_argument(
        "--input",
        type=Path,
        default=SAMPLE_DIR,
        help="directory of report files (default: the bundled sample)",
    )
    _db_argument(run)
    _lang_argument(run)
    reparse = commands.add_parser(
        "reparse",
        help="re-parse landed documents after a parser change, rebuild and publish",
        description="Parse again, from the stored text, every landed document whose stored "
        "parse is from another parser version (no source file is read), then build, "
        "validate and publish like `xxgk run`.",
    )
    _db_argument(reparse)
    _lang_argument(reparse)
    retire = commands.add_parser(
        "retire",
        help="retire documents whose files left the inbox (kept, no longer reported)",
        description="Mark landed documents as retired (by document_id or source path, or "
        "every document whose bytes are no longer under --missing-from), then rebuild and "
        "publish. Their rows stay in raw.*, audit.retirements logs it; landing the same "
        "bytes again restores them.",
    )
    retire.add_argument("documents", nargs="*", help="document_id or source_path to retire")
    retire.add_argument(
        "--missing-from", type=Path, metavar="INBOX", help="retire what is gone from INBOX"
    )
    retire.add_argument("--reason", default=None, help="recorded with each retirement")
    _db_argument(retire)
    _lang_argument(retire)
    serve = commands.add_parser(
        "serve",
        help="serve the refresh flow as a scheduled Prefect deployment watching an inbox",
        description=f"Serve the refresh flow as the Prefect deployment `{DEPLOYMENT}`, run "
        "on a cron schedule (or every --interval seconds) over --inbox. Uses the Prefect server at "
        "PREFECT_API_URL, or starts a local one (UI at http://127.0.0.1:PORT). Stop with "
        "Ctrl-C.",
    )
    serve.add_argument(
        "--inbox", type=Path, required=True, help="directory crawled reports land in"
    )
    serve.add_argument("--cron", default=DEFAULT_CRON, help=f"schedule (default: {DEFAULT_CRON!r})")
    serve.add_argument("--interval", type=float, help="run every N seconds instead of --cron")
    serve.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help="port of a local Prefect server"
    )
    _db_argument(serve)
    _lang_argument(serve)
    watch = commands.add_parser(
        "watch",
        help="refresh whenever report files arrive in an inbox (one process that stays up)",
        description="Run the refresh flow on --input now, then again each time report files "
        "under it are added or changed (once none changed for --settle seconds), from one "
        "process that stays up: Prefect's API, the imports, dbt's parse of the project and "
        "the Great Expectations process are started once, not per run. A failed run is "
        "reported and the watch goes on. Ctrl-C stops at once; SIGTERM after the run in "
        "progress.",
    )
    watch.add_argument("--input", type=Path, required=True, help="directory reports arrive in")
    watch.add_argument(
        "--settle",
        type=float,
        default=DEFAULT_SETTLE_S,
        help="seconds with no report file changing before a run starts "
        f"(default: {DEFAULT_SETTLE_S:g})",
    )
    watch.add_argument(
        "--poll",
        action="store_true",
        help="scan the inbox instead of inotify (network file systems; also "
        "WATCHFILES_FORCE_POLLING=1)",
    )
    _db_argument(watch)
    _lang_argument(watch)
    history = commands.add_parser(
        "history",
        help="the last runs recorded in the served warehouse (audit.runs)",
        description="Print the last runs of the warehouse at --db, newest first, one line "
        "each: when, the command, and its summary (documents landed and parsed, the build, "
        "checks and expectations failed, the version served). Read from the work file when "
        "it exists (it also has the runs that published nothing), else from the serving file.",
    )
    history.add_argument("--limit", type=int, default=10, help="runs to show (default: 10)")
    _db_argument(history)
    review = commands.add_parser(
        "review",
        help="a local web app to judge, correct and compare what the checks found",
        description="Serve the review app over the serving file (opened read-only): the "
        "reports, each report's grid and text with its failing checks, and comparisons. "
        "Verdicts and corrected values go to <name>.reviews.duckdb beside the warehouse; "
        "the next `xxgk run` applies them (docs/review.md). Stop with Ctrl-C.",
    )
    review.add_argument(
        "--host",
        default="127.0.0.1",
        help="address to bind (default: 127.0.0.1, this machine only)",
    )
    review.add_argument("--port", type=int, default=8765, help="port (default: 8765)")
    _db_argument(review)
    comparison = commands.add_parser(
        "compare",
        help="two reports side by side, as a static HTML page with its CSV and XLSX",
        description="Write the comparison of reports A and B (a report_id, a unique prefix "
        "of one, or a source file name) as the review app shows it, as one HTML file that "
        "needs no server, with the measures as CSV and XLSX beside it.",
    )
    comparison.add_argument("a", help="the first report")
    comparison.add_argument("b", help="the second report")
    comparison.add_argument(
        "--out", type=Path, help="the HTML file (default: comparison_<a>_<b>.html here)"
    )
    _db_argument(comparison)
    doctor = commands.add_parser(
        "doctor",
        help="check the warehouse's files and say how to recover (--repair does it)",
        description="Check the serving file (its checksum, mode, writers, a WAL beside it), "
        "what is published beside it, the work file, an interrupted publication, files "
        "dead processes left and runs that died early; say what to do. --repair does it, "
        "rebuilding a damaged serving file from the raw tables it carries. Exit status 0 "
        "when healthy (or repaired), 1 otherwise.",
    )
    doctor.add_argument("--repair", action="store_true", help="do what the findings advise")
    _db_argument(doctor)
    return parser


def _how_to_query(publication: Publication) -> str:
    db_path = publication.serving_db
    one_liner = (  # a Python string literal for the path (JSON's is one), quoted for the shell
        f"import xxgk; con = xxgk.open_warehouse({json.dumps(str(db_path))}); "
        'print(con.sql("select * from marts.fct_report_measures_wide"))'
    )
    docs = f"dbt docs:  {publication.dbt_docs}\n" if publication.dbt_docs else ""
    return (
        f"\nWarehouse: {db_path} (version {publication.version})\n"
        f"Report:    {publication.report}\n"
        f"{docs}"
        f"Data Docs: {data_docs_dir(db_path) / 'index.html'}\n"
        f"Parquet:   {parquet_pointer(db_path)} (names the version's folder; its "
        "_manifest.json lists the files)\n"
        "Query it read-only (a run never locks it; reconnect to see a newer version), e.g.:\n"
        f"  {shlex.quote(sys.executable)} -c {shlex.quote(one_liner)}\n"
        f"  {shlex.quote(str(Path(sys.executable).with_name('duckdb')))} -readonly "
        f"{shlex.quote(str(db_path))} "
        '"select * from meta.current_version"   # the DuckDB CLI'
    )


def _as_the_builder(db_path: Path, holder: str, step: Callable[[], int]) -> int:
    """``step()`` holding the warehouse's build lock (serving/work_file.py), or status 1
    naming the process that holds it: one building process at a time."""
    from serving.work_file import WarehouseBusy, build_lock

    try:
        with build_lock(db_path, holder):
            return step()
    except WarehouseBusy as exc:
        print(f"xxgk: {exc}", file=sys.stderr)
        return 1


def _input_problem(input_dir: Path) -> str | None:
    """Why ``input_dir`` cannot be read as a folder of reports, or None."""
    if input_dir.is_file():
        return (
            f"--input names a file, not a folder of reports: {input_dir} "
            "(put it in a folder of its own and name the folder)"
        )
    if not input_dir.is_dir():
        return f"input directory not found: {input_dir}"
    return None


def _db_folder_problem(db_path: Path) -> str | None:
    """Why a build cannot write beside the serving file ``db_path`` (its work file, lock and
    sidecars), or None. Tried, not guessed from the permission bits (root ignores them, a
    read-only file system does not)."""
    folder = db_path.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        reason = exc.strerror or type(exc).__name__
        return (
            f"cannot write in the warehouse's folder {folder} ({reason}): a run writes its "
            "work file, lock and published files there; choose another --db"
        )
    return None


def run(
    input_dir: Path | None, db_path: Path, kind: str = "run", lang: ReportLanguage | None = None
) -> int:
    """The refresh flow once, from the command line: progress per step, then the run's
    summary and how to query what was published."""
    db_path = db_path.expanduser().resolve()
    if input_dir is not None:
        input_dir = input_dir.expanduser().resolve()
        problem = _input_problem(input_dir)
        if problem:
            print(f"xxgk: {problem}", file=sys.stderr)
            return 2
    problem = _db_folder_problem(db_path)
    if problem:
        print(f"xxgk: {problem}", file=sys.stderr)
        return 2
    return _as_the_builder(
        db_path, f"xxgk {kind}", lambda: _run_locked(input_dir, db_path, kind, lang)
    )


# what a run's start-up waits for (shown while it does)
SERVER = "Prefect's API server"
DBT_PARSE = "dbt's parse of the project"
WORK_COPY = "the work file (a copy of the serving file)"


def _run_locked(
    input_dir: Path | None, db_path: Path, kind: str, lang: ReportLanguage | None = None
) -> int:
    """:func:`run`, holding the build lock, with each step's progress shown meanwhile
    (core/progress.py)."""
    source = for_terminal(input_dir or "(landed documents)")
    print(f"xxgk {kind}: {source} -> {for_terminal(db_path)}", flush=True)
    started = time.monotonic()
    from concurrent.futures import Future, wait

    from flows.context import RunContext
    from flows.run_history import announce_run, fail_announced
    from flows.runtime import one_shot_api
    from serving.recovery import prepare_build
    from serving.work_file import adopt_serving_file_ahead
    from transform.parse_ahead import parsed_ahead

    # recorded at once, before Prefect starts: a run killed now still leaves a row
    record = announce_run(db_path, kind, input_dir)
    try:
        preparation = prepare_build(db_path)  # before the work file is copied or opened
    except Exception as exc:
        fail_announced(db_path, record, f"{type(exc).__name__}: {exc}")
        print(f"xxgk: {for_terminal(exc, keep_lines=True)}", file=sys.stderr)
        return 1
    for note in preparation.notes:
        print(f"recover:  {for_terminal(note)}", flush=True)

    def import_flow() -> None:
        # after configure_environment(): Prefect reads its settings on import
        import flows.refresh  # noqa: F401

    work_db = work_db_path(db_path)
    adopting: Future[bool] | None = None
    try:
        # while Prefect's server starts, this process imports and parses the dbt project,
        # then copies the serving file to the work file (the last run published its own)
        with progress.showing():
            waiting = progress.Waiting(
                "start", [SERVER, DBT_PARSE, WORK_COPY], then="starting the flow run (Prefect)"
            )
            with parsed_ahead(work_db, ROOT) as parse:
                parse.result.add_done_callback(lambda _: waiting.over(DBT_PARSE))
                adopting = adopt_serving_file_ahead(work_db, db_path, after=parse.wait)
                adopting.add_done_callback(lambda _: waiting.over(WORK_COPY))
                with one_shot_api(prepare=import_flow):
                    waiting.over(SERVER)
                    adopting.result()
                    from flows.refresh import refresh

                    context = RunContext.of(db_path, report_lang=lang, parse=parse)
                    result = refresh(
                        input_dir,
                        db_path,
                        kind=kind,
                        run_id=record.run_id,
                        prepared=True,
                        context=context,
                    )
    except Exception as exc:  # every pipeline error ends the run with its message
        message = for_terminal(exc, keep_lines=True)
        print(f"\nxxgk: the pipeline failed: {message}", file=sys.stderr)
        from serving.publish import what_is_served

        print(f"xxgk: {for_terminal(what_is_served(db_path))}", file=sys.stderr)
        return 1
    finally:
        if adopting is not None:
            wait([adopting])  # never exit in the middle of the copy
    print(f"summary:  {result.run.summary()}", flush=True)
    elapsed = time.monotonic() - started
    flow_s = result.run.seconds or 0.0
    print(
        f"done in {elapsed:.1f} s ({flow_s:.1f} s in the refresh flow, "
        f"{max(elapsed - flow_s, 0):.1f} s starting Prefect, dbt and the flow run)",
        flush=True,
    )
    if result.publication is not None:
        print(_how_to_query(result.publication), flush=True)
    elif result.run.served_version:
        print(f"unchanged: version {result.run.served_version} stays served: {db_path}", flush=True)
    else:
        found = f"under {input_dir}" if input_dir else "landed"
        print(f"nothing published: no report file {found}; no warehouse at {db_path}", flush=True)
    return 0


def retire(
    documents: list[str],
    missing_from: Path | None,
    reason: str | None,
    db_path: Path,
    lang: ReportLanguage | None = None,
) -> int:
    """Retire documents in the work file, then rebuild and publish without them."""
    db_path = db_path.expanduser().resolve()
    return _as_the_builder(
        db_path,
        "xxgk retire",
        lambda: _retire_locked(documents, missing_from, reason, db_path, lang),
    )


def _retire_locked(
    documents: list[str],
    missing_from: Path | None,
    reason: str | None,
    db_path: Path,
    lang: ReportLanguage | None,
) -> int:
    """:func:`retire`, holding the build lock."""
    from ingest.retire import RetireError, missing_from_inbox, retire_documents
    from serving.recovery import prepare_build
    from serving.work_file import adopt_serving_file

    work_db = work_db_path(db_path)
    try:
        prepare_build(db_path)  # what a dead process left is finished before the copy
    except Exception as exc:
        print(f"xxgk: {for_terminal(exc, keep_lines=True)}", file=sys.stderr)
        return 1
    adopt_serving_file(work_db, db_path)
    if not work_db.exists():
        print(f"xxgk: no warehouse at {db_path}", file=sys.stderr)
        return 2
    try:
        references = list(documents)
        if missing_from is not None:
            references += missing_from_inbox(work_db, missing_from.expanduser())
            reason = reason or f"its file is no longer under {missing_from.expanduser().resolve()}"
        if not references:
            print("retire:   nothing to retire", flush=True)
            return 0
        summary = retire_documents(work_db, references, reason or "retired by hand")
    except RetireError as exc:
        print(f"xxgk: {for_terminal(exc)}", file=sys.stderr)
        return 2
    print(f"retire:   {summary}", flush=True)
    for doc_id, path in summary.retired:
        print(f"          {doc_id}  {for_terminal(path)}", flush=True)
    return _run_locked(None, db_path, "retire", lang)


def history(db_path: Path, limit: int) -> int:
    """Print the last runs the served warehouse records."""
    import duckdb

    from flows.run_history import recent_runs

    db_path = db_path.expanduser().resolve()
    if not db_path.is_file():
        print(f"xxgk: no warehouse at {db_path}", file=sys.stderr)
        return 2
    # the work file has every run (a run that found nothing new publishes nothing); it is
    # locked while a run writes it, and then the served copy's history is shown
    from ingest.db import is_lock_conflict
    from serving.integrity import is_damage

    work_db = work_db_path(db_path)
    try:
        lines = recent_runs(work_db if work_db.is_file() else db_path, limit)
    except duckdb.Error as exc:
        if not (is_lock_conflict(exc) or is_damage(exc)) or not work_db.is_file():
            print(f"xxgk: {for_terminal(exc)}; `xxgk doctor` says more", file=sys.stderr)
            return 1
        lines = recent_runs(db_path, limit)
        state = "busy (a run writes it)" if is_lock_conflict(exc) else f"DAMAGED ({exc})"
        print(f"(the work file is {for_terminal(state)}: runs up to the served version; {work_db})")
    for line in lines:
        print(for_terminal(line))
    return 0


def doctor(db_path: Path, repair: bool) -> int:
    """Report the state of the warehouse's files; with ``repair``, fix what can be."""
    from xxgk import doctor as checks

    db_path = db_path.expanduser().resolve()

    def say(line: str) -> None:
        print(line, flush=True)

    print(f"xxgk doctor: {for_terminal(db_path)}", flush=True)
    if not repair:
        return 0 if checks.report(checks.examine(db_path), say) else 1

    def repaired() -> int:
        status = checks.repair(db_path, say, lambda: _run_locked(None, db_path, "repair"))
        if status == 0:
            say("")
            checks.report(checks.examine(db_path, holding_lock=True), say)
        return status

    return _as_the_builder(db_path, "xxgk doctor --repair", repaired)


def _watch(
    inbox: Path, db_path: Path, settle_s: float, poll: bool, lang: ReportLanguage | None = None
) -> int:
    """`xxgk watch` until Ctrl-C or SIGTERM (which lets the run in progress end first)."""
    inbox, db_path = inbox.expanduser().resolve(), db_path.expanduser().resolve()
    if not inbox.is_dir():
        print(f"xxgk: input directory not found: {inbox}", file=sys.stderr)
        return 2
    if settle_s < 0:
        print(f"xxgk: --settle must be 0 or more seconds, not {settle_s:g}", file=sys.stderr)
        return 2
    return _as_the_builder(
        db_path, "xxgk watch", lambda: _watching(inbox, db_path, settle_s, poll, lang)
    )


def _watching(
    inbox: Path, db_path: Path, settle_s: float, poll: bool, lang: ReportLanguage | None
) -> int:
    """:func:`_watch`, holding the build lock."""
    from xxgk.watch import WatchCannotGoOn, WatchSettings, polling_wanted, watch

    stop = threading.Event()
    settings = WatchSettings(
        settle_s=settle_s, force_polling=poll or polling_wanted(os.environ), report_lang=lang
    )
    previous = signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    try:
        return watch(inbox, db_path, settings, stop)
    except WatchCannotGoOn as exc:
        print(f"xxgk watch: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nxxgk watch: interrupted", file=sys.stderr, flush=True)
        return 130
    finally:
        signal.signal(signal.SIGTERM, previous)


def review(db_path: Path, host: str, port: int) -> int:
    """`xxgk review` until Ctrl-C."""
    db_path = db_path.expanduser().resolve()
    from serving.review.cli import serve_review

    return serve_review(db_path, host, port)


def compare(a: str, b: str, out: Path | None, db_path: Path) -> int:
    """`xxgk compare A B`."""
    from serving.review.cli import write_compare

    return write_compare(db_path.expanduser().resolve(), a, b, out)


def _exit_now(status: int) -> NoReturn:
    """Exit after the atexit handlers (Prefect's and dbt's) but without the interpreter's
    module teardown, which takes 2–3 s once dbt and Prefect are loaded."""
    sys.stdout.flush()
    sys.stderr.flush()
    run_exit_handlers()
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
    survive_closed_pipes()
    configure_environment(verbose=bool(args.verbose))  # the one write, before any import
    from core.settings import SettingsError, load_settings  # pydantic: after the parse

    try:
        load_settings()  # a bad XXGK_* value stops the command here, naming the variable
    except SettingsError as exc:
        print(f"xxgk: {exc}", file=sys.stderr)
        return 2
    lang = getattr(args, "lang", None)  # over XXGK_REPORT_LANG, in the run's context
    if args.command == "run":
        return run(args.input, args.db, lang=lang)
    if args.command == "reparse":
        return run(None, args.db, kind="reparse", lang=lang)
    if args.command == "retire":
        return retire(args.documents, args.missing_from, args.reason, args.db, lang=lang)
    if args.command == "history":
        return history(args.db, args.limit)
    if args.command == "doctor":
        return doctor(args.db, args.repair)
    if args.command == "watch":
        return _watch(args.input, args.db, args.settle, args.poll, lang=lang)
    if args.command == "review":
        return review(args.db, args.host, args.port)
    if args.command == "compare":
        return compare(args.a, args.b, args.out, args.db)
    if args.command == "serve":
        from flows.deployment import serve_inbox

        return serve_inbox(
            args.inbox, args.db, cron=args.cron, interval=args.interval, port=args.port, lang=lang
        )
    return 2


if __name__ == "__main__":
    sys.exit(main())
