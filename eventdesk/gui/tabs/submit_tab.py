"""The Submit tab: edit one event, submit it (Ctrl+Enter) in the pool, see what came of it."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (QCheckBox, QComboBox, QHBoxLayout, QLabel, QPushButton, QSplitter,
                               QVBoxLayout, QWidget)

from eventdesk.core.faults import FaultPoint
from eventdesk.core.model import NormalizedEvent, SubmitResult
from eventdesk.gui.examples import EXAMPLES
from eventdesk.gui.session import Session
from eventdesk.gui.simulation import FailureSimulation
from eventdesk.gui.tabs.submit_history import SubmitHistory
from eventdesk.gui.tabs.submit_result import Submission, SubmitResultPanel
from eventdesk.gui.theme import WARNING_BANNER, banner_style, error_text_colour, ok_text_colour
from eventdesk.gui.widgets.json_editor import JsonEditor, JsonProblem


def submit_event(app: Any, text: str, fault: Optional[FaultPoint]) -> tuple[SubmitResult, Optional[NormalizedEvent]]:
    """Runs in the pool: submit, then read back the normalized event the result names."""
    result = app.submit(text, fault)
    normalized = None
    if result.normalized_id is not None and fault is not FaultPoint.AFTER_COMMIT:
        normalized = app.store.get_normalized(result.normalized_id)
    return result, normalized


def structure_problem(value: Any) -> Optional[str]:
    """Why valid JSON would still be rejected (design section 3), or None."""
    if not isinstance(value, dict):
        return "not an object"
    source = value.get("source")
    if not isinstance(source, str) or not source.strip():
        return "source is missing or empty"
    if not isinstance(value.get("payload"), dict):
        return "payload is missing or not an object"
    return None


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
        for point in FaultPoint:
            self.fault_point.addItem(point.value, point)
            self.fault_point.setItemData(self.fault_point.count() - 1, point.description, Qt.ItemDataRole.ToolTipRole)
        self.simulate.toggled.connect(simulation.set_enabled)
        self.fault_point.currentIndexChanged.connect(
            lambda i: simulation.set_point(self.fault_point.itemData(i)))
        simulation.changed.connect(self._on_simulation_changed)
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
        issue = structure_problem(self.editor.value())
        if issue:
            self._say(f"⚠ Valid JSON, but it will be rejected: {issue}", error_text_colour())
        else:
            self._say("✓ Valid event", ok_text_colour())

    def _say(self, text: str, colour: Any) -> None:
        self.validation.setText(text)
        self.validation.setStyleSheet(f"color: {colour.name()}; font-weight: bold;")

    # -- failure simulation
    def _on_simulation_changed(self) -> None:
        sim = self.simulation
        self.simulate.blockSignals(True)
        self.simulate.setChecked(sim.enabled)
        self.simulate.blockSignals(False)
        self.fault_point.blockSignals(True)
        self.fault_point.setCurrentIndex(self.fault_point.findData(sim.point))
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

    def _send(self, text: str) -> None:
        fault = self.simulation.fault
        sent_at = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        job = self.session.run(submit_event, text, fault, doing="Submitting an event", writes=True,
                               on_result=lambda value: self._on_submit_finished(sent_at, text, fault, value),
                               on_error=lambda _exc: self._on_submit_errored())
        if job is not None:
            self.in_flight += 1

    def _on_submit_finished(self, sent_at: str, text: str, fault: Optional[FaultPoint],
                            value: tuple[SubmitResult, Optional[NormalizedEvent]]) -> None:
        self.in_flight -= 1
        result, normalized = value
        submission = Submission(sent_at, text, fault.value if fault else None, result, normalized)
        self.history.add(submission)
        self.result_panel.show_submission(submission)
        self.submitted.emit(submission)

    def _on_submit_errored(self) -> None:
        self.in_flight -= 1

    def _on_resend_requested(self, submission: Submission) -> None:
        self._send(submission.text)

    def _on_show_requested(self, submission: Submission) -> None:
        self.editor.setPlainText(submission.text)
        self.result_panel.show_submission(submission)
