"""Syntax highlighting for JSON text, in colours that suit the current palette."""
from __future__ import annotations

import re

from PySide6.QtGui import QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

from eventdesk.gui.theme import syntax_colours

_TOKENS = re.compile(r'''
    (?P<key>"(?:[^"\\]|\\.)*"(?=\s*:))
  | (?P<string>"(?:[^"\\]|\\.)*"?)
  | (?P<number>-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b)
  | (?P<literal>\b(?:true|false|null)\b)
  | (?P<punct>[{}\[\]:,])
''', re.VERBOSE)


class JsonHighlighter(QSyntaxHighlighter):
    """Colours keys, strings, numbers, literals and punctuation; one line at a time."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._formats: dict[str, QTextCharFormat] = {}
        self.update_colours()

    def update_colours(self) -> None:
        """Pick colours for the current palette (call after a light/dark switch)."""
        self._formats = {}
        for name, colour in syntax_colours().items():
            fmt = QTextCharFormat()
            fmt.setForeground(colour)
            if name == "key":
                fmt.setFontWeight(QFont.Weight.DemiBold)
            self._formats[name] = fmt
        self.rehighlight()

    def highlightBlock(self, text: str) -> None:  # noqa: N802 - Qt override
        for match in _TOKENS.finditer(text):
            kind = match.lastgroup
            if kind is not None:
                self.setFormat(match.start(), match.end() - match.start(), self._formats[kind])
