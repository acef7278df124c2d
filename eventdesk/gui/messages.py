"""The one place where errors and notices reach the user.

Workers, models and dialogs never show message boxes for failures of background work: they
hand the exception to ``MessageRouter.report``, which turns it into one line of words and emits
``posted``; the message area at the top of the window shows it. A defect of ours (anything
that is not a known store, mappings or file error) is logged with its traceback and shown as
"internal error", never as a traceback.

An exception that escapes a Qt slot (or anything else in the GUI thread) goes through
``sys.excepthook``: the newest router installs a hook that logs it with its traceback and
posts it like any other error, then hands it to the hook it replaced.
"""
from __future__ import annotations

import logging
import sys
import weakref
from types import TracebackType
from typing import Any, Optional

from PySide6.QtCore import QObject, Signal

from eventdesk.app.errors import describe, is_bug

log = logging.getLogger("eventdesk.gui")

INFO, WARNING, ERROR = "info", "warning", "error"


def describe_error(exc: BaseException) -> str:
    """One line a user can read, for any exception a background job may raise (the app's wording)."""
    text, bug = describe(exc)
    return f"{text}; details are in the log" if bug else text


def is_defect(exc: BaseException) -> bool:
    """True when the exception points at a bug of ours rather than at the environment."""
    return is_bug(exc)


class MessageRouter(QObject):
    """Collects messages for the user; the message area and status bar listen to it."""

    #: (level, text): level is "info", "warning" or "error".
    posted = Signal(str, str)

    def __init__(self, catch_uncaught: bool = True) -> None:
        super().__init__()
        self.history: list[tuple[str, str]] = []
        if catch_uncaught:
            route_uncaught_exceptions(self)

    def info(self, text: str) -> None:
        self._post(INFO, text)

    def warning(self, text: str) -> None:
        self._post(WARNING, text)

    def error(self, text: str) -> None:
        self._post(ERROR, text)

    def report(self, exc: BaseException, doing: str = "") -> None:
        """Tell the user that ``doing`` failed because of ``exc``; log defects in full."""
        if is_defect(exc):
            trace = getattr(exc, "gui_traceback", None)
            log.error("%s failed: %s\n%s", doing or "background job", exc, trace or "")
        text = describe_error(exc)
        self._post(ERROR, f"{doing} failed: {text}" if doing else text)

    def _post(self, level: str, text: str) -> None:
        self.history.append((level, text))
        del self.history[:-200]
        self.posted.emit(level, text)


_current: Optional[weakref.ref[MessageRouter]] = None
_previous_hook: Any = sys.__excepthook__


def route_uncaught_exceptions(router: MessageRouter) -> None:
    """Make ``router`` the one that hears of uncaught exceptions (installs the hook once)."""
    global _current, _previous_hook
    _current = weakref.ref(router)
    if sys.excepthook is not _on_uncaught_exception:  # e.g. pytest-qt put its own back
        _previous_hook = sys.excepthook
        sys.excepthook = _on_uncaught_exception


def _on_uncaught_exception(kind: type[BaseException], exc: BaseException,
                           trace: Optional[TracebackType]) -> None:
    if not isinstance(exc, KeyboardInterrupt):
        log.error("uncaught exception in the GUI: %s", exc, exc_info=(kind, exc, trace))
        router = _current() if _current is not None else None
        if router is not None:
            try:
                router.error(f"An action failed: {describe_error(exc)}")
            except RuntimeError:  # the router's Qt object is already deleted
                pass
    _previous_hook(kind, exc, trace)
