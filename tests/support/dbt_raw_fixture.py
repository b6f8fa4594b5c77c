"""Crafted `raw` schema for the dbt model tests (tests/transform/test_dbt_models.py).

create_raw_schema() makes the raw tables from their one declaration (ingest/db.py's
RAW_TABLES), without constraints so that tests may plant bad rows; load_fixture() fills
them with a handful of hand-made reports whose expected mart
rows are easy to work out by hand (insert_reports() adds more, as
tests/transform/test_quality_models.py does; these reports state no prose numbers):

* V2019   v2019, full tables 三/四; t4.lit_after_review.total (0) ≠ its parts (5) → fail;
          采购总金额 printed as `251000元` (template unit unspecified: kept as printed);
          a signed 本年增/减 of -139; one `uncertain` table-二 cell.
* OLD     old, 统计表 with the 四、行政复议数量 total absent → old.review_sum not_assessable;
          七、收取的费用 printed `5000元` → 0.5 万元; 专项经费 `198.93` (no unit) → 198.93.
* HYBRID  hybrid (v2021 table 二 + v2019-style table 三 with the single t3.result.other
          row); research column of t3.carried_over blank → that column's t3.balance and
          that row's t3.applicant_sum are not_assessable; 收费金额 `7730.28`.
* V2021   v2021 with the three t3.result.other.* sub-rows; everything passes.
* LOCAL   local Fujian form mapped to old.* codes plus local.* codes.
* NOPARSE a landed document with no report_attributes row (template `none`).
* LETTER  a document the parser judged not to be a report (template `none`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import duckdb

from core.paths import ROOT
from ingest.db import HELD_BACK_VIEW, RAW_TABLES, columns
from ingest.parse.reference import applicant_columns

APPLICANTS = applicant_columns()[:-1]  # the six applicant columns, without `total`

PROJECT_DIR = ROOT
PARSER_VERSION = "test-0"
LANDED_AT = datetime(2026, 11, 22, 12, 0, 0)


def doc_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass
class Report:
    key: str
    source_file: str
    text: str
    attributes: dict | None
    cells: list[tuple] = field(default_factory=list)
    line: int = 0
    prose: list[tuple] = field(default_factory=list)

    @property
    def document_id(self) -> str:
        return doc_id(self.text)

    def cell(
        self,
        section,
        metric_code,
        value_text,
        applicant="total",
        *,
        unit=None,
        status="printed",
        raw=None,
        alternatives=None,
    ):
        self.line += 1
        if raw is None:
            raw = "" if value_text is None else f"{value_text}{unit or ''}"
        self.cells.append(
            (
                self.document_id,
                PARSER_VERSION,
                section,
                metric_code,
                applicant,
                metric_code,
                raw,
                value_text,
                unit,
                status,
                self.line,
                "exact",
                100.0,
                alternatives,
            )
        )

    def prose_number(self, measure, value_text, line, *, subject="unspecified", phrase=None):
        """A number the report's text states (a raw.prose_numbers row)."""
        occurrence = 1 + sum(1 for p in self.prose if p[2] == measure and p[6] == line)
        phrase = phrase or f"{measure} {value_text}"
        self.prose.append(
            (self.document_id, "test", measure, value_text, False, subject, line, occurrence)
            + (phrase, phrase)
        )


def _t3(
    report: Report, rows: dict[str, dict[str, int]], blanks: set[tuple[str, str]] = frozenset()
):
    """Write table 三: rows maps metric -> {applicant: value} (missing applicants are 0);
    the total column is the row sum. (metric, applicant) pairs in blanks are written blank."""
    for metric, per_applicant in rows.items():
        values = {a: per_applicant.get(a, 0) for a in APPLICANTS}
        values["total"] = sum(values.values())
        for applicant, value in values.items():
            if (metric, applicant) in blanks:
                report.cell("t3", metric, None, applicant, status="blank", raw="")
            else:
                report.cell("t3", metric, str(value), applicant)


