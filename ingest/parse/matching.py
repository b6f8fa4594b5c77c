"""Match printed row labels to template rows by meaning, not by position.

Labels are compared after normalisation (width, spaces, numbering punctuation) with the
template label and its aliases; the best-scoring suffix of the wrapped label fragments wins.
Identical labels (e.g. （二）被依法纠错数 under both 行政复议 and 行政诉讼) are told apart by
the order of the template: the first candidate after the previously matched row wins.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from rapidfuzz import fuzz, process

from ingest.parse.normalise import normalise_label, strip_numbering
from ingest.parse.rows import LogicalRow

ACCEPT_SCORE = 75.0
ACCEPT_SCORE_NEXT_IN_ORDER = 60.0
SUFFIX_SCORE = 96.0
NUMBERING_PENALTY = 5.0  # a label compared without its numbering scores this much less
SCORE_CACHE_SIZE = 4096  # printed labels whose scores one candidate index keeps


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

    @property
    def stored_score(self) -> float:
        """The score as cells and unmapped labels keep it (two decimals). Most scores are
        whole (100 for a label printed as is), and rounding a float to digits is slow."""
        return self.score if self.score.is_integer() else round(self.score, 2)


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


class CandidateIndex:
    """The candidates' labels laid out for matching; built once per candidate list, read-only.

    Every (candidate, label) pair has a position in the flat `labels` list, in candidate order
    and then label order, so a printed label is scored against all of them in one rapidfuzz
    call.
    """

    def __init__(self, candidates: list[Candidate]) -> None:
        self.candidates = candidates
        # exact printed forms -> candidates, for the common case of a label printed as is
        self.exact: dict[str, list[tuple[Candidate, int]]] = {}
        self.owners: list[tuple[Candidate, int]] = []
        self.owner_numbers: list[int] = []  # position -> the owner's index in `candidates`
        self.labels: list[str] = []
        self.suffixes: dict[str, list[int]] = {}  # label -> positions, labels of 2+ characters
        for number, cand in enumerate(candidates):
            for idx, label in enumerate(cand.labels):
                self.exact.setdefault(label, []).append((cand, idx))
                if len(label) >= 2:
                    self.suffixes.setdefault(label, []).append(len(self.labels))
                self.owners.append((cand, idx))
                self.owner_numbers.append(number)
                self.labels.append(label)
        self.bare_labels = [strip_numbering(label) for label in self.labels]
        self.suffix_lengths = sorted({len(label) for label in self.suffixes})
        # the same printed labels recur (within a report and across reports): keep their scores
        self.scores: Callable[[str], np.ndarray] = lru_cache(maxsize=SCORE_CACHE_SIZE)(self._scores)
        self.candidate_scores: Callable[[str, float], tuple[tuple[int, float, str], ...]] = (
            lru_cache(maxsize=SCORE_CACHE_SIZE)(self._candidate_scores)
        )

    def _scores(self, norm: str) -> np.ndarray:
        """One printed label (normalised) against every candidate label: the fuzzy ratio, or
        the ratio without numbering less a penalty, or SUFFIX_SCORE when the text ends with
        the label. Read-only (the array is shared through the cache)."""
        scores = _ratios(norm, self.labels)
        bare = strip_numbering(norm)
        if bare and bare != norm:
            scores = np.maximum(scores, _ratios(bare, self.bare_labels) - NUMBERING_PENALTY)
        for position in self._suffix_positions(norm):
            if scores[position] < SUFFIX_SCORE:
                # glued text: captions and headers run into the row label
                scores[position] = SUFFIX_SCORE
        scores.flags.writeable = False
        return scores

    def _candidate_scores(self, norm: str, floor: float) -> tuple[tuple[int, float, str], ...]:
        """Each candidate scoring at least `floor` for one printed label (normalised), in
        candidate order: (its index in `candidates`, its best score over its labels, how that
        score was reached: exact | alias | fuzzy). The first of a candidate's labels with the
        best score names the method. Plain tuples, so that the cache holds no objects the
        garbage collector has to visit."""
        scores = self.scores(norm)
        best: dict[int, tuple[int, float, str]] = {}
        for position in np.flatnonzero(scores >= floor).tolist():
            score = scores[position].item()
            number = self.owner_numbers[position]
            prev = best.get(number)
            if prev is None or score > prev[1]:
                idx = self.owners[position][1]
                method = (
                    "exact" if score == 100 and idx == 0 else "alias" if score == 100 else "fuzzy"
                )
                best[number] = (number, score, method)
        return tuple(best.values())

    def _suffix_positions(self, norm: str) -> list[int]:
        return [
            position
            for length in self.suffix_lengths
            if length <= len(norm)
            for position in self.suffixes.get(norm[-length:], ())
        ]


def _ratios(query: str, choices: list[str]) -> np.ndarray:
    """fuzz.ratio of `query` with each choice, as fuzz.ratio gives it (float64)."""
    ratios: np.ndarray = process.cdist([query], choices, scorer=fuzz.ratio, dtype=np.float64)[0]
    return ratios


class RowMatcher:
    """Matches logical rows against an ordered list of candidate rows."""

    def __init__(self, candidates: list[Candidate] | CandidateIndex) -> None:
        self.index = (
            candidates if isinstance(candidates, CandidateIndex) else CandidateIndex(candidates)
        )
        self.candidates = self.index.candidates
        self.last_order = -1

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
        candidates = row.label_candidates(max_back)
        if candidates:
            text, line = candidates[0]
            hits = self.index.exact.get(normalise_label(text), [])
            if hits:  # the row's own label is printed exactly as a template or alias label
                later = [h for h in hits if h[0].order > self.last_order]
                cand, idx = min(later or hits, key=lambda h: h[0].order)
                method = "exact" if idx == 0 else "alias"
                return cand, Match(cand.key, 100.0, method, text, line)
        printed = [(text, line, normalise_label(text)) for text, line in candidates]
        printed = [p for p in printed if p[2]]
        best_by_cand: dict[str, tuple[float, Candidate, str, str, int]] = {}
        for text, line, norm in printed:
            for number, score, method in self.index.candidate_scores(norm, floor):
                cand = self.candidates[number]
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
        return cand, Match(cand.key, float(score), method, text, line)
