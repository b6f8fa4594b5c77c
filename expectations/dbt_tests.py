"""The dbt data tests the Great Expectations gate checks again, read from dbt's manifest.

A column tagged ``gate`` in a model's (or source's) YAML hands its data tests to the gate
(dbt gives a column's tags to the tests on it); a model-level test joins with a ``gate`` tag
of its own. The gate mirrors the tests dbt *blocks* on (severity ``error``); a ``warn`` test
on a gated column stays dbt's alone. The rule itself (the values, the expression, the
columns) is read from the manifest, so it is stated once, in dbt.

How each kind becomes an expectation:

* ``not_null``, ``unique``, ``accepted_values``: their GE namesakes;
* ``unique_combination_of_columns``: ``ExpectCompoundColumnsToBeUnique``;
* ``expression_is_true`` (with its ``where``, if any): a helper column, the expression on the
  rows the ``where`` selects (NULL elsewhere), expected true.

The gate validates one relation at a time, so ``relationships`` tests stay dbt's alone. A
gated test of any other kind, or a ``where`` on a kind other than ``expression_is_true``,
stops the gate with an error naming the test: it would rather refuse than check something
else.

The manifest is the warehouse's own (``target/manifest.json`` in its state folder, written by
the build that made it, :func:`transform.invoke.dbt_target_dir`); a warehouse without one (a
test's hand-made warehouse, a file moved without its state folder) is checked against the
project parsed afresh (:func:`project_manifest`, once per process).
"""

from __future__ import annotations

import functools
import json
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.paths import ROOT

GATE_TAG = "gate"
OTHER_RELATIONS = ("relationships",)  # tests that read a second relation
HELPER_SUFFIX = "__is_true"  # a helper column: <column>__is_true


class GateError(ValueError):
    """A gated dbt test the gate cannot check."""


@dataclass(frozen=True)
class Mirrored:
    """The gated tests of one relation, as (expectation class, kwargs) pairs, and the helper
    columns (name -> SQL) their relation needs."""

    relation: str  # schema-qualified, e.g. marts.dim_report
    layer: str  # the relation's schema (raw, staging, marts)
    rules: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    helpers: dict[str, str] = field(default_factory=dict)


def manifest_file(db_path: Path | str) -> Path:
    """The manifest of the build that made the warehouse at ``db_path``."""
    from transform.invoke import dbt_target_dir

    return dbt_target_dir(db_path) / "manifest.json"


def parse_manifest(project_dir: Path) -> dict[str, Any]:
    """The manifest of the dbt project in ``project_dir``, parsed now (``dbt parse``, a few
    seconds) into a temporary target path."""
    from transform.dbt_runner import DbtBuildFailed
    from transform.invoke import dbt_target_dir, invoke_dbt

    with tempfile.TemporaryDirectory(prefix="xxgk-parse-") as tmp:
        db_path = Path(tmp) / "parse.duckdb"  # named for profiles.yml; parse never opens it
        result = invoke_dbt(["parse", "--quiet"], db_path, project_dir)
        if not result.success:
            raise DbtBuildFailed(f"dbt parse failed: {result.exception}")
        return json.loads((dbt_target_dir(db_path) / "manifest.json").read_text("utf-8"))


@functools.cache
def project_manifest() -> dict[str, Any]:
    """This project's manifest (:func:`parse_manifest`), parsed once per process."""
    return parse_manifest(ROOT)


def warehouse_manifest(db_path: Path | str) -> dict[str, Any]:
    """The manifest the warehouse at ``db_path`` was built with, else the project's."""
    path = manifest_file(db_path)
    if path.is_file():
        return json.loads(path.read_text("utf-8"))
    return project_manifest()


def _relation(manifest: Mapping[str, Any], test: Mapping[str, Any]) -> Mapping[str, Any]:
    """The model or source a test is on."""
    owner = test.get("attached_node") or next(
        node for node in test["depends_on"]["nodes"] if node.startswith(("model.", "source."))
    )
    return manifest["sources"][owner] if owner.startswith("source.") else manifest["nodes"][owner]


def suite_name(relation: Mapping[str, Any]) -> str:
    """A suite's name: the model's, or ``<source>_<table>`` for a source table."""
    if relation["resource_type"] == "source":
        return f"{relation['source_name']}_{relation['name']}"
    return str(relation["name"])


def _table(relation: Mapping[str, Any]) -> str:
    name = relation.get("identifier") or relation.get("alias") or relation["name"]
    return f"{relation['schema']}.{name}"


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _translate(test: Mapping[str, Any], mirrored: Mirrored) -> None:
    """Add the expectation for one gated test to ``mirrored``."""
    meta = test["test_metadata"]
    kind, kwargs = meta["name"], meta["kwargs"]
    if kind in OTHER_RELATIONS:
        return
    column = kwargs.get("column_name") or test.get("column_name")
    where = test["config"].get("where")
    if where and kind != "expression_is_true":
        raise GateError(
            f"{test['unique_id']}: the gate checks a `where` only on expression_is_true; "
            f"remove the {GATE_TAG} tag or write it as an expression"
        )
    if kind == "not_null":
        mirrored.rules.append(("ExpectColumnValuesToNotBeNull", {"column": column}))
    elif kind == "unique":
        mirrored.rules.append(("ExpectColumnValuesToBeUnique", {"column": column}))
    elif kind == "accepted_values":
        values = list(kwargs["values"])
        mirrored.rules.append(
            ("ExpectColumnValuesToBeInSet", {"column": column, "value_set": values})
        )
    elif kind == "unique_combination_of_columns":
        columns = list(kwargs["combination_of_columns"])
        mirrored.rules.append(("ExpectCompoundColumnsToBeUnique", {"column_list": columns}))
    elif kind == "expression_is_true":
        helper = f"{column}{HELPER_SUFFIX}"
        number = 2
        while helper in mirrored.helpers:
            helper, number = f"{column}{HELPER_SUFFIX}_{number}", number + 1
        expression = f"({kwargs['expression']})::boolean"
        if where:
            expression = f"case when {where} then {expression} end"
        mirrored.helpers[helper] = expression
        mirrored.rules.append(
            ("ExpectColumnValuesToBeInSet", {"column": helper, "value_set": [True]})
        )
    else:
        raise GateError(
            f"{test['unique_id']}: the gate cannot check a {kind} test; remove the "
            f"{GATE_TAG} tag or teach expectations/dbt_tests.py the kind"
        )


def mirrored_tests(manifest: Mapping[str, Any]) -> dict[str, Mirrored]:
    """The gated error-severity tests of the manifest, by suite name, in manifest order."""
    found: dict[str, Mirrored] = {}
    tests = (
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node.get("test_metadata")
    )
    for test in sorted(tests, key=lambda node: node["unique_id"]):
        if GATE_TAG not in test.get("tags", []) or not test["config"].get("enabled", True):
            continue
        if str(test["config"].get("severity", "error")).lower() != "error":
            continue
        relation = _relation(manifest, test)
        name = suite_name(relation)
        mirrored = found.setdefault(name, Mirrored(_table(relation), str(relation["schema"])))
        _translate(test, mirrored)
    return found


def helper_query(query: str, helpers: Mapping[str, str]) -> str:
    """``query`` (a suite's, with its ``{table}`` placeholder) with the helper columns."""
    if not helpers:
        return query
    columns = ", ".join(
        f"{sql.replace('{', '{{').replace('}', '}}')} as {_quoted(name)}"
        for name, sql in helpers.items()
    )
    return f"select *, {columns} from ({query}) as gated"
