"""Failures of background work reach the message area in words; the window stays usable."""
from __future__ import annotations

import pytest

from eventdesk.core.errors import StoreUnavailable
from eventdesk.gui.examples import SEED_EXAMPLE


def open_and_fail(qtbot, window, uri):
    with qtbot.waitSignal(window.session.open_failed, timeout=20_000):
        window.open_store(uri)
    return window.message_area


def assert_still_usable(qtbot, window, store_path):
    assert store_path in window.windowTitle()  # the previous store stays open
    assert window.session.app is not None and window.session.app.store.description == store_path
    tab = window.submit_tab
    tab.editor.setPlainText(SEED_EXAMPLE)
    with qtbot.waitSignal(tab.submitted, timeout=10_000) as blocker:
        tab.submit()
    assert blocker.args[0].result.outcome.value == "accepted"


@pytest.mark.parametrize("kind", ["missing folder", "not a database", "unreachable mongodb"])
def test_a_store_that_cannot_be_opened(qtbot, window, store_path, tmp_path, kind):
    if kind == "missing folder":
        uri = str(tmp_path / "no" / "such" / "folder" / "events.db")
    elif kind == "not a database":
        junk = tmp_path / "junk.db"
        junk.write_bytes(b"this is not a database, just some text " * 200)
        uri = str(junk)
    else:
        uri = "mongodb://user:secret@127.0.0.1:1/eventdesk?serverSelectionTimeoutMS=300"
    area = open_and_fail(qtbot, window, uri)
    assert area.isVisible() and area.level == "error"
    text = area.text
    assert text.startswith("Opening ") and "failed: " in text
    assert "Traceback" not in text and "secret" not in text
    assert_still_usable(qtbot, window, store_path)


def test_a_failing_query_is_reported_and_f5_recovers(qtbot, window, store_path, monkeypatch, idle):
    store = window.session.app.store

    def unreachable(*_args, **_kwargs):
        raise StoreUnavailable(f"{store.description}: database is locked")
    monkeypatch.setattr(store, "query_raw", unreachable)
    window.tabs.setCurrentWidget(window.raw_tab)
    window.raw_tab.refresh()
    idle(window)
    assert window.message_area.text == f"Loading raw events failed: {store_path}: database is locked"
    assert not window.raw_tab.model.loading and not window.raw_tab.model.canFetchMore()

    monkeypatch.undo()
    assert_still_usable(qtbot, window, store_path)
    window.refresh_current()
    qtbot.waitUntil(lambda: window.raw_tab.model.rowCount() == 1, timeout=10_000)


def test_a_defect_says_internal_error_without_a_traceback(qtbot, window, monkeypatch, idle, caplog):
    monkeypatch.setattr(window.session.app.store, "stats", lambda: 1 / 0)
    window.tabs.setCurrentWidget(window.stats_tab)
    idle(window)
    text = window.message_area.text
    assert text.startswith("Computing statistics failed: internal error (ZeroDivisionError")
    assert "Traceback" not in text
    assert "Traceback" in caplog.text  # the details go to the log


def test_actions_without_a_store_say_so(qtbot, prefs):
    from eventdesk.gui.main_window import MainWindow
    window = MainWindow(prefs)
    qtbot.addWidget(window)
    window.submit_tab.submit()
    assert "needs an open store" in window.message_area.label.text()
    assert window.show_mappings() is None
