"""Cells read by OCR that the reading leaves in doubt become ``uncertain``, with alternatives.

Runs after the parse, on the cells of an OCR'd document whose boxes are attached
(ingest/parse/provenance.py). A printed cell becomes ``uncertain`` when

- the engine's confidence in its box is below LOW_CONFIDENCE: its alternatives are the
  other readings of its glyphs (seeds/ocr_confusions.csv, one digit at a time); or
- it takes part in an accounting identity (seeds/identity_checks.csv, the same rows dbt
  checks) that fails, while another reading of its glyphs satisfies that identity and
  breaks none that held: its alternatives are those readings.

The value stays the one read: an alternative is never put in its place, and a failing
identity no reading repairs stays failing (marts.fct_check_results reports it).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from ingest.extract.ocr_text import digit_alternatives
from ingest.parse.reference import SEEDS_DIR, applicant_columns

LOW_CONFIDENCE = 0.80  # an OCR box read with less confidence leaves its cells uncertain
TOLERANCE = 1e-6

Cell = dict[str, Any]
Key = tuple[str, str]  # metric_code, applicant


@dataclass(frozen=True)
class Term:
    side: str  # lhs, rhs
    metric: str  # a code, or a prefix pattern `t3.*`
    applicant: str  # an applicant, or `*`: the instance's


@dataclass(frozen=True)
class Identity:
    code: str
    templates: frozenset[str]
    per: str  # applicant, metric, report
    terms: tuple[Term, ...]


@cache
def identities() -> tuple[Identity, ...]:
    """seeds/identity_checks.csv, one Identity per check_code and template set."""
    grouped: dict[tuple[str, str, str], list[Term]] = {}
    with (SEEDS_DIR / "identity_checks.csv").open(newline="", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle), key=lambda r: (r["check_code"], int(r["position"])))
    for row in rows:
        key = (row["check_code"], row["templates"], row["evaluated_per"])
        grouped.setdefault(key, []).append(Term(row["side"], row["metric_code"], row["applicant"]))
    return tuple(
        Identity(code, frozenset(templates.split()), per, tuple(terms))
        for (code, templates, per), terms in grouped.items()
    )


def instances(template: str | None, keys: set[Key]) -> Iterator[tuple[str, list[Term], str]]:
    """Every instance of the template's identities over the cells ``keys``: (check code,
    terms with the instance's applicant or metric filled in, the instance's name)."""
    for identity in identities():
        if template not in identity.templates:
            continue
        if identity.per == "applicant":
            for applicant in applicant_columns():
                terms = [_fill(t, applicant=applicant) for t in identity.terms]
                yield identity.code, terms, applicant
        elif identity.per == "metric":
            prefixes = {t.metric.rstrip("*") for t in identity.terms}
            for metric in sorted({m for m, _ in keys if any(m.startswith(p) for p in prefixes)}):
                yield identity.code, [_fill(t, metric=metric) for t in identity.terms], metric
        else:
            yield identity.code, list(identity.terms), "report"


def _fill(term: Term, applicant: str | None = None, metric: str | None = None) -> Term:
    return Term(
        term.side,
        metric if metric is not None and term.metric.endswith("*") else term.metric,
        applicant if applicant is not None and term.applicant == "*" else term.applicant,
    )


def _holds(terms: list[Term], values: dict[Key, float]) -> bool | None:
    """Whether the identity holds; None when a term has no printed number."""
    sides = {"lhs": 0.0, "rhs": 0.0}
    for term in terms:
        value = values.get((term.metric, term.applicant))
        if value is None:
            return None
        sides[term.side] += value
    return abs(sides["lhs"] - sides["rhs"]) <= TOLERANCE


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


def review_ocr_cells(cells: Sequence[Cell], template: str | None) -> int:
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
    values: dict[Key, float] = {}
    for c in cells:
        value = _value(c)
        if value is not None and c.get("value_status") in ("printed", "uncertain"):
            values[(c["metric_code"], c["applicant"])] = value
    checks = list(instances(template, set(values)))
    held = [terms for _, terms, _ in checks if _holds(terms, values)]
    for _, terms, _ in checks:
        if _holds(terms, values) is not False:
            continue
        for term in terms:
            cell = ocr_cells.get((term.metric, term.applicant))
            if cell is None:
                continue
            repairs = _repairs(cell, terms, held, values)
            if repairs:
                marked += cell["value_status"] != "uncertain"
                _mark(cell, repairs)
    return marked


def _repairs(
    cell: Cell, failing: list[Term], held: list[list[Term]], values: dict[Key, float]
) -> list[str]:
    """The readings of ``cell``'s glyphs that satisfy ``failing`` and keep every identity
    that holds."""
    key = (cell["metric_code"], cell["applicant"])
    touching = [terms for terms in held if any((t.metric, t.applicant) == key for t in terms)]
    out = []
    for reading in digit_alternatives(cell["value_text"]):
        trial = {**values, key: float(reading)}
        if _holds(failing, trial) and all(_holds(terms, trial) for terms in touching):
            out.append(reading)
    return out
