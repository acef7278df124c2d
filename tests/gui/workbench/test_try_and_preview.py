"""Typing into the form changes the result (with provenance) and the preview against history;
the form and the JSON follow each other; a bad setting is refused with its entry marked."""
from __future__ import annotations

import json

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

FIRST_F = 6  # raw ids 1..5 are client_A, 6..17 client_F (conftest)


def add_key(qtbot, dialog, field, key):
    edit = dialog.form.lists[field].key_edit
    QTest.keyClicks(edit, key)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def test_typing_a_key_fixes_the_result_and_the_preview(qtbot, workbench):
    dialog = workbench(FIRST_F)
    assert dialog.form.client() == "client_F"
    assert "Raw 6" in dialog.sample.info.text()
    amount = dialog.result_pane.explanation.fields[1]
    assert amount.field == "amount" and amount.matched is None and amount.problem
    qtbot.waitUntil(lambda: dialog.preview.preview is not None, timeout=10_000)
    assert dialog.preview.preview.examined == 12 and dialog.preview.preview.changed == 0

    add_key(qtbot, dialog, "amount", "montant")
    qtbot.waitUntil(lambda: dialog.result_pane.explanation.fields[1].matched == "montant", timeout=10_000)
    amount = dialog.result_pane.explanation.fields[1]
    assert amount.value == "10.5" and amount.problem is None and amount.rule
    assert "montant" in dialog.result_pane.text() and "10.5" in dialog.result_pane.text()
    assert json.loads(dialog.editor.toPlainText())["clients"]["client_F"] == {"fields": {"amount": ["montant"]}}
    qtbot.waitUntil(lambda: dialog.preview.preview.amount_changed == 12, timeout=10_000)
    table = dialog.preview.table
    rows = [(table.item(r, 1).text(), table.item(r, 2).text(), table.item(r, 3).text()) for r in range(table.rowCount())]
    assert len(rows) == 12 and all("amount" in kinds for kinds, _before, _after in rows)
    assert all(" · — · " in before and ".5 · " in after for _kinds, before, after in rows)

    add_key(qtbot, dialog, "timestamp", "quand")  # both fields read: the events are whole now
    qtbot.waitUntil(lambda: dialog.preview.preview.fixed == 12, timeout=10_000)
    qtbot.waitUntil(lambda: dialog.result_pane.explanation.fields[2].matched == "quand", timeout=10_000)
    assert dialog.result_pane.explanation.canonical.warnings == ()
    assert "No warnings." in dialog.result_pane.text()
    assert dialog.session.app.mappings_version == 1  # trying is not publishing


def test_json_edits_show_in_the_form_and_form_edits_keep_other_clients(qtbot, workbench):
    dialog = workbench(FIRST_F)
    document = json.loads(dialog.editor.toPlainText())
    document["clients"]["client_F"] = {"fields": {"amount": ["x", "montant"]}, "decimal_comma": True}
    dialog.editor.setPlainText(json.dumps(document, indent=2))
    qtbot.waitUntil(lambda: dialog.form.lists["amount"].candidates() == ["x", "montant"], timeout=5_000)
    assert dialog.form.decimal_comma.isChecked()
    qtbot.waitUntil(lambda: dialog.result_pane.explanation.fields[1].matched == "montant", timeout=10_000)

    lst = dialog.form.lists["amount"]
    lst.list.setCurrentRow(1)
    qtbot.mouseClick(lst.up_button, Qt.MouseButton.LeftButton)  # montant first now
    qtbot.mouseClick(lst.up_button, Qt.MouseButton.LeftButton)  # already first: nothing moves
    after = json.loads(dialog.editor.toPlainText())
    assert after["clients"]["client_F"]["fields"]["amount"] == ["montant", "x"]
    assert after["clients"]["client_D"] == document["clients"]["client_D"]
    assert after["defaults"] == document["defaults"]
    lst.list.setCurrentRow(1)
    qtbot.mouseClick(lst.remove_button, Qt.MouseButton.LeftButton)
    assert json.loads(dialog.editor.toPlainText())["clients"]["client_F"]["fields"]["amount"] == ["montant"]
    qtbot.mouseClick(dialog.form.decimal_comma, Qt.MouseButton.LeftButton)
    assert json.loads(dialog.editor.toPlainText())["clients"]["client_F"]["decimal_comma"] is False

    add_key(qtbot, dialog, "amount", "data.montant")  # a dotted path is a candidate too
    assert dialog.form.lists["amount"].candidates() == ["montant", "data.montant"]


def test_an_invalid_timezone_is_refused_with_that_field_marked(qtbot, workbench):
    dialog = workbench(FIRST_F)
    box = dialog.form.timezone
    QTest.keyClicks(box.lineEdit(), "Mars/Olympus")
    assert "clients.client_F.timezone" in dialog.verdict.text()
    assert box.property("fault") is True
    line = dialog.editor.toPlainText().splitlines()[dialog.ui.fault_line - 1]
    assert '"timezone": "Mars/Olympus"' in line
    assert dialog.editor.extraSelections()  # the JSON line is marked
    assert "refused" in dialog.result_pane.summary.text()
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert dialog.session.app.mappings_version == 1  # refused: nothing published

    box.lineEdit().clear()
    QTest.keyClicks(box.lineEdit(), "Europe/Paris")
    assert dialog.verdict.text().startswith("✓") and box.property("fault") is False
    assert not dialog.editor.extraSelections()
    qtbot.waitUntil(lambda: dialog.result_pane.explanation is not None, timeout=10_000)  # tried again
    assert "refused" not in dialog.result_pane.summary.text()


