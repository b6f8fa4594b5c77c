"""Output that a hostile file name or document cannot turn against its reader.

* :func:`for_terminal`: text printed on a terminal (file names, paths, errors that quote
  them) with control characters shown as escapes. A file named ``\\x1b]0;…\\x07x.txt`` would
  otherwise set the terminal's title, ``\\x1b[2J`` clear the screen, a bidirectional
  override reorder what is shown.
* :func:`spreadsheet_safe` / :func:`spreadsheet_safe_frame`: the one rule for CSV and XLSX
  exports (a value, or every text column of a polars frame before ``write_csv`` or
  ``write_excel``). A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or
  carriage return) is a formula to a spreadsheet (``=cmd|' /C calc'!A0``, ``+SUM(…)``,
  ``@SUM(…)``): it gets a leading ``'``, which spreadsheets show as text. A plain number
  (``-4``) is left as it is.
* :func:`survive_closed_pipes`: a reader that stops reading (``| head -1``) does not end the
  run with a broken pipe.
"""

from __future__ import annotations

import os
import re
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # polars loads only with an export, not with every command
    import polars as pl

# C0 controls, DEL, C1 controls, and the Unicode bidirectional embeddings, overrides and
# isolates (what "Trojan source" names use)
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROLS_KEEPING_LINES = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def for_terminal(text: object, *, keep_lines: bool = False) -> str:
    """``str(text)`` with every control character shown as an escape (``\\x1b``); with
    ``keep_lines``, newlines and tabs stay (a multi-line message)."""
    pattern = _CONTROLS_KEEPING_LINES if keep_lines else _CONTROLS
    return pattern.sub(_escape, str(text))


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def spreadsheet_safe(value: Any) -> Any:
    """A CSV/XLSX cell value a spreadsheet shows as written: text starting with a formula
    prefix gets a leading ``'``; numbers and other values are returned as they are."""
    formula = isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
    return "'" + value if formula and not _PLAIN_NUMBER.fullmatch(value) else value


def spreadsheet_safe_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with every text column :func:`spreadsheet_safe`, ready for polars'
    ``write_csv`` or ``write_excel``."""
    import polars as pl

    return frame.with_columns(
        pl.col(pl.String).map_elements(spreadsheet_safe, return_dtype=pl.String)
    )


class _SurvivesClosedPipe:
    """A text stream that, once its reader has gone (``xxgk run … | head -1``), discards
    what is written instead of raising BrokenPipeError into the run: the run goes on and
    publishes; only its remaining output is lost, as the reader wanted."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self._closed = False

    def write(self, text: str) -> int:
        if not self._closed:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._reader_gone()
        return len(text)

    def flush(self) -> None:
        if not self._closed:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._reader_gone()

    def _reader_gone(self) -> None:
        self._closed = True
        try:  # the descriptor too: child processes and a final flush write to nothing
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self._stream.fileno())
            os.close(devnull)
        except (OSError, ValueError):
            pass

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def survive_closed_pipes() -> None:
    """Wrap ``sys.stdout`` and ``sys.stderr`` (see :class:`_SurvivesClosedPipe`)."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is not None and not isinstance(stream, _SurvivesClosedPipe):
            setattr(sys, name, _SurvivesClosedPipe(stream))
