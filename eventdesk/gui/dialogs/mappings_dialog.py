"""The mappings editor: the store's current mappings with their version; validate; save as a
new version (``App.set_mappings``). Mappings apply to events processed from then on; Retry
reprocesses failed events with them."""
from __future__ import annotations

from typing import Optional

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
from eventdesk.gui.session import Session
from eventdesk.gui.theme import error_text_colour, ok_text_colour
from eventdesk.gui.widgets.json_editor import JsonEditor, JsonProblem


class MappingsDialog(QDialog):
    """Edit, validate and save the field mappings of the open store."""

    def __init__(self, session: Session, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Field mappings")
        self.session = session
        self.version: Optional[int] = None
        self.version_label = QLabel("Loading the current mappings…")
        self.editor = JsonEditor()
        self.editor.validated.connect(self._on_validated)
        self.verdict = QLabel(" ")
        self.verdict.setWordWrap(True)
        self.validate_button = QPushButton("Validate")
        self.validate_button.clicked.connect(self.validate)
        self.revert_button = QPushButton("Revert to current")
        self.revert_button.clicked.connect(self.reload)
        self.save_button = QPushButton("Save as new version")
        self.save_button.clicked.connect(self.save)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        buttons = QHBoxLayout()
        for button in (self.validate_button, self.revert_button, self.save_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(close)
        note = QLabel("Clients override the defaults field by field. New mappings apply to events "
                      "processed from now on; use Retry to reprocess failed events with them.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.version_label)
        layout.addWidget(note)
        layout.addWidget(self.editor, 1)
        layout.addWidget(self.verdict)
        layout.addLayout(buttons)
        char, line = self.fontMetrics().averageCharWidth(), self.fontMetrics().height()
        self.resize(char * 100, line * 40)
        self.reload()

    def reload(self) -> None:
        self.session.run(mappings.load_current, doing="Loading the mappings", on_result=self._on_loaded)

    def _on_loaded(self, value: tuple[int, str]) -> None:
        self.version, text = value
        self.version_label.setText(f"Version {self.version} (current) of {self._store()}")
        self.editor.setPlainText(text)
        self.editor.validate_now()

    def _on_validated(self, problem: Optional[JsonProblem]) -> None:
        if problem is not None:
            self._say(f"✗ {problem}", ok=False)
        else:
            self.validate()

    def validate(self) -> Optional[str]:
        """Check the editor's text; the verdict names the bad entry. Returns the error or None."""
        problem = mappings.check_mappings_text(self.editor.toPlainText())
        self._say(f"✗ {problem}" if problem else "✓ Valid mappings", ok=problem is None)
        return problem

    def save(self) -> None:
        if self.validate() is not None:
            return
        self.save_button.setEnabled(False)
        self.session.run(mappings.save_mappings_text, self.editor.toPlainText(), doing="Saving the mappings", writes=True,
                         on_result=self._on_saved, on_error=lambda _exc: self.save_button.setEnabled(True))

    def _on_saved(self, version: int) -> None:
        self.version = version
        self.save_button.setEnabled(True)
        self.version_label.setText(f"Version {version} (current) of {self._store()}")
        self._say(f"✓ Saved as version {version}", ok=True)
        self.session.messages.info(f"Mappings version {version} is now current")

    def _store(self) -> str:
        return queries.store_description(self.session.app) if self.session.app is not None else "no store"

    def _say(self, text: str, ok: bool) -> None:
        colour = ok_text_colour() if ok else error_text_colour()
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"color: {colour.name()}; font-weight: bold;")
