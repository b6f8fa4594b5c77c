"""The templates' accounting identities, read from seeds/identity_checks.csv.

dbt evaluates the same seed for `marts.fct_check_results`; the parser uses it to choose between
readings of a table (which alignment of values to rows, which split of a glued run), so a rule
is stated once. A check row of the seed is one term: `side` (lhs, rhs), `metric_code` and
`applicant`, where `*` ranges over the applicant columns (`evaluated_per = applicant`) and
`t3.*` over the value rows of table 三 (`evaluated_per = metric`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ingest.parse.reference import SEEDS_DIR, Reference, applicant_columns, derived

TOLERANCE = 1e-6  # as the seed's description and dbt's evaluation say

Key = tuple[str, str]  # (metric_code, applicant)


@dataclass(frozen=True)
class IdentityInstance:
    """One equation of a check: Σ lhs = Σ rhs over concrete cells."""

    check_code: str
    instance: str  # the applicant or metric it is evaluated for, or `report`
    lhs: tuple[Key, ...]
    rhs: tuple[Key, ...]

    @property
    def cells(self) -> tuple[Key, ...]:
        return self.lhs + self.rhs

    def status(self, values: Mapping[Key, float | None]) -> str:
        """`pass`, `fail`, or `not_assessable` when a term has no value."""
        balance = 0.0
        for key in self.lhs:
            value = values.get(key)
            if value is None:
                return "not_assessable"
            balance += value
        for key in self.rhs:
            value = values.get(key)
            if value is None:
                return "not_assessable"
            balance -= value
        return "pass" if abs(balance) <= TOLERANCE else "fail"


@dataclass(frozen=True)
class _Term:
    check_code: str
    templates: frozenset[str]
    side: str
    position: int
    metric_code: str
    applicant: str
    evaluated_per: str


def _read_terms(path: Path) -> list[_Term]:
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return [
            _Term(
                check_code=r["check_code"],
                templates=frozenset(r["templates"].split()),
                side=r["side"],
                position=int(r["position"]),
                metric_code=r["metric_code"],
                applicant=r["applicant"],
                evaluated_per=r["evaluated_per"],
            )
            for r in csv.DictReader(handle)
        ]


class IdentityBook:
    """Every identity instance of each template, expanded once from the seed."""

    def __init__(self, reference: Reference, seeds_dir: Path = SEEDS_DIR) -> None:
        terms = _read_terms(seeds_dir / "identity_checks.csv")
        applicants = applicant_columns(seeds_dir)
        self._by_template: dict[str, tuple[IdentityInstance, ...]] = {}
        templates = sorted({t for term in terms for t in term.templates})
        for template in templates:
            value_rows = [
                r.metric_code
                for r in reference.rows_for(_rows_template(template))
                if r.carries_value
            ]
            instances: list[IdentityInstance] = []
            by_check: dict[str, list[_Term]] = {}
            for term in terms:
                if template in term.templates:
                    by_check.setdefault(term.check_code, []).append(term)
            for code, check_terms in by_check.items():
                check_terms.sort(key=lambda t: t.position)
                instances.extend(_expand(code, check_terms, applicants, value_rows))
            self._by_template[template] = tuple(instances)

    def for_template(self, template: str) -> tuple[IdentityInstance, ...]:
        return self._by_template.get(template, ())

    def touching(self, template: str, keys: Iterable[Key]) -> tuple[IdentityInstance, ...]:
        """The instances of `template` whose every cell is among `keys`."""
        wanted = set(keys)
        return tuple(i for i in self.for_template(template) if set(i.cells) <= wanted)


def _rows_template(template: str) -> str:
    """The template whose rows a template's identities range over (hybrid: v2019's 三)."""
    return {"hybrid": "v2019", "local": "old"}.get(template, template)


def _expand(
    code: str, terms: list[_Term], applicants: tuple[str, ...], value_rows: list[str]
) -> list[IdentityInstance]:
    per = terms[0].evaluated_per
    if per == "applicant":
        return [
            IdentityInstance(
                code,
                applicant,
                tuple((t.metric_code, applicant) for t in terms if t.side == "lhs"),
                tuple((t.metric_code, applicant) for t in terms if t.side == "rhs"),
            )
            for applicant in applicants
        ]
    if per == "metric":
        prefix = terms[0].metric_code.removesuffix("*")
        return [
            IdentityInstance(
                code,
                metric,
                tuple((metric, t.applicant) for t in terms if t.side == "lhs"),
                tuple((metric, t.applicant) for t in terms if t.side == "rhs"),
            )
            for metric in value_rows
            if metric.startswith(prefix)
        ]
    return [
        IdentityInstance(
            code,
            "report",
            tuple((t.metric_code, t.applicant) for t in terms if t.side == "lhs"),
            tuple((t.metric_code, t.applicant) for t in terms if t.side == "rhs"),
        )
    ]


def identity_book(reference: Reference) -> IdentityBook:
    """The identities for `reference`'s templates, built once."""
    return derived(reference, IdentityBook)


class ReadingRule:
    """A check on one candidate reading of a row of cells (a glued run cut into `keys`):
    every identity instance over those cells alone holds."""

    def __init__(self, keys: Sequence[Key], instances: Iterable[IdentityInstance]) -> None:
        self.keys = tuple(keys)
        inside = set(self.keys)
        self.instances = tuple(i for i in instances if set(i.cells) <= inside)

    def __call__(self, reading: Sequence[str]) -> bool:
        values = {key: float(cell) for key, cell in zip(self.keys, reading, strict=True)}
        return all(i.status(values) != "fail" for i in self.instances)


def holds(instances: Iterable[IdentityInstance], values: Mapping[Key, float | None]) -> bool:
    """No instance breaks on `values` (one whose terms are missing is not assessed)."""
    return all(i.status(values) != "fail" for i in instances)
