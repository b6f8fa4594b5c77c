"""OCR end to end: a PDF whose first pages keep their text layer and whose table pages are
scans, and a PNG of one scanned page, landed and parsed as `xxgk run` lands and parses them.

The scans are made here from a corpus PDF (data/corpus/21_huaian_hongze_2024.pdf, pages 3
and 4: tables 三 and 四) at 150 dpi in greyscale, so the truth is what the text layer of the
same pages gives. The engine reads three pages in all: about 10-25 s on the shared 2-core
machine, the cost of this module (the rest takes well under a second)."""

from __future__ import annotations

import io
from pathlib import Path

import duckdb
import numpy as np
import pytest

from bench.scans import rasterise, scanned_pdf
from core.paths import CORPUS_DIR
from ingest.extract import extract_bytes
from ingest.extract.ocr_engine import MODELS, RUNTIMES, RapidOcr, engine_version, model_paths
from ingest.extract.types import ExtractionError
from ingest.land import land_documents
from ingest.limits import IngestLimits
from ingest.parse import parse_document
from ingest.parse_landed import parse_landed

CORPUS_PDF = CORPUS_DIR / "21_huaian_hongze_2024.pdf"
SCANNED = [2, 3]  # 0-based pages made scans: tables 三 and 四
DPI = 150