def _t3_rows(other_rows: list[str]) -> dict[str, dict[str, int]]:
    """A balanced table 三: 30+3 new, 2+0 carried over, outcomes below, rest carried forward."""
    leaves = {
        "t3.result.granted": {"natural_person": 10, "commercial": 1},
        "t3.result.partial": {"natural_person": 2},
        "t3.result.denied.state_secret": {"natural_person": 1},
        "t3.result.denied.law_forbidden": {},
        "t3.result.denied.three_safety": {},
        "t3.result.denied.third_party": {"natural_person": 1},
        "t3.result.denied.internal_affairs": {},
        "t3.result.denied.process_info": {},
        "t3.result.denied.enforcement_file": {},
        "t3.result.denied.admin_query": {},
        "t3.result.unable.not_held": {"natural_person": 7, "commercial": 1},
        "t3.result.unable.need_create": {},
        "t3.result.unable.unclear": {},
        "t3.result.not_processed.petition": {},
        "t3.result.not_processed.duplicate": {"natural_person": 3},
        "t3.result.not_processed.publication": {},
        "t3.result.not_processed.mass_repeat": {},
        "t3.result.not_processed.confirm": {},
    }
    for i, code in enumerate(other_rows):
        leaves[code] = {"natural_person": 2} if i == 0 else {}
    new = {"natural_person": 30, "commercial": 3}
    carried = {"natural_person": 2}
    total = {a: sum(v.get(a, 0) for v in leaves.values()) for a in APPLICANTS}
    forward = {a: new.get(a, 0) + carried.get(a, 0) - total[a] for a in APPLICANTS}
    rows = {"t3.new_received": new, "t3.carried_over": carried}
    rows.update(leaves)
    rows["t3.result.total"] = total
    rows["t3.carry_forward"] = forward
    return rows


def _t4(report: Report, blocks: dict[str, tuple[int, int, int, int, int]]):
    for block, (upheld, corrected, other, pending, total) in blocks.items():
        for part, value in zip(
            ("upheld", "corrected", "other", "pending", "total"),
            (upheld, corrected, other, pending, total),
            strict=True,
        ):
            report.cell("t4", f"t4.{block}.{part}", str(value))


def _attributes(
    template,
    year,
    *,
    title="",
    region_code="640400",
    region_name="固原市",
    issuer="固原市人民政府",
    scope="aggregate",
    parse_status="parsed",
):
    return {
        "title": title,
        "title_line": 1,
        "issuer": issuer,
        "region_name": region_name,
        "region_code": region_code,
        "scope": scope,
        "report_year": year,
        "template": template,
        "parse_status": parse_status,
        "parse_note": None,
    }


