"""The longest silence of a command in a terminal: run it under a pseudo-terminal, stamp
each chunk of output as it arrives, and report the longest gap between two chunks (and
before the first, and before the exit), with the text around it. A live display redraws
itself several times a second, so the longest time without *news* is reported too: the
gaps between chunks whose words changed (spinners, bars and elapsed times aside).

    .venv/bin/python -m bench.silence -- .venv/bin/xxgk run --input DIR --db /tmp/w.duckdb
    .venv/bin/python -m bench.silence --pipe -- ...   # the same through a pipe (no terminal)

A terminal of 120 x 40 characters; the exit status is the command's.
"""

from __future__ import annotations

import argparse
import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios
import time
from dataclasses import dataclass

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\r")
REDRAWN = re.compile(r"[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏━╺╸╾╼]|\d+:\d\d:\d\d")  # spinner, bar, elapsed time


@dataclass(frozen=True)
class Chunk:
    at: float  # seconds since the start
    text: str


def _read_all(fd: int, process: subprocess.Popen[bytes], started: float) -> list[Chunk]:
    chunks: list[Chunk] = []
    while True:
        ready, _, _ = select.select([fd], [], [], 0.05)
        if ready:
            try:
                data = os.read(fd, 65536)
            except OSError:  # the terminal closed with the process
                data = b""
            if data:
                chunks.append(Chunk(time.monotonic() - started, data.decode("utf-8", "replace")))
                continue
            if process.poll() is not None:
                return chunks
        elif process.poll() is not None:
            return chunks


def run(command: list[str], pipe: bool) -> tuple[int, float, list[Chunk]]:
    """Run ``command`` under a pseudo-terminal (or a pipe); its exit status, its duration
    and its output chunks, stamped."""
    started = time.monotonic()
    if pipe:
        read_fd, write_fd = os.pipe()
        process = subprocess.Popen(command, stdout=write_fd, stderr=write_fd)
        os.close(write_fd)
    else:
        read_fd, write_fd = pty.openpty()
        fcntl.ioctl(write_fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {**os.environ, "TERM": os.environ.get("TERM", "xterm-256color")}
        process = subprocess.Popen(
            command, stdin=write_fd, stdout=write_fd, stderr=write_fd, env=env
        )
        os.close(write_fd)
    chunks = _read_all(read_fd, process, started)
    status = process.wait()
    os.close(read_fd)
    return status, time.monotonic() - started, chunks


def _visible(text: str) -> str:
    return " ".join(ANSI.sub("", text).split())[-70:]


def _news(chunks: list[Chunk]) -> list[Chunk]:
    """The chunks that say something the one before did not (redrawing aside)."""
    news, last = [], None
    for chunk in chunks:
        words = " ".join(REDRAWN.sub(" ", ANSI.sub("", chunk.text)).split())
        if words and words != last:
            news.append(chunk)
            last = words
    return news


def _gaps(chunks: list[Chunk], seconds: float) -> list[tuple[float, float, str]]:
    """(gap, at, text before it) between the start, each chunk and the exit, longest first."""
    stamps = [0.0] + [c.at for c in chunks] + [seconds]
    texts = ["(start)"] + [_visible(c.text) for c in chunks] + ["(exit)"]
    gaps = [(stamps[i + 1] - stamps[i], stamps[i], texts[i]) for i in range(len(stamps) - 1)]
    return sorted(gaps, reverse=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipe", action="store_true", help="a pipe instead of a terminal")
    parser.add_argument("--top", type=int, default=5, help="gaps to list (default: 5)")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    status, seconds, chunks = run(command, args.pipe)
    print(f"{len(chunks)} chunks in {seconds:.1f} s, exit status {status}")
    for title, gaps in (
        ("longest silence (no output at all)", _gaps(chunks, seconds)),
        ("longest time without news (redrawing aside)", _gaps(_news(chunks), seconds)),
    ):
        print(f"{title}: {gaps[0][0]:.2f} s")
        for gap, at, text in gaps[: args.top]:
            print(f"  {gap:6.2f} s from {at:6.1f} s, after: {text!r}")
    return status


if __name__ == "__main__":
    sys.exit(main())
