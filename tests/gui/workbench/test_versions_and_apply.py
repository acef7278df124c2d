"""Publish makes a new version; rollback makes one with an old content; Apply to history runs a
dry run (nothing written), then the real re-normalization, whose audit the pane shows; Cancel
stops it between chunks and a later run continues it."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from eventdesk.app import queries
from eventdesk.core.queries import NormalizedQuery, Page

from .conftest import fill

LEFT = Qt.MouseButton.LeftButton


def add_key(dialog, field, key):
    edit = dialog.form.lists[field].key_edit
    QTest.keyClicks(edit, key)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def publish(qtbot, dialog, version):
    qtbot.mouseClick(dialog.save_button, LEFT)
    qtbot.waitUntil(lambda: dialog.version == version, timeout=10_000)
    qtbot.waitUntil(lambda: len(dialog.versions.entries) == version, timeout=10_000)


def client_f_amounts(app):
    rows = queries.normalized_page(app, NormalizedQuery(client_id="client_F"), Page("id", False, None, 100))
    return sorted(str(r.amount) for r in rows)


def test_publish_makes_a_new_version_listed_with_its_changes(qtbot, workbench, idle):
    dialog = workbench(6)
    qtbot.waitUntil(lambda: len(dialog.versions.entries) == 1, timeout=10_000)
    add_key(dialog, "amount", "montant")
    assert "not published yet" in dialog.verdict.text()
    publish(qtbot, dialog, 2)
    assert dialog.session.app.mappings_version == 2
    table = dialog.versions.table
    assert table.item(1, 0).text() == "2 (current)" and "client_F" in table.item(1, 3).text()
    assert dialog.session.messages  # the message area says so
    idle(dialog.parent())
    assert dialog.parent().message_area.text == "Mappings version 2 is now current"


def test_show_and_rollback_a_version(qtbot, workbench):
    dialog = workbench(6)
    add_key(dialog, "amount", "montant")
    publish(qtbot, dialog, 2)
    dialog.ui.below.setCurrentWidget(dialog.versions)
    dialog.versions.select_version(1)
    qtbot.waitUntil(lambda: dialog.versions.shown_version == 1, timeout=10_000)
    assert "client_F" not in json.loads(dialog.versions.viewer.toPlainText())["clients"]
    qtbot.mouseClick(dialog.versions.rollback_button, LEFT)
    qtbot.waitUntil(lambda: dialog.version == 3, timeout=10_000)
    assert dialog.session.app.mappings_version == 3
    assert "client_F" not in json.loads(dialog.editor.toPlainText())["clients"]  # the draft is v3 now
    qtbot.waitUntil(lambda: len(dialog.versions.entries) == 3, timeout=10_000)
    assert dialog.versions.table.item(2, 4).text() == "rollback to 1"
    assert "client_F" in dialog.versions.table.item(2, 3).text()  # removed again


def test_apply_runs_a_dry_run_then_the_real_run_and_shows_the_audit(qtbot, workbench, idle):
    dialog = workbench(6)
    apply = dialog.apply
    add_key(dialog, "amount", "montant")
    assert not apply.apply_button.isEnabled()  # a dry run first
    qtbot.mouseClick(apply.dry_button, LEFT)
    qtbot.waitUntil(lambda: apply.running is None and apply.dry is not None, timeout=10_000)
    assert not apply.apply_button.isEnabled()  # the draft is not published: it would apply version 1
    assert "publish the draft first" in apply.status.text()

    publish(qtbot, dialog, 2)
    assert apply.dry is None  # that dry run was of version 1
    qtbot.mouseClick(apply.dry_button, LEFT)
    qtbot.waitUntil(lambda: apply.running is None and apply.dry is not None, timeout=10_000)
    assert apply.dry[0].counts["changed"] == 12 and apply.dry[0].dry_run
    assert "would have" in apply.status.text() and "changed 12" in apply.status.text()
    assert client_f_amounts(dialog.session.app) == ["None"] * 12  # a dry run writes nothing
    assert apply.audit.rowCount() == 0

    qtbot.mouseClick(apply.apply_button, LEFT)
    qtbot.waitUntil(lambda: apply.running is None and apply.audit.rowCount() == 1, timeout=20_000)
    run = apply.audit.runs[0]
    assert (run.state, run.mapping_version, run.scope.client_id, run.counts["changed"]) == ("finished", 2, "client_F", 12)
    assert apply.audit.item(0, 5).text() == "finished" and apply.audit.item(0, 2).text() == "client client_F"
    assert "Re-normalized with version 2" in apply.status.text()
    assert client_f_amounts(dialog.session.app) == sorted(f"{10 + i}.5" for i in range(12))
    assert not apply.apply_button.isEnabled()  # done: another run needs another dry run
    idle(dialog.parent())


def test_cancel_stops_the_run_and_a_later_run_continues_it(qtbot, open_window, store_path, idle):
    fill(store_path, f_events=3000, a_events=0)
    window = open_window(store_path, size=(1024, 700))
    dialog = window.open_mapping_editor(1)
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.version == 1 and dialog.form.client() == "client_F", timeout=10_000)
    apply = dialog.apply
    add_key(dialog, "amount", "montant")
    publish(qtbot, dialog, 2)
    qtbot.mouseClick(apply.dry_button, LEFT)
    qtbot.waitUntil(lambda: apply.running is None and apply.dry is not None, timeout=30_000)
    assert apply.dry[0].counts["changed"] == 3000

    qtbot.mouseClick(apply.apply_button, LEFT)
    qtbot.mouseClick(apply.cancel_button, LEFT)  # before the second of two chunks at the latest
    qtbot.waitUntil(lambda: apply.running is None and apply.audit.rowCount() == 1, timeout=30_000)
    run = apply.audit.runs[0]
    assert run.state == "cancelled" and run.counts["examined"] < 3000
    assert "Cancelled" in apply.status.text()

    qtbot.mouseClick(apply.dry_button, LEFT)
    qtbot.waitUntil(lambda: apply.running is None and apply.dry is not None, timeout=30_000)
    assert apply.dry[0].counts["changed"] == 3000 - run.counts["changed"]
    qtbot.mouseClick(apply.apply_button, LEFT)
    qtbot.waitUntil(lambda: apply.running is None and apply.audit.runs[0].state == "finished", timeout=30_000)
    assert apply.audit.rowCount() == 1 and apply.audit.runs[0].run_id == run.run_id  # continued, not new
    assert apply.audit.runs[0].counts["changed"] == 3000
    idle(window)
