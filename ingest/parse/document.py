"""Parse one landed document: attributes, template and statistic cells with provenance."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ingest.parse.headings import split_glued_headings
from ingest.parse.local_template import parse_local_table
from ingest.parse.lookalikes import reading_text
from ingest.parse.national_tables import national_parser
from ingest.parse.old_template import parse_old_table
from ingest.parse.output import Cell, UnmappedLabel
from ingest.parse.prose import PROSE_VERSION
from ingest.parse.provenance import PROVENANCE_VERSION
from ingest.parse.reference import Reference, default_reference
from ingest.parse.report_attributes import DocumentHints, is_annual_report, read_attributes
from ingest.parse.statistics_sections import statistics_sections, template_from_sections

# The prose reader (ingest/parse/prose.py) and the cells' provenance (provenance.py: TAB
# cell, page, OCR box) are part of the parse: a change to any of them must re-parse the
# landed documents, so the stored version names them all.
PARSER_VERSION = f"0.2.0+prose.{PROSE_VERSION}+prov.{PROVENANCE_VERSION}"


@dataclass
class ParsedDocument:
    attributes: dict[str, Any]
    cells: list[dict[str, Any]] = field(default_factory=list)
    unmapped: list[dict[str, Any]] = field(default_factory=list)


def parse_document(
    document_id: str,
    text: str,
    reference: Reference | None = None,
    hints: DocumentHints | None = None,
) -> ParsedDocument:
    """Read a report's statistics; a document without a known table is template `none`.

    `hints` (file name, an out-of-body title) inform the report's attributes where the body
    lacks them."""
    reference = reference or default_reference()
    text = reading_text(text)  # line numbers hold
    lines, origin = split_glued_headings(text.splitlines())
    attributes = read_attributes(lines, text, reference, hints)
    cells: list[Cell] = []
    unmapped: list[UnmappedLabel] = []
    national = national_parser(reference).parse(lines)
    if national.found:
        template = national.template or _template_by_year(attributes.report_year)
        cells, unmapped = national.cells, national.unmapped
        status, note = "parsed", "; ".join(national.notes) or None
    elif (local := parse_local_table(lines)).found:
        template, cells, unmapped = "local", local.cells, local.unmapped
        status, note = "parsed", f"local form {local.form}"
    else:
        old = parse_old_table(lines, reference)
        sections = statistics_sections(lines)
        if old.found:
            template, cells, unmapped = "old", old.cells, old.unmapped
            status, note = "parsed", old.note
        elif sections:
            # the report prints its statistics, but no table could be read: never silently none
            template = template_from_sections(sections, text, attributes.report_year)
            status = "table_unread"
            tried = "; ".join(national.unread) or "no table layout the parser knows"
            note = f"statistics present ({', '.join(sections)}) but no table could be read: {tried}"
        elif is_annual_report(attributes.title):
            template, status = "none", "no_table"
            note = "an annual report without a statistics table of a known template"
        else:
            template, status = "none", "not_a_report"
            note = f"not an annual report (title: {attributes.title!r}); no statistics read"
    if origin and len(origin) != origin[-1]:  # headings were split off: lines renumbered
        _to_stored_lines(cells, unmapped, origin)
    record = {
        "title": attributes.title,
        "title_line": origin[attributes.title_line - 1] if attributes.title_line else None,
        "issuer": attributes.issuer,
        "region_name": attributes.region_name,
        "region_code": attributes.region_code,
        "scope": attributes.scope,
        "report_year": attributes.report_year,
        "template": template,
        "parse_status": status,
        "parse_note": note,
        "attribute_sources": json.dumps(attributes.sources, ensure_ascii=False, sort_keys=True),
    }
    return ParsedDocument(
        attributes=record,
        cells=[c.as_record() for c in cells],
        unmapped=[u.as_record() for u in unmapped],
    )


def _to_stored_lines(cells: list[Cell], unmapped: list[UnmappedLabel], origin: list[int]) -> None:
    """Line numbers of the split lines back to the stored text's."""
    items: list[Cell | UnmappedLabel] = [*cells, *unmapped]
    for item in items:
        if item.source_line is not None:
            item.source_line = origin[item.source_line - 1]


def _template_by_year(year: int | None) -> str:
    if year is None:
        return "v2021"
    return "old" if year <= 2018 else "v2019" if year <= 2020 else "v2021"


__all__ = ["DocumentHints", "ParsedDocument", "parse_document", "PARSER_VERSION"]
