"""Great Expectations Data Docs that load nothing from the network.

GE 1.x writes pages that load Bootstrap, jQuery, bootstrap-table, Font Awesome and a logo
from CDNs; offline they render unstyled, with empty lists (the tables are filled by
bootstrap-table), and GE has no option to change it. :func:`make_offline` copies the same
files, vendored in ``offline_assets/`` (from npm, with their licences), into the Data Docs
folder and points every page at them. ``offline_assets/assets.csv`` lists each address GE
uses and the file that replaces it (the vega scripts are dropped: no page of these suites
draws a chart). A page that still loads anything from the network afterwards is an error
that names the address to add there, so a GE upgrade cannot bring a CDN back unnoticed.
"""

from __future__ import annotations

import csv
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

ASSETS = Path(__file__).with_name("offline_assets")
VENDORED = Path("static") / "offline"  # where the assets go in the Data Docs folder
TAG = re.compile(r"<(?:script|link|img)\b[^>]*>(?:</script>)?", re.I)  # with a script's end
ADDRESS = re.compile(r'\b(src|href)="(https?://[^"?]+)(\?[^"]*)?"', re.I)
CHECKS = re.compile(r'\s+(?:integrity|crossorigin)="[^"]*"', re.I)  # SRI needs CORS, not file:
STATIC = re.compile(r'\b(src|href)="((?:\.\./)*)static/([^"]+)"')  # GE's own files


class RemoteAsset(RuntimeError):
    """A Data Docs page loads something from the network that assets.csv does not replace."""


@dataclass(frozen=True)
class Replacement:
    url: str
    file: str  # relative to the Data Docs folder; "" drops the element

    @classmethod
    def table(cls) -> dict[str, Replacement]:
        with (ASSETS / "assets.csv").open(newline="", encoding="utf-8") as f:
            return {row["url"]: cls(row["url"], row["file"]) for row in csv.DictReader(f)}


def _offline_page(html: str, page: Path, docs_dir: Path, table: dict[str, Replacement]) -> str:
    def tag(match: re.Match[str]) -> str:
        text = match.group(0)
        found = ADDRESS.search(text)
        if found is None:
            return text
        replacement = table.get(found.group(2))
        if replacement is None:
            raise RemoteAsset(
                f"{page}: loads {found.group(2)} from the network; add it to "
                f"{ASSETS / 'assets.csv'} with a vendored copy"
            )
        if not replacement.file:
            return ""
        local = os.path.relpath(docs_dir / replacement.file, page.parent)
        return CHECKS.sub("", text.replace(found.group(0), f'{found.group(1)}="{local}"'))

    def static(match: re.Match[str]) -> str:
        """GE links some pages to its static folder one level short (validation pages'
        favicon): every link to it is made relative to the page again."""
        local = os.path.relpath(docs_dir / "static" / match.group(3), page.parent)
        return f'{match.group(1)}="{local}"'

    return STATIC.sub(static, TAG.sub(tag, html))


def make_offline(docs_dir: Path) -> int:
    """Copy the vendored assets into ``docs_dir`` and point every page at them; returns the
    pages changed. Raises :class:`RemoteAsset` for an address assets.csv does not know."""
    table = Replacement.table()
    target = docs_dir / VENDORED
    shutil.copytree(ASSETS, target, dirs_exist_ok=True, ignore=shutil.ignore_patterns("*.csv"))
    for replacement in table.values():
        if replacement.file and not (docs_dir / replacement.file).is_file():
            raise FileNotFoundError(f"{replacement.url}: {docs_dir / replacement.file} is missing")
    changed = 0
    for page in docs_dir.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        offline = _offline_page(html, page, docs_dir, table)
        if offline != html:
            page.write_text(offline, encoding="utf-8")
            changed += 1
    return changed
