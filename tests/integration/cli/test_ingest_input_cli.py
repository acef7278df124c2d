"""`eventdesk ingest` accounts for every input of a messy JSON-array stream (issue 8, item 1),
from a file and from standard input alike, and stores each unreadable piece as rejected."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

COUNTS = ("accepted", "duplicate", "semantic_duplicate", "rejected", "failed")


def event(n: int) -> bytes:
    return json.dumps({"source": "client_B", "payload": {"metric": "m", "amount": n,
                                                        "timestamp": "2024-01-01T00:00:00Z"}}).encode()


def run(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "eventdesk", *args], input=stdin, capture_output=True, check=False)


A, B, C, D = (event(n) for n in range(1, 5))
MESSY = {
    "two arrays (cat a.json b.json)": (b"\xef\xbb\xbf[" + A + b",\n" + B + b"]\n[" + C + b"]\n", 3, []),
    "stray bracket and brace": (b"[" + A + b"}, " + B + b"]]\n" + C + b"\n", 2, [A + b"}", b"]"]),
    "JSON lines after an array": (b"[\r\n" + A + b"\r\n]\r\n" + B + b"\r\n\r\n" + C + b"\r\n", 3, []),
    "garbage between arrays": (b"[" + A + b"] ,;\n[" + B + b"]\n", 2, [b",;"]),
    "truncated last element": (b"[" + A + b", [5], " + B + b", " + C[:30], 2, [b"[5]", C[:30]]),
}


@pytest.mark.parametrize("name", sorted(MESSY))
def test_every_input_is_accounted_for_from_a_file_and_from_stdin(name, tmp_path):
    data, good, bad = MESSY[name]
    path = tmp_path / "in.json"
    path.write_bytes(data)
    summaries = []
    for source, stdin in ((str(path), None), ("-", data)):
        store = str(tmp_path / f"{'file' if stdin is None else 'stdin'}.db")
        done = run("ingest", source, "--json", "--store", store, stdin=stdin)
        assert done.returncode == 0, done.stderr
        summary = json.loads(done.stdout)
        assert summary["lines"] == sum(summary[k] for k in COUNTS) == good + len(bad)
        assert (summary["accepted"], summary["rejected"]) == (good, len(bad))
        exported = run("export", "raw", "--status", "rejected", "--store", store)
        rows = [json.loads(line) for line in exported.stdout.splitlines()]
        assert sorted(r["payload"] for r in rows) == sorted(piece.decode() for piece in bad)  # text as received
        assert all("byte" in r["error"] for r in rows), rows
        summaries.append({k: v for k, v in summary.items() if k != "seconds"})
    assert summaries[0] == summaries[1]


@pytest.mark.parametrize("fmt", ["array", "jsonl"])
def test_forced_formats_account_for_everything(fmt, tmp_path):
    data = b"[" + A + b"," + B + b"]\n" + C + b"\n"
    done = run("ingest", "-", "--json", "--format", fmt, "--store", str(tmp_path / "s.db"), stdin=data)
    summary = json.loads(done.stdout)
    assert done.returncode == 0
    assert summary["lines"] == sum(summary[k] for k in COUNTS) == (3 if fmt == "array" else 2)
    assert summary["rejected"] == 1


def test_a_one_line_array_larger_than_the_read_buffer(tmp_path):
    events = [event(n) for n in range(20_000)]
    data = b"[" + b",".join(events) + b"]"
    path = tmp_path / "big.json"
    path.write_bytes(data)
    done = run("ingest", str(path), "--json", "--batch-size", "777", "--store", str(tmp_path / "s.db"))
    summary = json.loads(done.stdout)
    assert (summary["lines"], summary["accepted"], summary["rejected"]) == (20_000, 20_000, 0)
