"""A time range filter: optional From and To, in UTC (the store's time), to the minute or day.

``To`` includes what it shows: the whole minute, or in ``dates_only`` mode the whole day (as
``eventdesk aggregates --to DATE`` does). ``bounds()`` returns (start, exclusive end).
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Optional

from PySide6.QtCore import QDate, QDateTime, QTime, Signal
from PySide6.QtWidgets import QCheckBox, QDateTimeEdit, QGridLayout, QHBoxLayout, QLabel, QWidget

Bounds = tuple[Optional[datetime], Optional[datetime]]


def _to_python(value: QDateTime) -> datetime:
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=timezone.utc)


def _to_qt(moment: datetime) -> QDateTime:
    moment = moment.astimezone(timezone.utc)
    return QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute))


class TimeRangeEdit(QWidget):
    """From/To pickers, each switched on by its check box; unchecked means open-ended."""

    #: The range changed (a box toggled or a date edited).
    changed = Signal()

    def __init__(self, parent: Optional[QWidget] = None, dates_only: bool = False, stacked: bool = False) -> None:
        super().__init__(parent)
        self.dates_only = dates_only
        fmt = "yyyy-MM-dd" if dates_only else "yyyy-MM-dd HH:mm"
        self.from_box, self.to_box = QCheckBox("From"), QCheckBox("To")
        self.from_edit, self.to_edit = QDateTimeEdit(), QDateTimeEdit()
        today = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        for box, edit, start in ((self.from_box, self.from_edit, today - timedelta(days=30)),
                                 (self.to_box, self.to_edit, today)):
            edit.setDisplayFormat(fmt)
            edit.setCalendarPopup(True)
            edit.setDateTime(_to_qt(start))
            edit.setEnabled(False)
            box.toggled.connect(edit.setEnabled)
            box.toggled.connect(self.changed)
            edit.dateTimeChanged.connect(self._on_edited)
        if stacked:  # From over To, for narrow side panels
            grid = QGridLayout(self)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.addWidget(self.from_box, 0, 0)
            grid.addWidget(self.from_edit, 0, 1)
            grid.addWidget(self.to_box, 1, 0)
            grid.addWidget(self.to_edit, 1, 1)
            grid.addWidget(QLabel("UTC, To included"), 2, 1)
            return
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.from_box, self.from_edit, self.to_box, self.to_edit):
            layout.addWidget(widget)
        layout.addWidget(QLabel("UTC"))

    def _on_edited(self) -> None:
        if self.from_box.isChecked() or self.to_box.isChecked():
            self.changed.emit()

    def bounds(self) -> Bounds:
        start = end = None
        if self.from_box.isChecked():
            start = _to_python(self.from_edit.dateTime())
            if self.dates_only:
                start = start.replace(hour=0, minute=0)
        if self.to_box.isChecked():
            end = _to_python(self.to_edit.dateTime())
            end = end.replace(hour=0, minute=0) + timedelta(days=1) if self.dates_only \
                else end + timedelta(minutes=1)
        return start, end

    def set_range(self, start: Optional[datetime | date], end: Optional[datetime | date]) -> None:
        """Set the range as shown (``end`` inclusive, as the user would type it)."""
        was_blocked = self.blockSignals(True)
        try:
            for box, edit, value in ((self.from_box, self.from_edit, start), (self.to_box, self.to_edit, end)):
                box.setChecked(value is not None)
                if value is not None:
                    if not isinstance(value, datetime):
                        value = datetime.combine(value, time(), tzinfo=timezone.utc)
                    edit.setDateTime(_to_qt(value))
        finally:
            self.blockSignals(was_blocked)
        if not was_blocked:
            self.changed.emit()

    def state(self) -> dict[str, Any]:
        def one(box: QCheckBox, edit: QDateTimeEdit) -> Optional[str]:
            return _to_python(edit.dateTime()).isoformat() if box.isChecked() else None
        return {"from": one(self.from_box, self.from_edit), "to": one(self.to_box, self.to_edit)}

    def restore(self, state: dict[str, Any]) -> None:
        def read(text: Any) -> Optional[datetime]:
            try:
                return datetime.fromisoformat(text) if text else None
            except (TypeError, ValueError):
                return None
        self.set_range(read(state.get("from")), read(state.get("to")))
