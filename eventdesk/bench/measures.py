"""The measurements of the benchmark, one function per target of design section 9."""
from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Optional

from eventdesk.app import App, load_mappings_file
from eventdesk.bench.report import Report
from eventdesk.core.ingest import BULK_BATCH_SIZE
from eventdesk.core.intake import read_envelope
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.queries import AggregateQuery, Page, RawQuery
from eventdesk.store.sqlite import SqliteStore

ROOT = Path(__file__).resolve().parents[2]
GENERATORS = (ROOT.parent / "shared" / "bench" / "gen_events.py", ROOT / "tests" / "data" / "gen_events.py")
_PEAK_RSS = ("import resource, subprocess, sys, time\n"
             "started = time.perf_counter()\n"
             "code = subprocess.run(sys.argv[1:]).returncode\n"
             "wall = time.perf_counter() - started\n"
             "sys.stderr.write(f'{wall} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}\\n')\n"
             "sys.exit(code)\n")


def compile_like_an_install() -> None:
    """Write eventdesk's bytecode once, as ``pip install`` does for an installed package; an
    editable install under PYTHONDONTWRITEBYTECODE would compile every module on every start
    (~0.1 s of each command's start-up)."""
    import compileall

    import eventdesk
    compileall.compile_dir(os.path.dirname(eventdesk.__file__), quiet=1)


@dataclass
class Generated:
    events: Path
    truth: dict
    mappings: Path
    lines: int


def generate(folder: Path, name: str, lines: int, seed: int) -> Generated:
    script = next((p for p in GENERATORS if p.is_file()), None)
    if script is None:
        raise SystemExit("gen_events.py not found (expected ../shared/bench or tests/data)")
    events, truth, mappings = (folder / f"{name}.jsonl", folder / f"{name}.truth.json", folder / f"{name}.mappings.json")
    if not events.exists() or not truth.exists():
        print(f"generating {lines:,} lines ({name}) ...", flush=True)
        subprocess.run([sys.executable, str(script), "--n", str(lines), "--seed", str(seed), "--out", str(events),
                        "--truth", str(truth), "--mappings", str(mappings)], check=True)
    return Generated(events, json.loads(truth.read_text()), mappings, lines)


