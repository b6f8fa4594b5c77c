"""What the adapters to dependencies' internals rely on (ingest/adapters/): an upgrade that
changes it fails here, not in a run."""

from __future__ import annotations


def test_a_merged_docx_cell_has_one_element_at_every_position_it_covers() -> None:
    from docx import Document

    from ingest.adapters.python_docx import cell_element

    table = Document().add_table(rows=2, cols=2)
    table.cell(0, 0).merge(table.cell(1, 0))  # a vertical merge
    top, below = table.rows[0].cells[0], table.rows[1].cells[0]
    assert top is not below  # python-docx makes a cell object per row it covers
    assert cell_element(top) is cell_element(below)
    assert cell_element(table.rows[0].cells[1]) is not cell_element(table.rows[1].cells[1])
