"""Where the project's files are, independent of the working directory."""

from __future__ import annotations

from pathlib import Path

ROOT: Path = Path(__file__).resolve().parent.parent
"""Project root: holds dbt_project.yml, profiles.yml, seeds/ and models/."""

SAMPLE_DIR: Path = ROOT / "data" / "sample"
"""The bundled sample reports used when `xxgk run` gets no --input."""

DEFAULT_DB: Path = ROOT / "warehouse" / "xxgk.duckdb"
"""The default warehouse file."""

SEEDS_DIR: Path = ROOT / "seeds"


def data_docs_dir(db_path: Path) -> Path:
    """Great Expectations Data Docs are built next to the warehouse file."""
    return Path(db_path).resolve().parent / "data_docs"
