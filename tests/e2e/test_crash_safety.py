"""Crash safety (issue 6): the ingest process is killed (SIGKILL, its whole process group)
at random moments, at least 20 times, then run once more to the end. The warehouse must then
equal a clean single run's: the same raw documents, cells and quarantine (timestamps aside)
and, after the build, byte-identical facts in every mart. No partial document, no duplicate,
no orphaned cell survives a kill.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from bench.synthetic import TEMPLATES, draw_report, messy_txt, render_docx, render_html
from core.paths import ROOT, SAMPLE_DIR
from tests.support.warehouse_tables import mart_rows, table_names

WORKER = Path(__file__).parents[1] / "support" / "crash_ingest.py"
KILLS_DURING_INGEST = 20
KILLS_DURING_BUILD = 4

# raw tables and the columns that identify their content (landing times differ per run)
RAW_CONTENT = {
    "documents": "document_id, source_path, size_bytes, sha256, media_type, encoding, "
    "extraction_status, text, extractor_version, retired_at",
    "quarantine": "source_path, size_bytes, sha256, reason",
    "report_attributes": "*",
    "cells": "*",
    "unmapped_labels": "*",
    "prose_numbers": "*",
}


def _corpus(directory: Path) -> Path:
    directory.mkdir()
    for seed in sorted(SAMPLE_DIR.iterdir()):
        shutil.copy(seed, directory / seed.name)
    for i in range(60):
        report = draw_report(1000 + i, TEMPLATES[i % len(TEMPLATES)])
        (directory / f"synthetic_{i:03d}.txt").write_text(messy_txt(report, i), encoding="utf-8")
    for i in range(3):
        report = draw_report(2000 + i, TEMPLATES[i % len(TEMPLATES)])
        (directory / f"synthetic_{i:03d}.html").write_text(render_html(report), encoding="utf-8")
        (directory / f"synthetic_{i:03d}.docx").write_bytes(render_docx(report))
    (directory / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    (directory / "copy_of_seed.txt").write_bytes(next(SAMPLE_DIR.iterdir()).read_bytes())
    return directory


def _start(corpus: Path, db: Path, build: bool) -> subprocess.Popen:
    command = [sys.executable, str(WORKER), str(corpus), str(db)] + (["--build"] if build else [])
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its worker processes die with it
    )


def _run_to_end(corpus: Path, db: Path, build: bool) -> float:
    started = time.monotonic()
    process = _start(corpus, db, build)
    out, err = process.communicate(timeout=600)
    assert process.returncode == 0, err.decode()[-3000:]
    assert b"complete" in out
    return time.monotonic() - started


def _kill_at(corpus: Path, db: Path, build: bool, delay: float) -> bool:
    """Start the process, SIGKILL its group after ``delay`` s; True if it was still running."""
    process = _start(corpus, db, build)
    try:
        process.wait(timeout=delay)
        return False
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return True


def _raw_content(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            table: con.execute(f"select {cols} from raw.{table} order by all").fetchall()
            for table, cols in RAW_CONTENT.items()
        }


@pytest.mark.slow
def test_killed_ingest_then_rerun_equals_a_clean_run(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path / "inbox")
    clean_db = tmp_path / "clean.duckdb"
    ingest_seconds = _run_to_end(corpus, clean_db, build=False)
    clean_raw = _raw_content(clean_db)

    rng = random.Random(20261122)
    crashed_db = tmp_path / "crashed.duckdb"
    kills = episodes = 0
    while kills < KILLS_DURING_INGEST:
        # an episode: kill, look, kill again … until a run gets to the end by itself
        episodes += 1
        for path in (crashed_db, crashed_db.with_name(crashed_db.name + ".wal")):
            path.unlink(missing_ok=True)
        while _kill_at(corpus, crashed_db, False, rng.uniform(0.3, ingest_seconds)):
            kills += 1
            with duckdb.connect(str(crashed_db)) as con:  # nothing half-landed, no orphan
                _assert_consistent(con)
        assert _raw_content(crashed_db) == clean_raw, f"episode {episodes} after {kills} kills"

    # the build killed part-way (models half rebuilt), then completed
    build_seconds = _run_to_end(corpus, clean_db, build=True)
    build_kills = 0
    for _ in range(KILLS_DURING_BUILD):
        build_kills += _kill_at(
            corpus, crashed_db, True, rng.uniform(ingest_seconds, build_seconds * 0.9)
        )
    assert build_kills >= KILLS_DURING_BUILD // 2
    _run_to_end(corpus, crashed_db, build=True)
    assert mart_rows(crashed_db) == mart_rows(clean_db)


def _assert_consistent(con: duckdb.DuckDBPyConnection) -> None:
    tables = set(table_names(con, "raw"))
    if "documents" not in tables:
        return
    duplicated = con.execute(
        "select count(*) - count(distinct document_id) from raw.documents"
    ).fetchone()
    assert duplicated == (0,)
    if "cells" in tables:
        orphans = con.execute(
            "select count(*) from raw.cells c left join raw.report_attributes a "
            "using (document_id) where a.document_id is null"
        ).fetchone()
        assert orphans == (0,), "cells without their report's attributes"
        mixed = con.execute(
            "select count(*) from raw.cells c join raw.report_attributes a using (document_id) "
            "where c.parser_version <> a.parser_version"
        ).fetchone()
        assert mixed == (0,)
