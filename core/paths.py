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

WORK_TAG = ".build"  # <name>.build.duckdb is the work file of <name>.duckdb


def work_db_path(serving_db: Path) -> Path:
    """The work file a build writes, beside the serving file analysts open: ``<name>.build.duckdb``.

    It keeps raw.* between runs, so re-runs stay incremental; only `xxgk run` opens it.
    """
    serving_db = Path(serving_db).resolve()
    return serving_db.with_name(f"{serving_db.stem}{WORK_TAG}{serving_db.suffix or '.duckdb'}")


def sidecar(serving_db: Path, kind: str) -> Path:
    """What a warehouse publishes or keeps beside its serving file ``<name>.duckdb``:
    ``<name>.<kind>`` in the same folder, so that two warehouses in one folder never share
    one. A work file ``<name>.build.duckdb`` has the sidecars of its serving file."""
    serving_db = Path(serving_db).resolve()
    stem = serving_db.stem.removesuffix(WORK_TAG)
    return serving_db.with_name(f"{stem}.{kind}")


def data_docs_dir(serving_db: Path) -> Path:
    """Great Expectations Data Docs, beside the serving file."""
    return sidecar(serving_db, "data_docs")


def reviews_store_path(serving_db: Path) -> Path:
    """The reviews store of a warehouse, ``<name>.reviews.duckdb`` beside its serving file:
    what `xxgk review` records (ingest/reviews.py), and every run applies."""
    return sidecar(serving_db, "reviews.duckdb")


def parquet_dir(serving_db: Path) -> Path:
    """The marts as Parquet (one folder per mart, partitioned by report year): a link to
    ``<name>.parquet.v<N>``, the folder of the version served."""
    return sidecar(serving_db, "parquet")


def parquet_pointer(serving_db: Path) -> Path:
    """``<name>.parquet.current``: a file naming the folder of the Parquet version served
    (``<name>.parquet.v<N>``, whose ``_manifest.json`` lists its files). A reader that reads
    it, then that folder, reads one complete version."""
    return sidecar(serving_db, "parquet.current")


def report_dir(serving_db: Path) -> Path:
    """The static HTML report on the served version."""
    return sidecar(serving_db, "report")


def dbt_docs_dir(serving_db: Path) -> Path:
    """dbt's documentation site (one self-contained index.html)."""
    return sidecar(serving_db, "dbt_docs")


def state_dir(serving_db: Path) -> Path:
    """What the tools keep between runs of this warehouse: dbt's ``target/`` (manifest,
    partial parse, the docs page) and ``logs/`` (dbt.log). Never in the source tree."""
    return sidecar(serving_db, "state")
