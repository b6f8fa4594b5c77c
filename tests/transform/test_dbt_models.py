"""dbt models end to end: crafted raw rows in a temporary DuckDB → `dbt build` → assert the marts.

The raw schema is filled by tests/support/dbt_raw_fixture.py (see its docstring for the reports).
dbt runs in-process through dbtRunner with absolute --project-dir/--profiles-dir, and
writes its target/ and logs/ into the temporary directory, not into the repository.
"""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from core.paths import ROOT
from tests.support.dbt_raw_fixture import load_fixture, run_dbt

MARTS = (
    "dim_report",
    "fct_report_metrics",
    "fct_harmonised_metrics",
    "fct_check_results",
    "dim_metric",
    "dim_region",
    "dim_applicant",
    "fct_unmapped_labels",
)


def _snapshot(db_path: Path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(db_path), read_only=True) as con:
        return {
            table: sorted(con.execute(f"select * from marts.{table}").fetchall(), key=repr)
            for table in MARTS
        }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory):
    work = tmp_path_factory.mktemp("dbt")
    db_path = work / "warehouse.duckdb"
    ids = load_fixture(str(db_path))
    first = run_dbt(["build"], db_path, work)
    assert first.success, f"dbt build failed: {first.exception or first.result}"
    before = _snapshot(db_path)
    second = run_dbt(["run"], db_path, work)
    assert second.success, f"dbt run (second time) failed: {second.exception or second.result}"
    after = _snapshot(db_path)
    con = duckdb.connect(str(db_path), read_only=True)
    yield {"con": con, "ids": ids, "before": before, "after": after, "build": first, "work": work}
    con.close()


def _rows(con, sql, *params):
    return con.execute(sql, list(params)).fetchall()


def _check(wh, key, check_code, instance="total"):
    rows = _rows(
        wh["con"],
        "select status, expected, actual, detail, cells from marts.fct_check_results "
        "where report_id = ? and check_code = ? and instance = ?",
        wh["ids"][key],
        check_code,
        instance,
    )
    assert len(rows) == 1, (key, check_code, instance, rows)
    return rows[0]


def _value(wh, key, metric_code, applicant="total"):
    rows = _rows(
        wh["con"],
        "select value, value_status, unit, raw_text from marts.fct_report_metrics "
        "where report_id = ? and metric_code = ? and applicant = ?",
        wh["ids"][key],
        metric_code,
        applicant,
    )
    assert len(rows) == 1, (key, metric_code, applicant, rows)
    return rows[0]


def _measure(wh, key, measure_code):
    rows = _rows(
        wh["con"],
        "select value, comparability, derived_from from marts.fct_harmonised_metrics "
        "where report_id = ? and measure_code = ?",
        wh["ids"][key],
        measure_code,
    )
    return rows[0] if rows else None


@pytest.mark.slow
def test_build_passes_every_test(warehouse):
    results = warehouse["build"].result
    kinds = {r.node.resource_type for r in results}
    assert {"model", "test", "seed"} <= {str(k) for k in kinds}, kinds  # a build, not nothing
    assert sum(str(r.node.resource_type) == "test" for r in results) > 100
    statuses = {str(r.status) for r in results}
    assert statuses <= {"success", "pass", "no-op"}, statuses


@pytest.mark.slow
def test_contract_columns_come_first(warehouse):
    contract = {
        "dim_report": [
            "report_id",
            "source_file",
            "title",
            "issuer",
            "region_code",
            "region_name",
            "scope",
            "report_year",
            "template",
        ],
        "fct_report_metrics": [
            "report_id",
            "metric_code",
            "applicant",
            "value",
            "value_status",
            "raw_text",
            "source_line",
        ],
        "fct_harmonised_metrics": [
            "report_id",
            "measure_code",
            "value",
            "comparability",
            "derived_from",
        ],
        "fct_check_results": ["report_id", "check_code", "status", "expected", "actual", "detail"],
    }
    for table, columns in contract.items():
        got = [
            r[0]
            for r in _rows(
                warehouse["con"],
                "select column_name from information_schema.columns "
                "where table_schema = 'marts' and table_name = ? order by ordinal_position",
                table,
            )
        ]
        assert got[: len(columns)] == columns, table


