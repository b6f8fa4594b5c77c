"""Fingerprint the PDF extractor's output, to prove a speed-up changed no text.

    python -m bench.pdf_fingerprint save  fingerprints.json   # before the change
    python -m bench.pdf_fingerprint check fingerprints.json   # after: exit 1 on any difference

The PDFs are every `.pdf` in data/corpus and `--synthetic N` reports
rendered by bench.synthetic.render_pdf (every template in turn), written once to `--dir` and
reused, so both runs read the same bytes. A fingerprint is the SHA-256 of the extracted text
(with the extraction status); `check` names each file whose text differs and prints a diff.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import sys
import time
from pathlib import Path

from bench.synthetic import ALL_TEMPLATES, draw_report, render_pdf
from core.paths import CORPUS_DIR
from ingest.extract.pdf import extract_pdf


def pdf_paths(directory: Path, synthetic: int) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = sorted(CORPUS_DIR.glob("*.pdf"))
    for i in range(synthetic):
        template = ALL_TEMPLATES[i % len(ALL_TEMPLATES)]
        path = directory / f"synthetic_{template}_{i:03d}.pdf"
        if not path.exists():
            path.write_bytes(render_pdf(draw_report(i, template)))
        paths.append(path)
    return paths


def extracted(path: Path) -> str:
    extraction = extract_pdf(path.read_bytes())
    return f"{extraction.status}\n{extraction.text}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=("save", "check"))
    parser.add_argument("fingerprints", type=Path)
    parser.add_argument("--synthetic", type=int, default=30)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/xxgk-pdf-fingerprint"))
    args = parser.parse_args(argv)

    started = time.perf_counter()
    texts = {path.name: extracted(path) for path in pdf_paths(args.dir, args.synthetic)}
    seconds = time.perf_counter() - started
    print(f"{len(texts)} PDFs extracted in {seconds:.2f} s")
    if args.action == "save":
        saved = {
            name: {"sha256": hashlib.sha256(t.encode()).hexdigest(), "text": t}
            for name, t in texts.items()
        }
        args.fingerprints.write_text(json.dumps(saved, ensure_ascii=False, indent=1))
        return 0
    saved = json.loads(args.fingerprints.read_text())
    differ = 0
    for name in sorted(set(saved) | set(texts)):
        before, after = saved.get(name, {}).get("text"), texts.get(name)
        if before == after:
            continue
        differ += 1
        print(f"DIFFERS: {name}")
        diff = difflib.unified_diff(
            (before or "").splitlines(), (after or "").splitlines(), "before", "after", lineterm=""
        )
        print("\n".join(list(diff)[:40]))
    print(f"{len(texts) - differ} of {len(set(saved) | set(texts))} identical")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
