"""Cells read by OCR that the reading leaves in doubt become ``uncertain``, with alternatives.

Runs after the parse, on the cells of an OCR'd document whose boxes are attached
(ingest/parse/provenance.py). A printed cell becomes ``uncertain`` when

- the engine's confidence in its box is below LOW_CONFIDENCE: its alternatives are the
  other readings of its glyphs (seeds/ocr_confusions.csv, one digit at a time); or
- it takes part in an accounting identity (seeds/identity_checks.csv through
  ingest/parse/identities.py, the same rows dbt checks) that fails, while another reading
  of its glyphs satisfies that identity and breaks none that held: its alternatives are
  those readings.

The value stays the one read: an alternative is never put in its place, and a failing
identity no reading repairs stays failing (marts.fct_check_results reports it).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from ingest.extract.ocr_text import digit_alternatives
from ingest.parse.identities import IdentityInstance, Key, identity_book
from ingest.parse.reference import Reference, default_reference

LOW_CONFIDENCE = 0.80  # an OCR box read with less confidence leaves its cells uncertain

Cell = dict[str, Any]


def _value(cell: Cell) -> float | None:
    try:
        return float(cell["value_text"]) if cell.get("value_text") is not None else None
    except ValueError:
        return None


def _mark(cell: Cell, readings: Sequence[str]) -> None:
    """Make ``cell`` uncertain with ``readings`` as its alternatives (the value first)."""
    value = cell["value_text"]
    known: list[str] = [value]
    if cell.get("alternatives"):
        known = json.loads(cell["alternatives"])[0]
    for reading in readings:
        if reading not in known:
            known.append(reading)
    cell["value_status"] = "uncertain"
    cell["alternatives"] = json.dumps([known], ensure_ascii=False)


def review_ocr_cells(
    cells: Sequence[Cell], template: str | None, reference: Reference | None = None
) -> int:
    """Mark the OCR'd cells in doubt ``uncertain`` (see the module's doc); returns how many."""
    ocr_cells = {
        (c["metric_code"], c["applicant"]): c
        for c in cells
        if c.get("ocr_engine") and c.get("value_status") == "printed" and _value(c) is not None
    }
    if not ocr_cells:
        return 0
    marked = 0
    for cell in ocr_cells.values():
        confidence = cell.get("ocr_confidence")
        if confidence is not None and confidence < LOW_CONFIDENCE:
            _mark(cell, digit_alternatives(cell["value_text"]))
            marked += 1
    values: dict[Key, float | None] = {}
    for c in cells:
        value = _value(c)
        if value is not None and c.get("value_status") in ("printed", "uncertain"):
            values[(c["metric_code"], c["applicant"])] = value
    book = identity_book(reference or default_reference())
    checks = book.for_template(template or "")
    held = [check for check in checks if check.status(values) == "pass"]
    for check in checks:
        if check.status(values) != "fail":
            continue
        for key in check.cells:
            checked = ocr_cells.get(key)
            if checked is None:
                continue
            repairs = _repairs(checked, check, held, values)
            if repairs:
                marked += checked["value_status"] != "uncertain"
                _mark(checked, repairs)
    return marked


def _repairs(
    cell: Cell,
    failing: IdentityInstance,
    held: list[IdentityInstance],
    values: dict[Key, float | None],
) -> list[str]:
    """The readings of ``cell``'s glyphs that satisfy ``failing`` and keep every identity
    that holds."""
    key = (cell["metric_code"], cell["applicant"])
    touching = [check for check in held if key in check.cells]
    out = []
    for reading in digit_alternatives(cell["value_text"]):
        trial = {**values, key: float(reading)}
        if failing.status(trial) == "pass" and all(c.status(trial) == "pass" for c in touching):
            out.append(reading)
    return out