def test_a_fault_in_another_entry_marks_the_json_but_no_form_field(qtbot, workbench):
    dialog = workbench(FIRST_F)
    document = json.loads(dialog.editor.toPlainText())
    document["clients"]["client_D"]["fields"]["amount"] = ["betrag", ""]
    dialog.editor.setPlainText(json.dumps(document, indent=2))
    dialog.editor.validate_now()
    assert "clients.client_D.fields.amount[1]" in dialog.verdict.text()
    assert not any(w.list.property("fault") for w in dialog.form.lists.values())
    assert '"amount"' in dialog.editor.toPlainText().splitlines()[dialog.ui.fault_line - 1]
    dialog.form.set_client("client_D")
    dialog.validate()
    assert dialog.form.lists["amount"].list.property("fault") is True


def test_clients_latest_loads_the_newest_event_of_the_client(qtbot, workbench):
    dialog = workbench()
    assert not dialog.sample.latest_button.isEnabled()  # the defaults are no one's
    dialog.form.client_box.setCurrentText("client_A")
    QTest.keyClick(dialog.form.client_box.lineEdit(), Qt.Key.Key_Return)
    assert dialog.form.client() == "client_A"
    qtbot.mouseClick(dialog.sample.latest_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.sample.raw is not None, timeout=10_000)
    assert dialog.sample.raw.id == 5 and dialog.sample.raw.source == "client_A"
    qtbot.waitUntil(lambda: dialog.result_pane.explanation is not None, timeout=10_000)
    assert dialog.result_pane.explanation.mapping_entry == "clients.client_A"

    QTest.keyClicks(dialog.sample.raw_id_edit, "0")  # "50": no such event, said so
    dialog.sample.raw_id_edit.setText("999")
    QTest.keyClick(dialog.sample.raw_id_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "no raw event 999" in dialog.sample.info.text(), timeout=10_000)


def test_typing_a_new_client_id_edits_its_entry(qtbot, workbench):
    dialog = workbench()
    line = dialog.form.client_box.lineEdit()
    line.selectAll()
    QTest.keyClicks(line, "client_G")
    QTest.keyClick(line, Qt.Key.Key_Return)
    assert dialog.form.client() == "client_G" and dialog.sample.latest_button.isEnabled()
    assert "as defaults, amount, price" in dialog.form.lists["amount"].inherited_label.text()
    add_key(qtbot, dialog, "amount", "euros")
    assert json.loads(dialog.editor.toPlainText())["clients"]["client_G"] == {"fields": {"amount": ["euros"]}}
    assert dialog.verdict.text().startswith("✓")


def test_ctrl_m_opens_the_workbench_and_triage_can_ask_for_one_with_a_sample(qtbot, f_window):
    from eventdesk.gui.workbench.editor import MappingEditor

    f_window.actions_.mappings.trigger()  # Tools › Field mappings, Ctrl+M
    opened = f_window.findChildren(MappingEditor)
    assert len(opened) == 1 and opened[0].isVisible()
    if not hasattr(f_window.triage_tab, "edit_mapping_requested"):
        return  # the Triage tab's signal is not there yet; main_window connects it when it is
    f_window.triage_tab.edit_mapping_requested.emit(7)
    editors = f_window.findChildren(MappingEditor)
    assert len(editors) == 2
    qtbot.waitUntil(lambda: editors[-1].sample.raw is not None, timeout=10_000)
    assert editors[-1].sample.raw.id == 7 and editors[-1].form.client() == "client_F"


def test_opening_another_store_closes_the_workbench(qtbot, workbench, tmp_path):
    dialog = workbench(6)
    window = dialog.parent()
    with qtbot.waitSignal(window.session.store_opened, timeout=20_000):
        window.open_store(str(tmp_path / "other.db"))
    assert not dialog.isVisible()
    assert window.message_area.text == "The mappings workbench closed: another store was opened"


def test_form_edits_keep_unfinished_json_edits_of_other_entries(qtbot, workbench):
    dialog = workbench(FIRST_F)
    document = json.loads(dialog.editor.toPlainText())
    document["clients"]["client_D"]["timezone"] = "Mars/Olympus"  # valid JSON, refused mappings
    dialog.editor.setPlainText(json.dumps(document, indent=2))
    dialog.editor.validate_now()
    assert "clients.client_D.timezone" in dialog.verdict.text()
    add_key(qtbot, dialog, "amount", "montant")  # client_F's entry, in the form
    after = json.loads(dialog.editor.toPlainText())
    assert after["clients"]["client_D"]["timezone"] == "Mars/Olympus"  # not reverted
    assert after["clients"]["client_F"]["fields"]["amount"] == ["montant"]

    dialog.editor.setPlainText(dialog.editor.toPlainText()[:-3])  # a syntax error
    dialog.editor.validate_now()
    assert dialog.verdict.text().startswith("✗ Line") and not dialog.form.isEnabled()
    dialog.editor.setPlainText(json.dumps(after, indent=2).replace("Mars/Olympus", "Europe/Berlin"))
    dialog.editor.validate_now()
    assert dialog.form.isEnabled() and dialog.verdict.text().startswith("✓")
