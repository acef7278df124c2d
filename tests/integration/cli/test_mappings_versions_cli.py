"""`eventdesk mappings --history / --show / --rollback` (design 8) through the real command line."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest


def eventdesk(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args], capture_output=True, text=True, check=check)


@pytest.fixture
def store(tmp_path):
    path = str(tmp_path / "s.db")
    eventdesk("stats", "--json", "--store", path)  # seeds version 1 from the shipped mappings
    eventdesk("mappings", "--store", path)
    return path


def test_history_show_and_rollback(store, tmp_path):
    changed = tmp_path / "m.json"
    text = '{"clients": {"client_A": {"fields": {"amount": ["amount", "price"]}}, "client_Z": {}}}\n'
    changed.write_text(text)
    eventdesk("mappings", "--set", str(changed), "--store", store)
    assert json.loads(eventdesk("mappings", "--show", "2", "--store", store).stdout) == json.loads(text)
    history = json.loads(eventdesk("mappings", "--history", "--json", "--store", store).stdout)["versions"]
    assert [v["version"] for v in history] == [1, 2]
    assert set(history[0]) >= {"version", "saved_at", "saved_by", "current", "changes"}
    assert [v["current"] for v in history] == [False, True]
    assert "client_Z" in history[1]["changes"] and "client_D" in history[1]["changes"]
    first = eventdesk("mappings", "--show", "1", "--store", store).stdout
    rolled = eventdesk("mappings", "--rollback", "1", "--store", store)
    assert rolled.stdout.split()[2] == "3"
    assert eventdesk("mappings", "--show", "3", "--store", store).stdout == first
    history = json.loads(eventdesk("mappings", "--history", "--json", "--store", store).stdout)["versions"]
    assert [(v["version"], v["current"]) for v in history] == [(1, False), (2, False), (3, True)]
    assert json.loads(eventdesk("mappings", "--rollback", "2", "--json", "--store", store).stdout)["version"] == 4
    lines = eventdesk("mappings", "--history", "--store", store).stdout.splitlines()
    assert len(lines) == 4 and lines[-1].startswith("*") and "rollback to 2" in lines[-1]


def test_show_prints_the_saved_document_exactly(store):
    stored = eventdesk("mappings", "--show", "1", "--store", store).stdout
    json.loads(stored)
    current = eventdesk("mappings", "--store", store).stdout.split("\n", 1)[1]
    assert stored == current


@pytest.mark.parametrize("option", ["--show", "--rollback"])
@pytest.mark.parametrize("version", ["9", "0", "-1", "x"])
def test_unknown_version_is_one_line_and_exit_2(store, option, version):
    done = eventdesk("mappings", option, version, "--store", store, check=False)
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert done.stdout == ""
    history = json.loads(eventdesk("mappings", "--history", "--json", "--store", store).stdout)["versions"]
    assert len(history) == 1  # nothing saved by a refused rollback


def test_history_and_show_do_not_write(store):
    before = open(store, "rb").read()
    eventdesk("mappings", "--history", "--store", store)
    eventdesk("mappings", "--show", "1", "--store", store)
    assert open(store, "rb").read() == before


def test_two_actions_at_once_are_refused(store):
    done = eventdesk("mappings", "--history", "--show", "1", "--store", store, check=False)
    assert done.returncode == 2 and "not allowed" in done.stderr