@pytest.mark.slow
def test_dim_report_has_every_document(warehouse):
    rows = dict(_rows(warehouse["con"], "select report_id, template from marts.dim_report"))
    assert set(rows) == set(warehouse["ids"].values())
    assert rows[warehouse["ids"]["NOPARSE"]] == "none"
    assert rows[warehouse["ids"]["LETTER"]] == "none"
    assert rows[warehouse["ids"]["HYBRID"]] == "hybrid"
    status, level = _rows(
        warehouse["con"],
        "select parse_status, region_level from marts.dim_report where report_id = ?",
        warehouse["ids"]["NOPARSE"],
    )[0]
    assert (status, level) == ("not_parsed", None)


@pytest.mark.slow
def test_failing_identity_fails_and_is_not_repaired(warehouse):
    status, expected, actual, detail, cells = _check(warehouse, "V2019", "t4.lit_after_review_sum")
    assert status == "fail"
    assert (expected, actual) == (5.0, 0.0)
    assert detail.startswith("fails:")
    assert "t4.lit_after_review.total[total]" in cells
    # the printed total is kept as printed
    assert _value(warehouse, "V2019", "t4.lit_after_review.total")[:2] == (0.0, "printed")
    # and the other identities of that report hold
    statuses = dict(
        _rows(
            warehouse["con"],
            "select check_code, max(status) from marts.fct_check_results "
            "where report_id = ? and check_code <> 't4.lit_after_review_sum' group by 1",
            warehouse["ids"]["V2019"],
        )
    )
    assert set(statuses.values()) == {"pass"}, statuses
    assert set(statuses) == {
        "t3.balance",
        "t3.results_sum",
        "t3.applicant_sum",
        "t4.review_sum",
        "t4.lit_direct_sum",
    }


@pytest.mark.slow
def test_missing_input_is_not_assessable(warehouse):
    status, expected, actual, detail, _ = _check(warehouse, "OLD", "old.review_sum")
    assert status == "not_assessable"
    assert actual is None and expected == 0.0
    assert "old.s4.review[total] absent" in detail
    for code in (
        "old.received_channels",
        "old.closed_split",
        "old.replies_sum",
        "old.litigation_sum",
        "old.staff_split",
    ):
        assert _check(warehouse, "OLD", code)[0] == "pass", code


@pytest.mark.slow
def test_blank_cell_makes_its_column_and_row_not_assessable(warehouse):
    assert _value(warehouse, "HYBRID", "t3.carried_over", "research")[:2] == (None, "blank")
    assert _check(warehouse, "HYBRID", "t3.balance", "research")[0] == "not_assessable"
    assert _check(warehouse, "HYBRID", "t3.balance", "natural_person")[0] == "pass"
    assert _check(warehouse, "HYBRID", "t3.applicant_sum", "t3.carried_over")[0] == "not_assessable"
    assert _check(warehouse, "HYBRID", "t3.applicant_sum", "t3.new_received")[0] == "pass"


@pytest.mark.slow
def test_results_sum_uses_the_right_leaf_rows(warehouse):
    # hybrid and v2019: the single （六）其他处理 row; v2021: its three sub-rows
    _, _, _, _, cells = _check(warehouse, "HYBRID", "t3.results_sum", "total")
    assert "t3.result.other[total]" in cells and "t3.result.other.no_fee" not in cells
    _, _, _, _, cells = _check(warehouse, "V2021", "t3.results_sum", "total")
    assert "t3.result.other.no_fee[total]" in cells and "t3.result.other[total]" not in cells
    statuses = {
        r[0]
        for r in _rows(
            warehouse["con"],
            "select distinct status from marts.fct_check_results where report_id = ?",
            warehouse["ids"]["V2021"],
        )
    }
    assert statuses == {"pass"}
    n = _rows(
        warehouse["con"],
        "select count(*) from marts.fct_check_results "
        "where report_id = ? and check_code = 't3.balance'",
        warehouse["ids"]["V2021"],
    )[0][0]
    assert n == 7  # one instance per applicant column


