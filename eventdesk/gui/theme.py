"""Colours with a meaning: statuses, outcomes, chart series, syntax highlighting.

Everything else comes from the palette (system light or dark). Status colours are strong fills
with white text, legible on light and dark backgrounds alike; the word is always shown too.
"""
from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

# status -> (fill, text); failed, rejected and dead_letter are the loud ones
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    "pending": ("#6b7280", "#ffffff"),
    "processing": ("#0e7490", "#ffffff"),
    "normalized": ("#2e7d32", "#ffffff"),
    "duplicate": ("#1d5fa8", "#ffffff"),
    "failed": ("#c62828", "#ffffff"),
    "rejected": ("#c2410c", "#ffffff"),
    "dead_letter": ("#6b21a8", "#ffffff"),
}
LOUD_STATUSES = frozenset({"failed", "rejected", "dead_letter"})

OUTCOME_COLOURS: dict[str, tuple[str, str]] = {
    "accepted": STATUS_COLOURS["normalized"],
    "duplicate": ("#1d5fa8", "#ffffff"),
    "semantic_duplicate": ("#0f766e", "#ffffff"),
    "rejected": STATUS_COLOURS["rejected"],
    "failed": STATUS_COLOURS["failed"],
}
WARNING_BANNER = ("#e65100", "#ffffff")
ERROR_BANNER = ("#b71c1c", "#ffffff")
INFO_BANNER = ("#1d5fa8", "#ffffff")

# Okabe-Ito inspired series colours: distinguishable, legible on light and dark
SERIES_COLOURS = ("#0072b2", "#e69f00", "#009e73", "#cc79a7", "#d55e00", "#56b4e9",
                  "#8c6d31", "#7f7f7f", "#b2182b", "#2ca25f")


def status_colours(status: str) -> tuple[QColor, QColor]:
    fill, text = STATUS_COLOURS.get(status, ("#6b7280", "#ffffff"))
    return QColor(fill), QColor(text)


def outcome_colours(outcome: str) -> tuple[QColor, QColor]:
    fill, text = OUTCOME_COLOURS.get(outcome, ("#6b7280", "#ffffff"))
    return QColor(fill), QColor(text)


def series_colour(index: int) -> QColor:
    return QColor(SERIES_COLOURS[index % len(SERIES_COLOURS)])


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QApplication.palette()
    return palette.color(QPalette.ColorRole.Base).lightness() < 128


def banner_style(colours: tuple[str, str]) -> str:
    fill, text = colours
    return (f"background-color: {fill}; color: {text}; border-radius: 4px;"
            " padding: 6px 10px; font-weight: bold;")


def pill_style(colours: tuple[str, str]) -> str:
    fill, text = colours
    return (f"background-color: {fill}; color: {text}; border-radius: 9px;"
            " padding: 2px 10px; font-weight: bold;")


def syntax_colours(palette: QPalette | None = None) -> dict[str, QColor]:
    """Colours for JSON keys, strings, numbers, literals and punctuation on this palette."""
    if is_dark(palette):
        names = {"key": "#7cc4ff", "string": "#a5d6a7", "number": "#ffcc80",
                 "literal": "#ce93d8", "punct": "#b0bec5", "error": "#ff6e6e"}
    else:
        names = {"key": "#0b4f9c", "string": "#1b6e20", "number": "#a04b00",
                 "literal": "#7b1fa2", "punct": "#546e7a", "error": "#d32f2f"}
    return {k: QColor(v) for k, v in names.items()}


def error_text_colour(palette: QPalette | None = None) -> QColor:
    return QColor("#ff6e6e" if is_dark(palette) else "#c62828")


def ok_text_colour(palette: QPalette | None = None) -> QColor:
    return QColor("#81c784" if is_dark(palette) else "#2e7d32")


def warning_text_colour(palette: QPalette | None = None) -> QColor:
    return QColor("#ffb74d" if is_dark(palette) else "#a34700")
