"""Match printed row labels to template rows by meaning, not by position.

Labels are compared after normalisation (width, spaces, numbering punctuation) with the
template label and its aliases; the best-scoring suffix of the wrapped label fragments wins.
Identical labels (e.g. （二）被依法纠错数 under both 行政复议 and 行政诉讼) are told apart by
the order of the template: the first candidate after the previously matched row wins.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz import fuzz

from ingest.parse.normalise import normalise_label, strip_numbering
from ingest.parse.rows import LogicalRow

ACCEPT_SCORE = 75.0
ACCEPT_SCORE_NEXT_IN_ORDER = 60.0
SUFFIX_SCORE = 96.0


@dataclass(frozen=True)
class Candidate:
    key: str  # metric code (or row key for table 二 entities)
    labels: tuple[str, ...]  # normalised printed forms, template label first
    order: int


@dataclass(frozen=True)
class Match:
    key: str
    score: float
    method: str  # exact | alias | fuzzy
    label: str  # the printed label that matched
    label_line: int


def make_candidates(entries: list[tuple[str, list[str]]]) -> list[Candidate]:
    out = []
    for order, (key, labels) in enumerate(entries):
        seen: list[str] = []
        for label in labels:
            norm = normalise_label(label)
            if norm and norm not in seen:
                seen.append(norm)
        out.append(Candidate(key=key, labels=tuple(seen), order=order))
    return out


class RowMatcher:
    """Matches logical rows against an ordered list of candidate rows."""

    def __init__(self, candidates: list[Candidate]) -> None:
        self.candidates = candidates
        self.last_order = -1
        # exact printed forms -> candidates, for the common case of a label printed as is
        self.exact: dict[str, list[tuple[Candidate, int]]] = {}
        for cand in candidates:
            for idx, label in enumerate(cand.labels):
                self.exact.setdefault(label, []).append((cand, idx))

    def best(self, row: LogicalRow, max_back: int = 6, commit: bool = True) -> Match | None:
        """The accepted match for a row, or None when no candidate is close enough."""
        pick = self._pick(row, max_back)
        if pick is None:
            return None
        cand, match = pick
        threshold = (
            ACCEPT_SCORE_NEXT_IN_ORDER if cand.order == self.last_order + 1 else ACCEPT_SCORE
        )
        if match.score < threshold:
            return None
        if commit:
            self.last_order = cand.order
        return match

    def closest(self, row: LogicalRow, max_back: int = 6) -> Match | None:
        """The best candidate whatever its score (for reporting unmapped labels)."""
        pick = self._pick(row, max_back, floor=0.0)
        return pick[1] if pick else None

    def _pick(
        self, row: LogicalRow, max_back: int, floor: float = ACCEPT_SCORE_NEXT_IN_ORDER
    ) -> tuple[Candidate, Match] | None:
        best_by_cand: dict[str, tuple[float, Candidate, str, str, int]] = {}
        candidates = row.label_candidates(max_back)
        if candidates:
            text, line = candidates[0]
            hits = self.exact.get(normalise_label(text), [])
            if hits:  # the row's own label is printed exactly as a template or alias label
                after = [h for h in hits if h[0].order > self.last_order]
                cand, idx = min(after or hits, key=lambda h: h[0].order)
                method = "exact" if idx == 0 else "alias"
                return cand, Match(cand.key, 100.0, method, text, line)
        for text, line in candidates:
            norm = normalise_label(text)
            if not norm:
                continue
            bare = strip_numbering(norm)
            for cand in self.candidates:
                for idx, label in enumerate(cand.labels):
                    score = fuzz.ratio(norm, label)
                    if bare and bare != norm:
                        score = max(score, fuzz.ratio(bare, strip_numbering(label)) - 5)
                    if score < SUFFIX_SCORE and len(label) >= 2 and norm.endswith(label):
                        # glued text: captions and headers run into the row label
                        score = SUFFIX_SCORE
                    if score < floor:
                        continue
                    method = (
                        "exact"
                        if score == 100 and idx == 0
                        else "alias"
                        if score == 100
                        else "fuzzy"
                    )
                    prev = best_by_cand.get(cand.key)
                    if prev is None or score > prev[0]:
                        best_by_cand[cand.key] = (score, cand, method, text, line)
        if not best_by_cand:
            return None
        top = max(v[0] for v in best_by_cand.values())
        ties = [v for v in best_by_cand.values() if v[0] >= top - 1e-9]
        after = [v for v in ties if v[1].order > self.last_order]
        score, cand, method, text, line = (
            min(after, key=lambda v: v[1].order) if after else min(ties, key=lambda v: v[1].order)
        )
        return cand, Match(
            key=cand.key, score=float(score), method=method, label=text, label_line=line
        )
