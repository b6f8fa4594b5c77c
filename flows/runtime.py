"""Start-up of a one-shot flow run (`xxgk run`): the Prefect API it reports to.

With PREFECT_API_URL set (a Prefect server, e.g. the one `xxgk serve` runs), the run reports
there. Without it, Prefect 3 would start a temporary API server in a subprocess for the first
flow run of the process, after importing the server's modules here (about 2 s) and waiting
for it (about 4 s). :func:`one_shot_api` starts that same server itself, first: the server's
process starts while this one imports Prefect and dbt. The run then
reports to it through PREFECT_API_URL and, as nothing outlives the process to read them,
sends no flow-run heartbeats (one per flow run, each joined for up to a second at exit).
Nothing here changes what the flow does.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

# what Prefect's own temporary server runs (prefect.server.api.server.SubprocessASGIServer)
SERVER_ENVIRONMENT = {
    "PREFECT_UI_ENABLED": "0",
    "PREFECT__SERVER_EPHEMERAL": "1",
    "PREFECT__SERVER_FINAL": "1",
}
PORT_IN_USE = 3  # uvicorn's exit status when it cannot bind the port (or start the app)
PORT_ATTEMPTS = 3  # another free port after an exit with PORT_IN_USE, then give up


# what a run imports in this process after the server answers, unless imported meanwhile:
# dbt and its build task; pandas, which DuckDB's Python API loads for the first query with
# parameters; FastAPI's encoders (0.25 s), which Prefect loads to serialise a flow run's
# parameters, and graphviz, which it loads on every flow call; pyarrow's datasets, which
# DuckDB loads when landing appends an Arrow table. Great Expectations loads in the gate's
# own process.
PREFETCHED_MODULES = (
    "dbt.cli.main",
    "dbt.task.build",
    "pandas",
    "fastapi.encoders",
    "prefect.utilities.visualization",
    "pyarrow.dataset",
)


def _prefetch_imports() -> None:
    for module in PREFETCHED_MODULES:
        try:
            importlib.import_module(module)
        except Exception:  # the step that needs the module will report the problem
            return


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_command(port: int) -> list[str]:
    spec = importlib.util.find_spec("prefect")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("prefect is not installed")
    app_dir = Path(next(iter(spec.submodule_search_locations))).parent
    return [
        sys.executable,
        "-m",
        "uvicorn",
        "--app-dir",
        str(app_dir),
        "--factory",
        "prefect.server.api.server:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "error",
        "--lifespan",
        "on",
    ]


def api_healthy(api_url: str, timeout_s: float = 1) -> bool:
    """True when the Prefect API at ``api_url`` answers its health check."""
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=timeout_s) as response:
            return response.status == 200
    except OSError:
        return False


class ServerExited(RuntimeError):
    """A Prefect API server process ended before it answered."""

    def __init__(self, name: str, status: int) -> None:
        super().__init__(f"{name} exited with status {status}")
        self.status = status


def wait_for_api(
    process: subprocess.Popen[bytes], api_url: str, timeout_s: float, name: str, poll_s: float
) -> None:
    """Return once the server ``process`` answers at ``api_url``; raise :class:`ServerExited`
    if it ends first, RuntimeError after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while not api_healthy(api_url):
        status = process.poll()
        if status is not None:
            raise ServerExited(name, status)
        if time.monotonic() > deadline:
            raise RuntimeError(f"{name} did not answer at {api_url} in {timeout_s} s")
        time.sleep(poll_s)


def stop_server(process: subprocess.Popen[bytes], timeout_s: float) -> None:
    """Terminate a server process, killing it if it has not ended after ``timeout_s``."""
    process.terminate()
    try:
        process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _end_with_parent() -> Callable[[], None] | None:
    """What the server process calls before it starts: on Linux, ask the kernel to end it
    (SIGTERM) when this process dies, however it dies (a SIGKILL, the OOM killer): a
    temporary server must not outlive the run that started it. The C function is looked up
    here, before the fork: the child only calls it."""
    try:
        import ctypes

        prctl = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # not Linux: the server is stopped on a normal exit
        return None
    parent = os.getpid()

    def set_death_signal() -> None:
        prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before the signal was asked for
            os._exit(1)

    return set_death_signal


PR_SET_PDEATHSIG = 1  # linux/prctl.h


class TemporaryServer:
    """Prefect's API server in a subprocess on a free local port, for one process's runs."""

    name = "the temporary Prefect server"

    def __init__(self) -> None:
        self.port = _free_port()
        self.process = self._start()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def _start(self) -> subprocess.Popen[bytes]:
        env = {**os.environ, **SERVER_ENVIRONMENT}
        home = env.get("PREFECT_HOME")
        if home:  # the server keeps its database there, and creates no parent folders
            Path(home).expanduser().mkdir(parents=True, exist_ok=True)
        return subprocess.Popen(_server_command(self.port), env=env, preexec_fn=_end_with_parent())

    def wait_until_healthy(self, timeout_s: float) -> str:
        for attempt in range(1, PORT_ATTEMPTS + 1):
            try:
                wait_for_api(self.process, self.api_url, timeout_s, self.name, poll_s=0.05)
                return self.api_url
            except ServerExited as exited:
                # uvicorn exits with the same status when the app cannot start (e.g. its
                # database cannot be opened): that one is not retried for ever
                if exited.status != PORT_IN_USE or attempt == PORT_ATTEMPTS:
                    raise
                self.port = _free_port()  # taken since it was found free: another port
                self.process = self._start()
        raise AssertionError("unreachable")

    def stop(self) -> None:
        stop_server(self.process, timeout_s=5)


@contextmanager
def one_shot_api(prepare: Callable[[], None] | None = None) -> Iterator[str | None]:
    """The Prefect API for the flow runs inside: PREFECT_API_URL when the environment or the
    active Prefect profile sets it (yields it), else a temporary server started now and
    stopped on exit (yields its URL). Meanwhile it imports :data:`PREFETCHED_MODULES` in a
    thread and calls ``prepare`` (e.g. importing the flow) once Prefect is imported. Call it
    before importing Prefect."""
    threading.Thread(target=_prefetch_imports, daemon=True).start()
    configured = os.environ.get("PREFECT_API_URL", "").strip()
    server = None if configured else TemporaryServer()
    try:
        from prefect.settings import (
            PREFECT_API_URL,
            PREFECT_FLOWS_HEARTBEAT_FREQUENCY,
            PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
            temporary_settings,
        )

        if prepare is not None:
            prepare()
        api_url = configured or PREFECT_API_URL.value() or None
        if api_url:  # from the environment, or the active Prefect profile names a server
            if server is not None:
                server.stop()
                server = None
            with temporary_settings(updates={PREFECT_API_URL: api_url}):
                yield api_url
            return
        assert server is not None
        timeout = float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value())
        api_url = server.wait_until_healthy(timeout)
        updates = {PREFECT_API_URL: api_url, PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}
        with temporary_settings(updates=updates):
            yield api_url
    finally:
        if server is not None:
            server.stop()
