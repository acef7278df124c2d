"""Child process for the kill loop and the duplicate storms: concurrent single submissions.

    python submitter.py STORE MAPPINGS EVENTS ACKS --process P --processes NP --threads T
                        --copies K --seed S [--start-at EPOCH]

Every line of EVENTS is given to K of the NP*T submitters (chosen with seed S, the same in
every process); this process runs its T submitters as threads over one App, each submitting its
lines one at a time in its own order. After each reply it appends one JSON line to ACKS
({"h": content hash, "o": outcome, "r": raw id, "n": normalized id, "e": error}), so a kill
can cut at most the line being written. It never raises: an exception is logged as an ack.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time

from eventdesk.app import Settings, build_app


def assignment(lines: int, submitters: int, copies: int, seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    work: list[list[int]] = [[] for _ in range(submitters)]
    for index in range(lines):
        for who in rng.sample(range(submitters), copies):
            work[who].append(index)
    for order, items in enumerate(work):
        random.Random(seed * 1000 + order).shuffle(items)
    return work


def main() -> None:
    ap = argparse.ArgumentParser()
    for name in ("store", "mappings", "events", "acks"):
        ap.add_argument(name)
    ap.add_argument("--process", type=int, default=0)
    ap.add_argument("--processes", type=int, default=1)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument("--copies", type=int, default=1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--start-at", type=float, default=0.0)
    args = ap.parse_args()
    lines = open(args.events, "rb").read().split(b"\n")
    lines = [line for line in lines if line.strip()]
    work = assignment(len(lines), args.processes * args.threads, args.copies, args.seed)
    app = build_app(Settings(store_uri=args.store, mappings_file=args.mappings))
    fd = os.open(args.acks, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    barrier = threading.Barrier(args.threads)

    def submitter(slot: int) -> None:
        barrier.wait()
        for index in work[args.process * args.threads + slot]:
            try:
                result = app.submit(lines[index])
                record = {"h": result.content_hash, "o": result.outcome.value, "r": result.raw_id,
                          "n": result.normalized_id, "e": result.error}
            except BaseException as exc:  # noqa: BLE001 - reported, never fatal
                record = {"h": None, "o": "exception", "r": None, "n": None, "e": repr(exc)}
            os.write(fd, (json.dumps(record) + "\n").encode())  # one write: whole lines only

    delay = args.start_at - time.time()
    if delay > 0:
        time.sleep(delay)
    threads = [threading.Thread(target=submitter, args=(slot,)) for slot in range(args.threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    app.close()
    os.close(fd)


if __name__ == "__main__":
    main()
