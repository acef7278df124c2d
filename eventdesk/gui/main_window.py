"""The main window: message area, tabs, menus, status bar; remembers its layout and store."""
from __future__ import annotations

import os
from typing import Any, Optional

from PySide6.QtCore import QByteArray, QUrl
from PySide6.QtGui import QCloseEvent, QDesktopServices
from PySide6.QtWidgets import QDialog, QFileDialog, QMainWindow, QTabWidget, QVBoxLayout, QWidget

from eventdesk.app import App, exporting, queries, redact
from eventdesk.core.queries import RawQuery
from eventdesk.gui import help_dialogs, numbers
from eventdesk.gui.dialogs.import_dialog import FILE_FILTER, ImportRun
from eventdesk.gui.dialogs.open_store_dialog import OpenStoreDialog
from eventdesk.gui.dialogs.settings_dialog import SettingsDialog
from eventdesk.gui.listener import ClientListener, ListenerStatus, ServerFactory
from eventdesk.gui.menus import build_menus
from eventdesk.gui.messages import MessageRouter
from eventdesk.gui.preferences import Preferences
from eventdesk.gui.session import Session
from eventdesk.gui.simulation import FailureSimulation
from eventdesk.gui.tabs.aggregates_tab import AggregatesTab
from eventdesk.gui.tabs.normalized_tab import NormalizedTab
from eventdesk.gui.tabs.raw_tab import RawTab, retry_all_failed
from eventdesk.gui.tabs.stats_tab import StatsTab
from eventdesk.gui.tabs.submit_tab import SubmitTab
from eventdesk.gui.tabs.triage_tab import TriageTab
from eventdesk.gui.widgets.empty_store import EmptyStoreBanner
from eventdesk.gui.widgets.message_area import MessageArea, MessageHistory
from eventdesk.gui.widgets.store_status import StoreStatus
from eventdesk.gui.workbench.editor import MappingEditor