def build_reports() -> dict[str, Report]:
    reports: dict[str, Report] = {}

    # --- v2019: t4.lit_after_review_sum fails -------------------------------------------
    r = Report(
        "V2019",
        "v2019_report.txt",
        "固原市人民政府2019年政府信息公开工作年度报告\n(v2019 fixture)\n",
        _attributes("v2019", 2019, title="固原市人民政府2019年政府信息公开工作年度报告"),
    )
    r.cell("t2", "t2.art20_1.normative_doc.new_made", "12")
    r.cell("t2", "t2.art20_1.normative_doc.new_published", "12")
    r.cell("t2", "t2.art20_6.penalty.prev_items", "2532")
    r.cell("t2", "t2.art20_6.penalty.delta_items", "-139")
    r.cell("t2", "t2.art20_6.penalty.decisions", "2393")
    r.cell("t2", "t2.art20_9.procurement.projects", "6")
    r.cell("t2", "t2.art20_9.procurement.amount", "251000", unit="元")
    r.cell(
        "t2",
        "t2.art20_5.licensing.decisions",
        "3960",
        status="uncertain",
        raw="3960181",
        alternatives='["396", "39601"]',
    )
    _t3(r, _t3_rows(["t3.result.other"]))
    _t4(
        r,
        {
            "review": (1, 0, 0, 0, 1),
            "lit_direct": (0, 0, 0, 0, 0),
            "lit_after_review": (5, 0, 0, 0, 0),
        },
    )
    reports[r.key] = r

    # --- old: review total absent ------------------------------------------------------
    r = Report(
        "OLD",
        "old_report.txt",
        "固原市2018年政府信息公开工作年度报告\n(old fixture)\n",
        _attributes("old", 2018, title="固原市2018年政府信息公开工作年度报告"),
    )
    old_cells = {
        "old.s1.proactive_items.normative_issued": "96",
        "old.s3.received": "41",
        "old.s3.received.in_person": "0",
        "old.s3.received.fax": "0",
        "old.s3.received.online": "14",
        "old.s3.received.letter": "27",
        "old.s3.closed": "41",
        "old.s3.closed.on_time": "41",
        "old.s3.closed.extended": "0",
        "old.s3.replies": "41",
        "old.s3.replies.already_public": "5",
        "old.s3.replies.granted": "28",
        "old.s3.replies.partial": "1",
        "old.s3.replies.denied": "0",
        "old.s3.replies.not_this_agency": "3",
        "old.s3.replies.not_exist": "4",
        "old.s3.replies.amend": "0",
        "old.s3.replies.other_channel": "0",
        # old.s4.review (the total) is deliberately absent
        "old.s4.review.upheld": "0",
        "old.s4.review.corrected": "0",
        "old.s4.review.other": "0",
        "old.s5.litigation": "2",
        "old.s5.litigation.upheld": "1",
        "old.s5.litigation.corrected": "1",
        "old.s5.litigation.other": "0",
        "old.s8.staff": "343",
        "old.s8.staff.full_time": "168",
        "old.s8.staff.part_time": "175",
    }
    for code, value in old_cells.items():
        r.cell("old", code, value)
    r.cell("old", "old.s7.fees", "5000", unit="元")
    r.cell("old", "old.s8.budget", "198.93")
    reports[r.key] = r

    # --- hybrid: a blank cell in the research column ------------------------------------
    r = Report(
        "HYBRID",
        "hybrid_report.pdf",
        "洪泽区人民政府2023年政府信息公开工作年度报告\n(hybrid fixture)\n",
        _attributes(
            "hybrid",
            2023,
            title="洪泽区人民政府2023年政府信息公开工作年度报告",
            region_code="320813",
            region_name="洪泽区",
            issuer="淮安市洪泽区人民政府",
        ),
    )
    r.cell("t2", "t2.art20_1.normative_doc.issued", "7")
    r.cell("t2", "t2.art20_1.normative_doc.repealed", "1")
    r.cell("t2", "t2.art20_1.normative_doc.in_force", "40")
    r.cell("t2", "t2.art20_8.fee.amount", "7730.28")
    _t3(r, _t3_rows(["t3.result.other"]), blanks={("t3.carried_over", "research")})
    _t4(
        r,
        {
            "review": (2, 1, 0, 0, 3),
            "lit_direct": (0, 0, 0, 0, 0),
            "lit_after_review": (1, 1, 0, 0, 2),
        },
    )
    reports[r.key] = r

    # --- v2021: three other-handling sub-rows, all checks pass --------------------------
    r = Report(
        "V2021",
        "v2021_report.html",
        "平潭综合实验区2022年政府信息公开工作年度报告\n(v2021 fixture)\n",
        _attributes(
            "v2021",
            2022,
            title="平潭综合实验区2022年政府信息公开工作年度报告",
            region_code="350128",
            region_name="平潭综合实验区",
            issuer="平潭综合实验区管委会",
        ),
    )
    r.cell("t2", "t2.art20_1.normative_doc.issued", "88")
    r.cell("t2", "t2.art20_8.fee.amount", "91163600", unit="元")
    _t3(
        r,
        _t3_rows(
            ["t3.result.other.no_correction", "t3.result.other.no_fee", "t3.result.other.other"]
        ),
    )
    _t4(
        r,
        {
            "review": (0, 1, 1, 0, 2),
            "lit_direct": (1, 0, 0, 0, 1),
            "lit_after_review": (0, 0, 0, 0, 0),
        },
    )
    reports[r.key] = r

    # --- local Fujian form ------------------------------------------------------------
    r = Report(
        "LOCAL",
        "local_report.txt",
        "平潭综合实验区2011年政府信息公开工作年度报告\n(local fixture)\n",
        _attributes(
            "local",
            2011,
            title="平潭综合实验区2011年政府信息公开工作年度报告",
            region_code="350128",
            region_name="平潭综合实验区",
            issuer="平潭综合实验区管委会",
        ),
    )
    for code, value in {
        "old.s1.proactive_items": "425",
        "old.s3.received": "21",
        "old.s3.received.in_person": "18",
        "old.s3.received.fax": "0",
        "old.s3.received.letter": "0",
        "old.s3.replies": "21",
        "old.s3.replies.granted": "17",
        "old.s3.replies.partial": "2",
        "old.s3.replies.denied": "2",
        "old.s4.review": "0",
        "old.s5.litigation": "0",
    }.items():
        r.cell("local", code, value, unit="条")
    r.cell("local", "local.s3.received.email", "3", unit="条")
    r.cell("local", "local.s3.received.web", "0", unit="条")
    reports[r.key] = r

    # --- landed, never parsed -----------------------------------------------------------
    reports["NOPARSE"] = Report("NOPARSE", "scan.pdf", "%PDF scan with no text layer", None)

    # --- parsed, not a report -----------------------------------------------------------
    reports["LETTER"] = Report(
        "LETTER",
        "letter.txt",
        "关于2014年政府信息公开工作要点落实情况的函\n",
        _attributes(
            "none",
            2014,
            title="关于2014年政府信息公开工作要点落实情况的函",
            region_code="350128",
            region_name="平潭综合实验区",
            issuer="平潭综合实验区管委会办公室",
            scope=None,
            parse_status="not_a_report",
        ),
    )
    return reports


