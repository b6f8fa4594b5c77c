"""Prefect flows: orchestration only, the work lives in ingest/, xxgk/ and expectations/.

Importing the package applies the project's environment defaults (see core.environment) before
Prefect is imported, so the flows behave the same whether started by `xxgk run` or directly.
"""

from core.environment import configure_environment

configure_environment()
