"""The mappings editor: current version, validation naming the bad entry, save as a new version."""
from __future__ import annotations

import json


def test_validate_and_save_a_new_version(qtbot, window, idle):
    dialog = window.show_mappings()
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.version == 1, timeout=10_000)
    assert "Version 1 (current)" in dialog.version_label.text()
    document = json.loads(dialog.editor.toPlainText())
    assert "client_A" in document["clients"]

    document["clients"]["client_D"]["timezone"] = "Mars/Olympus"
    dialog.editor.setPlainText(json.dumps(document, indent=2))
    problem = dialog.validate()
    assert "clients.client_D.timezone" in problem and "clients.client_D.timezone" in dialog.verdict.text()
    dialog.save()
    assert window.session.app.mappings_version == 1  # refused, nothing saved

    with qtbot.waitSignal(dialog.editor.validated, timeout=2_000):
        dialog.editor.setPlainText('{"clients": {"client_F": {"fields": {"amount": ["euros"]}}},}')
    assert dialog.verdict.text().startswith("✗ Line 1, column")

    document["clients"]["client_D"]["timezone"] = "Europe/Berlin"
    document["clients"]["client_F"] = {"fields": {"amount": ["euros"]}}
    dialog.editor.setPlainText(json.dumps(document, indent=2))
    dialog.save()
    qtbot.waitUntil(lambda: dialog.version == 2, timeout=10_000)
    idle(window)
    assert window.session.app.mappings_version == 2
    assert "client_F" in window.session.app.mappings.document["clients"]
    assert window.message_area.text == "Mappings version 2 is now current"
