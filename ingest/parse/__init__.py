"""Statistics out of a landed document's text: attributes, template and cells."""

from ingest.parse.document import PARSER_VERSION, DocumentHints, ParsedDocument, parse_document

__all__ = ["PARSER_VERSION", "DocumentHints", "ParsedDocument", "parse_document"]
