import multiprocessing
import os
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path

import duckdb
import pytest

from ingest.extract.worker import IN_FLIGHT_PER_WORKER, MAX_WINDOW, ExtractionWorker
from ingest.land import document_id, land_documents
from ingest.limits import IngestLimits
from ingest.store_parsed import write_parse_results
from tests.support.fakes import Parsed

REPORT = "平潭综合实验区2019年政府信息公开工作年度报告\n一、总体情况\n".encode()


def table(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def snapshot(db: Path) -> dict[str, list[tuple]]:
    return {
        name: table(db, f"select * from raw.{name} order by all")
        for name in ("documents", "quarantine", "report_attributes", "cells", "unmapped_labels")
    }


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / "a.txt").write_bytes(REPORT)
    (root / "sub" / "copy of a.txt").write_bytes(REPORT)  # same bytes, other path
    (root / "b's report.txt").write_bytes(REPORT.replace(b"2019", b"2020"))
    (root / "broken.txt").write_bytes(b"\x81\xff" * 30 + b"\x81")
    return root


def test_same_bytes_land_once_and_unreadable_files_are_quarantined(
    tmp_path: Path, inbox: Path
) -> None:
    db = tmp_path / "w.duckdb"
    summary = land_documents(db, inbox)
    counts = (summary.offered, summary.landed, summary.duplicates, summary.quarantined)
    assert counts == (4, 2, 1, 1)
    docs = table(db, "select document_id, source_file, source_path from raw.documents order by 3")
    assert docs == [
        (document_id(REPORT)[0], "a.txt", "a.txt"),
        (document_id(REPORT.replace(b"2019", b"2020"))[0], "b's report.txt", "b's report.txt"),
    ]
    [(path, name, size, reason)] = table(
        db, "select source_path, source_file, size_bytes, reason from raw.quarantine"
    )
    assert (path, name, size) == ("broken.txt", "broken.txt", 61)
    assert "broken.txt" in reason and "encoding" in reason