@pytest.mark.slow
def test_checks_follow_the_template(warehouse):
    codes = {
        r[0]
        for r in _rows(
            warehouse["con"],
            "select distinct check_code from marts.fct_check_results where report_id = ?",
            warehouse["ids"]["OLD"],
        )
    }
    assert all(c.startswith("old.") for c in codes) and len(codes) == 6
    codes = {
        r[0]
        for r in _rows(
            warehouse["con"],
            "select distinct check_code from marts.fct_check_results where report_id = ?",
            warehouse["ids"]["LOCAL"],
        )
    }
    # local: only the old.* checks with at least one cell present
    assert codes == {
        "old.received_channels",
        "old.replies_sum",
        "old.review_sum",
        "old.litigation_sum",
    }
    assert _check(warehouse, "LOCAL", "old.received_channels")[0] == "not_assessable"
    for key in ("NOPARSE", "LETTER"):
        assert not _rows(
            warehouse["con"],
            "select 1 from marts.fct_check_results where report_id = ?",
            warehouse["ids"][key],
        )


@pytest.mark.slow
def test_unit_conversion(warehouse):
    value, status, unit, raw = _value(warehouse, "OLD", "old.s7.fees")
    assert (value, status, unit, raw) == (0.5, "printed", "万元", "5000元")  # 元 → 万元
    assert _value(warehouse, "OLD", "old.s8.budget")[0] == 198.93  # no unit printed: already 万元
    assert math.isclose(
        _value(warehouse, "V2021", "t2.art20_8.fee.amount")[0], 9116.36, abs_tol=1e-9
    )
    assert _value(warehouse, "HYBRID", "t2.art20_8.fee.amount")[0] == 7730.28
    # the v2019 procurement amount has no template unit: kept as printed
    assert _value(warehouse, "V2019", "t2.art20_9.procurement.amount")[:3] == (
        251000.0,
        "printed",
        "元",
    )
    # counts are never scaled, signed deltas stay signed
    assert _value(warehouse, "V2019", "t2.art20_6.penalty.delta_items")[0] == -139.0


@pytest.mark.slow
def test_uncertain_cell_keeps_best_reading(warehouse):
    value, status, _, raw = _value(warehouse, "V2019", "t2.art20_5.licensing.decisions")
    assert (value, status, raw) == (3960.0, "uncertain", "3960181")


@pytest.mark.slow
def test_harmonised_measures(warehouse):
    assert _measure(warehouse, "OLD", "requests_granted")[:2] == (33.0, "close")  # 28 + 5
    assert _measure(warehouse, "OLD", "requests_not_held")[0] == 7.0  # 3 + 4
    assert _measure(warehouse, "OLD", "reviews_total") is None  # input absent: not emitted
    assert _measure(warehouse, "OLD", "normative_docs_issued")[:2] == (96.0, "approximate")
    assert _measure(warehouse, "V2019", "normative_docs_issued")[:3] == (
        12.0,
        "close",
        "t2.art20_1.normative_doc.new_made",
    )
    assert _measure(warehouse, "HYBRID", "normative_docs_issued")[:3] == (
        7.0,
        "exact",
        "t2.art20_1.normative_doc.issued",
    )
    assert _measure(warehouse, "V2019", "requests_denied")[0] == 2.0  # Σ of the 8 denied rows
    assert _measure(warehouse, "V2019", "lawsuits_total")[0] == 0.0  # 0 + 0, as printed
    assert _measure(warehouse, "HYBRID", "lawsuits_total")[0] == 2.0
    assert _measure(warehouse, "V2021", "requests_received")[:2] == (33.0, "exact")
    assert _measure(warehouse, "LOCAL", "requests_received")[0] == 21.0
    assert _measure(warehouse, "LOCAL", "requests_granted") is None  # no 已主动公开 row
    n = _rows(
        warehouse["con"],
        "select count(*) from marts.fct_harmonised_metrics where report_id = ?",
        warehouse["ids"]["V2021"],
    )[0][0]
    assert n == 11