def _fresh(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _durable_connection(store: Path) -> sqlite3.Connection:
    """A fresh file with eventdesk's durability (WAL, synchronous=FULL), for the floor and the seed."""
    _fresh(store)
    conn = sqlite3.connect(str(store), isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    return conn


def settle_disk() -> None:
    """Before a timed step: flush what earlier steps left to write back (the 1.25M store and its
    640 MB copy), so that their disk writes are not charged to the step measured."""
    if hasattr(os, "sync"):
        os.sync()


def _ingest_cli(data: Generated, store: Path, workers: Optional[int], fresh: bool = True) -> tuple[dict, float, int]:
    """Run `eventdesk ingest` in its own process: (summary, wall seconds, peak RSS in KiB)."""
    if fresh:
        _fresh(store)
    settle_disk()
    command = [sys.executable, "-m", "eventdesk", "ingest", str(data.events), "--json",
               "--mappings", str(data.mappings), "--store", str(store)]
    if workers:
        command += ["--workers", str(workers)]
    done = subprocess.run([sys.executable, "-c", _PEAK_RSS, *command], capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"ingest failed: {done.stderr.strip()}")
    wall, rss = done.stderr.strip().splitlines()[-1].split()  # the command's own lifetime, not the wrapper's
    return json.loads(done.stdout), float(wall), int(rss)


def check_truth(report: Report, label: str, store_path: Path, summary: dict, truth: dict) -> None:
    store = SqliteStore(str(store_path))
    try:
        stats = store.stats()
        rows = store.aggregates(AggregateQuery())
        days = store.aggregates(AggregateQuery(bucket="day"))
    finally:
        store.close()
    sums = {f"{r.client_id}|{r.metric}": (r.count, Decimal(r.sum)) for r in rows}
    expected = {k: (v["count"], Decimal(v["sum"])) for k, v in truth["by_client_metric"].items()}
    per_day = Counter()
    for r in days:
        per_day[f"{r.client_id}|{(r.bucket or '')[:10]}"] += r.count
    problems = []
    if (summary["accepted"], summary["rejected"], summary["semantic_duplicate"], summary["duplicate"]) != (
            truth["normalized"], truth["rejected"], truth["semantic_duplicates"], truth["exact_duplicates"]):
        problems.append(f"outcomes {summary}")
    if stats.normalized != truth["normalized"]:
        problems.append(f"normalized {stats.normalized} != {truth['normalized']}")
    if sums != expected:
        problems.append("sums per client and metric differ")
    if dict(per_day) != truth["by_client_day"]:
        problems.append("counts per client and day differ")
    report.check(f"{label} equals the truth file", not problems, "; ".join(problems))


def _measure_ingest(report: Report, data: Generated, store: Path, workers: Optional[int],
                    label: str, memory_note: str) -> float:
    """Ingest through the CLI, report rate and peak memory, check the truth; returns events/s."""
    print(f"{label} ingest of {data.lines:,} lines ...", flush=True)
    summary, wall, rss = _ingest_cli(data, store, workers)
    rate = data.lines / wall
    report.add(f"ingest {data.lines:,} lines, end to end", rate, "events/s", 50_000,
               note=f"{wall:.1f} s wall incl. start-up; engine {data.lines / summary['seconds']:,.0f}/s; "
                    f"{summary['accepted']:,} normalized")
    report.add(f"peak memory, {data.lines:,} lines", rss / 1024, "MiB", note=memory_note)
    check_truth(report, f"{label} ingest of {data.lines:,}", store, summary, data.truth)
    return rate


def floor(report: Report, data: Generated, store: Path, canonical: bool = False) -> float:
    """The naive floor of design 9: parse, hash, one insert with one unique index, nothing else
    (no mappings, no second level, no statuses), in the same batches, durable; one process.

    ``canonical``: hash what design 4 names the content (the canonical JSON of source and
    payload, here naively ``json.dumps`` with sorted keys), not the line's bytes."""
    kind = "content" if canonical else "line"
    print(f"naive floor ({kind} hash) on {data.lines:,} lines ...", flush=True)
    conn = _durable_connection(store)
    conn.execute("CREATE TABLE raw(id INTEGER PRIMARY KEY, hash BLOB NOT NULL UNIQUE, body TEXT, source TEXT)")
    insert = "INSERT INTO raw(hash, body, source) VALUES (?, ?, ?) ON CONFLICT(hash) DO NOTHING"
    settle_disk()
    started = time.perf_counter()
    rows: list[tuple] = []
    with open(data.events, "rb") as stream:
        for line in stream:
            try:
                value = json.loads(line)
            except ValueError:
                value = None
            source = value.get("source") if isinstance(value, dict) else None
            hashed = line
            if canonical and isinstance(value, dict):
                hashed = json.dumps({"source": source, "payload": value.get("payload")}, sort_keys=True,
                                    separators=(",", ":"), ensure_ascii=False).encode()
            rows.append((hashlib.sha256(hashed).digest(), line.decode("utf-8", "replace"),
                         source if isinstance(source, str) else None))
            if len(rows) >= BULK_BATCH_SIZE:
                conn.execute("BEGIN")
                conn.executemany(insert, rows)
                conn.execute("COMMIT")
                rows = []
    if rows:
        conn.execute("BEGIN")
        conn.executemany(insert, rows)
        conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    rate = data.lines / seconds
    report.add(f"naive floor, {kind} hash, {data.lines:,} lines", rate, "events/s",
               note=f"stdlib json + sha256 of the {'canonical content' if canonical else 'line'} + INSERT, "
                    f"{BULK_BATCH_SIZE:,} per commit")
    setattr(report, "content_floor_rate" if canonical else "floor_rate", rate)
    return rate


def bulk_ingest(report: Report, data: Generated, store: Path, workers: Optional[int]) -> None:
    rate = _measure_ingest(report, data, store, workers, "bulk", "largest process")
    report.bulk_rate = rate  # type: ignore[attr-defined]  # for the baseline's ratio
    for attribute, kind in (("floor_rate", "line"), ("content_floor_rate", "content")):
        floor_rate = getattr(report, attribute, None)
        if floor_rate:
            report.add(f"ingest / naive floor ({kind} hash), same run", rate / floor_rate, "x", 0.5,
                       note=f"floor {floor_rate:,.0f} events/s")


def ingest_into_a_full_store(report: Report, data: Generated, full: Path, store: Path,
                             workers: Optional[int]) -> None:
    """The bulk file into a copy of the store that already holds the large ingest (~1M events)."""
    print(f"ingest of {data.lines:,} lines into a store holding {full.name} ...", flush=True)
    _fresh(store)
    source = sqlite3.connect(str(full))
    copy = sqlite3.connect(str(store))
    source.backup(copy)
    copy.close()
    source.close()
    held = SqliteStore(str(store), read_only=True)
    before = held.stats()
    held.close()
    summary, wall, rss = _ingest_cli(data, store, workers, fresh=False)
    report.add(f"ingest {data.lines:,} into {before.normalized:,} held", data.lines / wall, "events/s", 35_000,
               note=f"{wall:.1f} s wall; peak {rss / 1024:,.0f} MiB")
    after_store = SqliteStore(str(store), read_only=True)
    after = after_store.stats()
    after_store.close()
    # the two files share some lines (the same broken input): each line is a new raw event or a receipt
    received = (after.raw_total + after.exact_duplicates) - (before.raw_total + before.exact_duplicates)
    facts = after.normalized - before.normalized
    report.check(f"ingest into a full store counts every line ({data.lines:,})",
                 summary["lines"] == data.lines == received and facts == summary["accepted"],
                 f"{received:,} lines received, {facts:,} new facts; {summary}")


def large_ingest(report: Report, data: Generated, store: Path, workers: Optional[int]) -> None:
    _measure_ingest(report, data, store, workers, "large", "flat if close to the 200k figure")


def baseline(report: Report, data: Generated, store: Path, lines: int) -> None:
    """The seed's design: a transaction per event, SELECT by hash then INSERT."""
    print(f"baseline (seed design) on the first {lines:,} lines ...", flush=True)
    conn = _durable_connection(store)
    conn.execute("CREATE TABLE raw(id INTEGER PRIMARY KEY, body TEXT, hash TEXT, status TEXT, receipts INT)")
    conn.execute("CREATE TABLE normalized(id INTEGER PRIMARY KEY, raw_id INT, client TEXT, metric TEXT,"
                 " amount TEXT, ts TEXT, hash TEXT)")
    conn.execute("CREATE INDEX raw_hash ON raw(hash)")
    conn.execute("CREATE INDEX normalized_hash ON normalized(hash)")
    normalizer = Normalizer(load_mappings_file(data.mappings))
    settle_disk()
    started = time.perf_counter()
    with open(data.events, "rb") as stream:
        for count, line in enumerate(stream):
            if count >= lines:
                break
            prepared = normalizer.prepare(read_envelope(line.rstrip(b"\n")))
            digest = prepared.envelope.content_hash
            conn.execute("BEGIN")
            found = conn.execute("SELECT id FROM raw WHERE hash = ?", (digest,)).fetchone()
            if found:
                conn.execute("UPDATE raw SET receipts = receipts + 1 WHERE id = ?", found)
            else:
                raw_id = conn.execute("INSERT INTO raw(body, hash, status, receipts) VALUES (?, ?, 'new', 1)",
                                      (line, digest)).lastrowid
                if prepared.canonical is not None:
                    c = prepared.canonical
                    if not conn.execute("SELECT id FROM normalized WHERE hash = ?", (prepared.normalized_hash,)).fetchone():
                        conn.execute("INSERT INTO normalized(raw_id, client, metric, amount, ts, hash) VALUES (?,?,?,?,?,?)",
                                     (raw_id, c.client_id, c.metric, str(c.amount), str(c.timestamp), prepared.normalized_hash))
            conn.execute("COMMIT")
    seconds = time.perf_counter() - started
    conn.close()
    rate = lines / seconds
    ratio = getattr(report, "bulk_rate", 0) / rate if rate else 0
    report.add(f"seed design, {lines:,} lines", rate, "events/s", note=f"eventdesk ingest is {ratio:.1f}x faster")


def _distinct_lines(count: int, tag: str) -> list[str]:
    return [json.dumps({"source": f"bench_{tag}_{i % 5}", "payload": {
        "metric": "sales", "amount": f"{i}.{i % 100:02d}", "timestamp": f"2024-01-{1 + i % 28:02d}T10:{i % 60:02d}:00Z",
        "seq": i}}) for i in range(count)]


def _app(store: Path) -> App:
    from eventdesk.app import shipped_mappings
    _fresh(store)
    sqlite_store = SqliteStore(str(store))
    mappings = shipped_mappings()
    return App(sqlite_store, mappings, sqlite_store.save_mappings(mappings.to_json(), "bench"))


def single_submissions(report: Report, store: Path, count: int = 2000) -> None:
    print(f"{count:,} single submissions, one at a time ...", flush=True)
    app = _app(store)
    latencies = []
    try:
        for line in _distinct_lines(count, "single"):
            started = time.perf_counter()
            app.submit(line)
            latencies.append((time.perf_counter() - started) * 1000)
    finally:
        app.close()
    latencies.sort()
    report.add("single submission, median latency", statistics.median(latencies), "ms", 2.0, False,
               note="durable commit each")
    report.add("single submission, p99 latency", latencies[int(len(latencies) * 0.99) - 1], "ms")


def concurrent_submissions(report: Report, store: Path, threads: int, per_thread: int = 1500) -> None:
    print(f"{threads} concurrent submitters x {per_thread:,} ...", flush=True)
    app = _app(store)
    lines = _distinct_lines(threads * per_thread, "concurrent")
    failures: list[str] = []

    def work(part: list[str]) -> None:
        for line in part:
            if app.submit(line).outcome.value != "accepted":
                failures.append(line)

    workers = [threading.Thread(target=work, args=(lines[i::threads],)) for i in range(threads)]
    started = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    seconds = time.perf_counter() - started
    normalized = app.store.stats().normalized
    app.close()
    report.add(f"{threads} concurrent submitters", len(lines) / seconds, "events/s", 3_000,
               note="each acknowledged after its durable commit")
    report.check("concurrent submissions all stored once", not failures and normalized == len(lines),
                 f"{normalized:,} normalized of {len(lines):,}")


def _timed(action: Callable[[], Any], repeat: int = 7) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def queries(report: Report, store_path: Path) -> None:
    store = SqliteStore(str(store_path))
    try:
        normalized = store.stats().normalized
        report.add("stats", _timed(store.stats), "ms", 50, False, note=f"over {normalized:,} normalized events")
        cases = {
            "aggregates, all clients, no bucket": AggregateQuery(),
            "aggregates, by month": AggregateQuery(bucket="month"),
            "aggregates, by day, one client": AggregateQuery(clients=("client_B",), bucket="day"),
            "aggregates, time range cutting days": AggregateQuery(
                time_from=datetime(2024, 3, 1, 12, 30, tzinfo=timezone.utc),
                time_to=datetime(2024, 9, 15, 6, tzinfo=timezone.utc), bucket="week"),
        }
        for name, query in cases.items():
            report.add(name, _timed(lambda q=query: store.aggregates(q)), "ms", 150, False)
    finally:
        store.close()


def gui_first_page(report: Report, store_path: Path) -> None:
    store = SqliteStore(str(store_path))
    try:
        total = store.stats().raw_total
        first = _timed(lambda: store.query_raw(RawQuery(), Page("id", True, None, 200)))
        report.add("raw table, first page (store query)", first, "ms", 300, False, note=f"{total:,} raw events")
        filtered = _timed(lambda: store.query_raw(RawQuery(statuses=("rejected", "failed")), Page("id", True, None, 200)))
        report.add("raw table, first page, status filter", filtered, "ms", 300, False)
    finally:
        store.close()
    try:
        from eventdesk.bench.gui_probe import first_rows_ms
    except ImportError:
        return
    value = first_rows_ms(str(store_path))
    if value is not None:
        report.add("GUI raw table shows first rows", value, "ms", 300, False, note="model + view, offscreen")


def gui_import_stall(report: Report, data: Generated, store: Path) -> None:
    """The longest the window's event loop stalls while File > Import loads ``data``."""
    try:
        from eventdesk.bench.gui_probe import import_stall_ms
    except ImportError:
        return
    print(f"GUI import of {data.lines:,} lines, timing the event loop ...", flush=True)
    _fresh(store)
    value = import_stall_ms(str(data.events), str(store))
    if value is not None:
        worst, over = value
        report.add(f"GUI event loop, longest stall, {data.lines:,}-line import", worst, "ms", 100, False,
                   note=f"{over} gaps over 100 ms; Statistics tab refreshing")
