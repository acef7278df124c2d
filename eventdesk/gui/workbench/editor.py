"""The mappings workbench: a sample raw event | the client's mapping (form and whole JSON, kept in
sync) | the normalized result with provenance; below, the draft against history, the versions,
and applying the published version to history.

The JSON text is the draft: the form writes into it, and a valid text is shown back in the form.
Every check names the entry at fault; that form field and that JSON line are marked.
"""
from __future__ import annotations

from typing import Any, Optional

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from eventdesk.app import mappings, queries
from eventdesk.app import workbench as bench
from eventdesk.gui.session import Session
from eventdesk.gui.widgets.debounce import Debouncer
from eventdesk.gui.widgets.json_editor import JsonProblem
from eventdesk.gui.workbench import draft
from eventdesk.gui.workbench.entry_path import entry_at_fault
from eventdesk.gui.workbench.latest_job import LatestJob
from eventdesk.gui.workbench.layout import WorkbenchLayout
from eventdesk.gui.workbench.sample_pane import raw_text

EXPLAIN_PAUSE_MS, PREVIEW_PAUSE_MS = 250, 700


class MappingEditor(QDialog):
    """Edit, check, try, preview, publish, roll back and apply the field mappings of the store."""

    def __init__(self, session: Session, parent: Optional[QWidget] = None, raw_id: Optional[int] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Field mappings workbench")
        self.session = session
        self.version: Optional[int] = None
        self.published_text = ""
        self.problem: Optional[str] = None
        self.ui = WorkbenchLayout(session, self)
        ui = self.ui
        self.editor, self.form, self.sample = ui.json_editor, ui.form, ui.sample
        self.result_pane, self.preview, self.versions, self.apply = ui.result, ui.preview, ui.versions, ui.apply
        self.version_label = QLabel("Loading the current mappings…")
        self.verdict = QLabel(" ")
        self.verdict.setWordWrap(True)
        self.validate_button = QPushButton("Validate")
        self.validate_button.clicked.connect(self.validate)
        self.revert_button = QPushButton("Revert to published")
        self.revert_button.clicked.connect(self.reload)
        self.save_button = QPushButton("Publish as new version")
        self.save_button.clicked.connect(self.save)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.validate_button, self.revert_button, self.save_button):
            buttons.addWidget(button)
        buttons.addWidget(self.verdict, 1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.version_label)
        layout.addWidget(ui.splitter, 1)
        layout.addLayout(buttons)
        self.explain_later = Debouncer(self, EXPLAIN_PAUSE_MS)
        self.preview_later = Debouncer(self, PREVIEW_PAUSE_MS)
        self.explainer = LatestJob(session, "Explaining the sample", self.result_pane.show_explanation,
                                   self.result_pane.show_error)
        self.previewer = LatestJob(session, "Previewing the draft", self.preview.show_preview,
                                   self.preview.show_error)
        self._connect()
        self.resize(self.fontMetrics().averageCharWidth() * 150, self.fontMetrics().height() * 44)
        self.reload()
        self.versions.refresh()
        self.apply.refresh()
        if raw_id is not None:
            self.sample.load(raw_id)

    def _connect(self) -> None:
        self.editor.validated.connect(self._on_json_validated)
        self.form.changed.connect(self._on_form_edited)
        self.form.client_changed.connect(self._on_client_changed)
        self.sample.sample_changed.connect(self._on_sample_changed)
        self.explain_later.fired.connect(self.explain_now)
        self.preview_later.fired.connect(self.preview_now)
        self.preview.preview_requested.connect(self.preview_now)
        self.versions.rolled_back.connect(lambda _v: self.reload())
        self.versions.load_requested.connect(self._on_version_loaded)
        self.session.store_opened.connect(self._on_store_replaced)

    def _on_store_replaced(self, _app: Any) -> None:
        """Another store was opened: this draft, sample and history were of the old one."""
        if self.isVisible():
            self.session.messages.info("The mappings workbench closed: another store was opened")
        self.close()

    # -- the published version
    def reload(self) -> None:
        self.session.run(mappings.load_current, doing="Loading the mappings", on_result=self._on_loaded)

    def _on_loaded(self, value: tuple[int, str]) -> None:
        self.version, self.published_text = value
        self._show_version()
        self.editor.setPlainText(self.published_text)
        self.editor.validate_now()

    def _show_version(self) -> None:
        store = queries.store_description(self.session.app) if self.session.app is not None else "no store"
        self.version_label.setText(f"Version {self.version} (current) of {store}. You edit a draft: "
                                   "Publish makes it the next version, for events processed from then "
                                   "on; Apply to history re-normalizes past ones.")
        self.version_label.setWordWrap(True)

    def save(self) -> None:
        """Publish the draft as a new version (refused, with the entry marked, when invalid)."""
        if self.validate() is not None:
            return
        self.save_button.setEnabled(False)
        text = self.editor.toPlainText()
        self.session.run(mappings.save_mappings_text, text, doing="Publishing the mappings", writes=True,
                         on_result=lambda v: self._on_saved(v, text),
                         on_error=lambda _exc: self.save_button.setEnabled(True))

    def _on_saved(self, version: int, text: str) -> None:
        self.version, self.published_text = version, text
        self.save_button.setEnabled(True)
        self._show_version()
        self._say(f"✓ Published as version {version}", ok=True)
        self.session.messages.info(f"Mappings version {version} is now current")
        self.versions.refresh()
        self._update_apply()

    # -- checking the draft
    def validate(self) -> Optional[str]:
        """Check the draft; the verdict names the entry at fault, which is marked. The error or None."""
        text = self.editor.toPlainText()
        problem = mappings.check_mappings_text(text)
        self.problem = problem
        fault = entry_at_fault(problem, draft.parse(text)) if problem else None
        self.ui.mark_fault(fault, text)
        if problem:
            self._say(f"✗ {problem}", ok=False)
            self.result_pane.show_refused(problem)
        else:
            same = draft.same_document(text, self.published_text)
            self._say("✓ Valid mappings" + (" (as published)" if same else " · not published yet"), ok=True)
        self._update_apply()
        return problem

    def _on_json_validated(self, problem: Optional[JsonProblem]) -> None:
        self.form.setEnabled(problem is None)  # the form edits a document: fix the JSON first
        if problem is not None:
            self.problem = str(problem)
            self.form.show_fault(None)
            self._say(f"✗ {problem} (fix the JSON to use the form)", ok=False)
            self.result_pane.show_refused(str(problem))
            return
        if self.validate() is None:
            document = draft.parse(self.editor.toPlainText()) or {}
            if self.form.document() != document:  # from the JSON side: show it in the form
                self.form.set_document(document)
            self.explain_later.poke()
            self.preview_later.poke()

    def _on_form_edited(self) -> None:
        """Write the form's entry into the JSON as it stands, keeping edits of other entries."""
        current = draft.parse(self.editor.toPlainText())
        document = self.form.document() if current is None else \
            draft.with_entry(current, self.form.client(), self.form.entry())
        self.editor.setPlainText(draft.text_of(document))
        self.editor.validate_now()

    def _on_client_changed(self, client: Optional[str]) -> None:
        self.sample.set_client(client)
        self._update_apply()
        self.preview_later.poke()

    def _on_version_loaded(self, text: str) -> None:
        self.editor.setPlainText(text)
        self.editor.validate_now()

    # -- the sample and the previews
    def _on_sample_changed(self, raw: Any) -> None:
        if raw is not None and raw.source is not None and raw.source.strip() != (self.form.client() or ""):
            self.form.set_client(raw.source.strip())
            self._on_client_changed(self.form.client())
        self.explain_now()

    def explain_now(self) -> None:
        self.explain_later.stop()
        if self.problem is not None:
            return
        if self.sample.raw is None:
            self.result_pane.show_waiting("Pick a sample to see what the draft makes of it.")
            return
        self.explainer.request(bench.explain_event, self.editor.toPlainText(), raw_text(self.sample.raw))

    def preview_now(self) -> None:
        self.preview_later.stop()
        if self.problem is not None:
            return
        client = self.form.client()
        self.preview.show_running(client)
        self.previewer.request(bench.preview_draft, self.editor.toPlainText(), client=client,
                               limit=self.preview.limit.value())

    def _update_apply(self) -> None:
        dirty = not draft.same_document(self.editor.toPlainText(), self.published_text)
        self.apply.set_state(self.version, dirty, self.form.client())

    def _say(self, text: str, ok: bool) -> None:
        self.verdict.setText(text)
        self.verdict.setToolTip(text)
        self.verdict.setProperty("ok", ok)
        self.ui.colour_verdict(self.verdict, ok)

    def keyPressEvent(self, event: Any) -> None:  # noqa: N802
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            return  # Enter adds a key in the form; it must not close the dialog
        super().keyPressEvent(event)

