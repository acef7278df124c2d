"""The mapping of one entry (``defaults`` or a client) as a form: candidates per field, in order,
the two reading habits and the time zone. The editor turns it into JSON and back."""
from __future__ import annotations

from typing import Any, Optional
from zoneinfo import available_timezones

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from eventdesk.core.mappings import CANONICAL_FIELDS
from eventdesk.gui.workbench import draft
from eventdesk.gui.workbench.candidate_list import CandidateList
from eventdesk.gui.workbench.entry_path import EntryAtFault

DEFAULTS_LABEL = "defaults (every client not listed)"
FAULT_STYLE = "border: 2px solid #d32f2f;"


class MappingForm(QWidget):
    """One entry of the draft; ``entry()`` is what the form says, ``set_document`` shows a document."""

    #: The user changed a setting of the shown entry.
    changed = Signal()
    #: Another entry was chosen: its client (None for the defaults).
    client_changed = Signal(object)

    def __init__(self, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.client_box = QComboBox(editable=True)
        self.client_box.setToolTip("the entry to edit; type a new client id and Enter")
        self.client_box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.client_box.textActivated.connect(self._on_client_chosen)
        client_line = self.client_box.lineEdit()
        if client_line is not None:  # a new id is not in the list: the combo would not activate it
            client_line.returnPressed.connect(lambda: self._on_client_chosen(self.client_box.currentText()))
        self.lists = {name: CandidateList(name) for name in CANONICAL_FIELDS}
        self.dayfirst = QCheckBox("day first")
        self.dayfirst.setToolTip("05/01/2024 is 5 January (a day over 12 decides on its own)")
        self.decimal_comma = QCheckBox("decimal comma")
        self.decimal_comma.setToolTip("1.234,5 is one thousand two hundred thirty-four and a half")
        self.timezone = QComboBox(editable=True)
        for box in (self.client_box, self.timezone):  # long names must not widen the form
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.setMinimumContentsLength(10)
        self.timezone.addItems(["", "UTC", *sorted(z for z in available_timezones() if "/" in z)])
        self.timezone.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        zone_line = self.timezone.lineEdit()
        if zone_line is not None:  # editable: there is one
            zone_line.setPlaceholderText("as defaults")
        self.timezone_hint = QLabel()
        self.timezone_hint.setEnabled(False)
        self._client: Optional[str] = draft.DEFAULTS
        self._document: dict[str, Any] = {}
        self._explicit: set[str] = set()  # the flags this entry writes itself
        for widget in self.lists.values():
            widget.changed.connect(self.changed)
        self.dayfirst.toggled.connect(lambda _on: self._on_flag_edited("dayfirst"))
        self.decimal_comma.toggled.connect(lambda _on: self._on_flag_edited("decimal_comma"))
        self.timezone.editTextChanged.connect(lambda _text: self.changed.emit())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.client_box)
        for widget in self.lists.values():
            layout.addWidget(widget)
        habits = QFormLayout()
        habits.addRow(self.dayfirst)
        habits.addRow(self.decimal_comma)
        habits.addRow("time zone", self.timezone)
        habits.addRow("", self.timezone_hint)
        layout.addLayout(habits)
        layout.addStretch(1)

    # -- which entry
    def client(self) -> Optional[str]:
        return self._client

    def set_client(self, client: Optional[str]) -> None:
        """Show this entry of the document (a client not listed yet starts empty)."""
        self._client = client
        self._fill_clients()
        self._show_entry()

    def _on_client_chosen(self, text: str) -> None:
        client = draft.DEFAULTS if text == DEFAULTS_LABEL else text.strip()
        if client == "":
            client = draft.DEFAULTS
        if client != self._client:
            self.set_client(client)
            self.client_changed.emit(client)
        else:
            self._fill_clients()

    def _fill_clients(self) -> None:
        clients = self._document.get("clients", {})
        names = sorted(c for c in clients if isinstance(c, str)) if isinstance(clients, dict) else []
        if self._client is not None and self._client not in names:
            names.append(self._client)
        self.client_box.blockSignals(True)
        self.client_box.clear()
        self.client_box.addItems([DEFAULTS_LABEL, *names])
        self.client_box.setCurrentText(DEFAULTS_LABEL if self._client is None else self._client)
        self.client_box.blockSignals(False)

    # -- the document
    def set_document(self, document: dict[str, Any]) -> None:
        """Show ``document``'s entry for the current client; emits nothing."""
        self._document = document
        self._fill_clients()
        self._show_entry()

    def _show_entry(self) -> None:
        entry = draft.entry_of(self._document, self._client)
        base = draft.inherited(self._document, self._client)
        fields = entry.get("fields", {}) if isinstance(entry.get("fields"), dict) else {}
        for name, widget in self.lists.items():
            widget.set_candidates(list(fields.get(name, [])), base["fields"][name])
        self._explicit = {k for k in ("dayfirst", "decimal_comma") if k in entry}
        for key, box in (("dayfirst", self.dayfirst), ("decimal_comma", self.decimal_comma)):
            box.blockSignals(True)
            box.setChecked(bool(entry.get(key, base[key])))
            box.setText(box.text().split("  ·")[0] + ("" if key in entry else "  · as defaults"))
            box.blockSignals(False)
        self.timezone.blockSignals(True)
        self.timezone.setEditText(str(entry.get("timezone", "")))
        self.timezone.blockSignals(False)
        self.timezone_hint.setText(f"empty: {base['timezone']}")

    def entry(self) -> dict[str, Any]:
        """The shown entry as the form says it: only what it sets (the rest is as the defaults)."""
        entry = draft.entry_of(self._document, self._client)
        fields = {name: w.candidates() for name, w in self.lists.items() if w.candidates()}
        entry.pop("fields", None)
        if fields:
            entry["fields"] = fields
        for key, box in (("dayfirst", self.dayfirst), ("decimal_comma", self.decimal_comma)):
            if key in self._explicit:
                entry[key] = box.isChecked()
        zone = self.timezone.currentText().strip()
        if zone:
            entry["timezone"] = zone
        else:
            entry.pop("timezone", None)
        return entry

    def document(self) -> dict[str, Any]:
        """The shown document with this entry as the form says it."""
        return draft.with_entry(self._document, self._client, self.entry())

    def _on_flag_edited(self, key: str) -> None:
        self._explicit.add(key)
        self.changed.emit()

    # -- the entry at fault
    def show_fault(self, fault: Optional[EntryAtFault]) -> Optional[QWidget]:
        """Mark the widget of the entry at fault when it is in the shown entry; that widget."""
        here = fault is not None and ((fault.in_defaults and self._client is None)
                                      or (fault.client is not None and fault.client == self._client))
        setting = fault.setting if here and fault is not None else None
        marked: Optional[QWidget] = None
        for name, widget in self.lists.items():
            widget.set_fault(setting == f"fields.{name}")
            marked = widget.list if setting == f"fields.{name}" else marked
        for key, box in (("dayfirst", self.dayfirst), ("decimal_comma", self.decimal_comma),
                         ("timezone", self.timezone)):
            box.setProperty("fault", setting == key)
            box.setStyleSheet(FAULT_STYLE if setting == key else "")
            marked = box if setting == key else marked
        return marked