@pytest.mark.slow
def test_dimensions(warehouse):
    con = warehouse["con"]
    names = _rows(
        con,
        "select count(*), count(name_en) from marts.dim_metric "
        "where metric_code not like 'local.%'",
    )
    assert names[0][0] == names[0][1] == 144
    assert _rows(
        con, "select templates from marts.dim_metric where metric_code = 'local.s3.received.email'"
    ) == [("local",)]
    assert _rows(
        con,
        "select name, level, parent_code, province_name, aliases from marts.dim_region "
        "where code = '350128'",
    ) == [("平潭县", "county", "350100", "福建省", "平潭综合实验区")]
    assert _rows(con, "select count(*) from marts.fct_unmapped_labels")[0][0] == 1


@pytest.mark.slow
def test_rerun_leaves_marts_identical(warehouse):
    assert warehouse["before"] == warehouse["after"]
    assert all(warehouse["before"][table] for table in MARTS)


ROW_LEVEL_TESTS = ("not_null", "accepted_values", "expression_is_true", "report_year_in_range")


@pytest.fixture(scope="module")
def project(warehouse):
    """The built project's manifest and the tests each refresh selector picks (dbt ls)."""
    work = warehouse["work"]
    manifest = json.loads((work / "target" / "manifest.json").read_text(encoding="utf-8"))
    selected = {}
    for selector in ("refresh", "refresh_incremental"):
        listed = run_dbt(
            ["ls", "--selector", selector, "--resource-type", "test", "--output", "name"],
            work / "warehouse.duckdb",
            work,
        )
        assert listed.success
        selected[selector] = set(listed.result)
    return {"manifest": manifest, "selected": selected}


def _gating_row_tests(manifest: dict) -> dict[str, list[str]]:
    """The marts' data tests that a row-level check states and that fail a build: mart
    table -> test names (macros/contract_constraints.sql)."""
    tests: dict[str, list[str]] = {}
    for node in manifest["nodes"].values():
        metadata = node.get("test_metadata") or {}
        if (
            node["resource_type"] == "test"
            and node["original_file_path"].startswith("models/marts")
            and metadata.get("name") in ROW_LEVEL_TESTS
            and node["config"]["severity"].lower() == "error"
        ):
            mart = manifest["nodes"][node["attached_node"]]
            assert mart["config"]["contract"]["enforced"], mart["name"]
            tests.setdefault(mart["name"], []).append(node["name"])
    return tests


def _downstream_of_sources(manifest: dict) -> set[str]:
    """Names of the nodes that read raw data, directly or through other models."""
    reached: set[str] = set()
    pending = list(manifest["sources"])
    while pending:
        for child in manifest["child_map"].get(pending.pop(), []):
            if child not in reached:
                reached.add(child)
                pending.append(child)
    return {manifest["nodes"][uid]["name"] for uid in reached if uid in manifest["nodes"]}


@pytest.mark.slow
def test_marts_enforce_their_gating_row_tests_as_constraints(warehouse, project):
    """Each such test is a CHECK constraint of its mart's table, and the incremental build
    leaves exactly those tests out (selectors.yml)."""
    tests = _gating_row_tests(project["manifest"])
    checks = dict(
        _rows(
            warehouse["con"],
            "select table_name, count(*) from duckdb_constraints() "
            "where schema_name = 'marts' and constraint_type = 'CHECK' group by table_name",
        )
    )
    assert {mart: len(names) for mart, names in tests.items()} == checks
    assert sum(checks.values()) > 100

    incremental = project["selected"]["refresh_incremental"]
    left_out = {name for names in tests.values() for name in names}
    assert not left_out & incremental
    assert any(name.startswith("relationships_fct_") for name in incremental)  # still run


