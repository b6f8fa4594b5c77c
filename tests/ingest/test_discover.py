from pathlib import Path

import pytest

from ingest.discover import discover


def touch(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_finds_report_files_recursively_sorted_and_relative(tmp_path: Path) -> None:
    names = ["b.txt", "a/Report.HTML", "a/x.htm", "c/d/e.PDF", "z.docx", "a/notes.md"]
    names += ["m/r.markdown", "w/old.DOC", "w/k.wps", "a/image.png", "a/sheet.xlsx"]
    for name in names:
        touch(tmp_path / name)
    assert [p.as_posix() for p in discover(tmp_path)] == [
        "a/Report.HTML",
        "a/image.png",  # a scan: OCR'd (issue #20)
        "a/notes.md",
        "a/x.htm",
        "b.txt",
        "c/d/e.PDF",
        "m/r.markdown",
        "w/k.wps",
        "w/old.DOC",
        "z.docx",
    ]


def test_skips_hidden_files_and_directories(tmp_path: Path) -> None:
    touch(tmp_path / ".hidden.txt")
    touch(tmp_path / ".git" / "x.txt")
    touch(tmp_path / "ok.txt")
    assert discover(tmp_path) == [Path("ok.txt")]


def test_does_not_follow_symlinks_that_leave_the_input(tmp_path: Path) -> None:
    inside = tmp_path / "in"
    outside = tmp_path / "out"
    touch(inside / "a.txt")
    touch(outside / "secret.txt")
    (inside / "link_dir").symlink_to(outside, target_is_directory=True)
    (inside / "link_file.txt").symlink_to(outside / "secret.txt")
    (inside / "alias.txt").symlink_to(inside / "a.txt")
    assert [p.as_posix() for p in discover(inside)] == ["a.txt", "alias.txt"]


def test_survives_symlink_loops(tmp_path: Path) -> None:
    touch(tmp_path / "sub" / "a.txt")
    (tmp_path / "sub" / "loop").symlink_to(tmp_path, target_is_directory=True)
    assert discover(tmp_path) == [Path("sub/a.txt")]


def test_missing_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        discover(tmp_path / "nope")
