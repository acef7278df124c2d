"""Workarounds for defects of the Qt bindings, each with the symptom it prevents.

PySide6 6.12 on CPython 3.11 drops references to ``None``, ``True`` and ``False`` as values
cross between Python and Qt (signal arguments that are ``True``; QVariant conversions in
QGraphicsItem changes, which pyqtgraph triggers on every redraw of a chart). Each lost
reference brings the singleton closer to a count of zero, and the process then dies with
"Fatal Python error: bool_dealloc" (or none_dealloc), sometimes hours into a session.

CPython 3.12 made these singletons immortal (PEP 683), so there the defect is harmless. On
older interpreters we give them the same protection: a reference count so large that no
session can use it up. Nothing else is touched.
"""
from __future__ import annotations

import ctypes
import sys

_RESERVE = 1 << 40  # ~10^12 references: years of lost references at thousands per second
_applied = False


def protect_singletons() -> bool:
    """Make None, True and False effectively immortal on CPython < 3.12 (idempotent)."""
    global _applied
    if _applied or sys.version_info >= (3, 12) or sys.implementation.name != "cpython":
        return False
    for singleton in (None, True, False):
        ctypes.c_ssize_t.from_address(id(singleton)).value += _RESERVE  # ob_refcnt comes first
    _applied = True
    return True
