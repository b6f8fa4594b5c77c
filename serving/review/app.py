"""`xxgk review`: a local web app over the serving file (read-only) and the reviews store.

Pages are rendered on the server (Jinja2, no script, no CDN, no build step):

* ``/``: the reports, filterable by region, year, template, grade and failing check;
* ``/report/<id>``: the template's grid (each cell's reviewed value and status; the cells of
  failing checks marked), the document's text beside it (the selected cell's line marked),
  the checks with the review forms, the reviews recorded;
* ``/compare?a=<id>&b=<id>``: two reports side by side, and ``/compare.csv``,
  ``/compare.xlsx``.

A review (POST, with the CSRF token of security.py and a reviewer's name) is appended to the
reviews store (ingest/reviews.py); the next `xxgk run` applies it. The serving file is only
ever opened read-only.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlencode

from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.middleware.trustedhost import TrustedHostMiddleware

from core.paths import reviews_store_path
from ingest.reviews import Correction, Pin, ReviewError, Verdict, append, stored_reviews
from serving.review import compare, grid, page_image, warehouse
from serving.review.pages import STYLESHEET, environment
from serving.review.security import (
    BROWSER_COOKIE,
    TOKEN_FIELD,
    CsrfTokens,
    SafeByDefault,
    browser_id,
)

REVIEWER_COOKIE = "xxgk_reviewer"


@dataclass(frozen=True)
class Settings:
    serving_db: Path
    store: Path
    host: str = "127.0.0.1"


class BadRequest(ValueError):
    """A review form that cannot be stored; the message says why."""


def create_app(
    serving_db: Path,
    *,
    host: str = "127.0.0.1",
    store: Path | None = None,
    csrf: CsrfTokens | None = None,
) -> FastAPI:
    """The app over ``serving_db``; reviews go to ``store`` (default: beside it)."""
    settings = Settings(Path(serving_db).resolve(), store or reviews_store_path(serving_db), host)
    tokens = csrf or CsrfTokens()
    env = environment()
    app = FastAPI(title="xxgk review", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_middleware(SafeByDefault)
    app.add_middleware(
        TrustedHostMiddleware, allowed_hosts=sorted({host, "127.0.0.1", "localhost", "::1"})
    )
    app.mount("/static", StaticFiles(directory=STYLESHEET.parent), name="static")

    def page(request: Request, template: str, status: int = 200, **context: Any) -> HTMLResponse:
        with warehouse.serving(settings.serving_db) as con:
            version = warehouse.served_version(con)
        html = env.get_template(template).render(
            csrf_token=tokens.token(browser_id(request)),
            db_name=settings.serving_db.name,
            version=version,
            inline_css=None,
            static=False,
            **context,
        )
        return HTMLResponse(html, status_code=status)

    def refuse(request: Request, status: int, message: str) -> HTMLResponse:
        return page(request, "error.html", status=status, message=message)

    @app.get("/", response_class=HTMLResponse)
    def reports(
        request: Request,
        region: str | None = None,
        year: str | None = None,
        template: str | None = None,
        grade: str | None = None,
        failing: str | None = None,
        open_only: str | None = None,
    ) -> HTMLResponse:
        filters = warehouse.ReportFilters(
            region=region or None,
            year=int(year) if year and year.isdigit() else None,
            template=template or None,
            grade=grade or None,
            failing=failing or None,
            open_only=bool(open_only),
        )
        with warehouse.serving(settings.serving_db) as con:
            found = warehouse.list_reports(con, filters)
            options = warehouse.filter_options(con)
        return page(request, "reports.html", reports=found, options=options, filters=filters)

    @app.get("/report/{report_id}", response_class=HTMLResponse)
    def report_page(
        request: Request,
        report_id: str,
        cell: str | None = None,
        check: str | None = None,
        saved: str | None = None,
    ) -> HTMLResponse:
        try:
            with warehouse.serving(settings.serving_db) as con:
                context = report_context(con, settings.store, report_id, cell, check)
        except warehouse.NotFound:
            return refuse(request, 404, f"No report {report_id} in the served version.")
        return page(
            request,
            "report.html",
            saved=saved,
            reviewer=unquote(request.cookies.get(REVIEWER_COOKIE, "")),
            **context,
        )

    async def review_form(request: Request) -> dict[str, str]:
        form = await request.form()
        fields = {key: str(value) for key, value in form.items()}
        if not tokens.valid(request.cookies.get(BROWSER_COOKIE), fields.get(TOKEN_FIELD)):
            raise PermissionError("the form's CSRF token is missing or does not match")
        if not fields.get("reviewed_by", "").strip():
            raise BadRequest("a reviewer's name is required")
        return fields

    async def record(request: Request, report_id: str, build: Any, anchor: str) -> Response:
        try:
            fields = await review_form(request)
            with warehouse.serving(settings.serving_db) as con:
                warehouse.report(con, report_id)
                actions = build(con, report_id, fields)
            await run_in_threadpool(append, settings.store, actions)
        except PermissionError as exc:
            return refuse(request, 403, f"Refused: {exc}.")
        except warehouse.NotFound:
            return refuse(request, 404, f"No report {report_id} in the served version.")
        except (BadRequest, ReviewError) as exc:
            return refuse(request, 400, f"Not recorded: {exc}.")
        back = dict(request.query_params) | {"saved": str(len(actions))}
        response = RedirectResponse(
            f"/report/{report_id}?{urlencode(back)}#{anchor}", status_code=303
        )
        response.set_cookie(  # a convenience: the next form is filled in with the name
            REVIEWER_COOKIE, quote(fields["reviewed_by"].strip()), httponly=True, samesite="strict"
        )
        return response

    @app.get("/report/{report_id}/text", response_class=HTMLResponse)
    def report_text(
        request: Request, report_id: str, cell: str | None = None, check: str | None = None
    ) -> HTMLResponse:
        try:
            with warehouse.serving(settings.serving_db) as con:
                context = text_context(con, report_id, cell, check)
        except warehouse.NotFound:
            return refuse(request, 404, f"No report {report_id} in the served version.")
        return page(request, "text.html", **context)

    @app.get("/report/{report_id}/page/{page}.png")
    def page_picture(request: Request, report_id: str, page: int, cell: str) -> Response:
        """The band of the page around the box OCR read the cell from (page_image.py)."""
        key = _cell_key(cell)
        with warehouse.serving(settings.serving_db) as con:
            box = warehouse.ocr_box(con, report_id, *key) if key else None
            landed = page_image.landed_file(con, report_id) if box else None
        if box is None or box["source_page"] != page:
            return refuse(request, 404, f"OCR read no cell {cell} on page {page}.")
        if landed is None:
            return refuse(
                request,
                404,
                "The page image needs the file as it was landed; no published input folder "
                "holds it unchanged any more.",
            )
        image = page_image.page_as_read(*landed, page, box["render_dpi"])
        picture = page_image.boxed_band(
            image, (box["ocr_x0"], box["ocr_y0"], box["ocr_x1"], box["ocr_y1"])
        )
        return Response(picture, media_type="image/png")

    @app.post("/report/{report_id}/verdict")
    async def post_verdict(request: Request, report_id: str) -> Response:
        return await record(request, report_id, verdict_actions, "reviews")

    @app.post("/report/{report_id}/correction")
    async def post_correction(request: Request, report_id: str) -> Response:
        return await record(request, report_id, correction_actions, "reviews")

    @app.post("/report/{report_id}/pin")
    async def post_pin(request: Request, report_id: str) -> Response:
        return await record(request, report_id, pin_actions, "pin")

    @app.get("/compare", response_class=HTMLResponse)
    def compare_page(request: Request, a: str, b: str) -> HTMLResponse:
        try:
            with warehouse.serving(settings.serving_db) as con:
                comparison = compare.compare(con, a, b)
        except warehouse.NotFound as exc:
            return refuse(request, 404, f"No report {exc} in the served version.")
        query = urlencode({"a": a, "b": b})
        return page(
            request,
            "compare.html",
            comparison=comparison,
            downloads={"CSV": f"/compare.csv?{query}", "XLSX": f"/compare.xlsx?{query}"},
        )

    @app.get("/compare.{kind}")
    def compare_download(request: Request, kind: str, a: str, b: str) -> Response:
        if kind not in ("csv", "xlsx"):
            return refuse(request, 404, f"No download of kind {kind}.")
        try:
            with warehouse.serving(settings.serving_db) as con:
                comparison = compare.compare(con, a, b)
        except warehouse.NotFound as exc:
            return refuse(request, 404, f"No report {exc} in the served version.")
        body, media = (
            (compare.csv_bytes(comparison), "text/csv; charset=utf-8")
            if kind == "csv"
            else (
                compare.xlsx_bytes(comparison),
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
        )
        name = f"{compare.file_stem(comparison)}.{kind}"
        return Response(
            body,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    return app


def _cell_key(text: str | None) -> grid.CellKey | None:
    if not text or "|" not in text:
        return None
    metric_code, applicant = text.split("|", 1)
    return (metric_code, applicant)


def report_context(
    con: Any, store: Path, report_id: str, cell: str | None, check: str | None
) -> dict[str, Any]:
    """Everything the report page shows (warehouse.NotFound for an unknown report)."""
    report = warehouse.report(con, report_id)
    checks = warehouse.checks(con, report_id)
    cells = warehouse.reviewed_cells(con, report_id)
    by_key = {(c["metric_code"], c["applicant"]): c for c in cells}
    selected_cell = _cell_key(cell)
    marks = grid.highlights(checks, report_id, check, selected_cell)
    metrics = warehouse.template_metrics(con, report["template"])
    sections = grid.build_grid(metrics, cells, warehouse.applicants(con), marks)
    labels = {m["metric_code"]: m["label_zh"] for m in metrics}
    for check_row in checks:
        check_row["id"] = grid.check_id(check_row)
        check_row["own_cells"] = [
            {
                "key": f"{k['metric_code']}|{k['applicant']}",
                "metric_code": k["metric_code"],
                "applicant": k["applicant"],
                "label": labels.get(k["metric_code"], k["metric_code"]),
                "cell": by_key.get((k["metric_code"], k["applicant"]), {}),
            }
            for k in check_row.get("cell_keys") or []
            if k["report_id"] == report_id
        ]
    attention = [
        c for c in checks if c["printed_status"] == "fail" or c["status"] == "fail" or c["verdict"]
    ]
    quiet = [c for c in checks if c not in attention]
    selected = by_key.get(selected_cell) if selected_cell else None
    selected_line, _ = _lines_to_mark(checks, by_key, marks, selected_cell, check)
    stored = stored_reviews(store, report_id)
    applied = warehouse.applied_review_ids(con)
    return {
        "report": report,
        "sections": sections,
        "attention": attention,
        "quiet_counts": {
            status: sum(1 for c in quiet if c["status"] == status)
            for status in ("pass", "not_assessable")
        },
        "quiet": quiet,
        "selected_line": selected_line,
        "selected": selected,
        "selected_key": cell if selected_cell else None,
        "selected_label": labels.get(selected_cell[0], selected_cell[0]) if selected_cell else None,
        "selected_applicant": selected_cell[1] if selected_cell else None,
        "selected_check": check,
        "stored": stored,
        "applied": applied,
        "comparable": warehouse.comparable_reports(con, report_id),
        "versions": warehouse.versions(con, report_id),
        "store_name": store.name,
    }


def _lines_to_mark(
    checks: list[dict[str, Any]],
    by_key: dict[grid.CellKey, dict[str, Any]],
    marks: grid.Highlights,
    selected_cell: grid.CellKey | None,
    check: str | None,
) -> tuple[int | None, set[int]]:
    """The line of the text to mark as selected (the selected cell's, or the selected
    check's first), and the lines of the cells and text checks that fail."""
    failing = {by_key[key]["source_line"] for key in marks.failing if key in by_key}
    failing |= {c["source_line"] for c in checks if c["source_line"] and c["status"] == "fail"}
    failing.discard(None)
    if selected_cell is not None and selected_cell in by_key:
        return by_key[selected_cell]["source_line"], failing
    chosen = next((c for c in checks if grid.check_id(c) == check), None)
    if chosen is None:
        return None, failing
    own = [
        by_key.get((k["metric_code"], k["applicant"]), {}).get("source_line")
        for k in chosen.get("cell_keys") or []
        if k["report_id"] == chosen["report_id"]
    ]
    return chosen["source_line"] or next((line for line in own if line), None), failing


def text_context(con: Any, report_id: str, cell: str | None, check: str | None) -> dict[str, Any]:
    """What the text frame shows: the document's lines, the selected one and the failing
    ones marked (warehouse.NotFound for an unknown report)."""
    report = warehouse.report(con, report_id)
    checks = warehouse.checks(con, report_id)
    by_key = {
        (c["metric_code"], c["applicant"]): c for c in warehouse.reviewed_cells(con, report_id)
    }
    selected_cell = _cell_key(cell)
    marks = grid.highlights(checks, report_id, check, selected_cell)
    selected_line, failing_lines = _lines_to_mark(checks, by_key, marks, selected_cell, check)
    return {
        "report": report,
        "lines": warehouse.text_lines(con, report_id),
        "selected_line": selected_line,
        "failing_lines": failing_lines,
    }


def _value(text: str, where: str) -> float | None:
    text = text.strip().replace(",", "").replace("，", "")
    if not text:
        return None
    try:
        return float(text)
    except ValueError as exc:
        raise BadRequest(f"the corrected value of {where} must be a number, not {text!r}") from exc


def verdict_actions(con: Any, report_id: str, fields: dict[str, str]) -> list[Any]:
    """A verdict on one failing check instance of the report, and the corrected values of
    its cells the reviewer entered (``value:<metric>|<applicant>`` fields)."""
    code, instance = fields.get("check_code", ""), fields.get("instance", "")
    related = fields.get("related_report_id") or None
    found = [
        c
        for c in warehouse.checks(con, report_id)
        if (c["check_code"], c["instance"], c["related_report_id"]) == (code, instance, related)
        and c["report_id"] == report_id
    ]
    if not found:
        raise BadRequest(f"the report has no check instance {code} [{instance}]")
    own = {
        (k["metric_code"], k["applicant"])
        for k in found[0]["cell_keys"] or []
        if k["report_id"] == report_id
    }
    common = {"reason": fields.get("reason", ""), "reviewed_by": fields.get("reviewed_by", "")}
    actions: list[Any] = [
        Verdict(report_id, code, instance, related, fields.get("verdict", ""), **common)
    ]
    for name, text in fields.items():
        key = _cell_key(name.removeprefix("value:")) if name.startswith("value:") else None
        if key is None or not text.strip():
            continue
        if key not in own:
            raise BadRequest(f"{key[0]}[{key[1]}] is not a cell of {code} [{instance}]")
        actions.append(Correction(report_id, *key, _value(text, f"{key[0]}[{key[1]}]"), **common))
    return actions


def correction_actions(con: Any, report_id: str, fields: dict[str, str]) -> list[Any]:
    """A corrected value for one cell of the report's template (empty: as printed again)."""
    key = (fields.get("metric_code", ""), fields.get("applicant", ""))
    report = warehouse.report(con, report_id)
    codes = {m["metric_code"] for m in warehouse.template_metrics(con, report["template"])}
    known = {(c["metric_code"], c["applicant"]) for c in warehouse.reviewed_cells(con, report_id)}
    applicants = {a["applicant"] for a in warehouse.applicants(con)}
    if key not in known and not (key[0] in codes and key[1] in applicants):
        raise BadRequest(f"{key[0]}[{key[1]}] is not a cell of the report's template")
    value = _value(fields.get("corrected_value", ""), f"{key[0]}[{key[1]}]")
    return [
        Correction(
            report_id,
            *key,
            value,
            reason=fields.get("reason", ""),
            reviewed_by=fields.get("reviewed_by", ""),
        )
    ]


def pin_actions(con: Any, report_id: str, fields: dict[str, str]) -> list[Any]:
    """A pin of the report's canonical version: ``chosen_report_id``, one of the versions of
    the document's report (seeds/canonical_choices.csv's format, the report named by this
    document's report_id)."""
    versions = {v["report_id"] for v in warehouse.versions(con, report_id)}
    if len(versions) < 2:
        raise BadRequest("the report has one version: there is no canonical version to choose")
    chosen = fields.get("chosen_report_id", "").strip()
    if chosen not in versions:
        raise BadRequest(f"{chosen or 'no document'} is not a version of this report")
    return [
        Pin(
            report_id,
            chosen,
            reason=fields.get("reason", ""),
            reviewed_by=fields.get("reviewed_by", ""),
        )
    ]
