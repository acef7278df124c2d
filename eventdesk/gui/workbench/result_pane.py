"""The normalized result of the sample under the draft, with warnings and provenance: for each
field, the candidates tried, the one that matched, what it found and the rule that read it."""
from __future__ import annotations

from html import escape
from typing import Any, Optional

from PySide6.QtWidgets import QLabel, QTextBrowser, QVBoxLayout, QWidget

from eventdesk.gui.theme import error_text_colour, warning_text_colour


def trace_html(trace: Any) -> str:
    """One field's provenance as a few short lines (the pane is narrow: no wide table)."""
    found = trace.to_json()["found_json"]  # exactly as received, as JSON
    if trace.problem is not None:
        head = (f"<span style='color:{warning_text_colour().name()}'>⚠ {escape(trace.problem)}</span>"
                f" <small>({escape(str(trace.reason))})</small>")
    else:
        head = f"<code>{escape(trace.value or '')}</code>"
    lines = [f"<b>{escape(trace.field)}</b> → {head}"]
    if trace.matched is not None:
        lines.append(f"read from <code>{escape(trace.matched)}</code> = <code>{escape(found or '')}</code>")
    else:
        lines.append("no candidate matched")
    if trace.rule:
        lines.append(f"rule: {escape(trace.rule)}")
    tried = ", ".join(f"<u>{escape(c)}</u>" if c == trace.matched else escape(c) for c in trace.candidates)
    lines.append(f"<small>tried in order: {tried}</small>")
    return "<p style='margin-bottom:6px'>" + "<br>".join(lines) + "</p>"


class ResultPane(QWidget):
    """Shows an ``Explanation`` (``core.provenance``), a refusal, or why there is nothing yet."""

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.explanation: Any = None
        self.summary = QLabel("Pick a sample to see what the draft makes of it.")
        self.summary.setWordWrap(True)
        self.fields = QTextBrowser()
        self.fields.setOpenLinks(False)
        self.warnings = QLabel()
        self.warnings.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("<b>Normalized result</b>"))
        layout.addWidget(self.summary)
        layout.addWidget(self.fields, 1)
        layout.addWidget(self.warnings)

    def show_waiting(self, text: str, error: bool = False) -> None:
        self.explanation = None
        self.summary.setText(text)
        self.summary.setStyleSheet(f"color: {error_text_colour().name()};" if error else "")
        self.fields.clear()
        self.warnings.setText("")

    def show_refused(self, problem: str) -> None:
        self.show_waiting(f"✗ The draft is refused: {problem}", error=True)

    def show_error(self, exc: BaseException) -> None:
        self.show_waiting(f"✗ Could not explain the sample: {exc}", error=True)

    def show_explanation(self, explanation: Any) -> None:
        self.explanation = explanation
        if explanation.rejection:
            self.show_waiting(f"✗ Rejected as input ({explanation.rejection_reason}): {explanation.rejection}",
                              error=True)
            self.explanation = explanation
            return
        self.summary.setStyleSheet("")
        self.summary.setText(f"Client {explanation.client_id!r}, read with the entry "
                             f"<b>{escape(explanation.mapping_entry)}</b>")
        self.fields.setHtml("".join(trace_html(trace) for trace in explanation.fields))
        warnings = explanation.canonical.warnings if explanation.canonical is not None else ()
        self.warnings.setText("\n".join(f"⚠ {w}" for w in warnings) if warnings else "No warnings.")
        self.warnings.setStyleSheet(f"color: {warning_text_colour().name()};" if warnings else "")

    def text(self) -> str:
        """Everything the pane shows, as text (tests and copying read it)."""
        return "\n".join([self.summary.text(), self.fields.toPlainText(), self.warnings.text()])
