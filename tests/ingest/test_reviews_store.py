"""The reviews store (ingest/reviews.py): append-only actions with reviewer, reason and
time, and a run's copy of it into raw.review_* that lists the reports whose reviews changed.
No dbt here: a few DuckDB files in a temporary folder (well under a second)."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import pytest

from ingest.reviews import (
    Correction,
    ReviewError,
    Verdict,
    append,
    land_reviews,
    stored_reviews,
)


def verdict(report: str = "r1", kind: str = "read_error", by: str = "王") -> Verdict:
    return Verdict(report, "t4.review_sum", "total", None, kind, "the scan shows 2", by)


def correction(report: str = "r1", value: float | None = 2.0) -> Correction:
    return Correction(report, "t4.review.total", "total", value, "the scan shows 2", "王")


def changed(db: Path) -> set[str]:
    with duckdb.connect(str(db), read_only=True) as con:
        return {r[0] for r in con.execute("select report_id from meta.changed_reports").fetchall()}


def test_actions_are_appended_with_their_reviewer_reason_and_time(tmp_path: Path) -> None:
    store = tmp_path / "w.reviews.duckdb"
    first = append(store, [verdict(), correction()])
    second = append(store, [verdict(kind="pending"), correction(value=None)])
    assert len(set(first + second)) == 4
    found = stored_reviews(store, "r1")
    assert [r["verdict"] for r in found["review_verdicts"]] == ["pending", "read_error"]
    assert [r["corrected_value"] for r in found["review_corrections"]] == [None, 2.0]
    assert {r["reviewed_by"] for r in found["review_corrections"]} == {"王"}
    assert all(r["reviewed_at"] is not None for r in found["review_verdicts"])
    assert stored_reviews(tmp_path / "none.duckdb", "r1")["review_verdicts"] == []


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (verdict(by="  "), "reviewer's name is required"),
        (verdict(kind="ignore"), "verdict must be one of"),
        (Verdict("r1", "c", "total", None, "read_error", " ", "王"), "reason is required"),
        (correction(value=math.nan), "must be a number"),
    ],
)
def test_an_incomplete_action_is_refused_and_nothing_is_stored(
    tmp_path: Path, action: Verdict | Correction, message: str
) -> None:
    store = tmp_path / "w.reviews.duckdb"
    with pytest.raises(ReviewError, match=message):
        append(store, [verdict(), action])
    assert not store.exists()


def test_each_run_copies_the_store_and_lists_the_reports_whose_reviews_changed(
    tmp_path: Path,
) -> None:
    work, store = tmp_path / "w.build.duckdb", tmp_path / "w.reviews.duckdb"
    landing = land_reviews(work, store)
    assert (landing.verdicts, landing.corrections, landing.changed_reports) == (0, 0, 0)
    assert "no reviews store" in str(landing)

    append(store, [verdict("r1"), correction("r2")])
    landing = land_reviews(work, store)
    assert (landing.verdicts, landing.corrections, landing.changed_reports) == (1, 1, 2)
    assert changed(work) == {"r1", "r2"}

    with duckdb.connect(str(work)) as con:  # the build then clears the list
        con.execute("delete from meta.changed_reports")
    assert land_reviews(work, store).changed_reports == 0  # nothing new: nothing listed
    append(store, [verdict("r3")])
    assert land_reviews(work, store).changed_reports == 1
    assert changed(work) == {"r3"}

    store.unlink()  # the store removed: its reviews leave the warehouse too
    assert land_reviews(work, store).changed_reports == 3


def test_a_file_that_is_not_a_reviews_store_is_named(tmp_path: Path) -> None:
    store = tmp_path / "w.reviews.duckdb"
    store.write_text("not a database", encoding="utf-8")
    with pytest.raises(ReviewError, match="w.reviews.duckdb: cannot be read as a reviews store"):
        land_reviews(tmp_path / "w.build.duckdb", store)
    with duckdb.connect(str(tmp_path / "other.duckdb")) as con:
        con.execute("create table t (x int)")
    with pytest.raises(ReviewError, match="not a reviews store"):
        land_reviews(tmp_path / "w.build.duckdb", tmp_path / "other.duckdb")
