"""A JSON editor: line numbers, highlighting, and live validation that points at the error.

``validated`` carries a ``JsonProblem`` (line, column, message) or None when the text parses.
Window shortcuts (switch tab, submit, refresh, find) pass through the editor instead of being
taken as text-editing keys, so they work from inside it as everywhere else.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

from PySide6.QtCore import QEvent, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFontDatabase,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPalette,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QPlainTextEdit, QTextEdit, QWidget

from eventdesk.gui.theme import syntax_colours
from eventdesk.gui.widgets.json_highlighter import JsonHighlighter

#: Keys the editor lets through to the window's shortcuts.
PASS_THROUGH = tuple(QKeySequence(k) for k in (
    "Ctrl+PgDown", "Ctrl+PgUp", "Ctrl+Return", "Ctrl+Enter", "F5", "Ctrl+F"))


@dataclass(frozen=True)
class JsonProblem:
    line: int
    column: int
    message: str

    def __str__(self) -> str:
        return f"Line {self.line}, column {self.column}: {self.message}"


def find_problem(text: str) -> Optional[JsonProblem]:
    """Where ``text`` stops being JSON, or None when it parses."""
    if not text.strip():
        return JsonProblem(1, 1, "empty: type or pick an example")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return JsonProblem(exc.lineno, exc.colno, exc.msg)
    except (ValueError, RecursionError) as exc:
        return JsonProblem(1, 1, str(exc))
    return None


class _Gutter(QWidget):
    def __init__(self, editor: "JsonEditor") -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event: Any) -> None:  # noqa: N802
        self.editor.paint_gutter(event)


class JsonEditor(QPlainTextEdit):
    """Plain-text JSON editing with highlighting and validation."""

    #: Emitted after each (debounced) validation: a JsonProblem, or None when valid.
    validated = Signal(object)

    def __init__(self, parent: Optional[QWidget] = None, read_only: bool = False) -> None:
        super().__init__(parent)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.setFont(font)
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabChangesFocus(True)
        self.setReadOnly(read_only)
        self.problem: Optional[JsonProblem] = None
        self._highlighter = JsonHighlighter(self.document())
        self._gutter = _Gutter(self)
        self._timer = QTimer(self, singleShot=True, interval=150)
        self._timer.timeout.connect(self.validate_now)
        self.textChanged.connect(self._on_text_changed)
        self.blockCountChanged.connect(self._on_block_count_changed)
        self.updateRequest.connect(self._on_update_requested)
        self._on_block_count_changed()

    # -- validation
    def _on_text_changed(self) -> None:
        if not self.isReadOnly():  # a viewer shows what the store holds; nothing to point at
            self._timer.start()

    def validate_now(self) -> Optional[JsonProblem]:
        self._timer.stop()
        self.problem = find_problem(self.toPlainText())
        self._mark_problem()
        self.validated.emit(self.problem)
        return self.problem

    def value(self) -> Any:
        """The parsed JSON (raises ValueError when it does not parse)."""
        return json.loads(self.toPlainText())

    def set_json(self, value: Any) -> None:
        self.setPlainText(json.dumps(value, indent=2, ensure_ascii=False))

    def _mark_problem(self) -> None:
        selections = []
        problem = self.problem
        if problem is not None and self.toPlainText().strip():
            block = self.document().findBlockByNumber(problem.line - 1)
            if block.isValid():
                line = QTextEdit.ExtraSelection()
                colour = QColor(syntax_colours()["error"])
                colour.setAlpha(40)
                line.format.setBackground(colour)
                line.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                line.cursor = QTextCursor(block)
                mark = QTextEdit.ExtraSelection()
                mark.format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                mark.format.setUnderlineColor(syntax_colours()["error"])
                cursor = QTextCursor(block)
                cursor.movePosition(QTextCursor.MoveOperation.Right, n=max(0, problem.column - 1))
                cursor.movePosition(QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor)
                mark.cursor = cursor
                selections = [line, mark]
        self.setExtraSelections(selections)

    # -- shortcuts that belong to the window
    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            pressed = QKeySequence(event.keyCombination())
            if any(pressed.matches(k) == QKeySequence.SequenceMatch.ExactMatch for k in PASS_THROUGH):
                event.ignore()
                return False
        return super().event(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.PaletteChange:
            self._highlighter.update_colours()
        super().changeEvent(event)

    # -- the line-number gutter (Qt's code editor example)
    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 12 + self.fontMetrics().horizontalAdvance("9") * max(2, digits)

    def _on_block_count_changed(self, _count: int = 0) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _on_update_requested(self, rect: QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event: Any) -> None:  # noqa: N802
        super().resizeEvent(event)
        area = self.contentsRect()
        self._gutter.setGeometry(QRect(area.left(), area.top(), self.gutter_width(), area.height()))

    def paint_gutter(self, event: Any) -> None:
        painter = QPainter(self._gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QPalette.ColorRole.AlternateBase))
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        error_line = self.problem.line - 1 if self.problem else -1
        while block.isValid() and top <= event.rect().bottom():
            if block.isVisible():
                number = block.blockNumber()
                colour = syntax_colours()["error"] if number == error_line else \
                    palette.color(QPalette.ColorRole.PlaceholderText)
                painter.setPen(colour)
                painter.drawText(0, top, self._gutter.width() - 6, height,
                                 Qt.AlignmentFlag.AlignRight, str(number + 1))
            top += round(self.blockBoundingRect(block).height())
            block = block.next()
        painter.end()
