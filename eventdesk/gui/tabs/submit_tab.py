"""The Submit tab: edit one event, submit it (Ctrl+Enter) in the pool, see what came of it."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from eventdesk.app import App, events, queries
from eventdesk.app.events import SubmitOutcome
from eventdesk.core.faults import FaultPoint
from eventdesk.gui.examples import EXAMPLES
from eventdesk.gui.session import Session
from eventdesk.gui.simulation import FailureSimulation
from eventdesk.gui.tabs.submit_history import SubmitHistory
from eventdesk.gui.tabs.submit_result import Submission, SubmitResultPanel
from eventdesk.gui.theme import WARNING_BANNER, banner_style, error_text_colour, ok_text_colour
from eventdesk.gui.widgets.json_editor import JsonEditor, JsonProblem


class SubmitTab(QWidget):
    """One event at a time, as a client would send it."""

    #: A submission came back (its ``Submission``), in the GUI thread.
    submitted = Signal(object)

    def __init__(self, session: Session, simulation: FailureSimulation,
                 parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.session, self.simulation = session, simulation
        self.in_flight = 0
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(banner_style(WARNING_BANNER))
        self.examples = QComboBox()
        self.examples.addItem("Load an example…")
        for label, _text in EXAMPLES:
            self.examples.addItem(label)
        self.examples.activated.connect(self._on_example_chosen)
        self.simulate = QCheckBox("Simulate failure at")
        self.fault_point = QComboBox()
        for point in FaultPoint:  # item data is the point's name: Qt hands a str enum back as str
            self.fault_point.addItem(point.value, point.value)
            self.fault_point.setItemData(self.fault_point.count() - 1, point.description, Qt.ItemDataRole.ToolTipRole)
        self.simulate.toggled.connect(simulation.set_enabled)
        self.fault_point.currentIndexChanged.connect(self._on_fault_point_chosen)
        simulation.changed.connect(self._on_simulation_changed)
        self.store_identity: Optional[str] = None
        session.store_opened.connect(self._on_store_opened)
        self.submit_button = QPushButton("Submit  (Ctrl+Enter)")
        self.submit_button.setDefault(True)
        self.submit_button.clicked.connect(self.submit)
        self.editor = JsonEditor()
        self.editor.setPlaceholderText('{"source": "client_A", "payload": {...}}')
        self.editor.validated.connect(self._on_validated)
        self.validation = QLabel(" ")
        self.validation.setWordWrap(True)
        self.result_panel = SubmitResultPanel()
        self.history = SubmitHistory()
        self.history.resend_requested.connect(self._on_resend_requested)
        self.history.show_requested.connect(self._on_show_requested)
        self._layout()
        self.editor.setPlainText(EXAMPLES[0][1])
        self.editor.validate_now()
        self._on_simulation_changed()

    def _layout(self) -> None:
        bar = QHBoxLayout()
        bar.addWidget(self.examples)
        bar.addSpacing(16)
        bar.addWidget(self.simulate)
        bar.addWidget(self.fault_point)
        bar.addStretch(1)
        bar.addWidget(self.submit_button)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addWidget(QLabel("Event JSON"))
        left_layout.addWidget(self.editor, 1)
        left_layout.addWidget(self.validation)
        top = QSplitter(Qt.Orientation.Horizontal)
        top.addWidget(left)
        top.addWidget(self.result_panel)
        top.setSizes([550, 450])
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(top)
        split.addWidget(self.history)
        split.setSizes([560, 340])  # proportions: the history gets a good third
        self.splitter = split
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(bar)
        layout.addWidget(split, 1)

    # -- the table-tab interface the window uses
    def focus_filter(self) -> None:
        self.editor.setFocus()

    def refresh(self) -> None:
        self.editor.validate_now()

    def _on_store_opened(self, app: App) -> None:
        """Keep the history only when the same store opens again (ids name its events)."""
        identity = queries.store_description(app)
        if identity != self.store_identity or identity == ":memory:":
            self.history.clear()
            self.result_panel.clear()
        self.store_identity = identity

    # -- examples and validation
    def _on_example_chosen(self, index: int) -> None:
        if index > 0:
            self.editor.setPlainText(EXAMPLES[index - 1][1])
            self.editor.validate_now()
            self.editor.setFocus()
        self.examples.setCurrentIndex(0)

    def _on_validated(self, problem: Optional[JsonProblem]) -> None:
        if problem is not None:
            self._say(f"✗ {problem}", error_text_colour())
            return
        issue = events.rejection_of(self.editor.toPlainText())  # intake's own words
        if issue:
            self._say(f"⚠ Valid JSON, but it will be rejected: {issue}", error_text_colour())
        else:
            self._say("✓ Valid event", ok_text_colour())

    def _say(self, text: str, colour: Any) -> None:
        self.validation.setText(text)
        self.validation.setStyleSheet(f"color: {colour.name()}; font-weight: bold;")

    # -- failure simulation
    def _on_fault_point_chosen(self, index: int) -> None:
        if index >= 0:
            self.simulation.set_point(FaultPoint(self.fault_point.itemData(index)))

    def _on_simulation_changed(self) -> None:
        sim = self.simulation
        self.simulate.blockSignals(True)
        self.simulate.setChecked(sim.enabled)
        self.simulate.blockSignals(False)
        self.fault_point.blockSignals(True)
        self.fault_point.setCurrentIndex(self.fault_point.findData(sim.point.value))
        self.fault_point.blockSignals(False)
        self.banner.setText(f"⚠  FAILURE SIMULATION IS ON ({sim.point.value}): {sim.point.description}. "
                            "Every submission from this tab fails on purpose.")
        self.banner.setVisible(sim.enabled)
        self.submit_button.setText("Submit with simulated failure  (Ctrl+Enter)" if sim.enabled
                                   else "Submit  (Ctrl+Enter)")

    # -- submitting
    def submit(self) -> None:
        """Send the editor's text as one event (the window's Ctrl+Enter calls this)."""
        self._send(self.editor.toPlainText())

    def _send(self, text: str, resend_of: Optional[int] = None) -> None:
        fault = self.simulation.fault
        sent_at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        job = self.session.run(events.submit_and_read_back, text, fault, doing="Submitting an event", writes=True,
                               on_result=lambda value: self._on_submit_finished(sent_at, text, fault,
                                                                                resend_of, value),
                               on_error=lambda _exc: self._on_submit_errored())
        if job is not None:
            self.in_flight += 1

    def _on_submit_finished(self, sent_at: str, text: str, fault: Optional[FaultPoint],
                            resend_of: Optional[int], value: SubmitOutcome) -> None:
        self.in_flight -= 1
        submission = Submission(sent_at, text, fault.value if fault else None, value.result, value.normalized,
                                value.before, value.after, resend_of=resend_of)
        self.history.add(submission)
        self.result_panel.show_submission(submission)
        self.submitted.emit(submission)

    def _on_submit_errored(self) -> None:
        self.in_flight -= 1

    def _on_resend_requested(self, submission: Submission) -> None:
        self._send(submission.text, resend_of=submission.resend_of or submission.number)

    def _on_show_requested(self, submission: Submission) -> None:
        self.editor.setPlainText(submission.text)
        self.result_panel.show_submission(submission)
