"""The workbench's panes and splitters: sample | form | whole JSON | result above; preview,
versions and apply as tabs below. Also marks the entry at fault in the form and the JSON."""
from __future__ import annotations

from typing import Optional

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QTextCursor, QTextFormat
from PySide6.QtWidgets import QLabel, QScrollArea, QSplitter, QTabWidget, QTextEdit, QVBoxLayout, QWidget

from eventdesk.gui.session import Session
from eventdesk.gui.theme import error_text_colour, ok_text_colour, syntax_colours
from eventdesk.gui.widgets.json_editor import JsonEditor
from eventdesk.gui.workbench.apply_pane import ApplyPane
from eventdesk.gui.workbench.entry_path import EntryAtFault, line_of
from eventdesk.gui.workbench.mapping_form import MappingForm
from eventdesk.gui.workbench.preview_pane import PreviewPane
from eventdesk.gui.workbench.result_pane import ResultPane
from eventdesk.gui.workbench.sample_pane import SamplePane
from eventdesk.gui.workbench.versions_pane import VersionsPane


def _titled(title: str, widget: QWidget) -> QWidget:
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(QLabel(f"<b>{title}</b>"))
    layout.addWidget(widget, 1)
    return box


class WorkbenchLayout:
    """Builds the panes; ``splitter`` is the whole (put it in the dialog's layout)."""

    def __init__(self, session: Session, parent: QWidget) -> None:
        self.sample = SamplePane(session)
        self.form = MappingForm()
        self.json_editor = JsonEditor()
        self.result = ResultPane()
        self.preview = PreviewPane()
        self.versions = VersionsPane(session)
        self.apply = ApplyPane(session)
        self.fault_line: Optional[int] = None
        scroll = QScrollArea(widgetResizable=True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(self.form)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll = scroll
        self.panes = QSplitter(Qt.Orientation.Horizontal)
        for widget in (self.sample, _titled("Mapping (form)", scroll),
                       _titled("Whole document (JSON)", self.json_editor), self.result):
            self.panes.addWidget(widget)
            widget.setMinimumWidth(parent.fontMetrics().averageCharWidth() * 22)
        for index, stretch in enumerate((3, 3, 3, 4)):
            self.panes.setStretchFactor(index, stretch)
        self.below = QTabWidget()
        self.below.addTab(self.preview, "Preview against history")
        self.below.addTab(self.versions, "Versions")
        self.below.addTab(self.apply, "Apply to history")
        self.splitter = QSplitter(Qt.Orientation.Vertical, parent)
        self.splitter.addWidget(self.panes)
        self.splitter.addWidget(self.below)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)

    def mark_fault(self, fault: Optional[EntryAtFault], text: str) -> None:
        """Mark the entry at fault in the form (when it shows that entry) and its line in the JSON."""
        marked = self.form.show_fault(fault)
        if marked is not None:  # the form scrolls: bring the entry at fault into view
            self.form_scroll.ensureWidgetVisible(marked)
        self.fault_line = line_of(text, fault.keys) if fault is not None else None
        if self.fault_line is None:
            if self.json_editor.problem is None:
                self.json_editor.setExtraSelections([])
            return
        block = self.json_editor.document().findBlockByNumber(self.fault_line - 1)
        selection = QTextEdit.ExtraSelection()
        colour = QColor(syntax_colours()["error"])
        colour.setAlpha(60)
        selection.format.setBackground(colour)
        selection.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
        selection.cursor = QTextCursor(block)
        self.json_editor.setExtraSelections([selection])
        if not self.json_editor.hasFocus():  # typing in the JSON: leave the cursor where it is
            self.json_editor.setTextCursor(QTextCursor(block))
            self.json_editor.centerCursor()

    @staticmethod
    def colour_verdict(label: QLabel, ok: bool) -> None:
        colour = ok_text_colour() if ok else error_text_colour()
        label.setStyleSheet(f"color: {colour.name()}; font-weight: bold;")
