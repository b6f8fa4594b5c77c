"""Running the atexit handlers before ``os._exit``, which the standard library offers only
as ``atexit._run_exitfuncs``.

A command that loaded dbt and Prefect spends 2–3 s in the interpreter's module teardown
after its work is done. It exits with ``os._exit`` instead, which skips that teardown but
also the atexit handlers that Prefect and dbt registered (flushing logs, stopping their
threads); :func:`run_exit_handlers` runs them first, as a normal exit would, in reverse
order of registration. tests/xxgk/test_adapters.py pins that behaviour (CPython 3.11–3.12).
"""

from __future__ import annotations

import atexit


def run_exit_handlers() -> None:
    """Run (and clear) every handler registered with ``atexit.register``."""
    atexit._run_exitfuncs()
