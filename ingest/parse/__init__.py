"""Statistics parser: text of a landed report → report attributes and cells with provenance."""

from ingest.parse.document import PARSER_VERSION, ParsedDocument, parse_document

__all__ = ["PARSER_VERSION", "ParsedDocument", "parse_document"]
