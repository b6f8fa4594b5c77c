"""The words of the report: a Chinese label first, the English one beside it, or either
alone (``--lang``). Codes get theirs from the warehouse's ``reference.code_labels``
(seeds/code_labels.csv), the report's own sentences from :class:`Words` pairs."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

import duckdb

from core.environment import ReportLanguage


@dataclass(frozen=True)
class Words:
    """One thing said in both languages."""

    zh: str
    en: str


class Labels:
    """How the report names codes and says its sentences in ``lang``."""

    def __init__(self, names: dict[tuple[str, str], Words], lang: ReportLanguage) -> None:
        self.names, self.lang = names, lang

    @classmethod
    def of(cls, con: duckdb.DuckDBPyConnection, lang: ReportLanguage) -> Labels:
        rows = con.execute(
            "select kind, code, label_zh, label_en from reference.code_labels"
        ).fetchall()
        return cls({(kind, code): Words(zh, en) for kind, code, zh, en in rows}, lang)

    def words(self, kind: str, code: object) -> Words:
        """The label of ``code`` (e.g. kind ``measure``, code ``requests_denied``); a code
        without one is shown as it is, in both languages."""
        found = self.names.get((kind, str(code)))
        return found if found is not None else Words(str(code), str(code))

    def lines(self, said: Words) -> list[str]:
        """Plain text, one line per language shown (charts draw each on its own line)."""
        if self.lang == "zh":
            return [said.zh]
        if self.lang == "en":
            return [said.en]
        return [said.zh] if said.zh == said.en else [said.zh, said.en]

    def text(self, said: Words) -> str:
        """Plain text on one line: Chinese first, English beside it."""
        return " ".join(self.lines(said))

    def html(self, said: Words) -> str:
        """Markup, each language in its own span (the English one quieter)."""
        if self.lang == "zh":
            return f'<span lang="zh-CN">{escape(said.zh)}</span>'
        if self.lang == "en":
            return f'<span lang="en">{escape(said.en)}</span>'
        if said.zh == said.en:
            return escape(said.zh)
        return (
            f'<span lang="zh-CN">{escape(said.zh)}</span> '
            f'<span class="en" lang="en">{escape(said.en)}</span>'
        )

    def name(self, kind: str, code: object) -> str:
        """:meth:`html` of a code's label."""
        return self.html(self.words(kind, code))

    @property
    def html_lang(self) -> str:
        return "en" if self.lang == "en" else "zh-CN"
