"""What every extractor returns, and how it fails."""

from __future__ import annotations

from dataclasses import dataclass

EXTRACTOR_VERSION = "3"
# what an Extraction's media_type may be (the dbt tests of media_type list the same values);
# the binary ones have no text encoding
BINARY_MEDIA_TYPES = ("pdf", "docx", "doc", "rtf")
MEDIA_TYPES = ("txt", "html", "md", *BINARY_MEDIA_TYPES)

# Characters str.splitlines() treats as line boundaries (besides "\r\n" as a pair).
_LINE_BREAKS = "\r\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


class ExtractionError(Exception):
    """A file that cannot be turned into text; ``reason`` is a sentence naming the problem."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Extraction:
    text: str
    encoding: str | None  # detected text encoding; None for binary formats
    media_type: str  # one of MEDIA_TYPES
    status: str = "ok"  # ok, needs_ocr
    # a title the file carries outside its body: a PDF's metadata /Title, an HTML <title>
    title_hint: str | None = None
    title_source: str | None = None  # `pdf_metadata`, `html_title`


def normalise_newlines(text: str) -> str:
    """Every line boundary becomes ``\\n``; nothing else changes.

    Afterwards ``text.split("\\n")`` and ``text.splitlines()`` agree (apart from a final
    empty string), so a line number means the same to every reader of the text.
    """
    lines = text.splitlines(keepends=True)
    return "".join(
        line.rstrip(_LINE_BREAKS) + "\n" if line[-1:] in _LINE_BREAKS else line for line in lines
    )
