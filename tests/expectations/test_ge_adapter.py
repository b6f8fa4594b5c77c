"""What expectations/ge_adapter.py relies on in Great Expectations, pinned: an upgrade that
moves it fails here, not silently in the gate's speed or memory."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from expectations import ge_adapter


class Files:
    """An ephemeral context, a pandas filesystem datasource on a folder, and one suite."""

    def __init__(self, folder: Path) -> None:
        import great_expectations as gx
        import great_expectations.expectations as gxe
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self.folder = folder
        self.context = gx.get_context(mode="ephemeral")
        self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self.source = self.context.data_sources.add_pandas_filesystem("f", base_directory=folder)
        self.suite = self.context.suites.add(
            gx.ExpectationSuite(
                name="s", expectations=[gxe.ExpectColumnValuesToNotBeNull(column="x")]
            )
        )

    def validate(self, name: str) -> Any:
        """Write ``<name>.parquet``, validate it; the batch GE loaded for it."""
        import great_expectations as gx

        pd.DataFrame({"x": [1, 2, 3]}).to_parquet(self.folder / f"{name}.parquet")
        batch = self.source.add_parquet_asset(name).add_batch_definition_path(
            name, path=f"{name}.parquet"
        )
        definition = self.context.validation_definitions.add(
            gx.ValidationDefinition(name=name, data=batch, suite=self.suite)
        )
        assert definition.run().success
        return self.source.get_execution_engine().batch_manager.active_batch


def test_a_zero_hash_threshold_skips_the_batch_fingerprint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from great_expectations.execution_engine import pandas_execution_engine

    monkeypatch.setattr(pandas_execution_engine, "HASH_THRESHOLD", 1e9)  # restored after
    files = Files(tmp_path)
    assert "pandas_data_fingerprint" in files.validate("a").batch_markers
    ge_adapter.skip_batch_fingerprint()
    assert "pandas_data_fingerprint" not in files.validate("b").batch_markers


def test_only_the_latest_batch_stays_cached(tmp_path: Path) -> None:
    files = Files(tmp_path)
    manager = files.source.get_execution_engine().batch_manager
    files.validate("a")
    files.validate("b")
    assert len(manager.batch_data_cache) == 2  # GE keeps every batch it loaded
    ge_adapter.keep_latest_batch(files.source)
    for name in ("c", "d"):
        files.validate(name)
        assert (
            list(manager.batch_data_cache) == list(manager.batch_cache) == [manager.active_batch_id]
        )
