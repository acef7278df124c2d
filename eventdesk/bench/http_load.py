"""The HTTP part of the benchmark (design 9 and 10): ``POST /api/events`` under 16 keep-alive
clients (wrk, in its own process) and ``POST /api/events/batch`` of 1,000 events, each against
``eventdesk serve`` on a fresh store and against the bare ASGI floor on the same server settings.

Every body is distinct; after each run the store is checked to hold exactly the events sent.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from eventdesk.bench.report import Report

READY = "eventdesk: listening on "
CONNECTIONS = 16
BATCH = 1000
# wrk's script: a counter per thread and the thread's id make every body distinct; the
# response() hook counts 201s, so that the bench knows what was acknowledged
WRK_SCRIPT = r"""
local threads = {}
id, counter, acked, other = 0, 0, 0, 0
local template = '{"source":"wrk_%d","payload":{"metric":"sales","amount":"%d.00",' ..
                 '"timestamp":"2024-01-01T00:00:00Z","seq":%d}}'

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function init(args)
  keyed = args[1] == "keys"  -- each request with its own Idempotency-Key
end

function request()
  local body = string.format(template, id, counter, counter)
  local headers = {["Content-Type"] = "application/json"}
  if keyed then headers["Idempotency-Key"] = string.format("t%d-%d", id, counter) end
  counter = counter + 1
  return wrk.format("POST", "/api/events", headers, body)
end

function response(status, headers, body)
  if status == 201 then acked = acked + 1 else other = other + 1 end
end

function done(summary, latency, requests)
  for _, t in ipairs(threads) do
    io.write(string.format("EDK thread %d %d %d %d\n", t:get("id"), t:get("counter"), t:get("acked"), t:get("other")))
  end
  local e = summary.errors
  io.write(string.format("EDK summary %d %d %d %d %d\n", summary.requests, summary.duration,
                         e.connect + e.read + e.write + e.timeout, latency:percentile(50), latency:percentile(99)))
end
"""


def wrk_body(thread: int, counter: int) -> bytes:
    """The body wrk's thread ``thread`` sent as its ``counter``-th request (as the Lua script)."""
    return (f'{{"source":"wrk_{thread}","payload":{{"metric":"sales","amount":"{counter}.00",'
            f'"timestamp":"2024-01-01T00:00:00Z","seq":{counter}}}}}').encode()


@dataclass
class WrkRun:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    generated: dict[int, int]   # thread id -> bodies generated (0..n-1)
    acked: int                  # 201 responses
    other: int                  # any other status

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


