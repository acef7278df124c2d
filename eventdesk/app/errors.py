"""The one decision between a user's mistake (or the environment's) and a defect of ours.

``describe(exc)`` gives the line to show and whether it is a bug: known errors (the store is
unreachable, a file cannot be read, the mappings are invalid) are said plainly; a bug is shown
as "internal error (...)" and deserves its traceback in the log. CLI, HTTP and GUI all use it.
"""
from __future__ import annotations

import json

from eventdesk.core.errors import BadStoreUri, EventdeskError, MappingsError, StoreError


class UsageError(EventdeskError):
    """The user asked for something that cannot be done as asked (a bad option, an unknown status)."""


#: Mistakes in what the user gave us (the CLI's exit status 2), as opposed to the environment's.
USER_MISTAKES: tuple[type[Exception], ...] = (UsageError, MappingsError, BadStoreUri)


def is_bug(exc: BaseException) -> bool:
    """True when the exception points at a defect of ours rather than at the input or environment."""
    if isinstance(exc, StoreError):
        return not getattr(exc, "known", True)
    return not isinstance(exc, (EventdeskError, OSError, UnicodeError, json.JSONDecodeError))


def describe(exc: BaseException) -> tuple[str, bool]:
    """(one line a user can read, is it a bug of ours) for any exception a service may raise."""
    if is_bug(exc):
        return f"internal error ({type(exc).__name__}: {exc})", True
    if isinstance(exc, EventdeskError):
        return str(exc) or type(exc).__name__, False
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", False
    if isinstance(exc, OSError):
        where = f" {exc.filename}" if exc.filename else ""
        return f"cannot use{where}: {exc.strerror or exc}", False
    return f"the file is not UTF-8 text ({exc})", False