def _raw_constraint_tests(manifest: dict, names: set[str]) -> dict[str, tuple]:
    """The raw tables' not_null and unique tests among ``names``: test name -> (test, schema,
    table, column)."""
    tests = {}
    for node in manifest["nodes"].values():
        if (
            node["resource_type"] == "test"
            and node["name"] in names
            and node["original_file_path"] == "models/staging/_sources.yml"
            and node["test_metadata"]["name"] in ("not_null", "unique")
        ):
            (source_name, table_name), *_ = node["sources"]
            source = manifest["sources"][f"source.xxgk.{source_name}.{table_name}"]
            kind = node["test_metadata"]["name"]
            tests[node["name"]] = (kind, source["schema"], table_name, node["column_name"])
    return tests


@pytest.fixture(scope="module")
def raw_constraints(tmp_path_factory) -> set[tuple[str, str, str, str]]:
    """(constraint, schema, table, column) of the NOT NULL and PRIMARY KEY constraints of a
    warehouse as xxgk creates it (ingest/db.py, transform/build_state.py)."""
    from ingest.db import ensure_raw_schema
    from transform.build_state import plan_build

    db = tmp_path_factory.mktemp("fresh") / "fresh.duckdb"
    with duckdb.connect(str(db)) as con:
        ensure_raw_schema(con)
    plan_build(db, ROOT)  # creates the meta tables
    with duckdb.connect(str(db), read_only=True) as con:
        return {
            (kind, schema, table, column)
            for kind, schema, table, columns in con.execute(
                "select constraint_type, schema_name, table_name, constraint_column_names "
                "from duckdb_constraints() where constraint_type in ('NOT NULL', 'PRIMARY KEY')"
            ).fetchall()
            for column in columns
        }


@pytest.mark.slow
def test_incremental_builds_leave_out_only_raw_tests_backed_by_constraints(
    project, raw_constraints
):
    """The raw tables' tests refresh_incremental leaves out are each a NOT NULL or PRIMARY
    KEY constraint of a warehouse as xxgk creates it."""
    selected = project["selected"]
    left_out = _raw_constraint_tests(
        project["manifest"], selected["refresh"] - selected["refresh_incremental"]
    )
    assert len(left_out) >= 14
    _assert_enforced(left_out, raw_constraints)


def _assert_enforced(tests: dict[str, tuple], constraints: set[tuple]) -> None:
    """Each test (test, schema, table, column) is a constraint: not_null a NOT NULL, unique a
    PRIMARY KEY."""
    for name, (kind, schema, table, column) in tests.items():
        enforced = "PRIMARY KEY" if kind == "unique" else "NOT NULL"
        assert (enforced, schema, table, column) in constraints, name


# how a staging view may pass a raw column on and keep it non-null (and distinct)
PASSED_ON = r"(?:lower\(trim\({c}\)\)|trim\({c}\)|cast\({c} as \w+\)|{c})"


def _restated_constraint_tests(manifest: dict) -> dict[str, tuple[str, str, str, str]]:
    """The staging tests tagged raw_constraint: test name -> (test, schema, table, column) of
    the raw column each restates, checked to pass straight through its view."""
    tests = {}
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test" or "raw_constraint" not in node["tags"]:
            continue
        model = manifest["nodes"][node["attached_node"]]
        assert model["original_file_path"].startswith("models/staging/"), node["name"]
        (source,) = model["depends_on"]["nodes"]  # one raw table, nothing else
        assert source.startswith("source."), node["name"]
        sql = model["raw_code"].lower()
        assert not re.search(r"\b(join|where|union|group by|having|qualify)\b", sql), node["name"]
        column = node["column_name"]
        defining = [
            line.strip().rstrip(",")
            for line in sql.splitlines()
            if re.search(rf"(^\s*|\bas\s+){column},?\s*$", line)
        ]
        allowed = re.compile(rf"{PASSED_ON.format(c=column)}(\s+as\s+{column})?")
        assert defining and all(allowed.fullmatch(line) for line in defining), (
            node["name"],
            defining,
        )
        table = manifest["sources"][source]
        tests[node["name"]] = (
            node["test_metadata"]["name"],
            table["schema"],
            table["name"],
            column,
        )
    return tests


