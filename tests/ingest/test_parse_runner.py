"""The streaming parse gives the same stored rows however it runs: serially in one batch,
in small batches, in worker processes, or on a Dask cluster (flows/parse.py)."""

from __future__ import annotations

import pickle
import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

import ingest.parse
from bench.synthetic import TEMPLATES, draw_report, messy_txt
from core.paths import SAMPLE_DIR
from core.settings import ParseSettings, Settings
from ingest.db import connect
from ingest.hold import Hold
from ingest.land import land_documents
from ingest.parse import ParsedDocument
from ingest.parse_landed import (
    LandedDocument,
    ParseError,
    parse_batch,
    parse_landed,
    pending_documents,
    read_texts,
    store_parse,
)

PARSE_TABLES = ("report_attributes", "cells", "unmapped_labels", "prose_numbers")
SYNTHETIC_REPORTS = 36


@pytest.fixture(scope="module")
def landed_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample reports and synthetic reports of every template, landed and not parsed
    yet."""
    inbox = tmp_path_factory.mktemp("corpus")
    samples = sorted(SAMPLE_DIR.glob("*.txt"))
    assert len(samples) == 5, f"the bundled sample ({SAMPLE_DIR}) is incomplete"
    for seed_file in samples:
        shutil.copy(seed_file, inbox / seed_file.name)
    for i in range(SYNTHETIC_REPORTS):
        report = draw_report(i, TEMPLATES[i % len(TEMPLATES)])
        (inbox / f"synthetic_{i:03d}.txt").write_text(messy_txt(report, i), encoding="utf-8")
    db = inbox.parent / "landed.duckdb"
    land_documents(db, inbox)
    return db


@pytest.fixture(scope="module")
def serial_rows(landed_corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What one in-process batch of every document stores."""
    db = copy_of(landed_corpus, tmp_path_factory.mktemp("serial"))
    summary = parse_landed(db, ParseSettings(workers=1, batch_size=10_000))
    assert summary.parsed == document_count(db)
    return stored_rows(db)


