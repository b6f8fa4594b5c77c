"""A digest of every relation of a warehouse's `marts` schema, to show a change keeps its facts.

    .venv/bin/python -m bench.marts_fingerprint W.duckdb --save /tmp/before.json  # before
    .venv/bin/python -m bench.marts_fingerprint W.duckdb --check /tmp/before.json # after

It builds nothing: build the warehouse first (`xxgk run --input DIR --db W.duckdb`, or
`python -m bench.run --reports N --full`). For each table and view of `marts` it hashes the
column names and types and the rows, each row serialised on its own and the rows sorted, so
the digest depends on neither row order nor physical layout. Columns whose value differs from
one run of the same input to the next are left out by name (`RUN_VARYING`). `--save` writes
`{relation: {"rows": n, "sha256": hex}}`; `--check` compares with such a file and names the
relations that differ, are missing or are new (exit 1 when any does).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import duckdb

SCHEMA = "marts"
# columns whose value depends on when (or in which run) the warehouse was built, not on its
# input (today only timestamps; add run ids, durations or build fingerprints here if a mart
# gains one)
RUN_VARYING = frozenset(
    {
        "landed_at",  # dim_report: when the document was landed
        "reviewed_at",  # fct_*_reviewed: when a review was recorded in the reviews store
    }
)


def _canonical(row: tuple[object, ...]) -> str:
    return json.dumps(list(row), ensure_ascii=False, default=str, separators=(",", ":"))


def fingerprint(db: Path) -> dict[str, dict[str, int | str]]:
    """`{relation: {"rows": n, "sha256": hex}}` for every relation of the `marts` schema."""
    if not db.is_file():
        raise SystemExit(f"xxgk: no warehouse at {db}")
    result: dict[str, dict[str, int | str]] = {}
    with duckdb.connect(str(db), read_only=True) as con:
        relations = [
            name
            for (name,) in con.execute(
                "select table_name from information_schema.tables "
                "where table_schema = ? order by table_name",
                [SCHEMA],
            ).fetchall()
        ]
        for relation in relations:
            columns = [
                (name, kind)
                for name, kind in con.execute(
                    "select column_name, data_type from information_schema.columns "
                    "where table_schema = ? and table_name = ? order by ordinal_position",
                    [SCHEMA, relation],
                ).fetchall()
                if name not in RUN_VARYING
            ]
            select = ", ".join(f'"{name}"' for name, _ in columns) or "1"
            rows = sorted(
                _canonical(row)
                for row in con.execute(f'select {select} from {SCHEMA}."{relation}"').fetchall()
            )
            digest = hashlib.sha256(_canonical(tuple(columns)).encode())
            for line in rows:
                digest.update(line.encode())
                digest.update(b"\n")
            result[relation] = {"rows": len(rows), "sha256": digest.hexdigest()}
    return result


def differences(
    saved: dict[str, dict[str, int | str]], now: dict[str, dict[str, int | str]]
) -> list[str]:
    """One line per relation that is missing, new, or whose rows differ."""
    lines = []
    for relation in sorted(saved.keys() | now.keys()):
        before, after = saved.get(relation), now.get(relation)
        if after is None:
            lines.append(f"{relation}: missing (saved with {before['rows']} rows)")  # type: ignore[index]
        elif before is None:
            lines.append(f"{relation}: new ({after['rows']} rows)")
        elif before != after:
            lines.append(f"{relation}: differs ({before['rows']} rows saved, {after['rows']} now)")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("db", type=Path, help="the warehouse file (a serving or work file)")
    action = parser.add_mutually_exclusive_group()
    action.add_argument("--save", type=Path, metavar="F", help="write the fingerprint to F")
    action.add_argument("--check", type=Path, metavar="F", help="compare with the one saved in F")
    args = parser.parse_args(argv)
    now = fingerprint(args.db)
    if args.check is not None:
        saved = json.loads(args.check.read_text(encoding="utf-8"))
        lines = differences(saved, now)
        for line in lines:
            print(line)
        print(f"{len(now)} relations, {len(lines)} differ from {args.check}")
        return 1 if lines else 0
    text = json.dumps(now, indent=1, sort_keys=True) + "\n"
    if args.save is not None:
        args.save.write_text(text, encoding="utf-8")
        combined = hashlib.sha256(text.encode()).hexdigest()
        print(
            f"{len(now)} relations, {sum(int(v['rows']) for v in now.values())} rows; "
            f"fingerprint {combined[:16]} saved to {args.save}"
        )
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
