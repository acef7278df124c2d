"""Benchmark of design section 9: every target, measured in one run on fresh temporary stores.

    python -m eventdesk.bench                 # the full run (200k and 1.25M-line files)
    python -m eventdesk.bench --quick         # smaller sizes, for a smoke run
    python -m eventdesk.bench --out bench-out # where files and results.json go
    python -m eventdesk.bench --only http     # one part: ingest, submit, queries, gui or http

Each figure is printed next to its goal. Bulk ingest is checked against the generator's truth
file, so a fast wrong answer fails. The naive floor (parse, hash, one insert with one unique
index) runs first on the same file, for the ratio design 9 asks for. The seed's design (one transaction per event,
find-then-insert) runs as a baseline on the same file, for a speed-up ratio from the same run.
"""
from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from eventdesk.bench import http_load, measures, renormalize_bench
from eventdesk.bench.report import Report

PARTS = ("ingest", "submit", "queries", "gui", "http", "renormalize")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eventdesk.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="small sizes: a smoke run, not the targets")
    parser.add_argument("--lines", type=int, default=None, help="bulk file size (default 200,000)")
    parser.add_argument("--big", type=int, default=None,
                        help="lines of the large file (default 1,250,000: about 1M normalized events)")
    parser.add_argument("--baseline-lines", type=int, default=20_000,
                        help="lines the seed's per-event design ingests (it is slow)")
    parser.add_argument("--workers", type=int, default=None, help="ingest --workers (default: cores)")
    parser.add_argument("--out", default=None, help="folder for the generated files and results.json")
    parser.add_argument("--only", choices=PARTS, action="append", help="run only this part (repeatable)")
    parser.add_argument("--profile-http", metavar="SVG", default=None,
                        help="py-spy flame graph of the server during the 16-client run")
    args = parser.parse_args(argv)
    lines = args.lines or (20_000 if args.quick else 200_000)
    big = args.big or (60_000 if args.quick else 1_250_000)
    out = Path(args.out) if args.out else Path(tempfile.mkdtemp(prefix="eventdesk-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    report = Report()
    print(f"eventdesk benchmark: files and stores in {out}", flush=True)

    parts = set(args.only or PARTS)

    if parts & {"ingest", "gui"}:
        bulk = measures.generate(out, "bulk", lines, seed=1)
    measures.compile_like_an_install()
    if "ingest" in parts:
        measures.floor(report, bulk, out / "floor.db")
        measures.floor(report, bulk, out / "floor-content.db", canonical=True)
        measures.bulk_ingest(report, bulk, out / "bulk.db", args.workers)
        measures.baseline(report, bulk, out / "baseline.db", args.baseline_lines)
    if "gui" in parts:
        measures.gui_import_stall(report, bulk, out / "gui-import.db")
    if "submit" in parts:
        measures.single_submissions(report, out / "single.db")
        measures.concurrent_submissions(report, out / "concurrent.db", threads=8)
    if "http" in parts:
        http_load.run(report, out, args.quick, Path(args.profile_http) if args.profile_http else None)
    if parts & {"ingest", "queries", "gui", "renormalize"}:
        large = measures.generate(out, "large", big, seed=2)
        measures.large_ingest(report, large, out / "large.db", args.workers)
    if "ingest" in parts:
        measures.ingest_into_a_full_store(report, bulk, out / "large.db", out / "full.db", args.workers)
    if "queries" in parts:
        measures.queries(report, out / "large.db")
    if "gui" in parts:
        measures.gui_first_page(report, out / "large.db")
    if "renormalize" in parts:  # last: it changes large.db's mappings and normalized events
        renormalize_bench.run(report, large, out / "large.db", args.workers)

    report.print()
    (out / "results.json").write_text(json.dumps(report.as_json(), indent=1))
    print(f"results written to {out / 'results.json'}")
    return 0 if report.all_correct() else 1


if __name__ == "__main__":
    sys.exit(main())
