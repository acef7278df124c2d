"""Open another store: a SQLite file (browse or type a path) or a MongoDB URI; recent stores."""
from __future__ import annotations

from typing import Optional

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from eventdesk.app import redact

SQLITE_FILTER = "eventdesk stores (*.db *.sqlite *.sqlite3);;All files (*)"


class OpenStoreDialog(QDialog):
    """Asks for a store URI; ``uri()`` is what the user chose."""

    def __init__(self, recent: list[str], parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Open store")
        self.location = QLineEdit(placeholderText="/path/to/events.db  or  mongodb://host:27017/eventdesk")
        self.location.setMinimumWidth(self.fontMetrics().averageCharWidth() * 60)
        browse = QPushButton("Browse SQLite file…")
        browse.clicked.connect(self._on_browse_clicked)
        self.recent = QListWidget()
        self.recent_uris = list(recent)
        self.recent.addItems([redact(u) for u in recent])
        self.recent.currentRowChanged.connect(self._on_recent_chosen)
        self.recent.itemDoubleClicked.connect(lambda _item: self.accept())
        hint = QLabel("A new file name creates an empty store. MongoDB: mongodb://user:password@host/db; "
                      "credentials are used to connect but never shown or remembered.")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Open | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.location, 1)
        row.addWidget(browse)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Store"))
        layout.addLayout(row)
        layout.addWidget(hint)
        layout.addWidget(QLabel("Recent stores"))
        layout.addWidget(self.recent)
        layout.addWidget(buttons)

    def uri(self) -> str:
        return self.location.text().strip()

    def _on_browse_clicked(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Open or create a SQLite store", self.uri(), SQLITE_FILTER,
                                              options=QFileDialog.Option.DontConfirmOverwrite)
        if path:
            self.location.setText(path)

    def _on_recent_chosen(self, row: int) -> None:
        if 0 <= row < len(self.recent_uris):
            self.location.setText(self.recent_uris[row])
