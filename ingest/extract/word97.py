"""Word 97 and WPS reports (`.doc`, `.wps`), known by their content, not their name.

Kingsoft WPS `.wps` files are usually Word 97 binaries (an OLE2 compound file) under another
name, and a `.doc` may be a DOCX, an RTF or a Word-saved HTML page. A DOCX is read as one
(ingest/extract/docx.py), an HTML page as one (html.py); a Word 97 binary or an RTF is
converted to DOCX by LibreOffice (`soffice --headless --convert-to docx`, Debian's
`libreoffice-writer`) and then read as a DOCX. Without LibreOffice the file cannot be read,
and the reason says so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from dataclasses import replace
from pathlib import Path

from ingest.extract.docx import extract_docx
from ingest.extract.types import Extraction, ExtractionError
from ingest.limits import IngestLimits

OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")  # compound file binary: Word 97-2003, WPS
ZIP_MAGIC = b"PK\x03\x04"
RTF_MAGIC = b"{\\rtf"
# the conversion's share of the file's extraction time limit: it ends (and its process
# group is killed) before the worker that waits for it is stopped
CONVERSION_SHARE = 0.8
SOFFICE_NAMES = ("soffice", "libreoffice")


def content_kind(data: bytes) -> str:
    """What the bytes of a `.doc`/`.wps` file are: `doc` (Word 97/OLE2), `docx`, `rtf`,
    `html`, or `unknown`."""
    if data.startswith(OLE2_MAGIC):
        return "doc"
    if data.startswith(ZIP_MAGIC):
        return "docx"
    if data.lstrip().startswith(RTF_MAGIC):
        return "rtf"
    head = data[:2048].lower()
    if b"<html" in head or b"<!doctype html" in head:
        return "html"
    return "unknown"


_KIND_NAMES = {
    "doc": "a Word 97 (OLE2 compound) document",
    "rtf": "an RTF document",
}


def extract_word97(data: bytes, limits: IngestLimits | None = None) -> Extraction:
    """A `.doc` or `.wps` file's text, read according to its content."""
    limits = limits or IngestLimits()
    kind = content_kind(data)
    if kind == "docx":
        return extract_docx(data, limits)
    if kind == "html":
        from ingest.extract.html import extract_html

        return extract_html(data, limits)
    if kind == "unknown":
        raise ExtractionError(
            "the file is neither a Word 97 (OLE2) document nor a DOCX, RTF or HTML file "
            f"(it starts with {data[:8].hex(' ')!r})"
        )
    docx = convert_to_docx(data, kind, limits.extraction_timeout_s * CONVERSION_SHARE)
    return replace(extract_docx(docx, limits), media_type=kind)


def soffice_path() -> str | None:
    """LibreOffice's command, when installed."""
    return next((found for name in SOFFICE_NAMES if (found := shutil.which(name))), None)


def convert_to_docx(data: bytes, kind: str, timeout_s: float) -> bytes:
    """``data`` (of content ``kind``: `doc` or `rtf`) converted to DOCX by LibreOffice."""
    described = _KIND_NAMES[kind]
    if soffice_path() is None:
        raise ExtractionError(
            f"the file is {described}; reading it needs LibreOffice (`soffice`, Debian "
            "package libreoffice-writer), which is not installed"
        )
    return soffice_convert(data, f"report.{kind}", "docx", timeout_s, described)


def soffice_convert(
    data: bytes, source_name: str, target: str, timeout_s: float, described: str
) -> bytes:
    """``data`` (a file named ``source_name``) converted by LibreOffice to ``target`` (a
    `--convert-to` argument such as `docx` or `doc:MS Word 97`).

    Each call runs its own LibreOffice with a private profile in a temporary directory, so
    parallel workers never share (and lock) a profile; past ``timeout_s`` its whole process
    group is killed and the file is refused with that reason."""
    soffice = soffice_path()
    if soffice is None:
        raise ExtractionError(f"LibreOffice (`soffice`) is needed to convert {described}")
    with tempfile.TemporaryDirectory(prefix="xxgk-soffice-") as work:
        root = Path(work)
        source = root / source_name
        source.write_bytes(data)
        command = [
            soffice,
            f"-env:UserInstallation={(root / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            target,
            "--outdir",
            str(root / "out"),
            str(source),
        ]
        output = _run(command, timeout_s, described)
        converted = root / "out" / f"{source.stem}.{target.split(':')[0]}"
        if not converted.is_file():
            detail = output.strip().splitlines()[-1:] or ["no output"]
            raise ExtractionError(
                f"LibreOffice could not convert {described} to {target} ({detail[0][:200]})"
            )
        return converted.read_bytes()


def _run(command: list[str], timeout_s: float, described: str) -> str:
    """Run LibreOffice in a process group of its own; its output (stdout and stderr)."""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired as exc:
        with contextlib.suppress(ProcessLookupError):  # the group ended meanwhile
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ExtractionError(
            f"LibreOffice did not convert {described} within {timeout_s:g} s "
            "(XXGK_EXTRACT_TIMEOUT_S); it was stopped"
        ) from exc
    return output.decode("utf-8", errors="replace")
