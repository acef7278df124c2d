"""The GUI survives the PySide6 reference leaks on None/True/False (see pyside_workarounds)."""
from __future__ import annotations

import subprocess
import sys

SCRIPT = """
import os
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import eventdesk.gui  # applies the workaround
from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication
import pyqtgraph as pg
app = QApplication([])
class Flag(QObject):
    changed = Signal(object)
flag = Flag()
flag.changed.connect(lambda value: None)
plot = pg.PlotWidget()
plot.show()
for _ in range(300):                 # each cycle loses references to None and True
    plot.plot([1, 2, 3], [3, 1, 2])
    plot.clear()
    app.processEvents()
for _ in range(20000):
    flag.changed.emit(True)
print("survived")
"""


def test_charts_and_bool_signals_do_not_kill_the_interpreter():
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0 and "survived" in result.stdout, result.stderr[-2000:]
