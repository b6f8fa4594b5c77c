"""`xxgk compare A B`: the comparison page without the server, as one static HTML file
(its stylesheet inline, nothing loaded from anywhere) with the CSV and XLSX beside it,
linked from the page as the served page links its downloads."""

from __future__ import annotations

from pathlib import Path

from serving.review import compare, warehouse
from serving.review.pages import environment, stylesheet


def write_comparison(serving_db: Path, first: str, second: str, out: Path | None) -> list[Path]:
    """Write the comparison of the reports ``first`` and ``second`` (report ids, unique id
    prefixes or source file names) to ``out`` (default:
    ``comparison_<a>_<b>.html`` here) and its .csv and .xlsx; returns the files written.
    warehouse.NotFound names a reference that matches no report or several."""
    with warehouse.serving(serving_db) as con:
        a = warehouse.resolve_report(con, first)
        b = warehouse.resolve_report(con, second)
        comparison = compare.compare(con, a, b)
    page = (out or Path(f"{compare.file_stem(comparison)}.html")).expanduser().resolve()
    csv, xlsx = page.with_suffix(".csv"), page.with_suffix(".xlsx")
    html = (
        environment()
        .get_template("compare.html")
        .render(
            comparison=comparison,
            downloads={"CSV": csv.name, "XLSX": xlsx.name},
            inline_css=stylesheet(),
            static=True,
            db_name=Path(serving_db).name,
            version=comparison.version,
            csrf_token="",
        )
    )
    page.parent.mkdir(parents=True, exist_ok=True)
    csv.write_bytes(compare.csv_bytes(comparison))
    xlsx.write_bytes(compare.xlsx_bytes(comparison))
    page.write_text(html, encoding="utf-8")
    return [page, csv, xlsx]
