"""Regenerate the outputs printed in docs/queries.md from the data in the repository.

    .venv/bin/python scripts/queries_doc.py            # build, then rewrite the outputs
    .venv/bin/python scripts/queries_doc.py --check    # exit 1 and show a diff if they drifted
    .venv/bin/python scripts/queries_doc.py --db DIR/warehouse/xxgk.duckdb [--check]

The warehouse is the bundled sample and the dev corpus together (data/sample + data/corpus,
16 documents), built by `xxgk run` into a temporary folder unless --db names one already
built from them. The examples refer to it as `warehouse/xxgk.duckdb` (the README's default),
so --db must be a file of that name, and the queries run from the folder above it.

In the page, every ```sql or ```python block followed at once by a plain ``` block is an
example and its output: the SQL runs read-only on the warehouse and prints as DuckDB's
``show(max_width=200)`` does; the Python runs in a fresh interpreter. Everything else on
the page is left as it is.
"""

from __future__ import annotations

import argparse
import contextlib
import difflib
import io
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

from xxgk import open_warehouse

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "queries.md"
DB_NAME = Path("warehouse") / "xxgk.duckdb"  # what the examples name
INPUTS = (ROOT / "data" / "sample", ROOT / "data" / "corpus")
EXAMPLE = re.compile(r"(```(sql|python)\n(.*?)```\n```\n)(.*?)(```)", re.S)


def build(base: Path) -> Path:
    """``xxgk run`` over the sample and the corpus into ``base/warehouse/xxgk.duckdb``."""
    inbox = base / "inbox"
    inbox.mkdir()
    for folder in INPUTS:
        for report in folder.iterdir():
            shutil.copy(report, inbox / report.name)
    db = base / DB_NAME
    xxgk = Path(sys.executable).with_name("xxgk")
    subprocess.run(
        [str(xxgk), "run", "--input", str(inbox), "--db", str(db)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return db


def sql_output(con: duckdb.DuckDBPyConnection, query: str) -> str:
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        con.sql(query).show(max_width=200)
    return printed.getvalue().rstrip("\n") + "\n"


def python_output(code: str, base: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=base, capture_output=True, text=True, check=True
    )
    return result.stdout


def render(page: str, db: Path) -> str:
    """``page`` with every example's output replaced by what it prints on ``db``."""
    if db.parts[-2:] != DB_NAME.parts:
        raise SystemExit(f"queries_doc: --db must be a file named {DB_NAME}, got {db}")
    base = db.parent.parent
    with open_warehouse(db) as con, contextlib.chdir(base):

        def output(example: re.Match[str]) -> str:
            head, language, code, _, close = example.groups()
            if language == "sql":
                return head + sql_output(con, code) + close
            return head + python_output(code, base) + close

        return EXAMPLE.sub(output, page)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, help=f"a warehouse built from the data ({DB_NAME})")
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    page = PAGE.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="xxgk-queries-") as tmp:
        db = args.db.resolve() if args.db else build(Path(tmp))
        rendered = render(page, db)
    if rendered == page:
        print(f"{PAGE.relative_to(ROOT)}: the outputs are current")
        return 0
    if args.check:
        diff = difflib.unified_diff(
            page.splitlines(), rendered.splitlines(), "docs/queries.md", "regenerated", lineterm=""
        )
        print("\n".join(diff))
        print("docs/queries.md: the outputs drifted; run scripts/queries_doc.py to update them")
        return 1
    PAGE.write_text(rendered, encoding="utf-8")
    print(f"{PAGE.relative_to(ROOT)}: outputs rewritten")
    return 0


if __name__ == "__main__":
    sys.exit(main())
