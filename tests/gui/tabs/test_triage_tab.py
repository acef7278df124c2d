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
    for widget in (tab.status, tab.client, tab.samples_button, tab.retry_button, tab.export_button,
                   tab.mapping_button):
        assert widget.isVisible() and widget.width() >= widget.minimumSizeHint().width()


# -- issue 13.6: sparkline, Export group…, Edit mapping…

def click_row(qtbot, tab, row, column=0):
    rect = tab.table.visualRect(tab.table.model().index(row, column))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert tab.selected_group() is tab.groups[row]


def row_of(tab, code, client=None):
    return next(r for r, g in enumerate(tab.groups) if g.code == code and (client is None or g.client_id == client))


def test_each_group_has_a_sparkline_computed_in_the_pool(qtbot, triage_window, idle, monkeypatch):
    import threading

    from eventdesk.gui.tabs import triage_tab
    from eventdesk.gui.widgets.sparkline import SERIES_ROLE
    threads = []
    real = triage_tab.timeline
    monkeypatch.setattr(triage_tab, "timeline", lambda g: threads.append(threading.current_thread()) or real(g))
    tab = open_triage(qtbot, triage_window, idle)
    assert threads and all(t is not threading.main_thread() for t in threads)
    column = COLUMNS.index("Activity")
    for row, group in enumerate(tab.groups):
        item = tab.table.item(row, column)
        assert tuple(item.data(SERIES_ROLE)) == real(group).counts
        assert sum(item.data(SERIES_ROLE)) == group.count
        assert f"{group.count:,} events" in item.toolTip()


def test_the_sparkline_is_painted(qtbot, triage_window, idle):
    tab = open_triage(qtbot, triage_window, idle)
    column = COLUMNS.index("Activity")
    rect = tab.table.visualRect(tab.table.model().index(0, column))
    assert rect.width() >= 60
    image = tab.table.viewport().grab(rect).toImage()
    colour = tab.table.palette().color(tab.table.palette().ColorRole.Highlight).rgb()
    painted = sum(image.pixel(x, y) == colour for x in range(image.width()) for y in range(image.height()))
    assert painted > 20  # one full bar at least: the group's single hour


def test_bar_heights_scale_to_the_peak_and_show_small_counts():
    from eventdesk.gui.widgets.sparkline import bar_heights
    assert bar_heights([], 10) == [] and bar_heights([0, 0], 10) == [0.0, 0.0]
    assert bar_heights([1, 0, 1000], 10) == [1.0, 0.0, 10.0]  # 1 of 1000 still visible


def exported_lines(path):
    return path.read_bytes().decode("utf-8").splitlines()


@pytest.mark.parametrize("code, client", [("amount.unparseable", "client_D"), ("json.invalid", None),
                                          ("simulated.mid_transaction", "client_B")])
def test_export_group_writes_its_raw_events_as_received(qtbot, triage_window, idle, monkeypatch, tmp_path,
                                                        code, client):
    from PySide6.QtWidgets import QFileDialog

    from eventdesk.core.export_rows import json_line, raw_export_row
    tab = open_triage(qtbot, triage_window, idle)
    app = triage_window.session.app
    path = tmp_path / "group.jsonl"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))
    click_row(qtbot, tab, row_of(tab, code, client))
    group = tab.selected_group()
    assert tab.export_button.isEnabled()
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(path.exists, timeout=10_000)
    idle(triage_window)
    lines = exported_lines(path)
    assert len(lines) == group.count
    expected_rows = [json_line(raw_export_row(queries.raw_details(app, json.loads(line)["id"])[0])) for line in lines]
    assert lines == expected_rows
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == sorted(ids) and set(group.sample_raw_ids) <= set(ids)
    if code == "json.invalid":
        assert json.loads(lines[0])["payload"] == "{not json"  # the text exactly as received
    if code == "amount.unparseable":
        assert json.loads(lines[0])["payload"] == WARNED["payload"]


def test_export_group_as_csv_and_cancel_writes_nothing(qtbot, triage_window, idle, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog
    tab = open_triage(qtbot, triage_window, idle)
    click_row(qtbot, tab, row_of(tab, "json.invalid"))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    idle(triage_window)
    assert list(tmp_path.glob("*.csv")) == []
    path = tmp_path / "group.csv"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(path.exists, timeout=10_000)
    idle(triage_window)
    text = path.read_text(encoding="utf-8")
    assert text.splitlines()[0].startswith("id,source,payload,status") and "{not json" in text


def test_export_group_follows_the_status_filter(qtbot, triage_window, idle, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QFileDialog
    app = triage_window.session.app
    events.submit(app, json.dumps({"source": "client_D", "payload": {**WARNED["payload"], "betrag": "elf"}}))
    tab = open_triage(qtbot, triage_window, idle)
    tab.status.setCurrentIndex(tab.status.findData("normalized"))
    idle(triage_window)
    click_row(qtbot, tab, row_of(tab, "amount.unparseable", "client_D"))
    path = tmp_path / "warned.jsonl"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), "")))
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(path.exists, timeout=10_000)
    idle(triage_window)
    rows = [json.loads(line) for line in exported_lines(path)]
    assert len(rows) == 2 and {r["status"] for r in rows} == {"normalized"}
    assert [r["payload"]["betrag"] for r in rows] == ["zwölf", "elf"]


def test_edit_mapping_emits_the_first_sample_of_a_field_group(qtbot, triage_window, idle):
    tab = open_triage(qtbot, triage_window, idle)
    click_row(qtbot, tab, row_of(tab, "json.invalid"))
    assert not tab.mapping_button.isEnabled()  # no client, no field: no mapping can fix it
    row = row_of(tab, "amount.unparseable", "client_D")
    click_row(qtbot, tab, row, COLUMNS.index("Activity"))
    assert tab.mapping_button.isEnabled()
    with qtbot.waitSignal(tab.edit_mapping_requested, timeout=2_000) as blocker:
        qtbot.mouseClick(tab.mapping_button, Qt.MouseButton.LeftButton)
    assert blocker.args == [tab.groups[row].sample_raw_ids[0]]
    tab.mapping_button.setFocus()
    with qtbot.waitSignal(tab.edit_mapping_requested, timeout=2_000) as blocker:
        qtbot.keyClick(tab.mapping_button, Qt.Key.Key_Space)
    assert blocker.args == [tab.groups[row].sample_raw_ids[0]]
