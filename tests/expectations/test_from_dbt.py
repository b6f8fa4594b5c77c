"""The gate's suites come from the dbt tests tagged `gate` (expectations/dbt_tests.py).

One small dbt project is parsed (a few seconds): a model whose YAML gates some columns and a
combination test, so every kind the gate mirrors, and every kind it leaves to dbt, is read
from a real manifest.
"""

from __future__ import annotations

import shutil
from typing import Any

import pytest

from core.paths import ROOT
from expectations.dbt_tests import (
    GateError,
    helper_query,
    mirrored_tests,
    parse_manifest,
    project_manifest,
)
from expectations.suites import FRAMES, build_suites

MODEL_YAML = """
version: 2
models:
  - name: things
    data_tests:
      - unique_combination_of_columns:
          config:
            tags: [gate]
          arguments:
            combination_of_columns: [thing_id, kind]
      - unique_combination_of_columns:
          arguments:
            combination_of_columns: [kind, size]
    columns:
      - name: thing_id
        tags: [gate]
        data_tests: [not_null, unique]
      - name: kind
        tags: [gate]
        data_tests:
          - accepted_values:
              arguments:
                values: [small, large]
          - relationships:
              arguments:
                to: ref('kinds')
                field: kind
          - not_null:
              config:
                severity: warn
      - name: size
        tags: [gate]
        data_tests:
          - expression_is_true:
              arguments:
                expression: "size > 0"
              config:
                where: "kind = 'large'"
      - name: colour
        data_tests: [not_null]
"""


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    project = tmp_path_factory.mktemp("project")
    (project / "dbt_project.yml").write_text(
        "name: things\nversion: '1.0.0'\nconfig-version: 2\nprofile: xxgk\n", encoding="utf-8"
    )
    shutil.copy(ROOT / "profiles.yml", project / "profiles.yml")
    (project / "macros").mkdir()
    for macro in ("test_expression_is_true.sql", "test_unique_combination_of_columns.sql"):
        shutil.copy(ROOT / "macros" / macro, project / "macros" / macro)
    models = project / "models"
    models.mkdir()
    (models / "kinds.sql").write_text("select 'small' as kind", encoding="utf-8")
    (models / "things.sql").write_text(
        "select 1 as thing_id, 'small' as kind, 3 as size, 'red' as colour", encoding="utf-8"
    )
    (models / "_things.yml").write_text(MODEL_YAML, encoding="utf-8")
    return parse_manifest(project)


@pytest.mark.slow
def test_tests_added_to_a_gated_column_join_the_suite(manifest: dict[str, Any]) -> None:
    mirrored = mirrored_tests(manifest)
    assert list(mirrored) == ["things"]
    things = mirrored["things"]
    assert things.relation == "main.things"
    assert sorted((name, sorted(kwargs.items())) for name, kwargs in things.rules) == sorted(
        [
            ("ExpectColumnValuesToNotBeNull", [("column", "thing_id")]),
            ("ExpectColumnValuesToBeUnique", [("column", "thing_id")]),
            (
                "ExpectColumnValuesToBeInSet",
                [("column", "kind"), ("value_set", ["small", "large"])],
            ),
            ("ExpectColumnValuesToBeInSet", [("column", "size__is_true"), ("value_set", [True])]),
            ("ExpectCompoundColumnsToBeUnique", [("column_list", ["thing_id", "kind"])]),
        ]
    )  # not: the warning, the relationship, the ungated column and combination
    assert things.helpers == {
        "size__is_true": "case when kind = 'large' then (size > 0)::boolean end"
    }
    assert helper_query("select * from {table}", things.helpers).format(table="t") == (
        "select *, case when kind = 'large' then (size > 0)::boolean end as \"size__is_true\" "
        "from (select * from t) as gated"
    )


@pytest.mark.slow
def test_a_gated_test_the_gate_cannot_check_is_refused(manifest: dict[str, Any]) -> None:
    test = next(
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and node["test_metadata"]["name"] == "unique"
    )
    with_where = {**test, "config": {**test["config"], "where": "kind = 'small'"}}
    with pytest.raises(GateError, match=r"test\.things\.unique_things_thing_id.*where"):
        mirrored_tests({**manifest, "nodes": {**manifest["nodes"], test["unique_id"]: with_where}})
    other = {**test, "test_metadata": {**test["test_metadata"], "name": "mutually_exclusive"}}
    with pytest.raises(GateError, match="cannot check a mutually_exclusive test"):
        mirrored_tests({**manifest, "nodes": {**manifest["nodes"], test["unique_id"]: other}})


@pytest.mark.slow
def test_the_project_gates_only_relations_the_gate_reads() -> None:
    """Every suite has rules, and every gated relation has a frame (build_suites raises
    otherwise); the frames' tables are the relations dbt names."""
    suites = build_suites(manifest=project_manifest())
    assert [spec.name for spec in suites] == [frame.name for frame in FRAMES]
    assert all(spec.rules for spec in suites)
    mirrored = mirrored_tests(project_manifest())
    assert {name: m.relation for name, m in mirrored.items()} == {
        frame.name: frame.table for frame in FRAMES if frame.name in mirrored
    }
