"""The menu bar and its actions; shortcuts live on the actions (window-wide, listed in menus)."""
from __future__ import annotations

from types import SimpleNamespace
from typing import Any, Callable

from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMainWindow, QMenu

from eventdesk.core.faults import FaultPoint
from eventdesk.gui.simulation import FailureSimulation

TAB_TITLES = ("Submit", "Raw events", "Normalized events", "Aggregates", "Statistics", "Triage")


def _action(window: QMainWindow, menu: QMenu, text: str, slot: Callable[..., Any],
            shortcuts: tuple[str, ...] = (), tip: str = "") -> QAction:
    action = QAction(text, window)
    if shortcuts:
        action.setShortcuts([QKeySequence(s) for s in shortcuts])
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    menu.addAction(action)
    window.addAction(action)  # shortcuts work even where the menu bar is hidden
    return action


def build_menus(window: Any, simulation: FailureSimulation) -> SimpleNamespace:
    """Create the menus of ``window`` (a MainWindow) and return their actions by name."""
    bar = window.menuBar()
    a = SimpleNamespace()
    file = bar.addMenu("&File")
    a.open_store = _action(window, file, "&Open store…", window.choose_store, ("Ctrl+O",))
    a.recent = file.addMenu("Recent stores")
    a.recent.aboutToShow.connect(window._on_recent_menu_about_to_show)
    file.addSeparator()
    a.import_ = _action(window, file, "&Import events…", window.choose_import, ("Ctrl+I",),
                        "import a JSON-lines or JSON-array file")
    a.export_raw = _action(window, file, "Export raw events…", lambda: window.choose_export("raw"),
                           tip="the raw events matching the Raw tab's filters, as JSON lines or CSV")
    a.export_normalized = _action(window, file, "Export normalized events…",
                                  lambda: window.choose_export("normalized"))
    file.addSeparator()
    a.quit = _action(window, file, "&Quit", window.close, ("Ctrl+Q",))

    view = bar.addMenu("&View")
    a.refresh = _action(window, view, "&Refresh", window.refresh_current, ("F5",))
    a.find = _action(window, view, "&Filter this table", window.focus_filter, ("Ctrl+F",))
    a.next_tab = _action(window, view, "&Next tab", window.next_tab, ("Ctrl+PgDown",))
    a.previous_tab = _action(window, view, "&Previous tab", window.previous_tab, ("Ctrl+PgUp",))
    a.history = _action(window, view, "Message &history…", window.show_message_history, ("Ctrl+H",),
                        "every message of this session, with its time")
    go = view.addMenu("&Go to tab")
    a.go_to_tab = [_action(window, go, f"{title} tab", lambda i=i: window.tabs.setCurrentIndex(i), (f"Ctrl+{i + 1}",))
                   for i, title in enumerate(TAB_TITLES)]

    events = bar.addMenu("&Events")
    a.submit = _action(window, events, "&Submit the editor's event", window.submit_current,
                       ("Ctrl+Return", "Ctrl+Enter"))
    a.retry_failed = _action(window, events, "&Retry all failed events", window.retry_failed)
    events.addSeparator()
    a.simulate = QAction("Simulate &failure", window, checkable=True)
    a.simulate.toggled.connect(simulation.set_enabled)
    events.addAction(a.simulate)
    points = QActionGroup(window)
    a.fault_points = {}
    for point in FaultPoint:
        action = QAction(f"    at {point.value}", window, checkable=True, statusTip=point.description)
        action.setChecked(point is simulation.point)
        action.toggled.connect(lambda on, p=point: on and simulation.set_point(p))
        points.addAction(action)
        events.addAction(action)
        a.fault_points[point] = action

    def sync() -> None:
        a.simulate.setChecked(simulation.enabled)
        a.fault_points[simulation.point].setChecked(True)
    simulation.changed.connect(sync)

    tools = bar.addMenu("&Tools")
    a.mappings = _action(window, tools, "Field &mappings…", window.show_mappings, ("Ctrl+M",))
    a.listen = QAction("&Listen for clients", window, checkable=True,
                       statusTip="the HTTP API of `eventdesk serve`, in this window (address in Settings)")
    a.listen.triggered.connect(window.listener.set_listening)
    window.listener.changed.connect(lambda: a.listen.setChecked(window.listener.listening))
    tools.addAction(a.listen)
    a.settings = _action(window, tools, "&Settings…", window.show_settings, ("Ctrl+,",))

    help_menu = bar.addMenu("&Help")
    a.docs = _action(window, help_menu, "&Documentation", window.show_docs, ("F1",), "docs/gui.md")
    a.shortcuts = _action(window, help_menu, "&Keyboard shortcuts", window.show_shortcuts, ("Ctrl+/",))
    help_menu.addSeparator()
    a.about = _action(window, help_menu, "&About eventdesk", window.show_about)
    return a