@pytest.mark.slow
def test_staging_tests_left_out_restate_a_raw_constraint(project, raw_constraints):
    """refresh_incremental leaves out the staging tests tagged raw_constraint: each passes a
    column of one raw table through its view unchanged but for trim, lower or cast (no join,
    no filter), and that column is NOT NULL (for not_null) or the key (for unique)."""
    tests = _restated_constraint_tests(project["manifest"])
    assert len(tests) >= 19
    assert not set(tests) & project["selected"]["refresh_incremental"]
    assert set(tests) <= project["selected"]["refresh"]
    _assert_enforced(tests, raw_constraints)


def _scoped_uniqueness_tests(manifest: dict) -> dict[str, tuple[dict, str, bool]]:
    """The uniqueness tests given a changed_reports_key: test name -> (model node, key,
    whether the model replaces every version of a changed report)."""
    tests = {}
    for node in manifest["nodes"].values():
        kwargs = (node.get("test_metadata") or {}).get("kwargs", {})
        if node["resource_type"] == "test" and kwargs.get("changed_reports_key"):
            model = manifest["nodes"][node["attached_node"]]
            versions = bool(kwargs.get("replaces_versions"))
            tests[node["name"]] = (model, kwargs["changed_reports_key"], versions)
    return tests


@pytest.mark.slow
def test_uniqueness_read_from_changed_reports_only_where_models_replace_them(project):
    """On an incremental build a uniqueness test with a changed_reports_key reads the changed
    reports' rows only (macros/test_unique_combination_of_columns.sql), or those of every
    version of a changed report (replaces_versions). That is sound only when the model
    replaces rows by that key alone: a pre-hook deletes the changed reports' (or versions')
    rows by it (nothing else), and every model it reads is filtered on it."""
    tests = _scoped_uniqueness_tests(project["manifest"])
    assert len(tests) == 3
    assert sum(versions for _, _, versions in tests.values()) == 1
    for name, (model, key, versions) in tests.items():
        assert model["config"]["materialized"] == "incremental", name
        hooks = [hook["sql"].replace(" ", "") for hook in model["config"]["pre-hook"]]
        scope = ",versions=true" if versions else ""
        assert hooks == [f"{{{{delete_changed_reports('{key}'{scope})}}}}"], name
        sql = model["raw_code"]
        assert "source(" not in sql, name  # every input is a model, filtered below
        reads = re.findall(r"\{\{\s*ref\('\w+'\)\s*\}\}(.*?)\n\)", sql, re.S)
        assert reads and len(reads) == sql.count("ref("), name
        scoped = f"'{key}', 'changed_versions')" if versions else f"'{key}')"
        assert all(f"report_increment_filter({scoped}" in where for where in reads), name
        assert name in project["selected"]["refresh_incremental"]


@pytest.mark.slow
def test_scoped_uniqueness_tests_miss_no_duplicate_of_a_changed_report(warehouse, tmp_path):
    """The incremental build's test reads the changed reports' rows, finds a duplicate among
    them, and leaves the rest (checked when built) unread; any other build reads all rows."""
    db = tmp_path / "warehouse.duckdb"
    shutil.copyfile(warehouse["work"] / "warehouse.duckdb", db)
    compiled = {}
    for selector in ("refresh_incremental", "refresh"):
        result = run_dbt(["compile", "--selector", selector], db, tmp_path / selector)
        assert result.success, result.exception
        compiled[selector] = {
            r.node.name: r.node.compiled_code
            for r in result.result
            if r.node.name.startswith("unique_combination_of_columns_fct_report_metrics_")
        }
    (incremental_sql,) = compiled["refresh_incremental"].values()
    (full_sql,) = compiled["refresh"].values()
    assert "changed_reports" in incremental_sql and "changed_reports" not in full_sql
    with duckdb.connect(str(db)) as con:
        changed, unchanged = (
            report
            for (report,) in con.execute(
                "select distinct report_id from marts.fct_report_metrics order by 1 limit 2"
            ).fetchall()
        )
        con.execute("delete from meta.changed_reports")
        con.execute("insert into meta.changed_reports values (?)", [changed])
        assert con.execute(incremental_sql).fetchall() == []
        for report in (unchanged, changed):  # a duplicate outside, then inside the scope
            con.execute(
                "insert into marts.fct_report_metrics select * from marts.fct_report_metrics "
                "where report_id = ? limit 1",
                [report],
            )
            assert len(con.execute(full_sql).fetchall()) == (1 if report == unchanged else 2)
        found = con.execute(incremental_sql).fetchall()
    assert [row[0] for row in found] == [changed]


