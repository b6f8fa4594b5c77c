"""Start-up of a one-shot flow run: overlap Prefect's temporary server with heavy imports.

With no PREFECT_API_URL, Prefect 3 starts a temporary API server in a subprocess for the
first flow run of a process and waits for it (5–15 s). :func:`warm_start` starts that
server itself — the same singleton the flow engine uses, so the engine finds it running —
and imports dbt and Great Expectations in a thread meanwhile, while the main thread only
polls the server. Nothing here changes what the flow does.
"""

from __future__ import annotations

import threading


def _prefetch_imports() -> None:
    try:
        import dbt.cli.main  # noqa: F401
        import great_expectations.expectations  # noqa: F401
    except Exception:  # the task that needs the module will report the problem
        return


def warm_start() -> None:
    """Start the temporary Prefect server (if one will be used) while prefetching imports."""
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value():
        threading.Thread(target=_prefetch_imports, daemon=True).start()
        return
    from prefect.server.api.server import SubprocessASGIServer

    threading.Thread(target=_prefetch_imports, daemon=True).start()
    SubprocessASGIServer().start()
