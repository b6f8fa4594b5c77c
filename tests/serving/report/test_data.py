"""serving/report/data.py reads the grant rate the model defines, pooled by handled requests."""

from __future__ import annotations

import duckdb

from serving.report.data import grant_rate_by_region


def test_the_regional_grant_rate_pools_the_models_rate_by_handled_requests() -> None:
    con = duckdb.connect()
    con.execute("create schema marts")
    # only grant_rate carries the outcome: the report must not recompute it from the parts
    con.execute(
        "create table marts.fct_report_measures_wide as select * from (values "
        "('甲', 1.0, 1, null, null), ('甲', 0.0, 9, null, null), ('乙', 0.5, 4, null, null), "
        "(null, null, 0, null, null)) as t(region_name, grant_rate, requests_handled, "
        "requests_granted, requests_partial)"
    )
    assert grant_rate_by_region(con).rows() == [("乙", 0.5, 4, 1), ("甲", 0.1, 10, 2)]
