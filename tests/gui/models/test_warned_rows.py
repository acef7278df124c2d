"""The Raw table tells an event normalized with warnings from a plain one: a flag on every row
(across page boundaries, in both stores) and a pill of another colour and word."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QStyleOptionViewItem

from eventdesk.app import Settings, build_app, events, queries
from eventdesk.core.queries import Page, RawQuery
from eventdesk.gui.models.paged_model import WARNED_ROLE
from eventdesk.gui.models.raw_model import STATUS_COLUMN


def event(i: int, warned: bool) -> str:
    amount = '"not a number"' if warned else str(i)
    return f'{{"source": "client_B", "payload": {{"metric": "sales", "amount": {amount}, "n": {i}, "timestamp": "2024-01-0{i % 9 + 1}T00:00:00Z"}}}}'


# warned on a pattern that puts warned rows at both ends of pages of 3
WARNED = [True, False, False, True, True, False, False, False, True, False]


def stores(tmp_path):
    yield "sqlite", Settings(store_uri=str(tmp_path / "w.db"))
    mongo = pytest.importorskip("fakes.mongo")
    pytest.importorskip("mongomock")
    yield "mongo", Settings(store_uri="mongodb://localhost:27017/warned",
                            store_options={"client": mongo.mongomock_client()})


@pytest.mark.parametrize("descending", [False, True])
def test_every_page_marks_exactly_the_warned_rows(tmp_path, descending):
    for _name, settings in stores(tmp_path):
        app = build_app(settings)
        try:
            for i, warned in enumerate(WARNED):
                assert events.submit(app, event(i, warned)).status == "normalized"
            seen, after = {}, None
            while True:
                rows = queries.raw_rows(app, RawQuery(), Page("id", descending, after, 3))
                seen.update({r.id: r.warned for r in rows})
                if len(rows) < 3:
                    break
                after = (rows[-1].id, rows[-1].id)
            by_order = [seen[k] for k in sorted(seen)]
            assert by_order == WARNED
            only = queries.raw_rows(app, RawQuery(has_warnings=True), Page("id", descending, None, 100))
            assert len(only) == sum(WARNED) and all(r.warned for r in only)
        finally:
            app.close()


def paint(table, row: int) -> QImage:
    index = table.model().index(row, STATUS_COLUMN)
    option = QStyleOptionViewItem()
    option.rect = QRect(0, 0, 140, 24)
    option.font = table.font()
    option.widget = table
    image = QImage(140, 24, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    table.itemDelegateForColumn(STATUS_COLUMN).paint(painter, option, index)
    painter.end()
    return image


def test_the_status_pill_of_a_warned_event_differs(qtbot, window, idle):
    tab = window.submit_tab
    for i, warned in enumerate((True, False)):
        tab.editor.setPlainText(event(i, warned))
        with qtbot.waitSignal(tab.submitted, timeout=10_000):
            tab.submit()
    window.tabs.setCurrentWidget(window.raw_tab)
    window.raw_tab.refresh()
    idle(window)
    model = window.raw_tab.model
    qtbot.waitUntil(lambda: model.rowCount() == 2, timeout=10_000)
    # newest first: row 0 is the plain one
    plain, warned = (model.index(r, STATUS_COLUMN) for r in (0, 1))
    assert model.data(plain) == model.data(warned) == "normalized"
    assert model.data(warned, WARNED_ROLE) and not model.data(plain, WARNED_ROLE)
    assert "warnings" in model.data(warned, Qt.ItemDataRole.ToolTipRole)
    table = window.raw_tab.table
    assert paint(table, 0) != paint(table, 1)
    plain_pixel, warned_pixel = paint(table, 0).pixelColor(12, 12), paint(table, 1).pixelColor(12, 12)
    assert plain_pixel != warned_pixel
