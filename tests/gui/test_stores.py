"""The status bar names the store and says whether MongoDB transactions are on."""
from __future__ import annotations

import pytest

from eventdesk.gui.examples import SEED_EXAMPLE

mongo_testing = pytest.importorskip("fakes.mongo")
pytest.importorskip("mongomock")


def open_mongo(qtbot, window, client):
    with qtbot.waitSignal(window.session.store_opened, timeout=20_000):
        window.open_store("mongodb://analyst:secret@localhost:27017/eventdesk_gui", client=client)


def test_standalone_mongodb_says_transactions_are_off(qtbot, window, idle):
    open_mongo(qtbot, window, mongo_testing.mongomock_client())
    idle(window)
    status = window.store_status
    assert status.store.text().startswith("MongoDB: mongodb://") and "secret" not in status.store.text()
    assert status.transactions.text() == "transactions off (standalone server)"
    assert window.windowTitle().startswith("eventdesk — mongodb://") and "secret" not in window.windowTitle()
    assert "secret" not in window.prefs.last_store  # credentials are never remembered
    tab = window.submit_tab
    tab.editor.setPlainText(SEED_EXAMPLE)
    with qtbot.waitSignal(tab.submitted, timeout=10_000) as blocker:
        tab.submit()
    assert blocker.args[0].result.outcome.value == "accepted"


def test_replica_set_says_transactions_are_on(qtbot, window, idle):
    open_mongo(qtbot, window, mongo_testing.FakeReplicaSet())
    idle(window)
    assert window.store_status.transactions.text() == "transactions on"


def test_sqlite_status_and_title(window, store_path):
    assert window.store_status.store.text() == f"SQLite: {store_path}"
    assert window.store_status.transactions.text() == "transactions on"
    assert window.windowTitle() == f"eventdesk — {store_path}"
