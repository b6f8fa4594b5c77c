"""Serving: the published warehouse under readers, a failed build, the Parquet export, dbt
docs, the HTML report in a real browser, and the analyst marts.

The module fixture runs `xxgk run` three times as a user would (subprocesses): a first build
of three seed reports, then two refreshes, each with one more report, while every route the
README documents (tests/support/serving_reader.py: DuckDB, SQLAlchemy without and with a pool, the
DuckDB CLI, a held connection) queries the serving file with several busy connections, in a
process of its own per route. A thread here notes when each new file is in place.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb
import pytest

from core.paths import (
    SAMPLE_DIR,
    data_docs_dir,
    dbt_docs_dir,
    parquet_dir,
    report_dir,
    work_db_path,
)
from serving.files import switch_link
from serving.publish import discard_staged, reserve_version, stage
from serving.work_file import adopt_serving_file, adopt_serving_file_ahead
from tests.conftest import needs_tool
from tests.e2e.test_end_to_end import xxgk_command

READER = Path(__file__).parents[1] / "support" / "serving_reader.py"
# route -> busy connections; and the bound (s) within which each route reads a new version,
# as the README states it: a query started that long after the new file is in place reads it
THREADS = {"duckdb": 2, "nullpool": 2, "pool": 2, "cli": 2, "held": 1, "parquet": 2}
BOUND_S = 2.0
BOUNDS_S = {
    "duckdb": BOUND_S,
    "nullpool": BOUND_S,
    "cli": BOUND_S,
    "parquet": BOUND_S,
    "pool": 3 + BOUND_S,
}
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = needs_tool("chromium", CHROMIUM, "the HTML pages are checked in a browser")


def xxgk_run(input_dir: Path, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*xxgk_command(), "run", "--input", str(input_dir), "--db", str(db)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def run_ok(input_dir: Path, db: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    result = xxgk_run(input_dir, db, cwd)
    assert result.returncode == 0, f"xxgk run failed:\n{result.stdout}\n{result.stderr}"
    return result


def read_lines(path: Path) -> list[dict]:
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.endswith("}")]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class Served:
    db: Path
    input_dir: Path
    observations: dict[str, list[dict]]  # route -> its records
    outputs: list[str]  # stdout of each run
    swaps: dict[int, float]  # version -> when its file was in place (time.time())


def watch_swaps(db: Path, stop: threading.Event, swaps: list[tuple[int, float]]) -> None:
    """Note each time a new file takes the serving file's place (its inode changes)."""
    seen = None
    while not stop.is_set():
        try:
            inode = db.stat().st_ino
        except FileNotFoundError:
            inode = None
        if inode != seen:
            swaps.append((inode, time.time()))
            seen = inode
        time.sleep(0.02)


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Served:
    root = tmp_path_factory.mktemp("serving")
    seeds = sorted(SAMPLE_DIR.iterdir())
    input_dir, db = root / "input", root / "warehouse" / "w.duckdb"
    input_dir.mkdir()
    for seed in seeds[:3]:
        shutil.copy(seed, input_dir)
    outputs = [run_ok(input_dir, db, root).stdout]

    from tests.support.serving_reader import POOL_RECYCLE_S

    assert BOUNDS_S["pool"] == POOL_RECYCLE_S + BOUND_S
    stop = root / "stop"
    readers = {
        route: subprocess.Popen(
            [
                sys.executable,
                str(READER),
                str(db),
                str(root / f"{route}.jsonl"),
                str(stop),
                route,
                str(threads),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        for route, threads in THREADS.items()
    }
    inodes: list[tuple[int, float]] = []
    watching = threading.Event()
    watcher = threading.Thread(target=watch_swaps, args=(db, watching, inodes))
    watcher.start()
    try:
        deadline = time.monotonic() + 60
        while not all(read_lines(root / f"{route}.jsonl") for route in readers):
            assert time.monotonic() < deadline, "the readers did not start"
            time.sleep(0.2)
        for seed in seeds[3:5]:  # two full refreshes under the readers
            shutil.copy(seed, input_dir)
            outputs.append(run_ok(input_dir, db, root).stdout)
        time.sleep(max(BOUNDS_S.values()) + 1)
    finally:
        stop.touch()
        watching.set()
        watcher.join()
        for process in readers.values():
            process.wait(timeout=60)
    for route, process in readers.items():
        assert process.returncode == 0, f"{route} reader crashed: {process.stderr.read()}"
    observations = {route: read_lines(root / f"{route}.jsonl") for route in readers}
    assert len(inodes) == 3, inodes  # the first file, then one per refresh
    swaps = {version: at for version, (_, at) in enumerate(inodes, start=1)}
    (root / "swaps.json").write_text(json.dumps(swaps))  # for a look at the lags
    return Served(db, input_dir, observations, outputs, swaps)


# --- publishing -------------------------------------------------------------------------


def test_the_work_file_sits_beside_the_serving_file() -> None:
    assert work_db_path(Path("/srv/w/xxgk.duckdb")) == Path("/srv/w/xxgk.build.duckdb")
    assert work_db_path(Path("/srv/w/data.db")) == Path("/srv/w/data.build.db")


def test_switch_link_points_at_the_new_folder(tmp_path: Path) -> None:
    (tmp_path / "parquet").mkdir()  # a real folder from an older layout
    for version in ("parquet.v1", "parquet.v2"):
        (tmp_path / version).mkdir()
        (tmp_path / version / "marker").write_text(version)
        switch_link(tmp_path / "parquet", tmp_path / version)
        assert (tmp_path / "parquet" / "marker").read_text() == version
    assert sorted(p.name for p in tmp_path.iterdir()) == ["parquet", "parquet.v1", "parquet.v2"]


def test_an_existing_serving_file_starts_the_work_file(tmp_path: Path) -> None:
    serving = tmp_path / "w.duckdb"
    serving.write_bytes(b"old warehouse")
    work = work_db_path(serving)
    assert adopt_serving_file(work, serving)
    assert work.read_bytes() == b"old warehouse"
    assert not adopt_serving_file(work, serving)  # only once
    # the copy's stat stamp, so the next run's check need not read it (serving/integrity.py)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "w.build.duckdb",
        "w.build.seal.json",
        "w.duckdb",
    ]


def test_an_interrupted_copy_leaves_no_work_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serving = tmp_path / "w.duckdb"
    serving.write_bytes(b"old warehouse")

    def copy_half(source: Path, target: Path) -> None:
        Path(target).write_bytes(Path(source).read_bytes()[:3])
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shutil, "copyfile", copy_half)
    adopting = adopt_serving_file_ahead(work_db_path(serving), serving)
    with pytest.raises(OSError, match="No space left"):
        adopting.result(timeout=10)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.duckdb"]  # no partial copy


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("route", list(BOUNDS_S))
def test_readers_never_fail_and_never_see_a_mix(served: Served, route: str) -> None:
    records = served.observations[route]
    assert len(records) >= 20
    assert [r for r in records if "error" in r] == []
    for record in records:  # version, stamped counts and live counts come from one file
        assert record["stamped"] == record["live"], record
    for thread in range(THREADS[route]):
        versions = [r["version"] for r in records if r["thread"] == thread]
        assert versions == sorted(versions)  # never back to an older version
    assert {r["version"] for r in records} == {1, 2, 3}
    counts = {r["version"]: tuple(r["live"]) for r in records}
    assert [counts[v][0] for v in (1, 2, 3)] == [3, 4, 5]  # documents per version


