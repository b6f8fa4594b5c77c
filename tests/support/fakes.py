"""Stand-ins shared by tests."""

from dataclasses import dataclass, field


@dataclass
class Parsed:
    """Shaped like ingest.parse.ParsedDocument."""

    attributes: dict
    cells: list = field(default_factory=list)
    unmapped: list = field(default_factory=list)