def copy_of(db: Path, directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "w.duckdb"
    shutil.copy(db, target)
    return target


def document_count(db: Path) -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute("select count(*) from raw.documents").fetchone()[0]


def stored_rows(db: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            table: con.execute(f"select * from raw.{table} order by all").fetchall()
            for table in PARSE_TABLES
        }


def exported_bytes(db: Path, directory: Path) -> dict[str, bytes]:
    """Each parse table as CSV bytes, rows in order."""
    exported = {}
    with duckdb.connect(str(db), read_only=True) as con:
        for table in PARSE_TABLES:
            target = directory / f"{table}.csv"
            con.execute(f"copy (select * from raw.{table} order by all) to '{target}' (header)")
            exported[table] = target.read_bytes()
    return exported


def test_the_corpus_has_something_in_every_table(serial_rows: dict) -> None:
    assert len(serial_rows["report_attributes"]) == SYNTHETIC_REPORTS + 5
    assert len(serial_rows["cells"]) > 100 * SYNTHETIC_REPORTS
    assert serial_rows["prose_numbers"], "the sample reports state numbers in their prose"


def test_small_batches_store_what_one_batch_does(
    landed_corpus: Path, serial_rows: dict, tmp_path: Path
) -> None:
    db = copy_of(landed_corpus, tmp_path)
    summary = parse_landed(db, ParseSettings(workers=1, batch_size=7, write_batch=10))
    assert summary.parsed == len(serial_rows["report_attributes"])
    assert stored_rows(db) == serial_rows
    again = parse_landed(db, ParseSettings(workers=1, batch_size=7))
    assert (again.parsed, again.up_to_date) == (0, summary.parsed)


def test_worker_processes_store_what_the_serial_parse_does(
    landed_corpus: Path, serial_rows: dict, tmp_path: Path
) -> None:
    db = copy_of(landed_corpus, tmp_path)
    parse_landed(db, ParseSettings(workers=2, batch_size=6, write_batch=12))
    assert stored_rows(db) == serial_rows


def test_batches_follow_storage_order_and_a_stale_row_span_still_reads_every_text(
    landed_corpus: Path,
) -> None:
    pending = pending_documents(landed_corpus)
    assert list(pending.row_ids) == sorted(pending.row_ids)
    batches = list(pending.batches(7))
    assert [d for b in batches for d in b.document_ids] == list(pending.document_ids)
    batch = batches[1]
    assert batch.rows == (pending.row_ids[7], pending.row_ids[13])
    wanted = sorted(batch.document_ids)
    with duckdb.connect(str(landed_corpus), read_only=True) as con:
        read = read_texts(con, batch.document_ids, batch.rows)
        # a span that no longer holds the documents (rowids moved) falls back to the ids
        stale = read_texts(con, batch.document_ids, (0, 0))
    assert [d.document_id for d in read] == wanted
    assert [d.document_id for d in stale] == wanted
    assert all(d.text for d in stale)


def test_a_new_parser_version_replaces_the_stored_rows(
    landed_corpus: Path, serial_rows: dict, tmp_path: Path
) -> None:
    db = copy_of(landed_corpus, tmp_path)
    parse_landed(db, ParseSettings(workers=1, batch_size=10_000))
    with duckdb.connect(str(db)) as con:  # as if an older parser had written them
        con.execute("update raw.report_attributes set parser_version = 'older'")
        con.execute("update raw.cells set parser_version = 'older'")
    assert pending_documents(db).stored == frozenset(pending_documents(db).document_ids)
    parse_landed(db, ParseSettings(workers=1, batch_size=9, write_batch=9))
    assert stored_rows(db) == serial_rows


@pytest.fixture(scope="module")
def prefect_api() -> Iterator[None]:
    """A temporary Prefect server for the flows run in this process."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.mark.slow
def test_a_dask_cluster_stores_the_same_bytes_as_the_default_runner(
    prefect_api: None, landed_corpus: Path, serial_rows: dict, tmp_path: Path
) -> None:
    from flows.parse import parse_step

    default_db = copy_of(landed_corpus, tmp_path / "default")
    dask_db = copy_of(landed_corpus, tmp_path / "dask")
    default = parse_step(default_db, ParseSettings(workers=2, batch_size=8, write_batch=16))
    on_dask = parse_step(
        dask_db, ParseSettings(workers=2, batch_size=8, write_batch=16, task_runner="dask")
    )
    assert on_dask == default
    assert on_dask.parsed == len(serial_rows["report_attributes"])
    assert exported_bytes(dask_db, tmp_path / "dask") == exported_bytes(
        default_db, tmp_path / "default"
    )
    assert stored_rows(dask_db) == serial_rows


def test_a_parser_failure_holds_the_document_back_and_the_batch_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def crash(document_id: str, text: str, hints: object = None) -> ParsedDocument:
        if "bad" in text:
            raise ValueError("cannot cope")
        return ParsedDocument(attributes={})  # parse_batch reads on from the parse

    monkeypatch.setattr(ingest.parse, "parse_document", crash)
    documents = [
        LandedDocument("d1", "in/good.txt", "good"),
        LandedDocument("d2", "in/x.txt", "bad"),
    ]
    batch = parse_batch(documents)
    assert batch.document_ids == ("d1", "d2")
    assert batch.held == (Hold("d2", "the parser failed: ValueError: cannot cope"),)
    assert batch.tables["report_attributes"]["document_id"].to_list() == ["d1"]
    # what a worker sends back: each frame whole, its types kept (zstd Arrow IPC)
    sent = pickle.loads(pickle.dumps(batch))
    assert (sent.document_ids, sent.held, sent.parser_version) == (
        batch.document_ids,
        batch.held,
        batch.parser_version,
    )
    assert sent.tables.keys() == batch.tables.keys()
    assert all(sent.tables[name].equals(frame) for name, frame in batch.tables.items())
    assert all(sent.tables[name].schema == frame.schema for name, frame in batch.tables.items())


def test_a_parse_error_crosses_process_boundaries_whole() -> None:
    error = ParseError("the parser failed on document d2 (in/x.txt): ValueError: cannot cope")
    assert str(pickle.loads(pickle.dumps(error))) == str(error)


def test_rows_from_a_worker_with_another_parser_version_are_refused(
    landed_corpus: Path, tmp_path: Path
) -> None:
    db = copy_of(landed_corpus, tmp_path)
    pending = pending_documents(db)
    batch = parse_batch([LandedDocument(pending.document_ids[0], "a.txt", "某县年度报告\n")])
    stale = type(batch)(batch.document_ids, "another version", batch.tables)
    with pytest.raises(ParseError, match="another version"), connect(db) as con:
        store_parse(con, stale, pending)


@pytest.mark.parametrize(
    ("environ", "problem"),
    [
        ({"XXGK_PARSE_WORKERS": "0"}, "XXGK_PARSE_WORKERS: input should be greater than 0"),
        ({"XXGK_PARSE_BATCH": "many"}, "XXGK_PARSE_BATCH: input should be a valid integer"),
        ({"XXGK_TASK_RUNNER": "ray"}, "XXGK_TASK_RUNNER: input should be 'local' or 'dask'"),
    ],
)
def test_bad_parse_settings_are_named(
    environ: dict[str, str], problem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, value in environ.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=problem):
        ParseSettings.from_env()


def test_parse_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XXGK_PARSE_WORKERS", "3")
    monkeypatch.setenv("XXGK_TASK_RUNNER", "Dask")
    monkeypatch.setenv("XXGK_DASK_ADDRESS", "tcp://s:8786")
    monkeypatch.delenv("XXGK_PARSE_BATCH", raising=False)
    monkeypatch.delenv("XXGK_WRITE_BATCH", raising=False)
    settings = ParseSettings.from_env()
    assert settings == ParseSettings.from_settings(
        Settings(parse_workers=3, task_runner="dask", dask_address="tcp://s:8786")
    )
    assert settings == ParseSettings(
        workers=3, batch_size=250, write_batch=2000, task_runner="dask", dask_address="tcp://s:8786"
    )


def test_settings_views_name_each_setting_once_and_convert_its_unit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """IngestLimits and ParseSettings take their defaults and values from core.settings'
    fields (core.settings.setting): MiB become bytes, and a view's field names a real setting."""
    from core.settings import setting
    from ingest.limits import MIB, IngestLimits

    monkeypatch.setenv("XXGK_MAX_FILE_MB", "1.5")
    monkeypatch.setenv("XXGK_PARSE_TIMEOUT_S", "7")
    monkeypatch.setenv("XXGK_OCR", "off")
    limits = IngestLimits.from_env()
    assert limits.max_file_bytes == int(1.5 * MIB) and limits.ocr is False
    assert ParseSettings.from_env().timeout_s == 7.0
    assert IngestLimits().max_file_bytes == 64 * MIB  # the setting's default, as bytes
    assert IngestLimits(ocr=False).extraction_timeout_s == 300.0
    with pytest.raises(ValueError, match="no setting 'max_file_kb'"):
        setting("max_file_kb")
