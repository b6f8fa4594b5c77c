"""Where the project's files are, independent of the working directory."""

from __future__ import annotations

from pathlib import Path

ROOT: Path = Path(__file__).resolve().parent.parent
"""Project root: holds dbt_project.yml, profiles.yml, seeds/ and models/."""

DATA_DIR: Path = ROOT / "data"
"""The data bundled with the project (data/README.md)."""

SAMPLE_DIR: Path = DATA_DIR / "sample"
"""The bundled sample reports used when `xxgk run` gets no --input."""

CORPUS_DIR: Path = DATA_DIR / "corpus"
"""The development corpus: real reports in every format the warehouse reads."""

TRUTH_DIR: Path = DATA_DIR / "truth"
"""Hand-checked truth for the sample (``seed_*.csv``) and the corpus (``corpus_*.csv``)."""

DEFAULT_DB: Path = ROOT / "warehouse" / "xxgk.duckdb"
"""The default serving file (builds go to its work file, see :func:`work_db_path`)."""

SEEDS_DIR: Path = ROOT / "seeds"


def data_docs_dir(db_path: Path) -> Path:
    """Great Expectations Data Docs are built next to the warehouse file."""
    return Path(db_path).resolve().parent / "data_docs"


def work_db_path(serving_db: Path) -> Path:
    """The work file a build writes, beside the serving file analysts open: ``<name>.build.duckdb``.

    It keeps raw.* between runs, so re-runs stay incremental; only `xxgk run` opens it.
    """
    serving_db = Path(serving_db).resolve()
    return serving_db.with_name(f"{serving_db.stem}.build{serving_db.suffix or '.duckdb'}")


def parquet_dir(serving_db: Path) -> Path:
    """The marts as Parquet (one folder per mart, partitioned by report year)."""
    return Path(serving_db).resolve().parent / "parquet"


def report_dir(serving_db: Path) -> Path:
    """The static HTML report on the served version."""
    return Path(serving_db).resolve().parent / "report"


def dbt_docs_dir(serving_db: Path) -> Path:
    """dbt's documentation site (one self-contained index.html)."""
    return Path(serving_db).resolve().parent / "dbt_docs"
