"""Reference tables shared with dbt: the parser reads the same seed files that dbt loads."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TypeVar

import yaml

T = TypeVar("T")

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
DBT_PROJECT = SEEDS_DIR.parent / "dbt_project.yml"


@dataclass(frozen=True)
class TemplateRow:
    template: str
    section: str
    metric_code: str
    label: str
    unit: str
    parent: str

    @property
    def carries_value(self) -> bool:
        """Header rows (a group caption) have no unit and print no number."""
        return bool(self.unit)


@dataclass(frozen=True)
class Region:
    code: str
    name: str
    level: str
    parent_code: str


@dataclass(frozen=True)
class Reference:
    template_rows: tuple[TemplateRow, ...]
    aliases: dict[str, tuple[str, ...]]  # metric_code -> other printed labels
    regions: tuple[Region, ...]
    region_aliases: dict[str, str]  # printed name -> code

    def rows_for(self, template: str) -> list[TemplateRow]:
        return [r for r in self.template_rows if r.template == template]

    def region_by_code(self) -> dict[str, Region]:
        return {r.code: r for r in self.regions}


# what the parser builds from a Reference (matcher indexes, lookups), by the reference's identity
_DERIVED: dict[tuple[int, Callable[..., object]], tuple[Reference, object]] = {}
_DERIVED_LIMIT = 64


def derived(reference: Reference, build: Callable[[Reference], T]) -> T:
    """`build(reference)`, built once per reference object and kept: reference data does not
    change while a process runs, so what is read from it is read once. Callers must not
    modify what they get back."""
    key = (id(reference), build)
    kept = _DERIVED.get(key)
    if kept is None or kept[0] is not reference:
        if len(_DERIVED) >= _DERIVED_LIMIT:
            _DERIVED.clear()
        kept = (reference, build(reference))
        _DERIVED[key] = kept
    return kept[1]  # type: ignore[return-value]


def _read_csv(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def load_reference(seeds_dir: Path = SEEDS_DIR) -> Reference:
    rows = tuple(
        TemplateRow(
            template=r["template"],
            section=r["section"],
            metric_code=r["metric_code"],
            label=r["label"],
            unit=r["unit"],
            parent=r["parent"],
        )
        for r in _read_csv(seeds_dir / "template_rows.csv")
    )
    aliases: dict[str, list[str]] = {}
    for r in _read_csv(seeds_dir / "label_aliases.csv"):
        aliases.setdefault(r["metric_code"], []).append(r["alias"])
    regions = tuple(
        Region(
            code=r["code"], name=r["name"], level=r["level"], parent_code=r.get("parent_code") or ""
        )
        for r in _read_csv(seeds_dir / "regions.csv")
    )
    region_aliases = {r["alias"]: r["code"] for r in _read_csv(seeds_dir / "region_aliases.csv")}
    return Reference(
        template_rows=rows,
        aliases={k: tuple(v) for k, v in aliases.items()},
        regions=regions,
        region_aliases=region_aliases,
    )


@cache
def applicant_columns(seeds_dir: Path = SEEDS_DIR) -> tuple[str, ...]:
    """Table 三's applicant columns in print order, `total` last (seeds/applicants.csv)."""
    rows = sorted(_read_csv(seeds_dir / "applicants.csv"), key=lambda r: int(r["sort_order"]))
    return tuple(r["applicant"] for r in rows)


@cache
def default_reference() -> Reference:
    """The project's seeds, read once per process (they do not change while it runs)."""
    return load_reference()


@cache
def first_report_year(project: Path = DBT_PROJECT) -> int:
    """The first year a report may cover: var `first_report_year` of dbt_project.yml, the one
    declaration of the report years that dbt's tests read too (macros/report_years.sql)."""
    value = (yaml.safe_load(project.read_text(encoding="utf-8")).get("vars") or {}).get(
        "first_report_year"
    )
    if not isinstance(value, int):
        raise ValueError(f"xxgk: {project}: vars.first_report_year must be a year, not {value!r}")
    return value


def report_years(this_year: int | None = None, project: Path = DBT_PROJECT) -> range:
    """The years a report may cover: from `first_report_year` to the year of the build
    (`this_year`, by default today's), as dbt's `report_year_in_range` states them."""
    return range(first_report_year(project), (this_year or date.today().year) + 1)
