"""The Prefect API of a one-shot run (flows/runtime.py)."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

from flows import runtime

ELSEWHERE = "http://127.0.0.1:9/api"


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[runtime.TemporaryServer]:
    """The temporary servers one_shot_api starts (none configured in the environment)."""
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    servers: list[runtime.TemporaryServer] = []
    original = runtime.TemporaryServer

    def recorded() -> runtime.TemporaryServer:
        servers.append(original())
        return servers[-1]

    monkeypatch.setattr(runtime, "TemporaryServer", recorded)
    return servers


def test_an_api_in_the_environment_is_used_and_no_server_started(
    monkeypatch: pytest.MonkeyPatch, started: list[runtime.TemporaryServer]
) -> None:
    from prefect.settings import PREFECT_API_URL

    monkeypatch.setenv("PREFECT_API_URL", ELSEWHERE)
    with runtime.one_shot_api() as api_url:
        assert api_url == PREFECT_API_URL.value() == ELSEWHERE
    assert not started


def test_a_server_named_by_the_prefect_profile_is_used(
    started: list[runtime.TemporaryServer],
) -> None:
    from prefect.settings import PREFECT_API_URL, temporary_settings

    profile = temporary_settings(updates={PREFECT_API_URL: ELSEWHERE})
    with profile, runtime.one_shot_api() as api_url:
        assert api_url == PREFECT_API_URL.value() == ELSEWHERE
        (server,) = started  # started before Prefect's settings could be read, then stopped
        assert server.process.poll() is not None


def test_without_an_api_a_temporary_server_serves_the_runs_and_stops(
    started: list[runtime.TemporaryServer],
) -> None:
    from prefect.settings import PREFECT_API_URL, get_current_settings

    before = PREFECT_API_URL.value()
    with runtime.one_shot_api() as api_url:
        assert api_url and api_url.startswith("http://127.0.0.1:")
        assert PREFECT_API_URL.value() == api_url
        assert get_current_settings().flows.heartbeat_frequency is None
        with urllib.request.urlopen(f"{api_url}/health", timeout=5) as response:
            assert response.status == 200
    (server,) = started
    assert server.process.poll() is not None  # stopped
    assert PREFECT_API_URL.value() == before != api_url
    assert get_current_settings().flows.heartbeat_frequency == 180  # Prefect's default again


def test_a_server_that_exits_is_reported(
    monkeypatch: pytest.MonkeyPatch, started: list[runtime.TemporaryServer]
) -> None:
    monkeypatch.setattr(runtime, "_server_command", lambda port: ["false"])
    exited = pytest.raises(RuntimeError, match="temporary Prefect server exited with status 1")
    with exited, runtime.one_shot_api():
        pass


def test_a_server_that_cannot_start_is_not_retried_for_ever(
    monkeypatch: pytest.MonkeyPatch, started: list[runtime.TemporaryServer], tmp_path: Path
) -> None:
    """uvicorn exits with 3 both when the port is taken and when the app cannot start (its
    database cannot be opened): a few other ports, then the run ends with the reason."""
    commands: list[int] = []

    def fails_to_start(port: int) -> list[str]:
        commands.append(port)
        return ["sh", "-c", "exit 3"]

    monkeypatch.setattr(runtime, "_server_command", fails_to_start)
    monkeypatch.setenv("PREFECT_HOME", str(tmp_path / "state" / "prefect"))
    exited = pytest.raises(RuntimeError, match="exited with status 3")
    with exited, runtime.one_shot_api():
        pass
    assert len(commands) == runtime.PORT_ATTEMPTS
    assert (tmp_path / "state" / "prefect").is_dir()  # made for the server, parents too