class Served:
    """A server process (``eventdesk serve`` or the bare floor) on a free loopback port."""

    def __init__(self, command: list[str], log: Path) -> None:
        self.log = log
        with open(log, "wb") as out:  # a file, not a pipe: a full pipe would stall the server
            self.proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=out)
        self.url = self._wait_ready()
        self.host_port = self.url.removeprefix("http://")

    def _wait_ready(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.log.read_text(errors="replace").splitlines():
                if line.startswith(READY):
                    return line[len(READY):].strip()
            if self.proc.poll() is not None:
                raise SystemExit(f"server ended before it was ready: {self.log.read_text()}")
            time.sleep(0.05)
        self.stop()
        raise SystemExit("server not ready in time")

    def stop(self) -> int:
        """SIGTERM: the server drains the requests in flight and exits."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()


def serve(store: Path, log: Path, extra: tuple[str, ...] = ()) -> Served:
    for suffix in ("", "-wal", "-shm"):
        Path(str(store) + suffix).unlink(missing_ok=True)
    return Served([sys.executable, "-m", "eventdesk", "serve", "--store", str(store), "--port", "0",
                   "--no-auth", *extra], log)


def bare(log: Path) -> Served:
    return Served([sys.executable, "-m", "eventdesk.bench.bare_asgi", "--port", "0"], log)


def run_wrk(url: str, seconds: float, script: Path, threads: int = 2, keys: bool = False) -> WrkRun:
    done = subprocess.run(["wrk", f"-t{threads}", f"-c{CONNECTIONS}", f"-d{seconds:g}s", "--timeout", "10s",
                           "--latency", "-s", str(script), url + "/api/events", *(["--", "keys"] if keys else [])],
                          capture_output=True, text=True, check=True)
    generated, acked, other = {}, 0, 0
    summary = None
    for line in done.stdout.splitlines():
        parts = line.split()
        if line.startswith("EDK thread"):
            generated[int(parts[2])] = int(parts[3])
            acked += int(parts[4])
            other += int(parts[5])
        elif line.startswith("EDK summary"):
            summary = [int(float(p)) for p in parts[2:]]
    if summary is None:
        raise SystemExit(f"wrk printed no summary: {done.stdout} {done.stderr}")
    requests, micros, errors, p50, p99 = summary
    return WrkRun(requests, micros / 1e6, errors, p50 / 1000, p99 / 1000, generated, acked, other)


def _post(conn: http.client.HTTPConnection, path: str, body: bytes) -> tuple[int, bytes]:
    conn.request("POST", path, body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    return response.status, response.read()


def _batch_bodies(batches: int, tag: str) -> list[bytes]:
    return [json.dumps([{"source": f"batch_{tag}_{b % 7}", "payload": {
        "metric": "sales", "amount": f"{b * BATCH + i}.25", "timestamp": "2024-02-01T00:00:00Z", "seq": i}}
        for i in range(BATCH)]).encode() for b in range(batches)]


def run_batches(host_port: str, bodies: list[bytes]) -> tuple[float, list[dict]]:
    """One keep-alive client posting the batches one after another: (seconds, response bodies)."""
    conn = http.client.HTTPConnection(host_port, timeout=60)
    replies = []
    try:
        _post(conn, "/api/events/batch", b"[]")  # the connection is open before the clock starts
        started = time.perf_counter()
        for body in bodies:
            status, data = _post(conn, "/api/events/batch", body)
            replies.append(json.loads(data) if status in (200, 201) else {"status": status})
        return time.perf_counter() - started, replies
    finally:
        conn.close()


def _store_counts(store: Path) -> tuple[int, int]:
    from eventdesk.store.sqlite import SqliteStore
    opened = SqliteStore(str(store))
    try:
        stats = opened.stats()
        return stats.raw_total, stats.normalized
    finally:
        opened.close()


def _resend_unacknowledged(store: Path, run: WrkRun) -> tuple[int, int]:
    """Send every body wrk generated once more, as a client unsure of its replies would:
    (accepted now, duplicates). Those accepted now were in flight when wrk stopped."""
    from eventdesk.app import Settings, build_app
    app = build_app(Settings(store_uri=str(store)))
    counts = {"accepted": 0, "duplicate": 0}
    try:
        bodies = [wrk_body(t, c) for t, n in run.generated.items() for c in range(n)]
        for start in range(0, len(bodies), 5000):
            for result in app.apply_raw_batch(bodies[start:start + 5000]):
                counts[result.outcome.value] = counts.get(result.outcome.value, 0) + 1
    finally:
        app.close()
    return counts["accepted"], counts["duplicate"]


def single_posts(report: Report, out: Path, seconds: float, profile: Optional[Path] = None) -> None:
    """16 keep-alive clients posting single events, against the floor and against serve."""
    if shutil.which("wrk") is None:
        report.check("HTTP benchmark", False, "wrk is not installed (apt-get install wrk)")
        return
    script = out / "post_event.lua"
    script.write_text(WRK_SCRIPT)
    print(f"HTTP: {CONNECTIONS} keep-alive clients (wrk), {seconds:g} s each: bare ASGI floor ...", flush=True)
    floor_server = bare(out / "bare.log")
    try:
        floor = run_wrk(floor_server.url, seconds, script)
    finally:
        floor_server.stop()
    print("HTTP: ... and eventdesk serve on a fresh store", flush=True)
    store = out / "http-single.db"
    server = serve(store, out / "serve-single.log")
    spy = _start_profile(server.proc.pid, profile, seconds) if profile else None
    try:
        run = run_wrk(server.url, seconds, script)
    finally:
        server.stop()
        if spy is not None:
            spy.wait()
    ratio = run.rate / floor.rate if floor.rate else 0.0
    report.add("HTTP POST /api/events, 16 clients", run.rate, "requests/s", 2_500,
               note=f"{ratio:.0%} of the bare ASGI app ({floor.rate:,.0f}/s); durable each")
    report.add("HTTP POST /api/events, p50 latency", run.p50_ms, "ms",
               note=f"bare ASGI app {floor.p50_ms:.2f} ms")
    report.add("HTTP POST /api/events, p99 latency", run.p99_ms, "ms", 25, False,
               note=f"bare ASGI app {floor.p99_ms:.2f} ms")
    _check_single(report, store, run)
    keyed_posts(report, out, seconds, script)


def keyed_posts(report: Report, out: Path, seconds: float, script: Path) -> None:
    """The same load, each request with its own Idempotency-Key (a claim and a completion each)."""
    print("HTTP: ... and again, each request with an Idempotency-Key", flush=True)
    store = out / "http-keyed.db"
    server = serve(store, out / "serve-keyed.log")
    try:
        run = run_wrk(server.url, seconds, script, keys=True)
    finally:
        server.stop()
    report.add("HTTP POST /api/events with Idempotency-Key", run.rate, "requests/s",
               note=f"p50 {run.p50_ms:.2f} ms, p99 {run.p99_ms:.2f} ms; two more commits each")
    _check_single(report, store, run, " with Idempotency-Keys")


def _check_single(report: Report, store: Path, run: WrkRun, label: str = "") -> None:
    raw_before, stored = _store_counts(store)
    sent = sum(run.generated.values())
    in_flight, duplicates = _resend_unacknowledged(store, run)
    raw_after, normalized = _store_counts(store)
    problems = []
    if run.other or run.errors:
        problems.append(f"{run.other} non-201 replies, {run.errors} socket errors")
    if not run.acked <= stored <= sent:
        problems.append(f"{stored:,} stored after the run, {run.acked:,} acknowledged, {sent:,} sent")
    if raw_before != stored:
        problems.append(f"{raw_before:,} raw events for {stored:,} normalized")
    if duplicates != stored or normalized != sent or raw_after != sent:
        problems.append(f"after sending all {sent:,} again: {normalized:,} normalized, {raw_after:,} raw")
    report.check(f"HTTP single posts{label}: every acknowledged event stored once, nothing else", not problems,
                 "; ".join(problems) or f"{run.acked:,} acknowledged, {stored:,} stored (the rest answered "
                 f"after wrk stopped reading); {in_flight} not yet received, stored when sent again; "
                 f"{sent:,} distinct in all")


def batch_posts(report: Report, out: Path, batches: int) -> None:
    """One client posting batches of 1,000 distinct events, against the floor and serve."""
    print(f"HTTP: {batches} batches of {BATCH:,} events, one keep-alive client ...", flush=True)
    floor_server = bare(out / "bare-batch.log")
    try:
        floor_seconds, _ = run_batches(floor_server.host_port, _batch_bodies(batches, "floor"))
    finally:
        floor_server.stop()
    store = out / "http-batch.db"
    server = serve(store, out / "serve-batch.log")
    try:
        seconds, replies = run_batches(server.host_port, _batch_bodies(batches, "serve"))
    finally:
        server.stop()
    events = batches * BATCH
    rate, floor_rate = events / seconds, events / floor_seconds
    report.add(f"HTTP POST /api/events/batch of {BATCH:,}", rate, "events/s", 30_000,
               note=f"{seconds / batches * 1000:.1f} ms a batch; the bare ASGI app "
                    f"{floor_seconds / batches * 1000:.1f} ms ({rate / floor_rate:.0%})")
    accepted = sum(r.get("accepted", 0) for r in replies)
    raw, normalized = _store_counts(store)
    report.check("HTTP batches: every event acknowledged and stored once",
                 accepted == events == normalized == raw, f"{accepted:,} accepted, {normalized:,} stored of {events:,}")


def _start_profile(pid: int, svg: Path, seconds: float) -> Optional[subprocess.Popen]:
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not os.path.exists(spy):
        print("py-spy not found (pip install py-spy); no profile", flush=True)
        return None
    return subprocess.Popen([spy, "record", "--pid", str(pid), "--duration", str(int(seconds)),
                             "--rate", "200", "--output", str(svg), "--nonblocking"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def run(report: Report, out: Path, quick: bool, profile: Optional[Path] = None) -> None:
    single_posts(report, out, 2 if quick else 15, profile)
    batch_posts(report, out, 5 if quick else 40)

