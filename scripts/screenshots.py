#!/usr/bin/env python3
"""Screenshots of every tab and dialog of the desktop app, for docs/gui.md.

    python scripts/screenshots.py [--out docs/screenshots] [--events 20000]

Builds a realistic store from a 20,000-event file made by shared/bench/gen_events.py (or the
project's copy in tests/data), opens the window offscreen at 1400x900, imports the file through
File > Import (the progress dialog is captured mid-way), submits a few events, selects a row in
each table, runs a monthly aggregate, and saves a PNG per tab and dialog. It then runs itself
once more with QT_SCALE_FACTOR=2 for a high-DPI capture. Needs fonts (fonts-dejavu-core).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
SIZE = (1400, 900)


def generator() -> Path:
    shared = ROOT.parent / "shared" / "bench" / "gen_events.py"
    return shared if shared.is_file() else ROOT / "tests" / "data" / "gen_events.py"


def make_events(folder: Path, n: int) -> Path:
    events = folder / "events.jsonl"
    subprocess.run([sys.executable, str(generator()), "--n", str(n), "--seed", "7", "--out", str(events),
                    "--truth", str(folder / "truth.json"), "--mappings", str(folder / "mappings.json")],
                   check=True)
    return events


def wait(app, condition, timeout: float = 60.0) -> None:
    """Run the event loop until ``condition()`` holds (or fail after ``timeout`` seconds)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the window did not get there in time")
        app.processEvents()
        time.sleep(0.01)


