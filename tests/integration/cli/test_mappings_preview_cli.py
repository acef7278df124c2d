"""`eventdesk mappings --preview FILE [--client C] [--limit N] [--json]` through the real command line."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest


def eventdesk(*args: str, check: bool = True, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args], capture_output=True, text=True,
                          check=check, input=stdin)


@pytest.fixture
def store(tmp_path):
    path = str(tmp_path / "s.db")
    lines = [json.dumps({"source": "client_D", "payload": {"event": "e", "betrag": f"{n},5", "zeit": "05.01.2024 10:00"}})
             for n in range(4)]
    lines.append(json.dumps({"source": "client_B", "payload": {"metric": "m", "amount": 1, "timestamp": 1_700_000_000}}))
    events = tmp_path / "e.jsonl"
    events.write_text("\n".join(lines) + "\n")
    eventdesk("ingest", str(events), "--store", path)
    return path


@pytest.fixture
def draft(tmp_path):
    path = tmp_path / "draft.json"
    path.write_text('{"clients": {"client_D": {"fields": {"metric": ["event"], "amount": ["betrag"],'
                    ' "timestamp": ["zeit"]}, "dayfirst": true, "decimal_comma": false, "timezone": "Europe/Berlin"}}}')
    return str(path)


def test_preview_json_counts_and_examples(store, draft):
    out = json.loads(eventdesk("mappings", "--preview", draft, "--client", "client_D", "--json",
                               "--store", store).stdout)
    assert (out["examined"], out["broken"], out["amount_changed"], out["unchanged"]) == (4, 4, 4, 0)
    assert out["examples"][0]["kinds"] == ["broken", "amount"] and out["examples"][0]["after"]["amount"] is None
    limited = json.loads(eventdesk("mappings", "--preview", draft, "--limit", "2", "--json", "--store", store).stdout)
    assert limited["examined"] == 2


def test_preview_text_writes_nothing(store, draft):
    before = eventdesk("mappings", "--store", store).stdout
    text = eventdesk("mappings", "--preview", draft, "--store", store).stdout.splitlines()
    assert text[0].startswith("5 examined with the draft: would change 4, unchanged 1")
    assert text[1].startswith("  raw ") and 'amount "0.5" -> null' in "\n".join(text)
    assert len(text) == 1 + 4 and eventdesk("mappings", "--store", store).stdout == before


@pytest.mark.parametrize("args, message", [
    (["--client", "client_D"], "--preview"), (["--preview", "missing.json"], "missing.json"),
    (["--preview", "BAD"], "clients.client_D.timezone"), (["--preview", "DRAFT", "--set", "DRAFT"], "not allowed"),
])
def test_preview_mistakes_are_one_line_with_exit_2(store, draft, tmp_path, args, message):
    bad = tmp_path / "bad.json"
    bad.write_text('{"clients": {"client_D": {"timezone": "Mars/Base"}}}')
    args = [{"BAD": str(bad), "DRAFT": draft}.get(a, a) for a in args]
    result = eventdesk("mappings", *args, "--store", store, check=False)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr
