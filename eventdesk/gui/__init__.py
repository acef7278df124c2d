"""The desktop application (PySide6). Imports only ``eventdesk.app`` and ``eventdesk.core``.

Layout: ``main`` starts Qt, ``main_window`` composes the window, ``session`` holds the open
store, ``workers`` runs store calls in the thread pool, ``messages`` is the one place errors
reach the user; ``tabs``, ``models``, ``widgets`` and ``dialogs`` hold what their names say.
"""
from eventdesk.gui.pyside_workarounds import protect_singletons

protect_singletons()  # before any Qt object exists: see pyside_workarounds