def _pdf_bytes(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def material(tmp_path_factory) -> dict:
    """mixed.pdf (pages 1-2 text layer, 3-4 scans) and page3.png, in an inbox."""
    import cv2
    import pypdfium2

    original = CORPUS_PDF.read_bytes()
    pages = list(rasterise(original, DPI))
    grey = [cv2.cvtColor(pages[i], cv2.COLOR_RGB2GRAY) for i in SCANNED]
    scans = pypdfium2.PdfDocument(scanned_pdf(grey, DPI, 80))
    mixed = pypdfium2.PdfDocument.new()
    mixed.import_pages(pypdfium2.PdfDocument(original), [0, 1])
    mixed.import_pages(scans, [0, 1])
    inbox = tmp_path_factory.mktemp("scans")
    (inbox / "mixed.pdf").write_bytes(_pdf_bytes(mixed))
    ok, png = cv2.imencode(".png", grey[0])
    assert ok
    (inbox / "page3.png").write_bytes(png.tobytes())
    return {"inbox": inbox, "original": original}


@pytest.fixture(scope="module")
def warehouse(material, tmp_path_factory) -> dict:
    """The inbox landed and parsed with OCR off (the scans land unread), then again with OCR
    on, as a warehouse made before OCR is brought up to date."""
    db = tmp_path_factory.mktemp("wh") / "w.duckdb"
    land_documents(db, material["inbox"], IngestLimits(ocr=False), workers=2)
    parse_landed(db)
    before = _query(db, "select source_file, extraction_status, landed_at from raw.documents")
    summary = land_documents(db, material["inbox"], IngestLimits(ocr=True), workers=2)
    parse_landed(db)
    return {"db": db, "summary": summary, "before": sorted(before)}


def _query(db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchall()


def _truth_cells(original: bytes) -> dict[tuple[str, str], str | None]:
    """Tables 三 and 四 as the text layer gives them."""
    text = extract_bytes(original, ".pdf").text
    cells = parse_document("truth", text).cells
    return {
        (c["metric_code"], c["applicant"]): c["value_text"]
        for c in cells
        if c["section"] in ("t3", "t4")
    }


@pytest.mark.slow
def test_scans_landed_unread_are_read_once_ocr_is_on(warehouse):
    db = warehouse["db"]
    assert [status for _, status, _ in warehouse["before"]] == ["needs_ocr", "needs_ocr"]
    after = _query(db, "select source_file, extraction_status, landed_at from raw.documents")
    assert sorted(after) == [(f, "ok", landed) for f, _, landed in warehouse["before"]]
    assert warehouse["summary"].landed == 2
    parsed = _query(
        db,
        "select a.template, count(c.metric_code) from raw.report_attributes a "
        "join raw.documents d using (document_id) left join raw.cells c using (document_id) "
        "where d.source_file = 'mixed.pdf' group by all",
    )
    assert parsed == [("hybrid", 186)]  # parsed again: its scanned tables read


def test_pages_are_read_by_their_text_layer_or_by_ocr(warehouse):
    db = warehouse["db"]
    rows = _query(
        db,
        "select d.source_file, p.page, p.method, p.render_dpi, p.first_line is not null "
        "from raw.document_pages p join raw.documents d using (document_id) order by 1, 2",
    )
    assert rows == [
        ("mixed.pdf", 1, "text", None, True),
        ("mixed.pdf", 2, "text", None, True),
        ("mixed.pdf", 3, "ocr", 200, True),
        ("mixed.pdf", 4, "ocr", 200, True),
        ("page3.png", 1, "ocr", None, True),
    ]
    engines = _query(db, "select source_file, media_type, extraction_status, ocr_engine "
                     "from raw.documents order by 1")  # fmt: skip
    assert engines == [
        ("mixed.pdf", "pdf", "ok", engine_version()),
        ("page3.png", "image", "ok", engine_version()),
    ]
    summary = warehouse["summary"]
    assert (summary.ocr_pages, summary.ocr_failed_pages) == (3, 0)
    runs = _query(db, "select ocr_pages, ocr_failed_pages from audit.landing_runs order by 1")
    assert runs == [(0, 3), (3, 0)]  # OCR off: 3 pages not read; on: read


def test_scanned_tables_read_as_the_text_layer_reads_them(warehouse, material):
    truth = _truth_cells(material["original"])
    got = {
        (metric, applicant): (value, status)
        for metric, applicant, value, status in _query(
            warehouse["db"],
            "select c.metric_code, c.applicant, c.value_text, c.value_status from raw.cells c "
            "join raw.documents d using (document_id) "
            "where d.source_file = 'mixed.pdf' and c.section in ('t3', 't4')",
        )
    }
    assert len(truth) >= 150
    right = sum(got.get(key, (None, None))[0] == value for key, value in truth.items())
    wrong_printed = [
        key
        for key, value in truth.items()
        if key in got and got[key][1] == "printed" and got[key][0] != value
    ]
    assert right >= 0.97 * len(truth)
    assert not wrong_printed


def test_every_ocr_cell_leads_to_its_box_on_its_page(warehouse):
    db = warehouse["db"]
    rows = _query(
        db,
        "select c.source_page, c.source_column, c.ocr_x0, c.ocr_y0, c.ocr_x1, c.ocr_y1, "
        "c.ocr_engine, c.ocr_confidence, p.method, b.text "
        "from raw.cells c join raw.documents d using (document_id) "
        "left join raw.document_pages p on p.document_id = c.document_id "
        "  and p.page = c.source_page "
        "left join raw.ocr_boxes b on b.document_id = c.document_id "
        "  and b.source_line = c.source_line and b.source_column = c.source_column "
        "where d.source_file = 'mixed.pdf' and c.section in ('t3', 't4')",
    )
    assert rows
    for page, column, x0, y0, x1, y1, engine, confidence, method, text in rows:
        assert page in (3, 4) and method == "ocr"
        assert column is not None and text is not None
        assert 0 <= x0 < x1 and 0 <= y0 < y1 and engine == engine_version()
        assert 0 < confidence <= 1
    by_page = _query(
        db,
        "select c.source_page, p.method, count(*), count(c.ocr_x0) from raw.cells c "
        "join raw.documents d using (document_id) join raw.document_pages p "
        "on p.document_id = c.document_id and p.page = c.source_page "
        "where d.source_file = 'mixed.pdf' group by all order by 1",
    )
    assert [page for page, *_ in by_page] == [2, 3, 4]  # table 二 starts on page 2
    for _, method, cells, boxed in by_page:  # a box exactly for the cells of OCR'd pages
        assert boxed == (cells if method == "ocr" else 0)


def test_an_image_reads_like_the_page_it_shows(warehouse):
    rows = _query(
        warehouse["db"],
        "select c.metric_code, c.applicant, c.value_text from raw.cells c "
        "join raw.documents d using (document_id) where d.source_file = 'page3.png' "
        "and c.metric_code = 't3.new_received' order by 2",
    )
    assert dict((applicant, value) for _, applicant, value in rows)["total"] == "95"


def test_ocr_off_leaves_scans_unread_and_says_so(material):
    data = (material["inbox"] / "mixed.pdf").read_bytes()
    off = extract_bytes(data, ".pdf", IngestLimits(ocr=False))
    assert off.status == "needs_ocr" and off.ocr_engine is None and not off.boxes
    assert [p.method for p in off.pages] == ["text", "text", "failed", "failed"]
    assert "XXGK_OCR=off" in (off.pages[2].note or "")
    image = extract_bytes(
        (material["inbox"] / "page3.png").read_bytes(), ".png", IngestLimits(ocr=False)
    )
    assert (image.status, image.text) == ("needs_ocr", "")


def test_pages_past_the_time_limit_are_named_not_read(material):
    data = (material["inbox"] / "mixed.pdf").read_bytes()
    late = extract_bytes(data, ".pdf", IngestLimits(extraction_timeout_s=0.001))
    assert late.status == "ocr_incomplete"
    assert [p.method for p in late.pages] == ["text", "text", "failed", "failed"]
    assert all("XXGK_EXTRACT_TIMEOUT_S" in (p.note or "") for p in late.pages[2:])


def test_the_switch_reads_on_and_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XXGK_OCR", raising=False)
    assert IngestLimits.from_env().ocr is True
    monkeypatch.setenv("XXGK_OCR", "off")
    assert IngestLimits.from_env().ocr is False
    monkeypatch.setenv("XXGK_OCR", "ON")
    assert IngestLimits.from_env().ocr is True
    monkeypatch.setenv("XXGK_OCR", "maybe")
    with pytest.raises(ValueError, match="XXGK_OCR: input should be a valid boolean"):
        IngestLimits.from_env()


def test_a_damaged_image_is_a_clear_error():
    with pytest.raises(ExtractionError, match="the image cannot be read"):
        extract_bytes(b"\x89PNG\r\n\x1a\n not an image", ".png")


def _in_a_child(function, *args):
    """``function(*args)`` in a fresh process, as the pipeline runs OCR: only extraction
    workers load the engine. A test process that has run OpenVINO can crash later when a
    SIGALRM time limit (tests/ingest/test_parse_landed.py) interrupts Python code in it."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(function, *args).result()


def _time_limit_after_openvino() -> str:
    from ingest.time_limit import TimeLimitUnsafe, time_limit

    with time_limit(5):
        pass  # before OpenVINO: armed and disarmed
    RapidOcr().read(np.full((60, 200), 255, np.uint8))
    try:
        with time_limit(5):
            return "armed"
    except TimeLimitUnsafe as exc:
        return str(exc)


def test_no_time_limit_is_armed_in_a_process_that_ran_openvino():
    """The SIGALRM parse time limit crashed a process that had run OpenVINO: ingest/
    time_limit.py refuses to arm there, naming the runtime (a child process, a second)."""
    assert "loaded openvino" in _in_a_child(_time_limit_after_openvino)


def _blank_image_read() -> list:
    return RapidOcr().read(np.full((60, 200), 255, np.uint8))


def _printed_number_read_offline() -> dict[str, list[str]]:
    import socket

    import cv2

    def refuse(*args, **kwargs):
        raise OSError("the network is off in this test")

    socket.socket.connect = refuse  # type: ignore[method-assign]  # this child process only
    image = np.full((80, 420), 255, np.uint8)
    cv2.putText(image, "2019 365", (10, 58), cv2.FONT_HERSHEY_SIMPLEX, 1.6, 0, 3)
    return {name: [box.text for box in RapidOcr(runtime=name).read(image)] for name in RUNTIMES}


def test_the_engine_uses_the_models_its_wheel_ships(monkeypatch):
    """Nothing is downloaded: the models are files of the installed rapidocr package, and a
    missing one stops the engine with the reason instead of a download."""
    paths = model_paths()
    assert set(paths) == {"Det", "Cls", "Rec"}
    assert all(path.is_file() and "rapidocr" in path.parts for path in paths.values())
    assert _in_a_child(_blank_image_read) == []  # a blank image: no text
    monkeypatch.setitem(MODELS, "Rec", "no_such_model.onnx")
    with pytest.raises(ExtractionError, match="OCR models are not installed"):
        RapidOcr()


def test_each_runtime_reads_a_line_with_the_wheels_models_offline():
    """The recognition's characters come from the model file on each runtime (RapidOCR would
    otherwise fetch a dictionary): with the network refused, both read a printed number the
    same way, and the stored engine names the runtime (a few seconds)."""
    texts = _in_a_child(_printed_number_read_offline)
    assert texts["openvino"] == texts["onnxruntime"]
    assert "".join(texts["openvino"]).replace(" ", "") == "2019365"
    assert "openvino" in engine_version() and "onnxruntime" in engine_version("onnxruntime")
    with pytest.raises(ValueError, match="unknown OCR runtime"):
        RapidOcr(runtime="tensorflow")


def test_the_review_app_draws_a_cell_box_where_the_value_is_printed(warehouse, material):
    """serving/review/page_image.py renders the page as OCR read it: a cell's box frames
    the ink of its printed value there (about a second: one page rendered again)."""
    from PIL import Image

    from serving.review.page_image import boxed_band, page_as_read

    rows = _query(
        warehouse["db"],
        "select c.source_page, p.render_dpi, c.ocr_x0, c.ocr_y0, c.ocr_x1, c.ocr_y1 "
        "from raw.cells c join raw.documents d using (document_id) "
        "join raw.document_pages p on p.document_id = c.document_id and p.page = c.source_page "
        "where d.source_file = 'mixed.pdf' and c.ocr_x0 is not null and c.value_text <> '0' "
        "order by c.source_page, c.source_line limit 3",
    )
    assert rows
    data = (material["inbox"] / "mixed.pdf").read_bytes()
    page, dpi = rows[0][:2]
    image = page_as_read(data, "pdf", page, dpi)
    for row_page, _, x0, y0, x1, y1 in rows:
        if row_page != page:
            continue
        inside = image[int(y0) : int(y1) + 1, int(x0) : int(x1) + 1]
        assert inside.min() < 100  # the printed digits are inside the box
    band = Image.open(io.BytesIO(boxed_band(image, rows[0][2:])))
    assert band.format == "PNG" and band.width <= 1200
    pixels = np.array(band.convert("RGB")).reshape(-1, 3)
    assert ((pixels[:, 0] > 180) & (pixels[:, 1] < 80)).any()  # the box, in red
