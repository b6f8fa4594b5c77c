import codecs
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ingest.extract import ExtractionError, extract
from ingest.extract.types import normalise_newlines

REPORT = (
    "固原市人民政府办公室 2019 年政府信息公开工作年度报告\r\n"
    "\r\n"
    "一、总体情况\r\n"
    "（一）予以公开\t258\t12\r\n"
    "鍾、䶮、€ and ASCII\n"
)


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def expected_text() -> str:
    return REPORT.replace("\r\n", "\n")


def test_utf8(tmp_path: Path) -> None:
    result = extract(write(tmp_path, "r.txt", REPORT.encode("utf-8")))
    assert (result.text, result.encoding, result.media_type, result.status) == (
        expected_text(),
        "utf-8",
        "txt",
        "ok",
    )


def test_utf8_with_bom(tmp_path: Path) -> None:
    result = extract(write(tmp_path, "r.txt", codecs.BOM_UTF8 + REPORT.encode("utf-8")))
    assert result.text == expected_text()
    assert result.encoding == "utf-8-sig"


def test_gb18030(tmp_path: Path) -> None:
    result = extract(write(tmp_path, "r.txt", REPORT.encode("gb18030")))
    assert result.text == expected_text()
    assert result.encoding == "gb18030"


def test_gbk_is_read_as_gb18030(tmp_path: Path) -> None:
    text = expected_text().replace("鍾、䶮、€ and ASCII\n", "")  # GBK has a smaller repertoire
    result = extract(write(tmp_path, "r.txt", text.encode("gbk")))
    assert result.text == text
    assert result.encoding == "gb18030"


def test_line_numbers_match_splitlines(tmp_path: Path) -> None:
    raw = "第一行\r\n第二行\r第三行\x0c第四行\u2028第五行\n"
    result = extract(write(tmp_path, "r.txt", raw.encode("utf-8")))
    assert result.text == "第一行\n第二行\n第三行\n第四行\n第五行\n"
    assert result.text.splitlines() == raw.splitlines()


@given(st.text())
def test_normalised_text_splits_like_splitlines(text: str) -> None:
    normalised = normalise_newlines(text)
    assert normalised.splitlines() == text.splitlines()
    assert normalised.split("\n")[: len(text.splitlines())] == text.splitlines()


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "empty"),
        (b"\x00\x01\x02binary\x00", "binary"),
        (bytes(range(0x80, 0x100)) * 4, "encoding"),
        (codecs.BOM_UTF8 + b"\xff\xfe\xfa", "utf-8-sig"),
    ],
)
def test_unreadable_text_raises_with_reason(tmp_path: Path, data: bytes, problem: str) -> None:
    with pytest.raises(ExtractionError) as info:
        extract(write(tmp_path, "bad.txt", data))
    assert problem in info.value.reason


def test_missing_file_raises(tmp_path: Path) -> None:
    with pytest.raises(ExtractionError, match="cannot be read"):
        extract(tmp_path / "gone.txt")
