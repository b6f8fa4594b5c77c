#!/usr/bin/env python3
"""Build ``seeds/regions.csv`` (GB/T 2260 administrative divisions) from the cpca package.

Provenance
----------
The division list comes from ``cpca/resources/adcodes.csv`` in the MIT-licensed ``cpca``
package (Chinese Province, City and Area recognition, https://github.com/DQinYuan/chinese_province_city_area_mapper),
version 0.5.5 on PyPI. That file holds 12-digit adcodes (``adcode,name,longitude,latitude``);
every row there ends in ``000000``, so the first six digits are the GB/T 2260 code. The
committed ``seeds/regions.csv`` was generated from cpca 0.5.5 with this script; re-run it only
to move to another cpca release, and commit the result.

The source file is found either

* in an installed cpca distribution (``importlib.metadata.distribution("cpca")``), or
* at a path given with ``--adcodes`` (for example from ``pip download --no-deps cpca==0.5.5``
  and unzipping the wheel; the project does not depend on cpca at run time).

Output columns: ``code`` (6 digits), ``name``, ``level`` (``province`` | ``city`` | ``county``)
and ``parent_code`` (empty for provinces). Level and parent follow from the code itself:
``PP0000`` is a province, ``PPCC00`` a prefecture-level unit whose parent is ``PP0000``, and any
other code a county-level unit whose parent is ``PPCC00`` (or ``PP0000`` when no such
prefecture row exists). Placeholder rows such as ``110100 市辖区`` are kept as cpca lists them,
because they are the parents of the municipalities' districts.

Usage::

    python scripts/build_region_seed.py [--adcodes PATH] [--out seeds/regions.csv]
"""

from __future__ import annotations

import argparse
import csv
import sys
from importlib import metadata
from pathlib import Path

ADCODES_IN_PACKAGE = "cpca/resources/adcodes.csv"
DEFAULT_OUT = Path(__file__).resolve().parent.parent / "seeds" / "regions.csv"


def find_adcodes(explicit: str | None) -> Path:
    """Return the path of cpca's adcodes.csv, from the argument or the installed package."""
    if explicit:
        path = Path(explicit)
        if path.is_dir():
            path = path / ADCODES_IN_PACKAGE
        if not path.is_file():
            raise FileNotFoundError(f"no adcodes file at {path}")
        return path
    try:
        dist = metadata.distribution("cpca")
    except metadata.PackageNotFoundError as exc:
        raise FileNotFoundError(
            "cpca is not installed; pass --adcodes PATH to its resources/adcodes.csv"
        ) from exc
    path = Path(str(dist.locate_file(ADCODES_IN_PACKAGE)))
    if not path.is_file():
        raise FileNotFoundError(f"cpca {dist.version} has no {ADCODES_IN_PACKAGE}")
    return path


def level_of(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "city"
    return "county"


def build_rows(adcodes_path: Path) -> list[dict[str, str]]:
    with adcodes_path.open(encoding="utf-8", newline="") as handle:
        source = list(csv.DictReader(handle))
    names: dict[str, str] = {}
    for row in source:
        adcode = row["adcode"].strip()
        if len(adcode) != 12 or not adcode.isdigit():
            raise ValueError(f"unexpected adcode {adcode!r} in {adcodes_path}")
        if adcode[6:] != "000000":
            continue  # below county level; not used by the warehouse
        code = adcode[:6]
        if code in names and names[code] != row["name"].strip():
            raise ValueError(f"code {code} has two names in {adcodes_path}")
        names[code] = row["name"].strip()

    rows = []
    for code in sorted(names):
        level = level_of(code)
        if level == "province":
            parent = ""
        elif level == "city":
            parent = code[:2] + "0000"
        else:
            parent = code[:4] + "00" if code[:4] + "00" in names else code[:2] + "0000"
        if parent and parent not in names:
            raise ValueError(f"parent {parent} of {code} is not in the list")
        rows.append({"code": code, "name": names[code], "level": level, "parent_code": parent})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--adcodes", help="path to cpca's resources/adcodes.csv (or an unpacked wheel dir)"
    )
    parser.add_argument(
        "--out", default=str(DEFAULT_OUT), help="output CSV (default: seeds/regions.csv)"
    )
    args = parser.parse_args(argv)

    rows = build_rows(find_adcodes(args.adcodes))
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=["code", "name", "level", "parent_code"], lineterminator="\n"
        )
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {len(rows)} regions to {out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
