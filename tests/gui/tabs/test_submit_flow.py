"""The Submit tab end to end: outcomes, both tables, failure simulation and retry, statistics."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt

from eventdesk.core.faults import FaultPoint
from eventdesk.gui.examples import SEED_EXAMPLE


def submit(qtbot, window, text):
    tab = window.submit_tab
    tab.editor.setPlainText(text)
    with qtbot.waitSignal(tab.submitted, timeout=10_000) as blocker:
        tab.submit()
    return blocker.args[0]


def rows_of(qtbot, idle, window, tab):
    window.tabs.setCurrentWidget(tab)
    tab.refresh()
    idle(window)
    return list(tab.model.rows)


def test_seed_example_is_accepted_then_duplicate_and_shows_in_both_tables(qtbot, window, idle):
    first = submit(qtbot, window, SEED_EXAMPLE)
    assert first.result.outcome.value == "accepted"
    assert window.submit_tab.result_panel.outcome == "accepted"
    assert window.submit_tab.result_panel.values["raw_id"].text() == str(first.result.raw_id)
    normalized = json.loads(window.submit_tab.result_panel.normalized.toPlainText())
    assert normalized == {**normalized, "client_id": "client_A", "metric": "sales", "amount": "1200",
                          "timestamp": "2024-01-01T00:00:00Z"}

    again = submit(qtbot, window, SEED_EXAMPLE)
    assert again.result.outcome.value == "duplicate"
    assert again.result.raw_id == first.result.raw_id
    assert window.submit_tab.result_panel.outcome == "duplicate"
    assert window.submit_tab.history.table.rowCount() == 2

    raws = rows_of(qtbot, idle, window, window.raw_tab)
    assert [(r.id, r.status, r.receipts) for r in raws] == [(first.result.raw_id, "normalized", 2)]
    normals = rows_of(qtbot, idle, window, window.normalized_tab)
    assert [(n.raw_id, n.client_id, n.amount) for n in normals] == [(first.result.raw_id, "client_A", "1200")]


def test_semantic_duplicate_and_rejection_outcomes(qtbot, window):
    submit(qtbot, window, SEED_EXAMPLE)
    other_form = ('{"source": "client_A", "payload": {"metric": "Sales", "amount": 1200,'
                  ' "timestamp": "2024-01-01T00:00:00Z"}}')
    assert submit(qtbot, window, other_form).result.outcome.value == "semantic_duplicate"
    assert submit(qtbot, window, '{"payload": {}}').result.outcome.value == "rejected"


def test_failure_simulation_then_retry_without_it_counts_once(qtbot, window, idle):
    tab = window.submit_tab
    assert not tab.banner.isVisible() and not window.simulation.enabled  # off by default
    tab.simulate.setChecked(True)
    assert tab.banner.isVisible() and "mid_transaction" in tab.banner.text()
    assert window.actions_.simulate.isChecked()  # the menu follows the switch

    failed = submit(qtbot, window, SEED_EXAMPLE)
    assert failed.result.outcome.value == "failed" and failed.fault == "mid_transaction"
    assert tab.history.table.item(0, 4).text() == "mid_transaction"

    tab.simulate.setChecked(False)
    assert not tab.banner.isVisible()
    tab.history.select(0)
    with qtbot.waitSignal(tab.submitted, timeout=10_000) as blocker:
        qtbot.mouseClick(tab.history.resend_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].result.outcome.value == "accepted"

    raws = rows_of(qtbot, idle, window, window.raw_tab)
    assert [(r.status, r.attempts) for r in raws] == [("normalized", 2)]
    window.tabs.setCurrentWidget(window.stats_tab)
    qtbot.waitUntil(lambda: window.stats_tab.snapshot is not None
                    and window.stats_tab.snapshot.stats.normalized == 1, timeout=10_000)
    stats = window.stats_tab.snapshot.stats
    assert (stats.raw_total, stats.by_status["normalized"], stats.by_status["failed"]) == (1, 1, 0)
    assert window.stats_tab.cards["normalized_total"].value.text() == "1"


def test_before_write_failure_stores_nothing(qtbot, window, idle):
    window.simulation.set_enabled(True)
    window.simulation.set_point(FaultPoint.BEFORE_WRITE)
    assert window.submit_tab.fault_point.currentText() == "before_write"
    result = submit(qtbot, window, SEED_EXAMPLE).result
    assert result.outcome.value == "failed" and result.raw_id is None
    assert rows_of(qtbot, idle, window, window.raw_tab) == []


def test_failed_event_retried_from_the_raw_tab(qtbot, window, idle):
    window.simulation.set_enabled(True)
    submit(qtbot, window, SEED_EXAMPLE)
    window.simulation.set_enabled(False)
    raw = window.raw_tab
    rows_of(qtbot, idle, window, raw)
    raw.table.selectRow(0)
    assert raw.retry_button.isEnabled()
    with qtbot.waitSignal(window.session.data_changed, timeout=10_000):
        qtbot.mouseClick(raw.retry_button, Qt.MouseButton.LeftButton)
    idle(window)
    assert [(r.status, r.attempts) for r in raw.model.rows] == [("normalized", 2)]
    assert "1 normalized" in window.message_area.text
