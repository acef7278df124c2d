"""The GUI's targets, measured offscreen in a child process.

``python -m eventdesk.bench.gui_probe first-rows STORE``: opens the store as the app does, then
times a reload of the raw events model until rows are there (the count still running in the
background). Prints the milliseconds.

``python -m eventdesk.bench.gui_probe import-stall EVENTS STORE``: the main window, on its
Statistics tab (which refreshes itself during imports), imports EVENTS through File > Import's
code path while a 10 ms timer measures the longest gap of the event loop. Prints the worst gap
in milliseconds, then the number of gaps over 100 ms.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Optional


def _probe(*args: str) -> Optional[list[float]]:
    done = subprocess.run([sys.executable, "-m", "eventdesk.bench.gui_probe", *args],
                          capture_output=True, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if done.returncode != 0:
        return None
    return [float(v) for v in done.stdout.strip().splitlines()[-1].split()]


def first_rows_ms(store: str) -> Optional[float]:
    """The figure, from a child process; None when Qt is not available."""
    values = _probe("first-rows", store)
    return values[0] if values else None


def import_stall_ms(events: str, store: str) -> Optional[tuple[float, int]]:
    """(worst event-loop gap in ms, gaps over 100 ms) during a GUI import of ``events``."""
    values = _probe("import-stall", events, store)
    return (values[0], int(values[1])) if values else None


def _measure(store: str) -> float:
    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication, QTableView

    from eventdesk.gui.messages import MessageRouter
    from eventdesk.gui.models.raw_model import RawEventsModel
    from eventdesk.gui.session import Session

    app = QApplication.instance() or QApplication([])
    session = Session(MessageRouter())
    session.open_store(store)
    _wait(lambda: session.app is not None, 30)
    model = RawEventsModel(session)
    view = QTableView()
    view.setModel(model)
    view.resize(1200, 800)
    view.show()
    started = time.perf_counter()
    model.reload()
    _wait(lambda: model.rowCount() > 0, 30)
    view.repaint()  # the rows are on screen
    elapsed = (time.perf_counter() - started) * 1000
    QCoreApplication.processEvents()
    del app
    return elapsed


def _import_stall(events: str, store: str) -> tuple[float, int]:
    from PySide6.QtCore import QSettings, QTimer
    from PySide6.QtWidgets import QApplication

    from eventdesk.gui.main_window import MainWindow
    from eventdesk.gui.preferences import Preferences

    app = QApplication.instance() or QApplication([])
    window = MainWindow(Preferences(QSettings(store + ".probe.ini", QSettings.Format.IniFormat)))
    window.resize(1400, 900)
    window.show()
    opened: list[object] = []
    window.session.store_opened.connect(lambda *_: opened.append(1))
    window.open_store(store)
    _wait(lambda: bool(opened), 30)
    window.tabs.setCurrentWidget(window.stats_tab)
    gaps: list[float] = []
    last = [time.perf_counter()]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now
    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(10)
    done: list[object] = []
    run = window.start_import(events)
    if run is None:
        raise RuntimeError("the import did not start")
    run.finished.connect(lambda summary: done.append(summary))
    _wait(lambda: bool(done), 600)
    del app
    return max(gaps) * 1000, sum(gap > 0.1 for gap in gaps)


def _wait(condition, seconds: float) -> None:
    from PySide6.QtCore import QCoreApplication
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the GUI did not answer in time")
        QCoreApplication.processEvents()
        time.sleep(0.001)


if __name__ == "__main__":
    if sys.argv[1] == "first-rows":
        print(f"{_measure(sys.argv[2]):.1f}")
    else:
        worst, over = _import_stall(sys.argv[2], sys.argv[3])
        print(f"{worst:.1f} {over}")
    sys.stdout.flush()
    os._exit(0)  # do not wait for background counts of a million rows
