"""Help: About (version, store, Qt and Python versions, licences), the documentation, and the
keyboard shortcuts, read from the menu actions themselves so the list cannot go stale."""
from __future__ import annotations

import html
import platform
from importlib import metadata
from pathlib import Path
from types import SimpleNamespace
from typing import Any, Optional

import PySide6
from PySide6.QtCore import QUrl, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from eventdesk.app import queries

DOCS = Path(__file__).resolve().parents[2] / "docs" / "gui.md"
DOCS_ONLINE = "https://github.com/eventdesk/eventdesk/blob/main/docs/gui.md"
LICENCES = (("eventdesk", "MIT"), ("Qt 6 and PySide6", "LGPL-3.0"), ("pyqtgraph", "MIT"),
            ("pymongo", "Apache-2.0"), ("Python", "PSF License"))


def version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def docs_url() -> QUrl:
    """The user guide next to the code when it is there (a checkout), else online."""
    return QUrl.fromLocalFile(str(DOCS)) if DOCS.is_file() else QUrl(DOCS_ONLINE)


def about_lines(session: Any) -> list[tuple[str, str]]:
    app = getattr(session, "app", None)
    store = queries.store_description(app) if app is not None else "no store open"
    mappings = f"version {app.mappings_version}" if app is not None else "—"
    return [("eventdesk", version("eventdesk")), ("Store", store), ("Mappings", mappings),
            ("Qt", qVersion()), ("PySide6", PySide6.__version__), ("pyqtgraph", version("pyqtgraph")),
            ("Python", f"{platform.python_version()} ({platform.python_implementation()})"),
            ("System", platform.platform(terse=True))]


class AboutDialog(QDialog):
    def __init__(self, session: Any, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About eventdesk")
        rows = "".join(f"<tr><td><b>{html.escape(k)}</b>&nbsp;&nbsp;</td><td>{html.escape(v)}</td></tr>"
                       for k, v in about_lines(session))
        licences = "".join(f"<li>{html.escape(name)}: {html.escape(kind)}</li>" for name, kind in LICENCES)
        url = docs_url().toString()
        self.label = QLabel(f"<h3>eventdesk</h3><p>Keep every event, normalise it, count each fact once.</p>"
                            f"<table>{rows}</table><p><b>Licences</b></p><ul>{licences}</ul>"
                            f'<p><a href="{html.escape(url)}">Documentation</a></p>')
        self.label.setOpenExternalLinks(True)
        self.label.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.label.text()


def shortcut_rows(actions: SimpleNamespace) -> list[tuple[str, str]]:
    """(keys, what) for every menu action with a shortcut, in menu order."""
    found: list[QAction] = []
    for value in vars(actions).values():
        for action in (value if isinstance(value, (list, tuple)) else [value]):
            if isinstance(action, QAction) and action.shortcuts() and action not in found:
                found.append(action)
    return [(" / ".join(s.toString(QKeySequence.SequenceFormat.NativeText) for s in a.shortcuts()),
             a.text().replace("&", "").rstrip("…")) for a in found]


class ShortcutsDialog(QDialog):
    def __init__(self, actions: SimpleNamespace, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = shortcut_rows(actions) + [("Ctrl+C", "copy the selected rows (exact values)")]
        self.table = QTableWidget(len(rows), 2)
        self.table.setHorizontalHeaderLabels(["Keys", "What"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, (keys, what) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(keys))
            self.table.setItem(row, 1, QTableWidgetItem(what))
        self.table.resizeColumnToContents(0)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(self.fontMetrics().averageCharWidth() * 80, self.fontMetrics().height() * 30)

    def rows(self) -> list[tuple[str, str]]:
        return [(self.table.item(r, 0).text(), self.table.item(r, 1).text()) for r in range(self.table.rowCount())]