@pytest.mark.slow
@pytest.mark.e2e
@pytest.mark.parametrize("route", list(BOUNDS_S))
def test_each_route_reads_a_new_version_within_its_bound(served: Served, route: str) -> None:
    """The README's bound: a query started that long after a new file is in place reads it."""
    for version in (2, 3):
        late = [
            r
            for r in served.observations[route]
            if r["started"] > served.swaps[version] + BOUNDS_S[route] and r["version"] < version
        ]
        assert late == [], f"{route} still read an older version: {late[:3]}"


@pytest.mark.slow
@pytest.mark.e2e
def test_a_held_connection_keeps_the_version_it_opened(served: Served) -> None:
    held = served.observations["held"]
    assert len(held) >= 20
    assert [r for r in held if "error" in r] == []
    assert {r["version"] for r in held} == {1}
    assert all(r["stamped"] == r["live"] for r in held)


@pytest.mark.slow
@pytest.mark.e2e
def test_the_serving_file_is_the_published_build_with_its_version(served: Served) -> None:
    assert "publish:  version 3 served at" in served.outputs[-1]
    with duckdb.connect(str(served.db), read_only=True) as con:
        schemata = con.execute("select schema_name from information_schema.schemata").fetchall()
        schemas = {name for (name,) in schemata}
        assert {"raw", "staging", "intermediate", "marts", "reference", "audit", "meta"} <= schemas
        history = con.execute("select version, document_count from meta.published order by 1")
        assert history.fetchall() == [(1, 3), (2, 4), (3, 5)]
        assert con.execute("select version from meta.current_version").fetchone() == (3,)
    # publishing renamed the work file into the serving file: no copy is left beside it; the
    # next run starts its work file as a copy (each run's audit continues the last's below)
    assert not work_db_path(served.db).exists()
    assert not list(served.db.parent.glob(".*.tmp"))  # nothing staged is left behind


