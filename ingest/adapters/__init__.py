"""The one place ingest/ relies on a dependency's internals, one module per dependency, each
pinned by a test (tests/ingest/test_adapters.py) so that an upgrade that breaks it fails."""
