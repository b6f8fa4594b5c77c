"""The scheduled deployment (issue 6): `xxgk serve` against a temporary Prefect server runs
the refresh flow on its schedule, and the run completes: Prefect records the flow run as
COMPLETED and the warehouse serves a version whose audit.runs row says `scheduled`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from core.paths import SAMPLE_DIR
from flows.deployment import local_prefect_server


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _post(url: str, body: dict) -> list[dict]:
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@pytest.fixture
def prefect_server(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A temporary `prefect server start` with its own PREFECT_HOME; yields (API URL, env)."""
    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect"), "PREFECT_API_URL": api_url}
    with local_prefect_server(port, environ=env):
        yield api_url, env


def _completed_runs(api_url: str) -> list[dict]:
    """Completed runs of a deployment (the refresh subflow's own run has none)."""
    runs = _post(
        f"{api_url}/flow_runs/filter",
        {"flow_runs": {"state": {"type": {"any_": ["COMPLETED"]}}}},
    )
    return [run for run in runs if run.get("deployment_id")]


@pytest.mark.slow
@pytest.mark.e2e
def test_served_deployment_runs_on_schedule(
    tmp_path: Path, prefect_server: tuple[str, dict[str, str]]
) -> None:
    api_url, env = prefect_server
    inbox = tmp_path / "inbox"
    shutil.copytree(SAMPLE_DIR, inbox)
    db = tmp_path / "served" / "xxgk.duckdb"
    serve = subprocess.Popen(
        [sys.executable, "-m", "xxgk.cli", "serve", "--inbox", str(inbox), "--db", str(db)]
        + ["--interval", "15"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 420
        completed: list[dict] = []
        while not completed:
            assert serve.poll() is None, serve.stdout.read().decode()[-3000:]  # type: ignore[union-attr]
            assert time.monotonic() < deadline, "no scheduled run completed in time"
            time.sleep(3)
            completed = _completed_runs(api_url)
    finally:
        _stop(serve)
    deployments = _post(f"{api_url}/deployments/filter", {})
    assert [d["name"] for d in deployments] == ["inbox"]
    assert deployments[0]["id"] == completed[0]["deployment_id"]
    with duckdb.connect(str(db), read_only=True) as con:
        version = con.execute("select version from meta.current_version").fetchone()
        runs = con.execute("select kind, status, served_version from audit.runs").fetchall()
        reports = con.execute("select count(*) from marts.dim_report").fetchone()
    assert version == (1,)
    assert ("scheduled", "published", 1) in runs
    assert reports == (5,)


def test_prefect_yaml_names_the_served_flow() -> None:
    """prefect.yaml (for `prefect deploy`) describes the deployment `xxgk serve` serves."""
    import yaml
    from prefect.flows import load_flow_from_entrypoint

    from core.paths import ROOT
    from flows.deployment import DEPLOYMENT_NAME
    from flows.schedule import DEFAULT_CRON

    config = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    (deployment,) = config["deployments"]
    assert deployment["name"] == DEPLOYMENT_NAME
    assert deployment["schedules"][0]["cron"] == DEFAULT_CRON
    assert deployment["concurrency_limit"] == 1
    flow = load_flow_from_entrypoint(str(ROOT / deployment["entrypoint"]))
    assert flow.name == "refresh-inbox"
    assert set(deployment["parameters"]) == set(flow.parameters.properties)
