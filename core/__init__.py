"""The bottom layer: what every other package may use and nothing here imports from them.

Paths (paths.py), the settings read from the environment (settings.py), terminal- and
spreadsheet-safe output (safe_output.py), the fault-injection kill points (faults.py), progress
reporting (progress.py) and fresh worker processes (processes.py). The layers above, in order:
ingest, transform, expectations, serving, flows, xxgk (the command line); each imports only
those below it (pyproject.toml's import-linter contract).
"""

__version__ = "0.1.0"
