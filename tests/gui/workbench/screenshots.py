#!/usr/bin/env python3
"""Screenshots of the mappings workbench at 1024x700, for docs/gui.md (not a test).

    QT_QPA_PLATFORM=offscreen python tests/gui/workbench/screenshots.py [--out docs/screenshots]

A store of the shipped sample events plus 40 events of client_F, whose keys (montant, quand) the
shipped mappings do not read; the workbench adds them, previews, publishes, applies.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QSettings, Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from eventdesk.app import Settings, build_app  # noqa: E402
from eventdesk.gui.main_window import MainWindow  # noqa: E402
from eventdesk.gui.preferences import Preferences  # noqa: E402


def wait(app, condition, timeout=30.0):
    end = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > end:
            raise TimeoutError(f"the workbench did not get there: {condition.__code__.co_firstlineno}")
        app.processEvents()
        time.sleep(0.01)
    for _ in range(20):
        app.processEvents()


def fill(path: str) -> None:
    lines = (ROOT / "resources" / "sample-events.jsonl").read_bytes().splitlines()
    for i in range(40):
        payload = {"metric": " Sales " if i % 3 else "refunds", "montant": f"{120 + i * 7}.50 EUR",
                   "quand": f"2024-03-{i % 28 + 1:02d}T{i % 24:02d}:15:00Z", "store": f"S{i % 4}"}
        lines.append(json.dumps({"source": "client_F", "payload": payload}).encode())
    app = build_app(Settings(store_uri=path))
    try:
        app.ingest(io.BytesIO(b"\n".join(lines) + b"\n"))
    finally:
        app.close()


def add_key(dialog, field, key):
    edit = dialog.form.lists[field].key_edit
    QTest.keyClicks(edit, key)
    QTest.keyClick(edit, Qt.Key.Key_Return)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    out = Path(parser.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    qt = QApplication.instance() or QApplication([])
    tmp = Path(tempfile.mkdtemp())
    QCoreApplication.setOrganizationName("eventdesk-shots")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))
    store = str(tmp / "events.db")
    fill(store)
    window = MainWindow(Preferences(QSettings(str(tmp / "p.ini"), QSettings.Format.IniFormat)))
    window.resize(1024, 700)
    window.show()
    window.open_store(store)
    wait(qt, lambda: window.session.app is not None)
    dialog = window.open_mapping_editor()
    dialog.resize(1024, 700)
    wait(qt, lambda: dialog.version == 1)
    dialog.form.client_box.setCurrentText("client_F")
    QTest.keyClick(dialog.form.client_box.lineEdit(), Qt.Key.Key_Return)
    dialog.sample.load_latest()
    wait(qt, lambda: dialog.result_pane.explanation is not None)
    add_key(dialog, "amount", "montant")
    add_key(dialog, "timestamp", "quand")
    wait(qt, lambda: dialog.result_pane.explanation.fields[2].matched == "quand"
         and dialog.preview.preview is not None and dialog.preview.preview.fixed > 0)
    dialog.grab().save(str(out / "workbench-try.png"))

    QTest.keyClicks(dialog.form.timezone.lineEdit(), "Mars/Olympus")
    wait(qt, lambda: True)
    dialog.grab().save(str(out / "workbench-refused.png"))
    dialog.form.timezone.lineEdit().clear()
    wait(qt, lambda: dialog.problem is None)
    wait(qt, lambda: dialog.result_pane.explanation is not None, 5)

    dialog.save()
    wait(qt, lambda: dialog.version == 2 and len(dialog.versions.entries) == 2)
    dialog.ui.below.setCurrentWidget(dialog.versions)
    dialog.versions.select_version(1)
    wait(qt, lambda: dialog.versions.shown_version == 1)
    dialog.grab().save(str(out / "workbench-versions.png"))

    apply = dialog.apply
    dialog.ui.below.setCurrentWidget(apply)
    apply.dry_run()
    wait(qt, lambda: apply.running is None and apply.dry is not None)
    dialog.grab().save(str(out / "workbench-dry-run.png"))
    apply.apply()
    wait(qt, lambda: apply.running is None and apply.audit.rowCount() == 1)
    dialog.grab().save(str(out / "workbench-applied.png"))
    dialog.close()
    window.close()


if __name__ == "__main__":
    main()
