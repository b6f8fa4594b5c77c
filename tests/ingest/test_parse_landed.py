import sys
import types
from pathlib import Path

import duckdb
import pytest

from core.settings import ParseSettings
from ingest.land import land_documents
from ingest.parse.document import DocumentHints
from ingest.parse_landed import parse_landed
from tests.support.fakes import Parsed


def fake_parser(
    version: str,
    calls: list[str],
    fail_on: str | None = None,
    seen_hints: list[DocumentHints | None] | None = None,
) -> types.ModuleType:
    module = types.ModuleType("ingest.parse")
    module.PARSER_VERSION = version
    module.DocumentHints = DocumentHints

    def parse_document(document_id: str, text: str, hints: DocumentHints | None = None) -> Parsed:
        calls.append(document_id)
        if seen_hints is not None:
            seen_hints.append(hints)
        if fail_on and fail_on in text:
            raise ValueError("cannot cope")
        return Parsed({"title": text.splitlines()[0], "parse_status": "parsed"})

    module.parse_document = parse_document
    return module


@pytest.fixture
def landed(tmp_path: Path) -> Path:
    inbox = tmp_path / "in"
    inbox.mkdir()
    for year in (2018, 2019):
        (inbox / f"{year}.txt").write_text(f"{year}年年度报告\n正文\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    land_documents(db, inbox)
    return db


def test_parses_only_what_this_parser_version_has_not(
    landed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setitem(sys.modules, "ingest.parse", fake_parser("v1", calls))
    first = parse_landed(landed)
    assert (first.parsed, first.up_to_date) == (2, 0)
    second = parse_landed(landed)
    assert (second.parsed, second.up_to_date) == (0, 2)
    assert len(calls) == 2

    monkeypatch.setitem(sys.modules, "ingest.parse", fake_parser("v2", calls))
    assert parse_landed(landed).parsed == 2
    with duckdb.connect(str(landed), read_only=True) as con:
        rows = con.execute("select parser_version, title from raw.report_attributes order by 2")
        assert rows.fetchall() == [("v2", "2018年年度报告"), ("v2", "2019年年度报告")]


HELD = "select source_path, reason, parser_version from raw.held_back"


def test_a_document_the_parser_fails_on_is_held_back_until_another_parser(
    landed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setitem(sys.modules, "ingest.parse", fake_parser("v1", calls, fail_on="2019"))
    summary = parse_landed(landed)  # the batch goes on: one bad document stops nothing
    assert (summary.parsed, summary.held) == (2, 1)
    assert "1 held back (raw.quarantine)" in str(summary)
    with duckdb.connect(str(landed), read_only=True) as con:
        assert con.execute(HELD).fetchall() == [
            (
                "2019.txt",
                "2019.txt: held back from the marts: the parser failed: ValueError: cannot cope",
                "v1",
            )
        ]
        assert con.execute("select count(*) from raw.report_attributes").fetchone() == (1,)
    assert parse_landed(landed).parsed == 0  # not tried again by the same parser version
    assert len(calls) == 2

    monkeypatch.setitem(sys.modules, "ingest.parse", fake_parser("v2", calls))
    assert parse_landed(landed).parsed == 2  # another version: the hold ends, parsed again
    with duckdb.connect(str(landed), read_only=True) as con:
        assert con.execute(HELD).fetchall() == []


def test_a_document_over_the_parse_time_limit_is_held_back(
    landed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    module = fake_parser("v1", [])
    parse = module.parse_document

    def slow_on_2019(document_id: str, text: str, hints: DocumentHints | None = None) -> Parsed:
        while "2019" in text:  # a parse that would never end
            pass
        return parse(document_id, text, hints)

    module.parse_document = slow_on_2019
    monkeypatch.setitem(sys.modules, "ingest.parse", module)
    assert parse_landed(landed, ParseSettings(workers=1, timeout_s=0.5)).held == 1
    with duckdb.connect(str(landed), read_only=True) as con:
        ((reason,),) = con.execute("select reason from raw.held_back").fetchall()
    assert reason == (
        "2019.txt: held back from the marts: the parser did not finish within 0.5 s "
        "(limit XXGK_PARSE_TIMEOUT_S)"
    )


def test_the_prose_numbers_are_stored_and_an_older_warehouse_is_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "a.txt").write_text(
        "某县2019年政府信息公开工作年度报告\n全县受理政府信息公开申请 4\n件。\n", encoding="utf-8"
    )
    db = tmp_path / "w.duckdb"
    land_documents(db, inbox)
    calls: list[str] = []
    monkeypatch.setitem(sys.modules, "ingest.parse", fake_parser("v1", calls))
    assert parse_landed(db).parsed == 1
    query = "select measure, value_text, subject, source_line from raw.prose_numbers"
    with duckdb.connect(str(db)) as con:
        assert con.execute(query).fetchall() == [("requests_received", "4", "region", 2)]
        con.execute("drop table raw.prose_numbers")  # a warehouse from before the prose reader
    assert parse_landed(db).parsed == 1  # same parser version, read again for its prose
    assert parse_landed(db).parsed == 0
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute(query).fetchall() == [("requests_received", "4", "region", 2)]


def test_title_hints_are_stored_and_passed_with_the_file_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    title = "某县人民政府2023年政府信息公开工作年度报告"
    page = f"<html><head><title>{title}</title></head><body><p>正文</p></body></html>"
    (inbox / "page.html").write_text(page, encoding="utf-8")
    (inbox / "plain.txt").write_text("正文\n", encoding="utf-8")
    db = tmp_path / "w.duckdb"
    land_documents(db, inbox)
    with duckdb.connect(str(db), read_only=True) as con:
        stored = con.execute(
            "select source_file, title_hint, title_source from raw.documents order by 1"
        ).fetchall()
    assert stored == [("page.html", title, "html_title"), ("plain.txt", None, None)]
    seen: list[DocumentHints | None] = []
    monkeypatch.setitem(sys.modules, "ingest.parse", fake_parser("v1", [], seen_hints=seen))
    parse_landed(db)
    assert sorted(seen, key=lambda h: h.file_name) == [
        DocumentHints(file_name="page.html", title=title, title_source="html_title"),
        DocumentHints(file_name="plain.txt"),
    ]
