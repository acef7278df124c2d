"""Issue 13.6: the Triage tab groups problem events as ``queries.triage`` does, through the pool."""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from eventdesk.app import events, queries
from eventdesk.core.faults import FaultPoint
from eventdesk.gui.tabs.triage_tab import COLUMNS, STATUS_CHOICES

WARNED = {"source": "client_D", "payload": {"event": "sales", "betrag": "zwölf", "zeit": "05.01.2024 10:00"}}
FAILING = {"source": "client_B", "payload": {"metric": "visits", "amount": 3, "timestamp": "2024-01-05T10:00:00Z"}}
OTHER_FAILING = {"source": "client_C", "payload": {"metric": "visits", "amount": 4, "timestamp": "2024-01-05T11:00:00Z"}}


@pytest.fixture
def triage_window(window, idle):
    app = window.session.app
    events.submit(app, json.dumps(WARNED))
    events.submit(app, "{not json")
    events.submit(app, "[1, 2]")
    events.submit(app, json.dumps(FAILING), FaultPoint.MID_TRANSACTION)
    events.submit(app, json.dumps(OTHER_FAILING), FaultPoint.MID_TRANSACTION)
    return window


def open_triage(qtbot, window, idle):
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.triage_tab
    idle(window)
    return window.triage_tab


def shown(tab):
    return [[tab.table.item(r, c).text() for c in range(len(COLUMNS))] for r in range(tab.table.rowCount())]


def expected(app, **query):
    return [[g.code, g.client_id or "(none)", g.field or "—", f"{g.count:,}"]
            for g in queries.triage(app, **query)]


def test_groups_equal_the_service_and_filters_apply(qtbot, triage_window, idle):
    tab = open_triage(qtbot, triage_window, idle)
    app = triage_window.session.app
    assert len(queries.triage(app)) >= 3
    assert [row[:4] for row in shown(tab)] == expected(app)
    count = tab.table.item(0, COLUMNS.index("Count"))
    assert count.textAlignment() & Qt.AlignmentFlag.AlignRight
    for status in ("failed", "rejected", "normalized"):
        tab.status.setCurrentIndex(tab.status.findData(status))
        idle(triage_window)
        assert [row[:4] for row in shown(tab)] == expected(app, status=status)
    tab.status.setCurrentIndex(tab.status.findData(None))
    qtbot.waitUntil(lambda: tab.client.findData("client_B") >= 0, timeout=5_000)
    tab.client.setCurrentIndex(tab.client.findData("client_B"))
    idle(triage_window)
    assert [row[:4] for row in shown(tab)] == expected(app, client_id="client_B")
    assert [row[:4] for row in shown(tab)] and all(row[1] == "client_B" for row in shown(tab))


def test_status_choices_cover_every_problem_kind():
    assert [value for _label, value in STATUS_CHOICES] == [None, "failed", "rejected", "dead_letter", "normalized"]


def test_f5_refreshes_after_new_problems(qtbot, triage_window, idle):
    tab = open_triage(qtbot, triage_window, idle)
    before = tab.table.rowCount()
    events.submit(triage_window.session.app, '{"payload": {}}')  # source.missing: a new group
    qtbot.keyClick(tab.table, Qt.Key.Key_F5)
    idle(triage_window)
    assert tab.table.rowCount() == before + 1


def test_show_samples_filters_the_raw_tab_to_the_first_sample(qtbot, triage_window, idle):
    tab = open_triage(qtbot, triage_window, idle)
    app = triage_window.session.app
    row = next(r for r, g in enumerate(tab.groups) if g.code == "json.invalid")
    tab.table.selectRow(row)
    sample = tab.groups[row].sample_raw_ids[0]
    assert tab.samples_button.isEnabled()
    qtbot.mouseClick(tab.samples_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: triage_window.tabs.currentWidget() is triage_window.raw_tab, timeout=10_000)
    idle(triage_window)
    model = triage_window.raw_tab.model
    qtbot.waitUntil(lambda: not model.loading and model.rowCount() == 1, timeout=10_000)
    assert model.row_at(0).id == sample
    assert triage_window.raw_tab.search.text() == queries.raw_details(app, sample)[0].content_hash


def test_retry_a_failed_group_makes_it_disappear(qtbot, triage_window, idle):
    tab = open_triage(qtbot, triage_window, idle)
    app = triage_window.session.app
    failed = next(r for r, g in enumerate(tab.groups) if g.client_id == "client_B" and g.code.startswith("simulated"))
    code = tab.groups[failed].code
    rejected = next(r for r, g in enumerate(tab.groups) if g.code == "json.invalid")
    tab.table.selectRow(rejected)
    assert not tab.retry_button.isEnabled()  # a rejection does not change on retry
    tab.table.selectRow(failed)
    assert tab.retry_button.isEnabled()
    qtbot.mouseClick(tab.retry_button, Qt.MouseButton.LeftButton)
    idle(triage_window)
    qtbot.waitUntil(lambda: not any(g.client_id == "client_B" and g.code == code for g in tab.groups),
                    timeout=10_000)
    idle(triage_window)
    # only the group: client_C's failure of the same code stays
    assert any(g.client_id == "client_C" and g.code == code for g in queries.triage(app))
    assert [row[:4] for row in shown(tab)] == expected(app)


def test_fits_a_small_window(qtbot, open_window, store_path, idle):
    window = open_window(store_path, size=(1024, 700))
    tab = open_triage(qtbot, window, idle)
    assert window.width() <= 1024 and window.height() <= 700
    for widget in (tab.status, tab.client, tab.samples_button, tab.retry_button):
        assert widget.isVisible() and widget.width() >= widget.minimumSizeHint().width()