class Shooter:
    def __init__(self, out: Path, prefix: str = "") -> None:
        from PySide6.QtCore import QSettings

        from eventdesk.gui.main import make_application
        from eventdesk.gui.main_window import MainWindow
        from eventdesk.gui.preferences import Preferences

        self.app = make_application()
        self.out, self.prefix = out, prefix
        self.tmp = Path(tempfile.mkdtemp(prefix="eventdesk-shots-"))
        prefs = Preferences(QSettings(str(self.tmp / "prefs.ini"), QSettings.Format.IniFormat))
        from eventdesk.http.server import BackgroundServer
        self.window = MainWindow(prefs, server_factory=BackgroundServer)
        self.window.resize(*SIZE)

    def idle(self) -> None:
        w = self.window
        wait(self.app, lambda: w.session.busy == 0 and not w.raw_tab.refresh_later.pending
             and not w.normalized_tab.refresh_later.pending)
        for _ in range(5):
            self.app.processEvents()

    def save(self, widget, name: str, settle: bool = True) -> None:
        if settle:
            self.idle()
        path = self.out / f"{self.prefix}{name}.png"
        widget.grab().save(str(path))
        print(f"saved {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    def open(self, store: str) -> None:
        w = self.window
        opened = []
        w.session.store_opened.connect(lambda _app: opened.append(1))
        w.open_store(store)
        w.show()
        wait(self.app, lambda: opened)
        self.idle()

    def tab(self, widget) -> None:
        self.window.tabs.setCurrentWidget(widget)
        self.idle()

    def select_row(self, tab, row: int) -> None:
        wait(self.app, lambda: tab.model.rowCount() > row)
        tab.table.selectRow(row)
        tab.table.setFocus()
        self.idle()

    def submit(self, text: str) -> None:
        tab = self.window.submit_tab
        tab.editor.setPlainText(text)
        done = []
        tab.submitted.connect(lambda s: done.append(s))
        tab.submit()
        wait(self.app, lambda: done)
        tab.submitted.disconnect()
        self.idle()


def full_tour(out: Path, events_count: int) -> None:
    from eventdesk.gui.examples import EXAMPLES, SEED_EXAMPLE

    shot = Shooter(out)
    w = shot.window
    events = make_events(shot.tmp, events_count)
    shot.open(str(shot.tmp / "eventdesk.db"))

    run = w.start_import(str(events))
    wait(shot.app, lambda: run.last is not None and run.last.lines >= 4000)
    shot.save(w, "import-progress", settle=False)  # mid-way, while it runs: the strip in the status bar
    wait(shot.app, lambda: run.summary is not None, timeout=300)
    shot.idle()

    for text in (SEED_EXAMPLE, EXAMPLES[3][1], EXAMPLES[8][1], SEED_EXAMPLE, EXAMPLES[4][1], EXAMPLES[6][1]):
        shot.submit(text)  # the last one: normalized with a warning (a date that does not exist)
    shot.tab(w.submit_tab)
    shot.save(w, "submit")

    w.simulation.set_enabled(True)
    shot.submit(EXAMPLES[5][1])
    shot.save(w, "submit-failure-simulation")
    w.simulation.set_enabled(False)

    shot.tab(w.raw_tab)
    shot.select_row(w.raw_tab, 3)
    shot.save(w, "raw-events")
    w.raw_tab.statuses.set_selected(["failed", "rejected", "dead_letter"])
    w.raw_tab.debounce.flush()
    shot.idle()
    shot.select_row(w.raw_tab, 2)
    shot.save(w, "raw-events-problems")
    w.raw_tab.statuses.set_selected([])
    w.raw_tab.with_warnings.setChecked(True)  # a normalized event whose fields went wrong
    w.raw_tab.debounce.flush()
    shot.idle()
    shot.select_row(w.raw_tab, 0)
    shot.save(w, "raw-events-warnings")
    w.raw_tab.with_warnings.setChecked(False)
    w.raw_tab.debounce.flush()

    shot.tab(w.normalized_tab)
    shot.select_row(w.normalized_tab, 5)
    shot.save(w, "normalized-events")

    agg = w.aggregates_tab
    shot.tab(agg)
    agg.bucket.setCurrentText("month")
    agg.kind.setCurrentText("line")
    agg.refresh()
    shot.idle()
    xs = sorted({x for points in agg.chart._series.values() for x, _ in points})
    if xs:
        agg.chart.readout.setText(agg.chart.readout_at(xs[len(xs) // 2]))
    shot.save(w, "aggregates")
    agg.kind.setCurrentText("bars")
    agg.series_by.setCurrentText("metric")
    agg.clients.set_checked(["client_B"])
    agg.refresh()
    shot.idle()
    shot.save(w, "aggregates-bars")
    agg.kind.setCurrentText("line")
    agg.series_by.setCurrentText("client")
    agg.clients.set_checked([])

    shot.tab(w.stats_tab)
    shot.save(w, "statistics")

    dialog = w.show_mappings()
    dialog.resize(900, 700)
    wait(shot.app, lambda: dialog.version is not None)
    shot.save(dialog, "mappings-dialog")
    dialog.close()

    w.open_store(str(shot.tmp / "no" / "such" / "folder" / "x.db"))
    shot.idle()
    shot.tab(w.raw_tab)
    shot.save(w, "error-message")
    w.close()


def scaled_tour(out: Path, events_count: int) -> None:
    """At QT_SCALE_FACTOR=2: the Submit tab and the Raw tab with a selected row."""
    from eventdesk.gui.examples import SEED_EXAMPLE

    shot = Shooter(out, prefix="scale2-")
    events = make_events(shot.tmp, min(events_count, 3000))
    shot.open(str(shot.tmp / "eventdesk.db"))
    run = shot.window.start_import(str(events))
    wait(shot.app, lambda: run.summary is not None, timeout=300)
    shot.submit(SEED_EXAMPLE)
    shot.tab(shot.window.raw_tab)
    shot.select_row(shot.window.raw_tab, 1)
    shot.save(shot.window, "raw-events")
    shot.window.close()


def system_dark_palette():
    """The palette a dark desktop hands to Qt (the offscreen platform has no theme to ask)."""
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    roles = QPalette.ColorRole
    for role, colour in ((roles.Window, "#2b2b2b"), (roles.WindowText, "#e6e6e6"), (roles.Base, "#1e1e1e"),
                         (roles.AlternateBase, "#262626"), (roles.Text, "#e6e6e6"), (roles.Button, "#353535"),
                         (roles.ButtonText, "#e6e6e6"), (roles.Highlight, "#2f65ca"),
                         (roles.HighlightedText, "#ffffff"), (roles.ToolTipBase, "#353535"),
                         (roles.ToolTipText, "#e6e6e6"), (roles.PlaceholderText, "#9a9a9a"),
                         (roles.Link, "#7cb7ff"), (roles.Mid, "#555555"), (roles.Light, "#505050"),
                         (roles.Midlight, "#404040"), (roles.Dark, "#1a1a1a"), (roles.Shadow, "#000000")):
        palette.setColor(role, QColor(colour))
    for role in (roles.Text, roles.WindowText, roles.ButtonText):
        palette.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return palette


def dark_tour(out: Path) -> None:
    """With the system in dark mode: the Submit, Raw events and Aggregates tabs."""
    from PySide6.QtWidgets import QApplication

    from eventdesk.gui.examples import SEED_EXAMPLE

    shot = Shooter(out, prefix="dark-")
    QApplication.setPalette(system_dark_palette())
    events = make_events(shot.tmp, 5000)
    shot.open(str(shot.tmp / "eventdesk.db"))
    run = shot.window.start_import(str(events))
    wait(shot.app, lambda: run.summary is not None, timeout=300)
    shot.submit(SEED_EXAMPLE)
    shot.tab(shot.window.submit_tab)
    shot.save(shot.window, "submit")
    shot.tab(shot.window.raw_tab)
    shot.select_row(shot.window.raw_tab, 1)
    shot.save(shot.window, "raw-events")
    shot.tab(shot.window.aggregates_tab)
    shot.window.aggregates_tab.refresh()
    shot.save(shot.window, "aggregates")
    shot.window.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--only", choices=("full", "scaled", "dark"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    if args.only == "scaled":
        scaled_tour(out, args.events)
        return 0
    if args.only == "dark":
        dark_tour(out)
        return 0
    if args.only in (None, "full"):
        full_tour(out, args.events)
    if args.only is None:  # each variant in a fresh process: scale and scheme are set at start
        base = [sys.executable, __file__, "--out", str(out), "--events", str(args.events)]
        subprocess.run(base + ["--only", "scaled"], check=True, env={**os.environ, "QT_SCALE_FACTOR": "2"})
        subprocess.run(base + ["--only", "dark"], check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
