"""Write the table of docs/settings.md from core/settings.py's `Settings` (the one place
every XXGK_* variable is declared); tests/docs/test_docs.py checks that the page matches.

    .venv/bin/python scripts/settings_doc.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core.settings import settings_table  # noqa: E402

PAGE = ROOT / "docs" / "settings.md"
BEGIN, END = "<!-- table: scripts/settings_doc.py -->\n", "<!-- end of table -->\n"


def with_table(page: str) -> str:
    """``page`` with the text between its markers replaced by the table of the settings."""
    head, rest = page.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    return head + BEGIN + settings_table() + END + tail


if __name__ == "__main__":
    PAGE.write_text(with_table(PAGE.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"settings_doc: wrote {PAGE.relative_to(ROOT)}")
