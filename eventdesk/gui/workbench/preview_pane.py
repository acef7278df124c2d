"""The draft against history: how many past events of the client it would change, and how,
with examples before and after (``app.workbench.preview_draft``, in the thread pool)."""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from eventdesk.core.provenance import canonical_to_json
from eventdesk.gui.numbers import integer
from eventdesk.gui.widgets.tables import read_only_table

COUNTS = (("examined", "examined"), ("changed", "changed"), ("fixed", "fixed"), ("broken", "broken"),
          ("amount_changed", "amount changed"), ("timestamp_changed", "timestamp changed"), ("metric_changed", "metric changed"),
          ("became_duplicate", "became duplicate"), ("stopped_duplicate", "stopped duplicate"))
COLUMNS = ("Raw id", "What", "Before", "After")


def canonical_text(canonical: Any) -> str:
    """metric · amount · timestamp of a Canonical, in canonical text (None: it had none)."""
    if canonical is None:
        return "(no normalized form)"
    c = canonical_to_json(canonical)
    warned = f"  ⚠ {len(c['warnings'])}" if c["warnings"] else ""
    return f"{c['metric'] or '—'} · {c['amount'] or '—'} · {c['timestamp'] or '—'}{warned}"


class PreviewPane(QWidget):
    """Counts and examples of a ``Preview``; ``preview_requested`` asks the editor to compute one."""

    #: The user asked for a preview now (the editor also asks after each valid edit).
    preview_requested = Signal()

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.preview: Any = None
        self.limit = QSpinBox(minimum=10, maximum=100_000, singleStep=100, value=500)
        self.limit.setToolTip("how many of the client's latest events to examine")
        self.limit.valueChanged.connect(lambda _v: self.preview_requested.emit())
        self.run_button = QPushButton("Preview now")
        self.run_button.clicked.connect(self.preview_requested)
        self.status = QLabel("The preview runs after each valid edit.")
        self.status.setWordWrap(True)
        self.counts = QLabel()
        self.counts.setWordWrap(True)
        self.table = read_only_table(COLUMNS)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        row = QHBoxLayout()
        row.addWidget(QLabel("Latest"))
        row.addWidget(self.limit)
        row.addWidget(QLabel("events of the client"))
        row.addWidget(self.run_button)
        row.addWidget(self.status, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.counts)
        layout.addWidget(self.table, 1)

    def show_running(self, client: Optional[str]) -> None:
        self.status.setText(f"Computing the preview for {client or 'all clients'}…")

    def show_error(self, exc: BaseException) -> None:
        self.status.setText(f"✗ The preview failed: {exc}")

    def show_preview(self, preview: Any) -> None:
        self.preview = preview
        self.status.setText("Preview of the draft against the stored events (nothing is written).")
        self.counts.setText(" · ".join(f"{label} <b>{integer(getattr(preview, name, 0))}</b>"
                                       for name, label in COUNTS))
        self.table.setRowCount(len(preview.examples))
        for row, example in enumerate(preview.examples):
            kinds = ", ".join(example.kinds) if not isinstance(example.kinds, str) else example.kinds
            cells = (str(example.raw_id), kinds, canonical_text(example.before), canonical_text(example.after))
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
