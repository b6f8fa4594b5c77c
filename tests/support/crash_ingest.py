"""The ingest process the crash-safety test kills: land, parse and build the warehouse at
argv[2] from the reports under argv[1], as `xxgk run` does before validation and publishing
(no Prefect: the test kills this process at random moments, not a server)."""

from __future__ import annotations

import sys
from pathlib import Path

from ingest.land import land_documents
from ingest.parse_landed import parse_landed
from transform.dbt_runner import build_warehouse


def main(input_dir: Path, db_path: Path, build: bool) -> None:
    land_documents(db_path, input_dir)
    parse_landed(db_path)
    if build:
        build_warehouse(db_path)
    print("complete", flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), build=sys.argv[3:] == ["--build"])
