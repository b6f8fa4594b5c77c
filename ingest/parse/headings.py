"""Section headings glued to the text before them, set on lines of their own.

A converter may drop the line break before a heading (`…577.45三、收到和处理政府信息公开申请情况`),
which hides both the heading and the value before it. The parser reads the lines with such
headings split off; each line keeps the number of the stored line it came from, so every
provenance still points into the stored text.
"""

from __future__ import annotations

import re

# the templates' section headings (a numeral, 、 and the heading's first words)
_GLUED_HEADING = re.compile(
    r"(?<=\S)(?=[一二三四五六七八九十]、\s*(?:总体情况|主动公开政府信息情况|"
    r"收到和处理政府信息公开申请情况|政府信息公开行政复议|存在的主要问题|"
    r"其他需要报告的事项|政府信息管理|政府信息公开平台建设|监督保障))"
)


def split_glued_headings(lines: list[str]) -> tuple[list[str], list[int]]:
    """The lines with glued headings on lines of their own, and for each resulting line the
    1-based number of the line it came from."""
    out: list[str] = []
    origin: list[int] = []
    for number, text in enumerate(lines, 1):
        if "、" in text and _GLUED_HEADING.search(text):
            parts = _GLUED_HEADING.split(text)
            out.extend(parts)
            origin.extend([number] * len(parts))
        else:
            out.append(text)
            origin.append(number)
    return out, origin
