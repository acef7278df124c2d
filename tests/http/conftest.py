"""Fixtures: a real ``eventdesk serve`` on a free loopback port, started as a subprocess."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from http_served import Served


@pytest.fixture
def server_env(tmp_path) -> dict[str, str]:
    env = dict(os.environ)
    env["HOME"] = str(tmp_path / "home")  # the admin token file goes to the user data folder
    env["XDG_DATA_HOME"] = str(tmp_path / "home" / "data")
    env.pop("EVENTDESK_UNSAFE_DISABLE_DEDUP_GUARD", None)
    return env


@pytest.fixture
def make_server(tmp_path, server_env):
    started: list[Served] = []

    def make(*args: str, store: Path | None = None, env: dict[str, str] | None = None,
             start: bool = True) -> Served:
        served = Served(store or tmp_path / "http.db", list(args), env or server_env, tmp_path / "home")
        started.append(served)
        return served.start() if start else served

    yield make
    for served in started:
        if served.proc is not None and served.proc.poll() is None:
            served.stop()


@pytest.fixture
def open_server(make_server) -> Served:
    """The seed's setting: no tokens, failure simulation honoured."""
    return make_server("--no-auth", "--allow-simulation")