def test_second_run_changes_nothing(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "w.duckdb"
    land_documents(db, inbox)
    before = snapshot(db)
    again = land_documents(db, inbox)
    assert (again.landed, again.already_landed, again.duplicates) == (0, 2, 1)
    after = snapshot(db)
    assert after["documents"] == before["documents"]  # incl. the first landed_at
    # the quarantine row for the same path is replaced (same content, new time)
    assert [r[:5] for r in after["quarantine"]] == [r[:5] for r in before["quarantine"]]


def test_a_fixed_file_leaves_quarantine(tmp_path: Path, inbox: Path) -> None:
    db = tmp_path / "w.duckdb"
    land_documents(db, inbox)
    (inbox / "broken.txt").write_text("修好了", encoding="utf-8")
    summary = land_documents(db, inbox)
    assert (summary.landed, summary.quarantined) == (1, 0)
    assert table(db, "select count(*) from raw.quarantine") == [(0,)]


def _opened(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the files landing opens from now on."""
    import builtins

    opened: list[str] = []

    def counting_open(path, *args, **kwargs):  # noqa: ANN001, ANN002, ANN003
        opened.append(Path(path).name)
        return builtins.open(path, *args, **kwargs)

    monkeypatch.setattr("ingest.land.open", counting_open, raising=False)
    return opened


def test_unchanged_files_are_not_read_again(
    tmp_path: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "w.duckdb"
    land_documents(db, inbox)
    indexed = table(db, "select source_path from meta.landed_files order by 1")
    assert indexed == [("a.txt",), ("b's report.txt",), ("sub/copy of a.txt",)]  # not broken
    opened = _opened(monkeypatch)
    again = land_documents(db, inbox)
    assert (again.already_landed, again.duplicates, again.quarantined) == (2, 1, 1)
    assert opened == ["broken.txt"]  # the quarantined file is read every time


def test_a_rewritten_file_is_read_whatever_its_size_and_times(
    tmp_path: Path, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same size, modification time set back: the change time still moved, so the file is
    read, and its new bytes land."""
    db = tmp_path / "w.duckdb"
    land_documents(db, inbox)
    path = inbox / "a.txt"
    stat = path.stat()
    path.write_bytes(REPORT.replace(b"2019", b"2018"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert path.stat().st_size == stat.st_size and path.stat().st_mtime_ns == stat.st_mtime_ns
    opened = _opened(monkeypatch)
    summary = land_documents(db, inbox)
    assert opened == ["a.txt", "broken.txt"]
    assert summary.landed == 1
    new_id, _ = document_id(path.read_bytes())
    assert table(db, "select document_id from meta.landed_files where source_path = 'a.txt'") == [
        (new_id,)
    ]


def test_a_landed_file_that_becomes_unreadable_leaves_the_index(
    tmp_path: Path, inbox: Path
) -> None:
    db = tmp_path / "w.duckdb"
    land_documents(db, inbox)
    (inbox / "b's report.txt").write_bytes(b"\x81\xff" * 30 + b"\x81")
    summary = land_documents(db, inbox)
    assert summary.quarantined == 2
    assert table(db, "select source_path from meta.landed_files order by 1") == [
        ("a.txt",),
        ("sub/copy of a.txt",),
    ]


def parsed(year: int, n_cells: int) -> Parsed:
    cells = [
        {
            "section": "t3",
            "metric_code": f"t3.code{i}",
            "applicant": "total",
            "row_label": "'; drop table raw.cells; --",
            "raw_text": str(i),
            "value_text": str(i),
            "value_status": "printed",
            "source_line": i + 1,
            "match_method": "exact",
            "match_score": 100.0,
        }
        for i in range(n_cells)
    ]
    unmapped = [{"section": "t3", "row_label": "x", "normalised_label": "x", "source_line": 1}]
    return Parsed({"report_year": year, "template": "v2019"}, cells, unmapped)


def test_write_parse_results_replaces_a_documents_rows(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    write_parse_results(db, [("d1", parsed(2019, 3)), ("d2", parsed(2020, 1))], "p1")
    write_parse_results(db, [("d1", parsed(2021, 2))], "p2")
    assert table(
        db, "select document_id, parser_version, report_year from raw.report_attributes order by 1"
    ) == [("d1", "p2", 2021), ("d2", "p1", 2020)]
    assert table(
        db, "select document_id, parser_version, count(*) from raw.cells group by all order by 1"
    ) == [("d1", "p2", 2), ("d2", "p1", 1)]
    assert table(db, "select count(*) from raw.unmapped_labels") == [(2,)]


def test_write_parse_results_rejects_unknown_columns(tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    with pytest.raises(ValueError, match="no column"):
        write_parse_results(db, [("d1", Parsed({"colour": "red"}))], "p1")


@pytest.fixture(scope="module")
def mixed_inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every file type, same bytes at several paths and types, and broken files."""
    from bench.synthetic import TEMPLATES, draw_report, render_docx, render_html, render_pdf

    root = tmp_path_factory.mktemp("mixed")
    for i in range(3):
        report = draw_report(3000 + i, TEMPLATES[i % len(TEMPLATES)])
        (root / f"r{i}.pdf").write_bytes(render_pdf(report))
        (root / f"r{i}.docx").write_bytes(render_docx(report))
        (root / f"r{i}.html").write_text(render_html(report), encoding="utf-8")
    (root / "r0 again.pdf").write_bytes((root / "r0.pdf").read_bytes())
    (root / "r1 as html.html").write_bytes((root / "r1.html").read_bytes())
    (root / "r2 html as txt.txt").write_bytes((root / "r2.html").read_bytes())
    (root / "report.txt").write_bytes(REPORT)
    (root / "broken.pdf").write_bytes(b"%PDF-1.7 not really")
    (root / "broken again.pdf").write_bytes(b"%PDF-1.7 not really")
    for suffix in (".pdf", ".docx", ".txt", ".html"):
        (root / f"empty{suffix}").write_bytes(b"")
    return root


def _content(db: Path) -> dict[str, list[tuple]]:
    """raw.documents and raw.quarantine without their timestamps."""
    return {
        "documents": table(
            db,
            "select * exclude (landed_at) from raw.documents order by source_path",
        ),
        "quarantine": table(
            db, "select * exclude (quarantined_at) from raw.quarantine order by source_path"
        ),
    }


def test_parallel_extraction_lands_what_serial_extraction_does(
    tmp_path: Path, mixed_inbox: Path
) -> None:
    serial, parallel = tmp_path / "serial.duckdb", tmp_path / "parallel.duckdb"
    one = land_documents(serial, mixed_inbox, workers=1)
    two = land_documents(parallel, mixed_inbox, workers=2)
    assert one == two
    assert (two.offered, two.landed, two.duplicates, two.quarantined) == (19, 10, 3, 6)
    assert _content(serial) == _content(parallel)
    quarantined = {path for path, *_ in _content(parallel)["quarantine"]}
    assert {"broken.pdf", "broken again.pdf", "empty.pdf", "empty.txt"} <= quarantined
    assert "r0.pdf" not in quarantined  # a duplicate of "r0 again.pdf", found first


def test_identical_files_in_flight_are_extracted_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from bench.synthetic import TEMPLATES, draw_report, render_pdf

    pdf = render_pdf(draw_report(1, TEMPLATES[0]))
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.pdf").write_bytes(pdf)
    (inbox / "b.pdf").write_bytes(pdf)
    extracted: list[str] = []
    extract_in_order = ExtractionWorker.extract_in_order

    def recording(self: ExtractionWorker, files: Iterable) -> Iterator:
        listed = [(key, data, suffix) for key, data, suffix in files]
        extracted.extend(key.rel.name for key, data, _ in listed if data is not None)
        return extract_in_order(self, listed)

    monkeypatch.setattr(ExtractionWorker, "extract_in_order", recording)
    summary = land_documents(tmp_path / "w.duckdb", inbox, workers=2)
    assert (summary.landed, summary.duplicates) == (1, 1)
    assert extracted == ["a.pdf"]
    assert table(tmp_path / "w.duckdb", "select source_path from raw.documents") == [("a.pdf",)]


def test_extraction_reads_ahead_a_bounded_window_and_keeps_order() -> None:
    html = "<html><body><p>报告 {}</p></body></html>"
    read = 0

    def files() -> Iterator[tuple[int, bytes | None, str]]:
        nonlocal read
        for i in range(30):
            read += 1
            if i % 5 == 4:
                yield i, None, ".pdf"  # nothing to extract
            else:
                yield i, html.format(i).encode(), ".txt" if i % 3 else ".html"

    ahead = []
    with ExtractionWorker(IngestLimits(), workers=2) as worker:
        results = []
        for key, outcome in worker.extract_in_order(files()):
            ahead.append(read - len(results))
            results.append((key, outcome))
    assert [key for key, _ in results] == list(range(30))
    assert all((outcome is None) == (key % 5 == 4) for key, outcome in results)
    assert all(f"报告 {key}" in outcome.text for key, outcome in results if outcome)
    assert max(ahead) <= MAX_WINDOW


class _Task:
    """A fake worker's task (multiprocessing's AsyncResult: ready, get)."""

    def __init__(self, key: int, callback) -> None:
        self.key, self.callback, self.done = key, callback, threading.Event()

    def finish(self) -> None:
        self.done.set()
        self.callback(None)

    def ready(self) -> bool:
        return self.done.is_set()

    def get(self, timeout: float | None = None) -> str:
        if not self.done.wait(timeout):
            raise multiprocessing.TimeoutError
        return f"text {self.key}"


class _FakePool:
    """Extracts every file at once, but the first one only after a second."""

    def __init__(self) -> None:
        self.unfinished: list[_Task] = []
        self.most_unfinished = 0
        self.submitted_while_first_ran = 0

    def apply_async(self, function, args, callback, error_callback) -> _Task:
        task = _Task(int(args[0]), callback)
        if task.key == 0:
            threading.Timer(1.0, task.finish).start()
        self.unfinished = [t for t in self.unfinished if not t.ready()] + [task]
        self.most_unfinished = max(self.most_unfinished, len(self.unfinished))
        if task.key:
            self.submitted_while_first_ran += not self.unfinished[0].ready()
            task.finish()
        return task

    def close(self) -> None: ...

    def terminate(self) -> None: ...

    def join(self) -> None: ...


def test_a_slow_file_at_the_head_does_not_hold_up_the_others() -> None:
    """The first file takes a second: the workers meanwhile extract the next files (not only
    the few read ahead), yet no more than IN_FLIGHT_PER_WORKER per worker hold their bytes
    at once, and the outcomes come back in order."""
    files = [(i, str(i).encode(), ".pdf") for i in range(40)]
    pool = _FakePool()
    with ExtractionWorker(IngestLimits(), workers=2) as worker:
        worker._pool = pool  # type: ignore[assignment]  # the fake stands for the process pool
        results = list(worker.extract_in_order(files))
    assert [key for key, _ in results] == list(range(40))
    assert [outcome for _, outcome in results] == [f"text {i}" for i in range(40)]
    assert pool.submitted_while_first_ran == 39
    assert pool.most_unfinished <= IN_FLIGHT_PER_WORKER * 2