def run_dbt(args: list[str], db_path: Path, work_dir: Path):
    """``dbt <args>`` in-process on the project against ``db_path``; target/ and logs/ go
    into ``work_dir``, not into the repository. Returns dbt's result."""
    from dbt.cli.main import dbtRunner

    from transform.invoke import dbt_vars, release_warehouse_file

    try:
        return dbtRunner().invoke(
            [
                *args,
                "--project-dir",
                str(PROJECT_DIR),
                "--profiles-dir",
                str(PROJECT_DIR),
                "--target-path",
                str(work_dir / "target"),
                "--log-path",
                str(work_dir / "logs"),
                "--quiet",
                "--vars",
                json.dumps(dbt_vars(db_path)),
            ]
        )
    finally:
        release_warehouse_file()  # profiles.yml keeps the file open through a build


def create_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("create schema if not exists raw")
    for table, declared in RAW_TABLES.items():
        body = ", ".join(f"{name} {kind.split()[0]}" for name, kind in declared)
        con.execute(f"create or replace table raw.{table} ({body})")
    con.execute(HELD_BACK_VIEW)  # int_reports reads it


def _insert(con: duckdb.DuckDBPyConnection, table: str, row: dict) -> None:
    """One row, by column name (columns left out are NULL)."""
    names = ", ".join(row)
    marks = ", ".join("?" for _ in row)
    con.execute(f"insert into raw.{table} ({names}) values ({marks})", list(row.values()))


def _insert_positional(
    con: duckdb.DuckDBPyConnection, table: str, rows: Iterable[Iterable]
) -> None:
    """Rows whose values follow the table's first columns in order."""
    for row in rows:
        values = list(row)
        _insert(con, table, dict(zip(columns(table), values, strict=False)))


def insert_reports(con: duckdb.DuckDBPyConnection, reports: Iterable[Report]) -> None:
    """Write reports (documents, attributes, cells, prose numbers) into the raw tables."""
    for r in reports:
        data = r.text.encode("utf-8")
        media = r.source_file.rsplit(".", 1)[-1]
        _insert(
            con,
            "documents",
            {
                "document_id": r.document_id,
                "source_file": r.source_file,
                "source_path": f"in/{r.source_file}",
                "size_bytes": len(data),
                "sha256": hashlib.sha256(data).hexdigest(),
                "media_type": media,
                "encoding": None if media in ("pdf", "docx") else "utf-8",
                "extraction_status": "needs_ocr" if r.key == "NOPARSE" else "ok",
                "text": r.text,
                "extractor_version": "test",
                "landed_at": LANDED_AT,
            },
        )
        if r.attributes is not None:
            row = {"document_id": r.document_id, "parser_version": PARSER_VERSION}
            _insert(con, "report_attributes", row | dict(r.attributes))
        _insert_positional(con, "cells", r.cells)
        _insert_positional(con, "prose_numbers", r.prose)


def load_fixture(db_path: str) -> dict[str, str]:
    """Create and fill the raw schema in db_path; return {fixture key: document_id}."""
    reports = build_reports()
    with duckdb.connect(db_path) as con:
        create_raw_schema(con)
        insert_reports(con, reports.values())
        _insert_positional(
            con,
            "unmapped_labels",
            [
                [
                    reports["OLD"].document_id,
                    "old",
                    "十、其他情况",
                    "十其他情况",
                    120,
                    "old.s9",
                    41.0,
                ]
            ],
        )
        _insert_positional(
            con,
            "quarantine",
            [
                [
                    "in/broken.docx",
                    "broken.docx",
                    10,
                    None,
                    "The .docx file is not a valid zip archive.",
                    LANDED_AT,
                ]
            ],
        )
    return {key: r.document_id for key, r in reports.items()}


if __name__ == "__main__":  # pragma: no cover - manual use: fill a scratch database
    import sys

    ids = load_fixture(sys.argv[1])
    for key, value in ids.items():
        print(key, value)
