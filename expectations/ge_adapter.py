"""The two places the gate reaches into Great Expectations beyond its public API.

Both are speed and memory measures of the gate (expectations/validate.py), not behaviour:
without them the outcomes are the same, slower and bigger. Each fails loudly when an
upgrade moves what it relies on, and tests/expectations/test_ge_adapter.py pins that behaviour.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

# GE's batch manager keeps its caches in these attributes (public, read-only properties
# batch_data_cache and batch_cache return them)
BATCH_CACHES = {"_batch_data_cache": "batch_data_cache", "_batch_cache": "batch_cache"}


class AdapterBroken(RuntimeError):
    """Great Expectations no longer has what this adapter relies on."""


def skip_batch_fingerprint() -> None:
    """GE hashes every pandas batch under ``HASH_THRESHOLD`` bytes (1 GB), for a
    ``pandas_data_fingerprint`` shown in Data Docs only: about a fifth of the validation
    time. A threshold of 0 turns the hashing off."""
    from great_expectations.execution_engine import pandas_execution_engine

    if not isinstance(getattr(pandas_execution_engine, "HASH_THRESHOLD", None), int | float):
        raise AdapterBroken("great_expectations: pandas_execution_engine.HASH_THRESHOLD is gone")
    pandas_execution_engine.HASH_THRESHOLD = 0


class LatestOnly(OrderedDict):
    """A cache that keeps only the entry set last."""

    def __setitem__(self, key: Any, value: Any) -> None:
        if key not in self:
            self.clear()
        super().__setitem__(key, value)


def keep_latest_batch(source: Any) -> None:
    """GE's pandas engine caches every batch it loads (the DataFrame and the Batch holding
    it) for the life of the datasource ``source``: with chunks, all of them. The gate's
    validation definitions run one after another and never go back to an earlier batch, so
    keep the last one."""
    manager = source.get_execution_engine().batch_manager
    for attribute, public in BATCH_CACHES.items():
        cache = getattr(manager, attribute, None)
        if not isinstance(cache, dict):
            raise AdapterBroken(f"great_expectations: BatchManager.{attribute} is gone")
        setattr(manager, attribute, LatestOnly(cache))
        if not isinstance(getattr(manager, public), LatestOnly):
            raise AdapterBroken(f"great_expectations: BatchManager.{public} reads elsewhere")
