"""Store URIs that name nothing, or name what we do not support, are refused in one line, exit 2."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

EVENT = '{"source":"a","payload":{"metric":"m","amount":1,"timestamp":"2024-01-01"}}'


def eventdesk(*args: str, env: dict | None = None, cwd=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args], capture_output=True, env=env, cwd=cwd, check=False)


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k != "EVENTDESK_STORE"}
    env["XDG_DATA_HOME"] = str(tmp_path / "xdg")  # the default store, if anything falls back to it
    env.update(extra)
    return env


def _refused(result: subprocess.CompletedProcess, *words: str) -> str:
    err = result.stderr.decode()
    assert result.returncode == 2, (result.returncode, err, result.stdout)
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    for word in words:
        assert word in err, err
    return err


@pytest.mark.parametrize("uri, words", [
    ("sqlite:///", ["sqlite:///", "no path"]),
    ("sqlite://", ["sqlite://", "no path"]),
    ("sqlite:", ["sqlite:"]),
    ("sqlite:///:memory:", ["memory"]),
    (":memory:", ["memory"]),
    ("", ["empty"]),
    ("   ", ["empty"]),
    ("\t", ["empty"]),
    ("mongodb://", ["mongodb://", "host"]),
    ("mongodb:///events", ["host"]),
    ("mongodb+srv://", ["host"]),
    ("file:///tmp/x.db", ["file"]),
    ("file://", ["file"]),
    ("postgres://x", ["postgres", "not supported"]),
    ("mysql://u@h/db", ["mysql", "not supported"]),
    ("http://localhost:27017", ["http", "not supported"]),
])
@pytest.mark.parametrize("command", [["stats", "--json"], ["submit", EVENT]])
def test_store_uri_that_names_nothing_is_refused(tmp_path, uri, words, command):
    result = eventdesk(*command, "--store", uri, env=_env(tmp_path), cwd=tmp_path)
    _refused(result, "--store", *words)
    assert not (tmp_path / "xdg").exists()  # nothing fell back to the default store
    assert sorted(os.listdir(tmp_path)) == []  # and nothing was created


@pytest.mark.parametrize("value, words", [
    ("", ["EVENTDESK_STORE", "empty"]),
    ("  ", ["EVENTDESK_STORE", "empty"]),
    ("sqlite:///", ["EVENTDESK_STORE", "no path"]),
    ("postgres://x", ["EVENTDESK_STORE", "postgres"]),
])
def test_a_bad_eventdesk_store_says_where_it_came_from(tmp_path, value, words):
    result = eventdesk("stats", "--json", env=_env(tmp_path, EVENTDESK_STORE=value), cwd=tmp_path)
    _refused(result, *words)
    assert not (tmp_path / "xdg").exists()


def test_store_that_is_a_folder_is_refused(tmp_path):
    folder = tmp_path / "folder.db"
    folder.mkdir()
    for uri in (str(folder), f"sqlite:///{folder}"):
        _refused(eventdesk("stats", "--json", "--store", uri, env=_env(tmp_path)), "folder")


def test_good_uris_still_work(tmp_path):
    env = _env(tmp_path)
    for uri in (str(tmp_path / "plain.db"), f"sqlite:///{tmp_path / 'abs.db'}", "sqlite:///rel.db", "rel2.db"):
        assert eventdesk("submit", EVENT, "--store", uri, env=env, cwd=tmp_path).returncode == 0, uri
        stats = json.loads(eventdesk("stats", "--json", "--store", uri, env=env, cwd=tmp_path).stdout)
        assert stats["normalized"] == 1
    assert (tmp_path / "rel.db").is_file() and (tmp_path / "rel2.db").is_file()
    via_env = _env(tmp_path, EVENTDESK_STORE=str(tmp_path / "env.db"))
    assert eventdesk("submit", EVENT, env=via_env).returncode == 0
    assert (tmp_path / "env.db").is_file()


def test_missing_folder_is_still_a_missing_folder(tmp_path):
    result = eventdesk("stats", "--store", str(tmp_path / "no" / "x.db"), env=_env(tmp_path))
    assert result.returncode == 1 and "missing folder" in result.stderr.decode()
