"""Hostile input: broken, huge, mislabelled and malicious files, all generated here.

Each file gets a clear quarantine reason or a correct parse; the run finishes, accounts for
every file offered, and the seed reports' facts come out as from a clean run.
"""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import time
import zipfile
from pathlib import Path
from typing import Any

import duckdb
import pytest

from core.paths import SAMPLE_DIR
from ingest.extract import Extraction, extract_bytes, worker
from ingest.land import land_documents
from ingest.limits import MIB, IngestLimits
from ingest.parse_landed import parse_landed
from tests.e2e.test_end_to_end import xxgk_command

SAMPLE = SAMPLE_DIR
SEED = SAMPLE / "003_15ff2673dd8233d5.txt"


def _pdf(pages: int, encrypt: str | None = None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, encrypt=encrypt)
    for page in range(pages):
        pdf.drawString(72, 720, f"page {page + 1}")
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _zip_bomb(unpacked: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        with archive.open("word/document.xml", "w") as member:
            chunk = b"\0" * MIB
            for _ in range(unpacked // MIB):
                member.write(chunk)
    return buffer.getvalue()


def _seed_variant(tag: str) -> bytes:
    """The seed report with one extra line, so each copy has its own bytes."""
    return SEED.read_bytes() + f"\n（附注：{tag}）\n".encode()


# name -> (bytes or a callable making them, expected outcome: "landed" or a reason fragment)
def hostile_files(tmp: Path) -> dict[str, tuple[bytes, str]]:
    rng = random.Random(7)
    junk = bytes(rng.randrange(256) for _ in range(4096))
    nested = "<div>" * 20000 + "报告" + "</div>" * 20000
    scripted = (
        "<html><body><script>document.write('<b>x</b>');alert(1)</script>"
        "<p>某区2020年政府信息公开工作年度报告</p><style>p{}</style>"
        "<p onclick=\"alert('x')\">正文</p></body></html>"
    )
    mixed = "前半部分是UTF-8编码的文字。".encode() + "后半部分是GBK编码的文字".encode("gb18030")
    return {
        "empty.txt": (b"", "the file is empty"),
        "empty.pdf": (b"", "PDF"),
        "empty.docx": (b"", ".docx"),
        "junk.pdf": (junk, "PDF"),
        "junk.txt": (junk, "binary"),
        "truncated.pdf": (_pdf(3)[:900], "PDF"),
        "encrypted.pdf": (_pdf(1, encrypt="secret"), "encrypted"),
        "thousand_pages.pdf": (_pdf(600), "600 pages"),
        "bomb.docx": (_zip_bomb(300 * MIB), "zip bomb"),
        "nested.html": (nested.encode(), "nested too deeply"),
        "scripted.html": (scripted.encode(), "landed"),
        "invalid_encoding.txt": (
            bytes(rng.randrange(0x80, 0x100) for _ in range(2048)),
            "encoding",
        ),
        "mixed_encoding.txt": (mixed, "encoding"),
        'quote\'s "semi;colon"; drop table raw.documents;--.txt': (_seed_variant("q"), "landed"),
        "new\nline.txt": (_seed_variant("n"), "landed"),
        "Ελληνικά русский العربية.txt": (_seed_variant("s"), "landed"),
    }


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    inbox = root / "inbox"
    inbox.mkdir()
    for name, (data, _) in hostile_files(root).items():
        (inbox / name).write_bytes(data)
    with (inbox / "huge.txt").open("wb") as handle:  # 200 MB of text
        line = ("政府信息公开" * 20 + "\n").encode()
        for _ in range(200 * MIB // len(line) + 1):
            handle.write(line)
    outside = root / "outside.txt"
    outside.write_bytes(_seed_variant("outside"))
    (inbox / "link_outside.txt").symlink_to(outside)
    (inbox / "link_inside.txt").symlink_to(inbox / "new\nline.txt")
    for seed in SAMPLE.glob("*.txt"):
        shutil.copy(seed, inbox / seed.name)
    return inbox


def _quarantine(db: Path) -> dict[str, str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute("select source_path, reason from raw.quarantine").fetchall())


def test_every_hostile_file_is_accounted_for(hostile_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    summary = land_documents(db, hostile_dir, IngestLimits())
    quarantine = _quarantine(db)
    expected = hostile_files(tmp_path)
    for name, (_, outcome) in expected.items():
        if outcome == "landed":
            assert name not in quarantine, (name, quarantine.get(name))
        else:
            assert name in quarantine, name
            assert outcome in quarantine[name], (name, quarantine[name])
            assert quarantine[name].startswith(name), "the reason names the file"
    assert "MiB limit" in quarantine["huge.txt"]
    assert "outside the input directory" in quarantine["link_outside.txt"]
    offered = len(expected) + 3 + len(list(SAMPLE.glob("*.txt")))  # + huge + two links + seeds
    assert summary.offered == offered
    assert summary.accounted == summary.offered
    assert summary.duplicates == 1  # link_inside.txt: the same bytes as new\nline.txt
    assert summary.quarantined == len(quarantine)
    with duckdb.connect(str(db), read_only=True) as con:
        balanced = con.execute("select balanced from audit.landing_runs").fetchall()
        texts = dict(con.execute("select source_file, text from raw.documents").fetchall())
    assert balanced == [(True,)]
    assert "alert(" not in texts["scripted.html"] and "正文" in texts["scripted.html"]


def test_extraction_timeout_stops_the_worker(tmp_path: Path) -> None:
    inbox = tmp_path / "in"
    inbox.mkdir()
    (inbox / "slow.pdf").write_bytes(_pdf(40))
    (inbox / "report.txt").write_bytes(SEED.read_bytes())
    db = tmp_path / "w.duckdb"
    summary = land_documents(db, inbox, IngestLimits(extraction_timeout_s=0.001))
    assert (summary.landed, summary.quarantined) == (1, 1)
    assert "did not finish within" in _quarantine(db)["slow.pdf"]


HANG = b"%PDF-1.4 hang here\n"


def _hang_or_extract(data: bytes, suffix: str, limits: IngestLimits) -> Extraction:
    """The worker's extraction, except that a file starting with HANG never finishes."""
    if data.startswith(HANG):
        time.sleep(3600)
    return extract_bytes(data, suffix, limits)


@pytest.mark.slow
def test_a_hang_quarantines_only_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two files hang both workers; the files queued behind them go to a new pool."""
    monkeypatch.setattr(worker, "_extract", _hang_or_extract)  # pickled by name to the workers
    submitted: list[str] = []
    submit = worker.ExtractionWorker._submit

    def recording(self: worker.ExtractionWorker, item: Any, window: Any) -> Any:
        submit(self, item, window)
        if item.pending is not None:
            submitted.append(item.key.rel.name)
        return item

    monkeypatch.setattr(worker.ExtractionWorker, "_submit", recording)
    inbox = tmp_path / "in"
    inbox.mkdir()
    for i in range(6):
        (inbox / f"{i}.pdf").write_bytes(_pdf(i + 1))
    (inbox / "1 hangs.pdf").write_bytes(HANG)
    (inbox / "1 hangs too.pdf").write_bytes(HANG + b"too")
    db = tmp_path / "w.duckdb"
    summary = land_documents(db, inbox, IngestLimits(extraction_timeout_s=10), workers=2)
    assert (summary.landed, summary.quarantined) == (6, 2)
    quarantine = _quarantine(db)
    assert sorted(quarantine) == ["1 hangs too.pdf", "1 hangs.pdf"]
    assert all("did not finish within 10 s" in reason for reason in quarantine.values())
    assert submitted.count("1.pdf") == 2, submitted  # in the queue when the pool was killed
    with duckdb.connect(str(db), read_only=True) as con:
        texts = dict(con.execute("select source_path, text from raw.documents").fetchall())
    assert all(f"page {i + 1}" in texts[f"{i}.pdf"] for i in range(6))


def test_limits_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XXGK_EXTRACT_WORKERS", raising=False)
    monkeypatch.setenv("XXGK_MAX_FILE_MB", "2")
    monkeypatch.setenv("XXGK_EXTRACT_TIMEOUT_S", "5")
    limits = IngestLimits.from_env()
    assert (limits.max_file_bytes, limits.extraction_timeout_s) == (2 * MIB, 5.0)
    assert limits.extraction_workers == (os.cpu_count() or 1)
    monkeypatch.setenv("XXGK_EXTRACT_WORKERS", "3")
    assert IngestLimits.from_env().extraction_workers == 3
    monkeypatch.setenv("XXGK_MAX_PDF_PAGES", "many")
    with pytest.raises(ValueError, match="XXGK_MAX_PDF_PAGES: input should be a valid integer"):
        IngestLimits.from_env()


def _seed_facts(db: Path) -> set[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return set(
            con.execute(
                "select d.source_file, c.metric_code, c.applicant, c.value_text, c.value_status "
                "from raw.cells c join raw.documents d using (document_id) "
                "where d.source_file in (select unnest(?))",
                [[p.name for p in SAMPLE.glob("*.txt")]],
            ).fetchall()
        )


@pytest.mark.slow
def test_seed_facts_unchanged_among_hostile_files(hostile_dir: Path, tmp_path: Path) -> None:
    clean, mixed = tmp_path / "clean.duckdb", tmp_path / "mixed.duckdb"
    land_documents(clean, SAMPLE)
    parse_landed(clean)
    land_documents(mixed, hostile_dir)
    parse_landed(mixed)
    assert _seed_facts(clean) == _seed_facts(mixed)
    assert len(_seed_facts(clean)) > 500


@pytest.mark.slow
@pytest.mark.e2e
def test_full_run_over_hostile_files_finishes(hostile_dir: Path, tmp_path: Path) -> None:
    result = subprocess.run(
        [*xxgk_command(), "run", "--input", str(hostile_dir), "--db", str(tmp_path / "r.duckdb")],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "quarantined" in result.stdout
