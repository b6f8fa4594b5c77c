"""The documentation stands alone: no link or path in the README, docs/ or the dbt docs
leaves the repository, and docs/queries.md shows what its queries return on the data in the
repository (scripts/queries_doc.py)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from core.paths import ROOT

PAGES = [ROOT / "README.md", ROOT / "data" / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DBT_YAMLS = sorted(
    path for folder in ("models", "seeds", "macros") for path in (ROOT / folder).rglob("*.yml")
)
DBT_YAMLS += [ROOT / "dbt_project.yml", ROOT / "selectors.yml"]

MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+)\)")
UP_PATH = re.compile(r"(?<![\w./-])((?:\.\./)+[\w.\-/]*)")
# what lay beside the repository once: the shared folder's parts, the workplace's paths
OUTSIDE = re.compile(
    r"(?<![\w-])(?:shared/(?:seeds|corpus|truth|tools|spec|research|hooks)\b|/work/)"
)


def leaves(path: str, base: Path) -> bool:
    target = (base / path).resolve()
    return not target.is_relative_to(ROOT)


def problems(page: Path, base: Path, links: bool, text: str | None = None) -> list[str]:
    """What in ``page`` (or ``text`` given for it) names or links something outside the
    repository; relative paths resolve from ``base``."""
    text = page.read_text(encoding="utf-8") if text is None else text
    found = [f"names {m.group(0)!r}" for m in OUTSIDE.finditer(text)]
    found += [
        f"{m.group(1)!r} leaves the repository"
        for m in UP_PATH.finditer(text)
        if leaves(m.group(1), base)
    ]
    if links:
        for target in MARKDOWN_LINK.findall(text):
            if re.match(r"[a-z]+:|#", target):  # a web address or an anchor on the page
                continue
            path = target.split("#", 1)[0]
            if leaves(path, base) or not (base / path).exists():
                found.append(f"link {target!r} is not a file of the repository")
    return [f"{page.relative_to(ROOT)}: {problem}" for problem in found]


def test_the_scan_finds_what_leaves() -> None:
    page = ROOT / "docs" / "probe.md"
    up = "../"  # the probe names the old sibling folder; this file does not name it
    root = "/" + "work/"  # nor its absolute path
    text = (
        f"[contract]({up}{up}shared/spec/CONTRACT.md) [ok](contract.md) [gone](nope.md)\n"
        f"see `{up}shared/seeds` and {root}shared/corpus, or shared/tools/score.py; "
        "[seeds](../seeds/template_rows.csv) and `../seeds` stay inside\n"
    )
    found = problems(page, page.parent, links=True, text=text)
    assert sum("names" in f for f in found) == 5, found
    # from docs/, the sibling's seeds one level up would be <repo>/shared/seeds: only its name
    # is flagged
    assert sum("leaves the repository" in f for f in found) == 1, found
    assert sum("is not a file of the repository" in f for f in found) == 2, found


def test_pages_and_dbt_docs_stay_in_the_repository() -> None:
    found = [p for page in PAGES for p in problems(page, page.parent, links=True)]
    found += [p for yml in DBT_YAMLS for p in problems(yml, ROOT, links=False)]
    assert found == []


def test_the_readme_links_the_contract() -> None:
    assert "[`docs/contract.md`](docs/contract.md)" in (ROOT / "README.md").read_text("utf-8")
    assert "marts.fct_check_results" in (ROOT / "docs" / "contract.md").read_text("utf-8")


@pytest.mark.slow
@pytest.mark.e2e
def test_the_query_examples_show_what_the_warehouse_returns(bundled_warehouse: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "queries_doc.py"),
            "--check",
            "--db",
            str(bundled_warehouse),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-3000:]
    assert "the outputs are current" in result.stdout


def test_a_skip_for_a_missing_file_fails_the_run(tmp_path: Path) -> None:
    """Only a missing system tool may skip a test (tests/conftest.py)."""
    (tmp_path / "conftest.py").write_text(
        "from tests.conftest import pytest_runtest_logreport, pytest_sessionfinish  # noqa\n"
    )
    (tmp_path / "test_probe.py").write_text(
        "import pytest\n"
        "from tests.conftest import needs_tool\n"
        "def test_file(): pytest.skip('the corpus is not beside the repository')\n"
        "@needs_tool('no-such-tool', None, 'a probe')\n"
        "def test_tool(): pass\n"
    )
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 1, result.stdout
    assert "test_file: Skipped: the corpus is not beside the repository" in result.stdout
    assert "test_tool" not in result.stdout.split("not for a missing system tool:")[1]


def test_the_settings_page_lists_every_setting_and_nothing_else() -> None:
    """docs/settings.md's table is the one core/settings.py writes, and every XXGK_* variable
    the pages name is a setting (or one of prefect.yaml's deployment variables)."""
    from core.settings import Settings, variable
    from scripts.settings_doc import PAGE, with_table

    page = PAGE.read_text(encoding="utf-8")
    assert page == with_table(page), "run .venv/bin/python scripts/settings_doc.py"
    declared = {variable(name) for name in Settings.model_fields}
    deployment = set(re.findall(r"\$(XXGK_\w+)", (ROOT / "prefect.yaml").read_text()))
    named = {
        name
        for doc in [*PAGES, ROOT / "CONTRIBUTING.md"]
        for name in re.findall(r"\bXXGK_[A-Z][A-Z0-9_]*", doc.read_text(encoding="utf-8"))
    }
    assert named - declared - deployment == set()
    assert deployment.isdisjoint(declared)