class MainWindow(QMainWindow):
    """eventdesk's window over one store at a time."""

    def __init__(self, prefs: Optional[Preferences] = None, session: Optional[Session] = None,
                 server_factory: Optional[ServerFactory] = None) -> None:
        super().__init__()
        self.prefs = prefs or Preferences()
        self.messages = session.messages if session else MessageRouter()
        self.session = session or Session(self.messages, self.prefs.worker_count, self.prefs.max_attempts)
        self.simulation = FailureSimulation()
        self.listener = ClientListener(self.session, self.simulation, self.prefs, server_factory)
        self.imports: list[ImportRun] = []
        self._dialogs: dict[str, QDialog] = {}
        self.exports = 0
        self.message_area = MessageArea(self.messages)
        self.submit_tab = SubmitTab(self.session, self.simulation)
        self.raw_tab = RawTab(self.session, self.prefs)
        self.normalized_tab = NormalizedTab(self.session, self.prefs)
        self.aggregates_tab = AggregatesTab(self.session, self.prefs)
        self.stats_tab = StatsTab(self.session)
        self.triage_tab = TriageTab(self.session)
        self.tabs = QTabWidget(documentMode=True)
        for tab, title in ((self.submit_tab, "Submit"), (self.raw_tab, "Raw events"),
                           (self.normalized_tab, "Normalized events"), (self.aggregates_tab, "Aggregates"),
                           (self.stats_tab, "Statistics"), (self.triage_tab, "Triage")):
            self.tabs.addTab(tab, title)
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        self.empty_banner = EmptyStoreBanner()
        layout.addWidget(self.empty_banner)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.store_status = StoreStatus()
        # messages and imports live in the status bar: fixed height, never moving the content
        self.statusBar().setSizeGripEnabled(False)
        self.statusBar().addPermanentWidget(self.message_area, 3)
        self.statusBar().addPermanentWidget(self.store_status, 0)
        self.listener_status = ListenerStatus(self.listener)
        self.statusBar().addPermanentWidget(self.listener_status, 0)
        self.message_area.history_requested.connect(self.show_message_history)
        self.actions_ = build_menus(self, self.simulation)
        self._connect()
        self._update_title()
        self._restore_layout()

    def _connect(self) -> None:
        s = self.session
        s.store_opened.connect(self._on_store_opened)
        s.open_failed.connect(self._on_open_failed)
        s.busy_changed.connect(self.store_status.show_work)
        self.raw_tab.model.total_changed.connect(lambda n: self._on_total_changed(self.raw_tab, "Raw events", n))
        self.normalized_tab.model.total_changed.connect(
            lambda n: self._on_total_changed(self.normalized_tab, "Normalized events", n))
        self.raw_tab.normalized_requested.connect(self._on_normalized_requested)
        self.triage_tab.samples_requested.connect(self._on_samples_requested)
        if hasattr(self.triage_tab, "edit_mapping_requested"):  # the Triage tab's "Edit mapping…"
            self.triage_tab.edit_mapping_requested.connect(self.open_mapping_editor)
        self.empty_banner.load_sample.connect(self.start_import)
        self.empty_banner.import_file.connect(self.choose_import)
        s.data_changed.connect(lambda: self.empty_banner.isVisible() and self._check_empty())

    # -- stores
    def open_store(self, uri: Optional[str], **store_options: Any) -> None:
        """Open ``uri`` (None: $EVENTDESK_STORE or the default store) in the background."""
        self.store_status.show_opening(redact(uri) if uri else "the default store")
        self.session.open_store(uri, **store_options)

    def choose_store(self) -> None:
        dialog = OpenStoreDialog(self.prefs.recent_stores, self)
        if dialog.exec() and dialog.uri():
            self.open_store(dialog.uri())

    def _on_recent_menu_about_to_show(self) -> None:
        menu = self.actions_.recent
        menu.clear()
        for uri in self.prefs.recent_stores:
            menu.addAction(uri, lambda u=uri: self.open_store(u))
        if menu.isEmpty():
            menu.addAction("(none yet)").setEnabled(False)
        else:
            menu.addSeparator()
            menu.addAction("Clear the list", self.prefs.clear_recent_stores)

    def _check_empty(self) -> None:
        """Offer the sample data while the open store has no raw event at all."""
        self.session.run(queries.count_raw, RawQuery(), doing="Counting raw events", quiet=True,
                         on_result=self._on_raw_count)

    def _on_raw_count(self, count: int) -> None:
        if count == 0 and self.session.app is not None:
            self.empty_banner.show_empty(queries.store_description(self.session.app))
        else:
            self.empty_banner.hide()

    def _on_store_opened(self, app: App) -> None:
        self._check_empty()
        self.store_status.show_store(app)
        description = queries.store_description(app)
        self.prefs.remember_store(self.session.uri or description)
        self._update_title()
        notice = queries.store_notice(app)  # e.g. a MongoDB server without transactions
        if notice:
            self.messages.warning(f"{description}: {notice}")
        else:
            self.messages.info(f"Opened {description} (mappings version {app.mappings_version})")

    def _on_open_failed(self, _uri: str, _reason: str) -> None:
        if self.session.app is not None:
            self.store_status.show_store(self.session.app)
        else:
            self.store_status.store.setText("no store open: File › Open store…")
        self._update_title()

    def _update_title(self) -> None:
        app = self.session.app
        self.setWindowTitle(f"eventdesk — {queries.store_description(app)}" if app else "eventdesk — no store open")

    def _on_total_changed(self, tab: QWidget, title: str, total: Optional[int]) -> None:
        index = self.tabs.indexOf(tab)
        self.tabs.setTabText(index, title if total is None else f"{title} ({numbers.integer(total)})")

    def _on_normalized_requested(self, normalized_id: Any) -> None:
        self.tabs.setCurrentWidget(self.normalized_tab)
        self.normalized_tab.show_event(normalized_id)

    def _on_samples_requested(self, content_hash: str) -> None:
        """The Raw tab, its filters cleared, searching for this hash: exactly that event."""
        self.raw_tab.restore_filters({"text": content_hash})
        self.tabs.setCurrentWidget(self.raw_tab)
        self.raw_tab.refresh()

    # -- tabs and keyboard
    def current_tab(self) -> Any:
        return self.tabs.currentWidget()

    def next_tab(self) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + 1) % self.tabs.count())

    def previous_tab(self) -> None:
        self.tabs.setCurrentIndex((self.tabs.currentIndex() - 1) % self.tabs.count())

    def refresh_current(self) -> None:
        self.current_tab().refresh()

    def focus_filter(self) -> None:
        self.current_tab().focus_filter()

    def submit_current(self) -> None:
        if self.current_tab() is self.submit_tab:
            self.submit_tab.submit()
        else:
            self.messages.info("Ctrl+Enter submits from the Submit tab")

    def show_shortcuts(self) -> QDialog:
        return self._show_once("shortcuts", lambda: help_dialogs.ShortcutsDialog(self.actions_, self))

    def show_about(self) -> QDialog:
        return self._show_once("about", lambda: help_dialogs.AboutDialog(self.session, self))

    def show_docs(self) -> QUrl:
        url = help_dialogs.docs_url()
        QDesktopServices.openUrl(url)
        self.messages.info(f"Opened the documentation: {url.toDisplayString()}")
        return url

    def show_message_history(self) -> QDialog:
        dialog = self._show_once("history", lambda: MessageHistory(self.message_area, self))
        dialog.fill(self.message_area.entries)
        return dialog

    def _show_once(self, key: str, make: Any) -> QDialog:
        """Non-modal dialogs: one of each, brought to the front when asked again."""
        dialog = self._dialogs.get(key)
        if dialog is None:
            dialog = self._dialogs[key] = make()
        if dialog.isVisible():
            dialog.raise_()  # asked again: bring it to the front
        dialog.show()
        return dialog

    # -- import, export, retry
    def choose_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import events", "", FILE_FILTER)
        if path:
            self.start_import(path)

    def start_import(self, path: str) -> Optional[ImportRun]:
        run = ImportRun(self.session, path, self)
        self.statusBar().insertPermanentWidget(0, run.strip, 4)
        if not run.start():
            return None
        self.imports.append(run)
        run.finished.connect(lambda _s, r=run: self.imports.remove(r) if r in self.imports else None)
        return run

    def choose_export(self, kind: str) -> None:
        suggested = f"{kind}-events.jsonl"
        path, _ = QFileDialog.getSaveFileName(self, f"Export {kind} events", suggested,
                                              "JSON lines (*.jsonl);;CSV (*.csv)")
        if path:
            self.start_export(kind, path)

    def start_export(self, kind: str, path: str) -> None:
        """Export the events the Raw (or Normalized) tab's filters select."""
        query = (self.raw_tab if kind == "raw" else self.normalized_tab).build_query()
        name = os.path.basename(path)
        self.session.run(exporting.export_query_to_file, kind, query, exporting.format_for_path(path), path,
                         doing=f"Exporting {kind} events to {name}",
                         on_result=lambda n: self.messages.info(f"Exported {n:,} {kind} events to {path}"))

    def retry_failed(self) -> None:
        self.session.run(retry_all_failed, doing="Retrying failed events", writes=True,
                         on_result=lambda c: self.messages.info(
                             f"Retry finished: {c['selected']:,} reprocessed, {c['normalized']:,} normalized, "
                             f"{c['duplicate']:,} duplicate, {c['failed']:,} still failing"))

    # -- dialogs
    def open_mapping_editor(self, raw_id: Optional[int] = None) -> Optional[MappingEditor]:
        """The mappings workbench, with raw event ``raw_id`` as its sample when given."""
        if self.session.app is None:
            self.messages.warning("Open a store first: mappings are stored with the data")
            return None
        dialog = MappingEditor(self.session, self, raw_id=raw_id)
        dialog.show()
        return dialog

    show_mappings = open_mapping_editor  # Tools › Field mappings, Ctrl+M

    def show_settings(self) -> None:
        SettingsDialog(self.session, self.prefs, self).exec()

    # -- layout memory
    def _restore_layout(self) -> None:
        geometry = self.prefs.window_state("geometry")
        if geometry is None or not self.restoreGeometry(geometry):
            char, line = self.fontMetrics().averageCharWidth(), self.fontMetrics().height()
            self.resize(char * 190, line * 52)
        state = self.prefs.window_state("state")
        if state is not None:
            self.restoreState(state)
        try:
            self.tabs.setCurrentIndex(int(self.prefs.value("window/tab", 0)))
        except (TypeError, ValueError):
            pass
        for key, splitter in self._splitters().items():
            saved = self.prefs.window_state(key)
            if saved is not None:
                splitter.restoreState(saved)

    def _splitters(self) -> dict[str, Any]:
        return {"split/raw": self.raw_tab.splitter, "split/normalized": self.normalized_tab.splitter,
                "split/submit": self.submit_tab.splitter}

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.prefs.save_window_state("geometry", QByteArray(self.saveGeometry()))
        self.prefs.save_window_state("state", QByteArray(self.saveState()))
        self.prefs.set_value("window/tab", self.tabs.currentIndex())
        for key, splitter in self._splitters().items():
            self.prefs.save_window_state(key, QByteArray(splitter.saveState()))
        self.prefs.sync()
        for run in self.imports:
            run.cancel.set()  # stop at the next batch boundary; committed batches stay
        self.listener.stop(quiet=True)  # requests in flight finish; the port is free again
        self.session.shutdown()
        super().closeEvent(event)