def test_raw_tables_of_an_earlier_version_get_their_constraints(tmp_path):
    from ingest.db import ensure_raw_schema

    db = tmp_path / "older.duckdb"
    with duckdb.connect(str(db)) as con:
        con.execute("create schema raw")
        con.execute(
            "create table raw.cells (document_id varchar, parser_version varchar, "
            "metric_code varchar)"
        )
        con.execute("create table raw.documents (document_id varchar, source_file varchar)")
        con.execute("insert into raw.cells values ('d1', 'p', 'old.s1')")
        ensure_raw_schema(con)  # adds the columns the tables lack, and the constraints
        with pytest.raises(duckdb.ConstraintException, match="NOT NULL"):
            con.execute("insert into raw.cells (document_id, parser_version) values ('d2', 'p')")
        con.execute("insert into raw.documents (document_id, source_file) values ('d1', 'a.txt')")
        with pytest.raises(duckdb.ConstraintException, match="(?i)duplicate key"):
            con.execute("insert into raw.documents (document_id, source_file) values ('d1', 'b')")

    broken = tmp_path / "broken.duckdb"
    with duckdb.connect(str(broken)) as con:
        con.execute("create schema raw")
        con.execute("create table raw.cells (document_id varchar, applicant varchar)")
        con.execute("insert into raw.cells values ('d1', null)")  # applicant: not null now
        with pytest.raises(duckdb.ConstraintException, match=r"raw\.cells holds rows"):
            ensure_raw_schema(con)


@pytest.mark.slow
def test_incremental_builds_run_every_test_that_can_fail_them(project):
    """refresh_incremental leaves out the warnings (they never fail a build) and the
    constraint-enforced tests of the raw tables and the marts; every other test of
    `refresh` that reads raw data runs."""
    manifest, selected = project["manifest"], project["selected"]
    severity = {
        node["name"]: node["config"]["severity"].lower()
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
    }
    constraints = {name for names in _gating_row_tests(manifest).values() for name in names}
    constraints |= set(_raw_constraint_tests(manifest, selected["refresh"]))
    constraints |= set(_restated_constraint_tests(manifest))
    warnings = {name for name in selected["refresh"] if severity[name] == "warn"}
    assert len(warnings) > 50
    assert not warnings & selected["refresh_incremental"]
    # the rest of refresh, less the tests of models built from seeds alone (not rebuilt)
    gating = (selected["refresh"] - warnings - constraints) & _downstream_of_sources(manifest)
    assert gating
    assert gating <= selected["refresh_incremental"]


@pytest.mark.slow
def test_a_row_breaking_a_marts_test_is_refused(warehouse, tmp_path):
    copy = tmp_path / "copy.duckdb"
    shutil.copy(warehouse["work"] / "warehouse.duckdb", copy)
    with duckdb.connect(str(copy)) as con:
        insert = "insert into marts.dim_report select * replace ({} as {}) from marts.dim_report"
        # accepted_values on scope, not_null on report_id
        for value, column in (("'province-wide'", "scope"), ("null", "report_id")):
            with pytest.raises(duckdb.ConstraintException, match="CHECK constraint"):
                con.execute(insert.format(value, column) + " limit 1")
        con.execute("insert into marts.dim_report select * from marts.dim_report limit 1")
