"""Small command-line defects: half-written exports, attempts, racing retries, closed pipes, BOMs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EVENT = '{"source":"a","payload":{"metric":"m","amount":%d,"timestamp":"2024-01-01"}}'
ROOT = Path(__file__).resolve().parents[3]


def eventdesk(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args], input=stdin, capture_output=True, check=False)


def spawn(*args: str, **kwargs) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "eventdesk", *args], **kwargs)


@pytest.fixture()
def store(tmp_path) -> str:
    path = str(tmp_path / "s.db")
    lines = "\n".join(EVENT % n for n in range(3000)).encode()
    assert eventdesk("ingest", "-", "--store", path, stdin=lines).returncode == 0
    return path


@pytest.mark.parametrize("bad", [["--status", "nonsense"], ["--status", "failed", "--status", "Normalized"],
                                 ["--format", "xml"]])
def test_a_refused_export_leaves_the_out_file_alone(store, tmp_path, bad):
    out = tmp_path / "keep.jsonl"
    out.write_text("precious\n")
    result = eventdesk("export", "raw", *bad, "--out", str(out), "--store", store)
    assert result.returncode == 2 and "Traceback" not in result.stderr.decode()
    assert out.read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir() if "keep" in p.name) == ["keep.jsonl"]


def test_status_on_normalized_export_is_refused_not_ignored(store, tmp_path):
    result = eventdesk("export", "normalized", "--status", "failed", "--store", store)
    assert result.returncode == 2 and "raw" in result.stderr.decode()


def test_a_failed_export_leaves_no_half_file(store, tmp_path):
    out = tmp_path / "keep.jsonl"
    out.write_text("precious\n")
    os.chmod(store, 0o000)  # the store cannot be read: the export fails after parsing its args
    try:
        result = eventdesk("export", "raw", "--out", str(out), "--store", store)
    finally:
        os.chmod(store, 0o644)
    if result.returncode == 0:
        pytest.skip("running as a user who can read any file")
    assert out.read_text() == "precious\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".keep")] == []


class _FailingStore:
    """Serves one full page of raw events, then loses the connection."""

    def __init__(self) -> None:
        self.calls = 0

    def query_raw(self, query, page):
        from eventdesk.app.exporting import PAGE
        from eventdesk.core.errors import StoreUnavailable
        from eventdesk.core.model import RawEvent
        self.calls += 1
        if self.calls > 1:
            raise StoreUnavailable("connection lost")
        return [RawEvent(n, "a", EVENT % n, "normalized", f"h{n}") for n in range(1, PAGE + 1)]


def test_an_export_that_fails_midway_leaves_no_half_file(tmp_path):
    from eventdesk.app.exporting import export_to_file
    from eventdesk.core.errors import StoreUnavailable
    out = tmp_path / "keep.jsonl"
    out.write_text("precious\n")
    with pytest.raises(StoreUnavailable):
        export_to_file(_FailingStore(), "raw", [], None, "jsonl", str(out))
    assert out.read_text() == "precious\n"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.jsonl"]
    with pytest.raises(StoreUnavailable):
        export_to_file(_FailingStore(), "raw", [], None, "csv", str(tmp_path / "new.csv"))
    assert [p.name for p in tmp_path.iterdir()] == ["keep.jsonl"]


def test_export_to_out_replaces_the_file_whole(store, tmp_path):
    out = tmp_path / "new.jsonl"
    out.write_text("old\n" * 10_000)
    result = eventdesk("export", "raw", "--out", str(out), "--store", store)
    assert result.returncode == 0, result.stderr
    lines = out.read_text().splitlines()
    assert len(lines) == 3000 and all(json.loads(line)["status"] == "normalized" for line in lines)
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


@pytest.mark.parametrize("max_attempts, statuses", [("1", ["dead_letter"]), ("2", ["failed", "dead_letter"]),
                                                    ("3", ["failed", "failed", "dead_letter"])])
def test_max_attempts_boundary_from_the_command_line(tmp_path, max_attempts, statuses):
    store = str(tmp_path / "s.db")
    seen = []
    for _ in statuses:
        result = eventdesk("submit", EVENT % 1, "--simulate-failure", "mid_transaction", "--json",
                           "--max-attempts", max_attempts, "--store", store)
        seen.append(json.loads(result.stdout)["status"])
    assert seen == statuses


def test_two_retry_processes_report_each_fix_once(tmp_path):
    store, count = str(tmp_path / "race.db"), 400
    lines = "\n".join(EVENT % n for n in range(count)).encode()
    code = ("import sys; from eventdesk.app import Settings, build_app; from eventdesk.core.faults import FaultPoint\n"
            "app = build_app(Settings(store_uri=sys.argv[1]))\n"
            "p = app.processor\n"
            "p.apply([p.prepare(l) for l in sys.stdin.buffer.read().splitlines()], FaultPoint.MID_TRANSACTION)\n"
            "app.close()\n")
    subprocess.run([sys.executable, "-c", code, store], input=lines, check=True, cwd=ROOT)
    assert json.loads(eventdesk("stats", "--json", "--store", store).stdout)["raw"]["by_status"]["failed"] == count
    runs = [spawn("retry", "--json", "--store", store, stdout=subprocess.PIPE) for _ in range(2)]
    reports = [json.loads(run.communicate()[0]) for run in runs]
    assert sum(r["normalized"] for r in reports) == count, reports
    stats = json.loads(eventdesk("stats", "--json", "--store", store).stdout)
    assert stats["normalized"] == count and stats["raw"]["by_status"]["failed"] == 0


@pytest.mark.parametrize("command", [["export", "raw"], ["export", "normalized", "--format", "csv"],
                                     ["stats"], ["stats", "--json"], ["aggregates", "--bucket", "day"],
                                     ["aggregates", "--json"], ["mappings"]])
def test_a_closed_pipe_is_a_normal_end(store, command):
    reader = spawn(*command, "--store", store, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    reader.stdout.read(1)
    reader.stdout.close()  # as `| head -c1` does
    err = reader.stderr.read().decode()
    assert reader.wait() == 0, err
    assert err == ""


def test_a_closed_pipe_after_ingest_json_is_a_normal_end(tmp_path):
    lines = "\n".join(EVENT % n for n in range(200)).encode()
    result = subprocess.run(f"{sys.executable} -m eventdesk ingest - --json --store {tmp_path / 's.db'} | true",
                            shell=True, input=lines, capture_output=True, check=False)
    assert result.stderr == b""
    stats = json.loads(eventdesk("stats", "--json", "--store", str(tmp_path / "s.db")).stdout)
    assert stats["normalized"] == 200


def test_export_through_head_exits_zero(store):
    result = subprocess.run(f"set -o pipefail; {sys.executable} -m eventdesk export raw --store {store} | head -n 2",
                            shell=True, capture_output=True, executable="/bin/bash", check=False)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2 and result.stderr == b""


BOM = b"\xef\xbb\xbf"


def test_a_mappings_file_with_a_bom_is_accepted(tmp_path):
    mappings = tmp_path / "m.json"
    mappings.write_bytes(BOM + (ROOT / "resources" / "mappings.json").read_bytes())
    store = str(tmp_path / "s.db")
    result = eventdesk("mappings", "--set", str(mappings), "--store", store)
    assert result.returncode == 0, result.stderr
    result = eventdesk("submit", EVENT % 1, "--mappings", str(mappings), "--json", "--store", store)
    assert result.returncode == 0 and json.loads(result.stdout)["outcome"] == "accepted", result.stderr
    lines = (EVENT % 2).encode()
    assert eventdesk("ingest", "-", "--mappings", str(mappings), "--store", store, stdin=lines).returncode == 0


def test_submit_from_stdin_with_a_bom(tmp_path):
    store = str(tmp_path / "s.db")
    result = eventdesk("submit", "-", "--json", "--store", store, stdin=BOM + (EVENT % 3).encode() + b"\r\n")
    assert result.returncode == 0 and json.loads(result.stdout)["outcome"] == "accepted", result.stdout
    again = eventdesk("submit", EVENT % 3, "--json", "--store", store)
    assert json.loads(again.stdout)["outcome"] == "duplicate"  # the BOM is not part of the content
    exported = json.loads(eventdesk("export", "raw", "--store", store).stdout)
    assert exported["payload"] == json.loads(EVENT % 3)["payload"]


def test_a_mappings_file_with_two_boms_is_refused(tmp_path):
    mappings = tmp_path / "m.json"
    mappings.write_bytes(BOM + BOM + b"{}")
    result = eventdesk("mappings", "--set", str(mappings), "--store", str(tmp_path / "s.db"))
    assert result.returncode == 2 and "Traceback" not in result.stderr.decode()


def test_ingest_files_with_a_bom(tmp_path):
    lines = tmp_path / "a.jsonl"
    lines.write_bytes(BOM + (EVENT % 1).encode() + b"\n" + (EVENT % 2).encode() + b"\n")
    array = tmp_path / "b.json"
    array.write_bytes(BOM + b"[" + (EVENT % 3).encode() + b"]")
    result = eventdesk("ingest", str(lines), str(array), "--json", "--store", str(tmp_path / "s.db"))
    assert json.loads(result.stdout)["accepted"] == 3, result.stderr
