"""How long the GUI's raw events table takes to show its first rows over a big store.

Run in a child process (``python -m eventdesk.bench.gui_probe STORE``), offscreen: it opens the
store as the app does, then times a reload of the raw events model until rows are there, with
the count still running in the background. Prints the milliseconds.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Optional


def first_rows_ms(store: str) -> Optional[float]:
    """The figure, from a child process; None when Qt is not available."""
    done = subprocess.run([sys.executable, "-m", "eventdesk.bench.gui_probe", store],
                          capture_output=True, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if done.returncode != 0:
        return None
    return float(done.stdout.strip().splitlines()[-1])


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


def _wait(condition, seconds: float) -> None:
    from PySide6.QtCore import QCoreApplication
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError("the GUI did not answer in time")
        QCoreApplication.processEvents()
        time.sleep(0.001)


if __name__ == "__main__":
    print(f"{_measure(sys.argv[1]):.1f}")
    os._exit(0)  # do not wait for the background count of a million rows
