"""A digest of the parser's whole output over a fixed corpus, to show a change keeps it.

    .venv/bin/python -m bench.parser_fingerprint --save /tmp/before.json   # before a change
    .venv/bin/python -m bench.parser_fingerprint --check /tmp/before.json  # after it

`--save` keeps every document's text with its digest, and `--check` parses those saved
texts again, so a check does not depend on the generator or the extractors staying the same.

The corpus: the sample reports and the dev corpus (data/sample, data/corpus; landed into a
temporary DuckDB file, so their text is what the pipeline parses), synthetic reports of
every template (local too) as clean, messy and glued text (fixed seeds, some with the
generator's extra messiness), a few synthetic HTML/DOCX renderings (TAB-separated text), and
deterministic word salads (template labels, captions, numbers) and line mutations of the
real texts. For each document the digest covers `parse_document` (attributes, cells,
unmapped labels, every field, in order) and `extract_prose_numbers`. `--check` names the
documents that differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import duckdb

from bench.synthetic import (
    ALL_TEMPLATES,
    draw_report,
    messy_txt,
    render_docx,
    render_html,
    render_txt,
)
from core.paths import CORPUS_DIR, SAMPLE_DIR
from ingest.parse import parse_document
from ingest.parse.prose import extract_prose_numbers
from ingest.parse.reference import default_reference

REAL_INPUTS = (SAMPLE_DIR, CORPUS_DIR)  # the bundled sample and dev corpus (data/README.md)
# besides the template labels: captions, headers, units, separators and numbers
SALAD_EXTRAS = (
    "第二十条第（一）项",
    "第二十条第（五）项",
    "统计指标 单位 统计数",
    "指标名称 计量单位 本年度 历年累计",
    "受理政府信息公开申请41件",
    "行政复议3件",
    "件",
    "万元",
    "—",
    "\t",
    " ",
    "\n",
    "0",
    "7",
    "123",
    "640020470",
    "1、",
    "其中：",
    "- 2 -",
)

Document = tuple[str, str, str]  # (group, name, text)


def real_texts(inputs: tuple[Path, ...] = REAL_INPUTS) -> list[Document]:
    """The texts the pipeline parses for the real documents (landed, then read back)."""
    from ingest.land import land_documents

    out: list[Document] = []
    with tempfile.TemporaryDirectory() as tmp:
        for directory in inputs:
            db = Path(tmp) / f"{directory.name}.duckdb"
            land_documents(db, directory)
            with duckdb.connect(str(db), read_only=True) as con:
                rows = con.execute(
                    "select document_id, text from raw.documents order by document_id"
                ).fetchall()
            out.extend((directory.name, doc_id, text) for doc_id, text in rows)
    return out


def synthetic_texts(per_kind: int) -> Iterator[Document]:
    """Clean, messy and glued running text of every template (local too), `per_kind` seeds
    each, and a quarter as many again with the generator's extra messiness (stray tables,
    blanks and units in cells)."""
    for template in ALL_TEMPLATES:
        for seed in range(per_kind):
            yield from _renderings(template, seed, messiness=False)
        for seed in range(per_kind // 4):
            yield from _renderings(template, seed, messiness=True)


def _renderings(template: str, seed: int, messiness: bool) -> Iterator[Document]:
    report = draw_report(seed, template, messiness=messiness)
    name = f"{template}-{seed}{'-messiness' if messiness else ''}"
    yield "synthetic", f"{name}-clean", render_txt(report)
    yield "synthetic", f"{name}-messy", messy_txt(report, seed)
    yield "synthetic", f"{name}-glued", messy_txt(report, seed, glue=True)


def tabular_texts(per_template: int) -> Iterator[Document]:
    """HTML and DOCX renderings, extracted: TAB-separated table rows."""
    from ingest.extract import extract_bytes

    for template in ALL_TEMPLATES:
        for seed in range(per_template):
            report = draw_report(1000 + seed, template)
            html = extract_bytes(render_html(report).encode("utf-8"), ".html").text
            yield "tabular", f"{template}-{seed}-html", html
            yield (
                "tabular",
                f"{template}-{seed}-docx",
                extract_bytes(render_docx(report), ".docx").text,
            )


def salad_words() -> list[str]:
    """Every printed form of a template row (labels and aliases), and SALAD_EXTRAS."""
    reference = default_reference()
    labels = {row.label.partition(" / ")[0] for row in reference.template_rows}
    labels |= {alias for aliases in reference.aliases.values() for alias in aliases}
    return [*sorted(labels), *SALAD_EXTRAS]


def mutated_texts(real: list[Document], count: int) -> Iterator[Document]:
    """Word salads and real texts with lines dropped, repeated or glued (fixed seeds)."""
    rng = random.Random("parser-fingerprint")
    words_to_draw = salad_words()
    for i in range(count):
        words = rng.choices(words_to_draw, k=rng.randint(5, 200))
        yield "mutated", f"salad-{i}", "".join(words)
    for i in range(count):
        _, name, text = real[i % len(real)]
        lines = text.splitlines()
        for _ in range(rng.randint(1, 6)):
            if not lines:
                break
            k = rng.randrange(len(lines))
            action = rng.choice(("drop", "repeat", "glue", "tab"))
            if action == "drop":
                del lines[k]
            elif action == "repeat":
                lines.insert(k, lines[k])
            elif action == "glue" and k + 1 < len(lines):
                lines[k : k + 2] = [lines[k] + lines[k + 1]]
            else:
                lines[k] = lines[k].replace(" ", "\t")
        yield "mutated", f"{name}-{i}", "\n".join(lines)


def document_digest(name: str, text: str) -> str:
    parsed = parse_document(name, text)
    output = {
        "attributes": parsed.attributes,
        "cells": parsed.cells,
        "unmapped": parsed.unmapped,
        "prose": [p.as_record() for p in extract_prose_numbers(text)],
    }
    encoded = json.dumps(output, ensure_ascii=False, sort_keys=True, default=repr)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


def corpus(per_kind: int, tabular: int, mutated: int) -> list[Document]:
    real = real_texts()
    return [
        *real,
        *synthetic_texts(per_kind),
        *tabular_texts(tabular),
        *mutated_texts(real, mutated),
    ]


def fingerprints(documents: list[Document]) -> dict[str, str]:
    return {f"{group}/{name}": document_digest(name, text) for group, name, text in documents}


def overall(digests: dict[str, str]) -> str:
    joined = "\n".join(f"{key} {value}" for key, value in digests.items())
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def summary(digests: dict[str, str]) -> str:
    groups: dict[str, int] = {}
    for key in digests:
        group = key.split("/")[0]
        groups[group] = groups.get(group, 0) + 1
    return f"{len(digests)} documents {groups}: {overall(digests)}"


def check(saved_path: Path) -> int:
    """Parse the saved texts again and compare with the saved digests."""
    saved = json.loads(saved_path.read_text(encoding="utf-8"))
    documents = [(*key.split("/", 1), entry["text"]) for key, entry in saved.items()]
    digests = fingerprints(documents)
    print(summary(digests))
    differ = [key for key, entry in saved.items() if entry["digest"] != digests[key]]
    for key in differ[:50]:
        print(f"differs: {key}")
    print("identical" if not differ else f"{len(differ)} documents differ")
    return 1 if differ else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-kind", type=int, default=170, help="synthetic seeds per kind")
    parser.add_argument("--tabular", type=int, default=10, help="HTML/DOCX seeds per template")
    parser.add_argument("--mutated", type=int, default=150, help="salads and mutations each")
    parser.add_argument("--save", type=Path, help="write the texts and their digests here")
    parser.add_argument("--check", type=Path, help="re-parse texts saved earlier and compare")
    args = parser.parse_args()
    if args.check:
        return check(args.check)
    documents = corpus(args.per_kind, args.tabular, args.mutated)
    digests = fingerprints(documents)
    print(summary(digests))
    if args.save:
        saved = {
            f"{group}/{name}": {"text": text, "digest": digests[f"{group}/{name}"]}
            for group, name, text in documents
        }
        args.save.write_text(json.dumps(saved, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
