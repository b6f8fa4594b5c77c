"""Prefect flows: orchestration only, the work lives in ingest/, xxgk/ and expectations/.

Importing the package applies the project's environment defaults (see core.settings) before
Prefect is imported, so the flows behave the same whether started by `xxgk run` or directly.
"""

from core.settings import configure_environment

configure_environment()