@pytest.mark.slow
@pytest.mark.e2e
def test_a_failed_build_leaves_the_served_version(served: Served, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(served.db, db)
    shutil.copy(served.db, work_db_path(db))
    # bad data reaches the build: dbt's accepted_values test on dim_report.scope must stop it
    with duckdb.connect(str(work_db_path(db))) as con:
        con.execute("update raw.report_attributes set scope = 'province-wide'")
    before = sha256(db)

    result = xxgk_run(served.input_dir, db, tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert "dbt build failed" in result.stderr and "dim_report" in result.stderr
    assert "serving file left at version 3" in result.stderr
    assert sha256(db) == before
    assert not report_dir(db).exists() and not parquet_dir(db).exists()
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.slow
@pytest.mark.e2e
def test_the_served_copy_has_each_runs_audit(served: Served) -> None:
    """The gate only reads the work file while the next version is staged; its outcomes are
    recorded afterwards, once, in the work file that is then served. Each run's work file
    started as a copy of the last served version, so the history runs on."""
    with duckdb.connect(str(served.db), read_only=True) as con:
        validations = con.execute(
            "select count(distinct run_id), bool_and(success) from audit.ge_validations"
        ).fetchone()
        repeated = con.execute(
            "select count(*) from (select run_id, suite, expectation, kwargs, checkpoint "
            "from audit.ge_validations group by all having count(*) > 1)"
        ).fetchone()
        published = con.execute(
            "select list(served_version order by served_version) from audit.runs "
            "where status = 'published'"
        ).fetchone()
    assert validations == (3, True)
    assert repeated == (0,)
    assert published == ([1, 2, 3],)


@pytest.mark.slow
@pytest.mark.e2e
def test_a_staged_version_the_gate_refuses_is_discarded(served: Served, tmp_path: Path) -> None:
    db = tmp_path / "w.duckdb"
    shutil.copy(served.db, db)
    shutil.copy(served.db, work_db_path(db))
    before = sha256(db)

    version = reserve_version(work_db_path(db), db)
    staged = stage(work_db_path(db), db, version, source_dir=served.input_dir)
    assert version == 4 and staged.report.is_file() and staged.row[:1] == (4,)
    assert (staged.parquet / "dim_report").is_dir()
    discard_staged(staged)

    assert sha256(db) == before and work_db_path(db).is_file()  # the work file stays
    assert not list(tmp_path.glob(".*.tmp")) and not list(tmp_path.glob("w.parquet*"))
    with duckdb.connect(str(db), read_only=True) as con:
        assert con.execute("select version from meta.current_version").fetchone() == (3,)


# --- what is published beside the file ---------------------------------------------------


@pytest.mark.slow
@pytest.mark.e2e
def test_parquet_export_has_every_mart_by_report_year(served: Served) -> None:
    parquet = parquet_dir(served.db)
    assert parquet.is_symlink() and parquet.resolve().name == "w.parquet.v3"
    assert sorted(p.name for p in served.db.parent.glob("w.parquet.v*")) == [
        "w.parquet.v2",
        "w.parquet.v3",
    ]
    assert (parquet / "dim_report" / "report_year=2019").is_dir()
    with duckdb.connect(str(served.db), read_only=True) as con:
        marts = [
            r[0]
            for r in con.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts'"
            ).fetchall()
        ]
        assert "fct_report_measures_wide" in marts
        for mart in marts:
            files = str(parquet / mart / "**" / "*.parquet")
            exported = con.execute(
                f"select count(*) from read_parquet('{files}', hive_partitioning = true)"
            ).fetchone()
            assert exported == con.execute(f"select count(*) from marts.{mart}").fetchone(), mart


@pytest.mark.slow
@pytest.mark.e2e
def test_dbt_docs_are_generated_beside_the_file(served: Served) -> None:
    page = dbt_docs_dir(served.db) / "index.html"
    assert f"dbt docs:  {page}" in served.outputs[-1]
    text = page.read_text(encoding="utf-8")
    assert "fct_report_measures_wide" in text and "bi_dashboards" in text


# --- the HTML report --------------------------------------------------------------------


def dump_dom(page: Path, profile: Path, width: int = 1400) -> str:
    result = subprocess.run(
        [
            str(CHROMIUM),
            "--headless",
            f"--window-size={width},2000",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--no-first-run",
            "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: no host name resolves
            f"--user-data-dir={profile}",
            "--dump-dom",
            page.as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


CHARTS = (
    "requests-by-year",
    "outcomes-by-year",
    "grant-rate-by-region",
    "template-coverage",
    "quality-grades",
    "check-outcomes",
)
# measured in the page by the browser, written into the DOM for --dump-dom to show: what
# sticks out of the window, and chart text drawn outside its chart (clipped)
MEASURE = """<script>
const width = document.documentElement.clientWidth, cut = [];
for (const e of document.body.querySelectorAll("*")) {
  const r = e.getBoundingClientRect();
  if (r.width && (r.left < -0.5 || r.right > width + 0.5)) cut.push(e.tagName + "#" + e.id);
}
for (const svg of document.querySelectorAll("svg.chart")) {
  const box = svg.viewBox.baseVal;
  for (const t of svg.querySelectorAll("text")) {
    const b = t.getBBox();
    if (b.x < -0.5 || b.y < -0.5 || b.x + b.width > box.width + 0.5
        || b.y + b.height > box.height + 0.5) cut.push(svg.id + ": " + t.textContent);
  }
}
document.body.setAttribute("data-cut", JSON.stringify(cut));
document.body.setAttribute("data-scroll", document.documentElement.scrollWidth - width);
</script>"""
CODES = re.compile(r"`|\b(?:t[234]|old)\.[a-z_.]+|\b[a-z]+_[a-z_]+\b")  # no code for a name


def rendered(page: Path, profile: Path, width: int) -> Any:
    """``page`` as headless Chromium lays it out in a window ``width`` px wide, measured."""
    from bs4 import BeautifulSoup

    measured = page.with_name(f"measured-{width}.html")
    measured.write_text(
        page.read_text(encoding="utf-8").replace("</body>", MEASURE + "</body>"), "utf-8"
    )
    return BeautifulSoup(dump_dom(measured, profile, width), "html.parser")


@pytest.mark.slow
@pytest.mark.e2e
@needs_chromium
@pytest.mark.parametrize("width", [1400, 420])
def test_the_report_reads_whole_at_desktop_and_phone_widths(
    served: Served, tmp_path: Path, width: int
) -> None:
    page = report_dir(served.db) / "index.html"
    assert f"Report:    {page}" in served.outputs[-1]
    text = page.read_text(encoding="utf-8")
    assert "<script" not in text and "<link" not in text  # self-contained
    shutil.copy(page, tmp_path / "index.html")
    soup = rendered(tmp_path / "index.html", tmp_path / "profile", width)
    assert json.loads(soup.body["data-cut"]) == [] and soup.body["data-scroll"] == "0"
    for chart in CHARTS:  # under a heading, over a table of its numbers
        figure = soup.select_one(f"figure#{chart}-figure")
        assert figure is not None, chart
        assert figure.select_one("h3") and figure.select("svg.chart rect.bar"), chart
        assert figure.select("table tbody tr"), f"{chart} has no table of its numbers"
    soup.select_one("script").decompose()
    visible = soup.body.get_text(" ")
    assert CODES.findall(visible) == []  # no code name is shown
    assert "不予公开 Denied" in visible and "固原市" in visible
    failing = soup.select_one("table#failing-reports").get_text(" ")
    assert "002_3c99cf29d2b59166.txt" in failing
    assert "表四 行政诉讼（复议后起诉）总计＝各项结果之和" in failing
    grades = {
        row.select("td")[0].get_text(" ").split()[0]: int(row.select("td")[1].get_text())
        for row in soup.select("table#quality-grades-table tbody tr")
    }
    assert grades == {"A": 4, "B": 0, "C": 1, "D": 0}  # 002 fails an identity (C)


@pytest.mark.slow
@pytest.mark.e2e
def test_the_report_speaks_the_language_asked_for(served: Served) -> None:
    from serving.report import render_report

    with duckdb.connect(str(served.db), read_only=True) as con:
        pages = {lang: render_report(con, lang=lang) for lang in ("zh", "en", "both")}
    assert "不予公开" in pages["zh"] and "Denied" not in pages["zh"]
    assert "Denied" in pages["en"] and "不予公开" not in pages["en"]
    assert pages["both"].index("不予公开") < pages["both"].index("Denied")  # Chinese first
    assert '<html lang="en">' in pages["en"] and '<html lang="zh-CN">' in pages["zh"]


@pytest.mark.slow
@pytest.mark.e2e
@needs_chromium
def test_the_report_escapes_document_text(served: Served, tmp_path: Path) -> None:
    from bs4 import BeautifulSoup

    from serving.report import render_report

    evil = "<img src=x onerror=alert(1)><script>alert(2)</script>"
    db = tmp_path / "evil.duckdb"
    shutil.copy(served.db, db)
    with duckdb.connect(str(db)) as con:
        con.execute("update marts.fct_report_measures_wide set region_name = ?", [evil])
        con.execute("update marts.dim_report set source_file = ?", [evil])
        page = tmp_path / "index.html"
        page.write_text(render_report(con), encoding="utf-8")
    soup = BeautifulSoup(dump_dom(page, tmp_path / "profile"), "html.parser")
    assert soup.select("img") == [] and soup.select("script") == []
    assert evil in soup.select_one("table#failing-reports").get_text()
    assert evil in soup.select_one("svg#grant-rate-by-region").get_text()


# --- the Great Expectations Data Docs, offline --------------------------------------------

LOADED = re.compile(r"<(?:script|link|img)\b[^>]*\b(?:src|href)=\"([^\"]+)\"", re.I)


@pytest.mark.slow
@pytest.mark.e2e
def test_the_data_docs_load_only_their_own_files(served: Served) -> None:
    docs = data_docs_dir(served.db)
    pages = list(docs.rglob("*.html"))
    assert len(pages) > 10
    for page in pages:
        for address in LOADED.findall(page.read_text(encoding="utf-8")):
            assert not re.match(r"[a-z]+://", address), f"{page} loads {address}"
            assert (page.parent / address.split("?")[0]).is_file(), f"{page}: {address}"


@pytest.mark.slow
@pytest.mark.e2e
@needs_chromium
def test_the_data_docs_render_offline_in_a_browser(served: Served, tmp_path: Path) -> None:
    """bootstrap-table fills the index's tables from the page: without its scripts (from a
    CDN, offline) they stay empty."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(
        dump_dom(data_docs_dir(served.db) / "index.html", tmp_path / "profile"), "html.parser"
    )
    assert len(soup.select("div.bootstrap-table")) == 2  # suites, and validation results
    rows = soup.select("div.bootstrap-table tbody tr[data-index]")
    assert len(rows) >= 15 and "raw" in soup.get_text()


# --- the analyst marts and the BI connection ---------------------------------------------


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


@pytest.mark.slow
@pytest.mark.e2e
def test_the_wide_mart_has_the_rates_as_defined(served: Served) -> None:
    with duckdb.connect(str(served.db), read_only=True) as con:
        measures: dict[str, dict[str, float]] = {}
        for report_id, code, value in con.execute(
            "select report_id, measure_code, value from marts.fct_harmonised_metrics"
        ).fetchall():
            measures.setdefault(report_id, {})[code] = value
        rows = con.execute(
            "select report_id, grant_rate, not_held_share, review_correction_rate, "
            "lawsuit_correction_rate, requests_received from marts.fct_report_measures_wide"
        ).fetchall()
        reports = con.execute(
            "select count(*) from marts.dim_report where template <> 'none'"
        ).fetchone()
    assert len(rows) == reports[0] == 5
    for report_id, grant, not_held, review, lawsuit, received in rows:
        m = measures.get(report_id, {})
        granted = (
            m["requests_granted"] + m["requests_partial"]
            if {"requests_granted", "requests_partial"} <= m.keys()
            else None
        )
        assert grant == pytest.approx(ratio(granted, m.get("requests_handled")))
        assert not_held == pytest.approx(
            ratio(m.get("requests_not_held"), m.get("requests_handled"))
        )
        assert review == pytest.approx(ratio(m.get("reviews_corrected"), m.get("reviews_total")))
        assert lawsuit == pytest.approx(ratio(m.get("lawsuits_corrected"), m.get("lawsuits_total")))
        assert received == m.get("requests_received")
    by_id = {r[0]: r for r in rows}
    # 泾源县 2019: 4 handled, all granted; no reviews and no lawsuits: NULL, not 0
    assert by_id["09cb4ff5d8b43587"][1:5] == (1.0, 0.0, None, None)


@pytest.mark.slow
@pytest.mark.e2e
def test_dim_metric_says_how_comparable_each_metric_is(served: Served) -> None:
    with duckdb.connect(str(served.db), read_only=True) as con:
        levels = dict(
            con.execute(
                "select metric_code, harmonisation_level from marts.dim_metric where metric_code "
                "in ('t3.result.granted', 'old.s3.replies.denied', 'old.s3.received', "
                "'t3.result.denied.process_info', 't2.art20_1.normative_doc.new_made', "
                "'t3.carried_over')"
            ).fetchall()
        )
    assert levels == {
        "t3.result.granted": "exact",
        "old.s3.replies.denied": "approximate",
        "old.s3.received": "close",
        "t3.result.denied.process_info": "exact",
        "t2.art20_1.normative_doc.new_made": "close",
        "t3.carried_over": None,
    }


@pytest.mark.slow
@pytest.mark.e2e
def test_sqlalchemy_read_only_connection(served: Served) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.exc import SQLAlchemyError

    engine = create_engine(f"duckdb:///{served.db}", connect_args={"read_only": True})
    with engine.connect() as connection:
        rows = connection.execute(
            text(
                "select region_name, report_year, grant_rate "
                "from marts.fct_report_measures_wide order by report_year, region_name"
            )
        ).all()
        assert len(rows) == 5 and rows[0].report_year == 2018
        with pytest.raises(SQLAlchemyError, match="read-only"):
            connection.execute(text("create table marts.scratch as select 1"))
    engine.dispose()


@pytest.mark.slow
@pytest.mark.e2e
def test_the_serving_file_refuses_a_writer_at_once(served: Served) -> None:
    """Published read-only (mode 0444): an accidental read-write open fails at once with the
    reason, instead of taking the lock every reader needs. File modes bind every user but
    root, so the writer runs as an unprivileged user when the tests run as root (it gets a
    copy, with the same mode, in a folder it may enter, and the DuckDB CLI binary)."""
    import duckdb_cli

    assert stat.S_IMODE(served.db.stat().st_mode) == 0o444
    folder = Path(tempfile.mkdtemp(prefix="xxgk-readonly-"))
    try:
        folder.chmod(0o755)
        copy, cli = folder / served.db.name, folder / "duckdb"
        shutil.copy2(served.db, copy)  # with its mode
        shutil.copy2(Path(duckdb_cli.__file__).with_name("duckdb"), cli)
        user = {"user": 65534, "group": 65534, "extra_groups": []} if os.geteuid() == 0 else {}
        started = time.monotonic()
        writer = subprocess.run(
            [str(cli), str(copy), "select 1"], capture_output=True, text=True, timeout=60, **user
        )
        assert writer.returncode != 0 and "Permission denied" in writer.stderr, writer
        assert time.monotonic() - started < 30  # at once, not after a wait for a lock
        reader = subprocess.run(
            [
                str(cli),
                "-readonly",
                "-list",
                "-noheader",
                str(copy),
                "select version from meta.current_version",
            ],
            capture_output=True,
            text=True,
            timeout=60,
            **user,
        )
        assert reader.stdout.strip() == "3", reader
    finally:
        shutil.rmtree(folder, ignore_errors=True)
