"""The first-run banner: the open store is empty; offer the shipped sample data and say where
the store lives. Not modal: it sits above the tabs until the store has events or is dismissed."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QToolButton, QWidget

from eventdesk.app.paths import resource_path
from eventdesk.gui.theme import INFO_BANNER

SAMPLE_FILE = "sample-events.jsonl"  # 300 generated events of five clients (gen_events.py --seed 7)


class EmptyStoreBanner(QFrame):
    """"This store is empty: <where>. [Load sample data] [Import a file…] [×]"."""

    load_sample = Signal(str)   # the sample file's path
    import_file = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        fill, text = INFO_BANNER
        self.setObjectName("emptyStoreBanner")
        self.setStyleSheet(f"#emptyStoreBanner {{ background-color: {fill}; border-radius: 4px; }}"
                           f" #emptyStoreBanner QLabel {{ color: {text}; }}")
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.sample = resource_path(SAMPLE_FILE)
        self.load_button = QPushButton("Load sample data (300 events)")
        self.load_button.setToolTip(f"import {self.sample}" if self.sample else "the sample file is not installed")
        self.load_button.setEnabled(self.sample is not None)
        self.load_button.clicked.connect(lambda: self.load_sample.emit(str(self.sample)))
        self.import_button = QPushButton("Import a file…")
        self.import_button.clicked.connect(self.import_file)
        self.close_button = QToolButton(text="✕", autoRaise=True, toolTip="hide until the next start")
        self.close_button.clicked.connect(self.dismiss)
        self.dismissed = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 4, 4, 4)
        layout.addWidget(self.text, 1)
        for widget in (self.load_button, self.import_button, self.close_button):
            layout.addWidget(widget)
        self.hide()

    def show_empty(self, where: str) -> None:
        if not self.dismissed:
            self.text.setText(f"This store is empty. It lives in {where}. "
                              "Load the sample data to look around, or import your own events.")
            self.text.setToolTip(where)
            self.show()

    def dismiss(self) -> None:
        self.dismissed = True
        self.hide()
