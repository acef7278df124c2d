"""A time range filter: optional From and To, in UTC (the store's time), to the minute or day.

``To`` includes what it shows: the whole minute, or in ``dates_only`` mode the whole day (as
``eventdesk aggregates --to DATE`` does). ``bounds()`` returns (start, exclusive end).
The pickers start at the span of the data (``set_span``), not at today's date, which the data
may be far from; presets choose all, this month, the last 7 or 30 days of the data, or a year.
Typing a date (or picking one) switches its bound on.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Optional

from PySide6.QtCore import QDate, QDateTime, QTime, QTimeZone, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCalendarWidget,
    QCheckBox,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QStyle,
    QWidget,
    QWidgetAction,
)

from eventdesk.gui.theme import error_text_colour

Bounds = tuple[Optional[datetime], Optional[datetime]]


def _to_python(value: QDateTime) -> datetime:
    d, t = value.date(), value.time()
    return datetime(d.year(), d.month(), d.day(), t.hour(), t.minute(), tzinfo=timezone.utc)


def _to_qt(moment: datetime) -> QDateTime:
    moment = moment.astimezone(timezone.utc)
    return QDateTime(QDate(moment.year, moment.month, moment.day), QTime(moment.hour, moment.minute))


class DateField(QLineEdit):
    """A date (and time) typed as text, digit over digit (Qt's date edit ignores a typed year), with
    a calendar behind its arrow. An incomplete or impossible date keeps the last good one."""

    #: A new, valid moment was typed or picked (a QDateTime).
    dateTimeChanged = Signal(object)

    def __init__(self, dates_only: bool, parent: Optional[QWidget] = None) -> None:
        super().__init__(parent)
        self.fmt = "yyyy-MM-dd" if dates_only else "yyyy-MM-dd HH:mm"
        self.setInputMask("0000-00-00" if dates_only else "0000-00-00 00:00")
        self._value = QDateTime(QDate(2000, 1, 1), QTime(0, 0))
        self.setFixedWidth(self.fontMetrics().horizontalAdvance(self.fmt) + 44)
        self.textEdited.connect(self._on_text_edited)
        self.calendar = QCalendarWidget()
        self.calendar.clicked.connect(self._on_day_picked)
        menu = QMenu(self)
        holder = QWidgetAction(menu)
        holder.setDefaultWidget(self.calendar)
        menu.addAction(holder)
        pick = self.addAction(self.style().standardIcon(QStyle.StandardPixmap.SP_ArrowDown),
                              QLineEdit.ActionPosition.TrailingPosition)
        pick.setToolTip("pick a day")
        pick.triggered.connect(lambda: (self.calendar.setSelectedDate(self._value.date()),
                                        menu.popup(self.mapToGlobal(self.rect().bottomLeft()))))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """A typed separator the mask already stepped over is not a blank in the next field."""
        position, text = self.cursorPosition(), self.text()
        if event.text() in ("-", " ", ":") and position > 0 and text[position - 1:position] == event.text():
            event.accept()
            return
        super().keyPressEvent(event)

    def dateTime(self) -> QDateTime:  # noqa: N802 - the QDateTimeEdit name it stands in for
        return QDateTime(self._value)

    def setDateTime(self, value: QDateTime) -> None:  # noqa: N802
        self._value = QDateTime(value)
        self.setText(value.toString(self.fmt))
        self.setStyleSheet("")
        self.dateTimeChanged.emit(QDateTime(value))

    def _on_text_edited(self, text: str) -> None:
        value = QDateTime.fromString(text, self.fmt)
        if value.isValid():
            value.setTimeZone(QTimeZone.utc())
            self._value = value
            self.setStyleSheet("")
            self.dateTimeChanged.emit(QDateTime(value))
        else:  # still typing, or no such date: say so, keep the last good value
            self.setStyleSheet(f"color: {error_text_colour().name()};")

    def _on_day_picked(self, day: QDate) -> None:
        self.setDateTime(QDateTime(day, self._value.time()))
        self.findChild(QMenu).close()


def day_of(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)


class TimeRangeEdit(QWidget):
    """From/To pickers, each switched on by its check box; unchecked means open-ended."""

    #: The range changed (a box toggled, a date edited or a preset chosen).
    changed = Signal()

    def __init__(self, parent: Optional[QWidget] = None, dates_only: bool = False, stacked: bool = False) -> None:
        super().__init__(parent)
        self.dates_only = dates_only
        self.span: Optional[tuple[datetime, datetime]] = None
        self._applying = False
        self.from_box, self.to_box = QCheckBox("From"), QCheckBox("To")
        self.from_edit, self.to_edit = DateField(dates_only), DateField(dates_only)
        self.preset = QComboBox(toolTip="choose a range (of the data's own dates)", minimumContentsLength=9)
        self.preset.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.span_label = QLabel("", toolTip="the first and last moment in the data (UTC)")
        today = datetime.now(timezone.utc).replace(second=0, microsecond=0)
        for box, edit in ((self.from_box, self.from_edit), (self.to_box, self.to_edit)):
            edit.setDateTime(_to_qt(today))
            box.toggled.connect(self.changed)
            edit.dateTimeChanged.connect(lambda _v, b=box: self._on_edited(b))
        self.preset.activated.connect(self._on_preset_chosen)
        self._fill_presets()
        if stacked:  # From over To, for narrow side panels
            grid = QGridLayout(self)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.addWidget(self.preset, 0, 0, 1, 2)
            grid.addWidget(self.from_box, 1, 0)
            grid.addWidget(self.from_edit, 1, 1)
            grid.addWidget(self.to_box, 2, 0)
            grid.addWidget(self.to_edit, 2, 1)
            grid.addWidget(QLabel("UTC, To included"), 3, 1)
            grid.addWidget(self.span_label, 4, 0, 1, 2)
            self.span_label.setWordWrap(True)
            return
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.preset, self.from_box, self.from_edit, self.to_box, self.to_edit):
            layout.addWidget(widget)
        layout.addWidget(QLabel("UTC"))

    # -- the span of the data and presets
    def set_span(self, first: Optional[datetime], last: Optional[datetime]) -> None:
        """The data runs from ``first`` to ``last``: say so, and start unchecked pickers there."""
        self.span = (first, last) if first is not None and last is not None else None
        fmt = "%Y-%m-%d" if self.dates_only else "%Y-%m-%d %H:%M"
        self.span_label.setText(f"data spans {first.strftime(fmt)} .. {last.strftime(fmt)}"
                                if self.span else "no dated data yet")
        if self.span:
            for box, edit, value in ((self.from_box, self.from_edit, first), (self.to_box, self.to_edit, last)):
                if not box.isChecked():
                    was = edit.blockSignals(True)
                    edit.setDateTime(_to_qt(value))
                    edit.blockSignals(was)
        self._fill_presets()

    def _fill_presets(self) -> None:
        was = self.preset.blockSignals(True)
        self.preset.clear()
        self.preset.addItem("Range…", None)
        self.preset.addItem("All", "all")
        self.preset.addItem("This month", "month")
        if self.span:
            self.preset.addItem("Last 7 days of the data", 7)
            self.preset.addItem("Last 30 days of the data", 30)
            for year in range(self.span[1].year, self.span[0].year - 1, -1):
                self.preset.addItem(str(year), f"year:{year}")
        self.preset.blockSignals(was)

    def preset_range(self, key: Any) -> tuple[Optional[datetime], Optional[datetime]]:
        """(start, inclusive end as shown) of a preset."""
        if key == "month":
            now = datetime.now(timezone.utc)
            start = datetime(now.year, now.month, 1, tzinfo=timezone.utc)
            following = datetime(now.year + now.month // 12, now.month % 12 + 1, 1, tzinfo=timezone.utc)
            return start, following - self._step()
        if isinstance(key, int) and self.span:
            end = day_of(self.span[1])
            return end - timedelta(days=key - 1), end + timedelta(days=1) - self._step()
        if isinstance(key, str) and key.startswith("year:"):
            year = int(key[5:])
            return (datetime(year, 1, 1, tzinfo=timezone.utc),
                    datetime(year + 1, 1, 1, tzinfo=timezone.utc) - self._step())
        return None, None

    def _step(self) -> timedelta:
        return timedelta(days=1) if self.dates_only else timedelta(minutes=1)

    def _on_preset_chosen(self, index: int) -> None:
        key = self.preset.itemData(index)
        if key is not None:
            self._applying = True
            try:
                self.set_range(*self.preset_range(key))
            finally:
                self._applying = False

    def _on_edited(self, box: QCheckBox) -> None:
        if not self._applying:  # the user's own dates: no preset names them any more
            self.preset.setCurrentIndex(0)
        if not box.isChecked():
            box.setChecked(True)  # typing or picking a date means: use it (emits changed)
        else:
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
        def one(box: QCheckBox, edit: DateField) -> Optional[str]:
            return _to_python(edit.dateTime()).isoformat() if box.isChecked() else None
        return {"from": one(self.from_box, self.from_edit), "to": one(self.to_box, self.to_edit)}

    def restore(self, state: dict[str, Any]) -> None:
        def read(text: Any) -> Optional[datetime]:
            try:
                return datetime.fromisoformat(text) if text else None
            except (TypeError, ValueError):
                return None
        self.set_range(read(state.get("from")), read(state.get("to")))
