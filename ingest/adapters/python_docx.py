"""The XML element behind a python-docx table cell, which python-docx keeps private.

python-docx repeats a merged cell at every grid position it covers (``_Row.cells``), each
time as a new ``_Cell`` object; only the ``<w:tc>`` element (``_Cell._tc``) tells that two of
them are one cell. ingest/extract/docx.py keeps a merged cell once by that element.
tests/ingest/test_adapters.py pins it (python-docx 1.x).
"""

from __future__ import annotations

from docx.table import _Cell


def cell_element(cell: _Cell) -> object:
    """The ``<w:tc>`` element of ``cell``: the same object at every grid position a merged
    cell covers (while it is referenced: lxml proxies are made on demand)."""
    return cell._tc
