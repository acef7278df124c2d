"""Charts (pyqtgraph): real dates on the time axis, a legend, a hover read-out, palette colours.

``EventChart`` draws either time series (x = UTC seconds, line or bars) on a ``DateAxisItem``
or grouped bars over named categories. The read-out above the plot names the values under the
mouse; ``readout_at`` computes the same text for a given x (used by tests and the keyboard).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Optional, Sequence

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from eventdesk.gui import numbers
from eventdesk.gui.theme import series_colour

Series = dict[str, list[tuple[float, float]]]


def short_number(value: float) -> str:
    """1234567 -> 1.23M, 4500 -> 4.5k, 12.5 -> 12.5."""
    for size, suffix in ((1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.4g}"


class NumberAxis(pg.AxisItem):
    """A value axis with short, readable numbers (no SI scale factor in the label)."""

    def __init__(self, orientation: str = "left") -> None:
        super().__init__(orientation)
        self.enableAutoSIPrefix(False)

    def tickStrings(self, values, scale, spacing):  # noqa: N802 - pyqtgraph override
        return [short_number(v * scale) for v in values]


class CategoryAxis(pg.AxisItem):
    """An x axis that names integer positions (for totals without a time bucket)."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__("bottom")
        self.setTicks([[(i, name) for i, name in enumerate(names)], []])


class EventChart(QWidget):
    """A plot with a legend and a hover read-out, styled from the widget palette."""

    def __init__(self, parent: Optional[QWidget] = None, date_format: str = "%Y-%m-%d") -> None:
        super().__init__(parent)
        self.date_format = date_format
        self.readout = QLabel(" ")
        self.readout.setTextFormat(Qt.TextFormat.PlainText)
        self.plot = pg.PlotWidget(axisItems={"bottom": pg.DateAxisItem(utcOffset=0), "left": NumberAxis()})
        self.plot.setMenuEnabled(False)
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.legend = self.plot.addLegend(offset=(10, 4), labelTextSize="10pt")
        self.partial: set[float] = set()
        self._ticks: list[float] = []
        self.title_lines: list[str] = []   # what an exported PNG is headed with
        self.cursor = pg.InfiniteLine(angle=90, movable=False)
        self._series: Series = {}
        self._categories: list[str] = []
        self._proxy = pg.SignalProxy(self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._on_mouse_moved)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.readout)
        layout.addWidget(self.plot, 1)
        self.apply_palette()

    # -- drawing
    def clear(self) -> None:
        self.plot.clear()
        self.legend.clear()
        self._series, self._categories = {}, []
        self.readout.setText(" ")

    def set_time_series(self, series: Series, kind: str = "line", bar_width: float = 86400.0,
                        y_label: str = "", legend: bool = True, partial: Sequence[float] = (),
                        bucket_ticks: bool = True) -> None:
        """One series per name: (x in UTC seconds, y) points; ``kind`` is "line" or "bars".

        Buckets at ``partial`` x values are only partly covered by the range: drawn hollow
        (lines) or pale and dashed (bars), so that they do not read as dips. ``bucket_ticks``: one
        label per bucket (thinned so they never collide), else the date axis's own ticks."""
        if not isinstance(self.plot.getPlotItem().getAxis("bottom"), pg.DateAxisItem):
            self._set_bottom_axis(pg.DateAxisItem(utcOffset=0))  # replacing an axis is costly
        self.clear()
        self._series = {name: sorted(points) for name, points in series.items()}
        count = max(1, len(series))
        width = bar_width * 0.8 / count
        for i, (name, points) in enumerate(self._series.items()):
            xs = [p[0] for p in points]
            ys = [p[1] for p in points]
            colour = series_colour(i)
            pale = QColor(colour)
            pale.setAlpha(70)
            if kind == "bars":
                shift = (i - (count - 1) / 2) * width
                brushes = [pale if x in partial else colour for x in xs]
                pens = [pg.mkPen(colour, style=Qt.PenStyle.DashLine) if x in partial else
                        pg.mkPen(colour.darker(130)) for x in xs]
                item = pg.BarGraphItem(x=[x + shift for x in xs], height=ys, width=width,
                                       brush=colour, pen=pg.mkPen(colour.darker(130)),
                                       brushes=brushes or None, pens=pens or None, name=name)  # [] trips pyqtgraph
            else:
                item = pg.PlotDataItem(xs, ys, pen=pg.mkPen(colour, width=2), symbol="o", symbolSize=7,
                                       symbolBrush=[pg.mkBrush(self._base()) if x in partial else pg.mkBrush(colour)
                                                    for x in xs],
                                       symbolPen=pg.mkPen(colour, width=2), name=name)
            self.plot.addItem(item)
        self.partial = set(partial)
        self._ticks = sorted({p[0] for points in self._series.values() for p in points}) if bucket_ticks else []
        axis = self.plot.getPlotItem().getAxis("bottom")
        axis.setTicks(None)
        self._thin_ticks()
        self._finish(y_label, [p[1] for points in self._series.values() for p in points])
        moments = [p[0] for points in self._series.values() for p in points]
        if moments:  # set now, not at the next paint, so the date axis never shows a stale range
            self.plot.setXRange(min(moments) - bar_width / 2, max(moments) + bar_width / 2, padding=0.02)
        self.legend.setVisible(legend)
        self.plot.setLabel("bottom", "UTC")

    def _base(self) -> QColor:
        return self.palette().color(QPalette.ColorRole.Base)

    def _thin_ticks(self) -> None:
        """One date label per bucket where they fit, else every k-th: labels never collide."""
        axis = self.plot.getPlotItem().getAxis("bottom")
        if not isinstance(axis, pg.DateAxisItem) or not self._ticks:
            return
        labels = [datetime.fromtimestamp(x, timezone.utc).strftime(self.date_format) for x in self._ticks]
        room = max(1.0, float(self.plot.width() - 80))
        widest = max(self.fontMetrics().horizontalAdvance(t) for t in labels) + 16
        step = max(1, -(-int(widest * len(labels)) // int(room)))
        self.tick_labels = [(x, t) for i, (x, t) in enumerate(zip(self._ticks, labels)) if i % step == 0]
        axis.setTicks([self.tick_labels, []])

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._thin_ticks()

    def _finish(self, y_label: str, values: list[float]) -> None:
        """Axis label, a one-row legend, and headroom above the data so that it sits there."""
        self.plot.setLabel("left", y_label)
        self.cursor.hide()
        self.plot.addItem(self.cursor, ignoreBounds=True)
        self.legend.setColumnCount(max(1, min(len(self._series), 6)))
        self.plot.enableAutoRange()
        if values:
            low, high = min(0.0, min(values)), max(0.0, max(values))
            self.plot.setYRange(low, high + (high - low) * 0.16 or 1.0, padding=0.02)

    def set_category_series(self, categories: Sequence[str], series: dict[str, list[float]],
                            y_label: str = "") -> None:
        """Grouped bars: for each category, one bar per series."""
        self._set_bottom_axis(CategoryAxis(categories))
        self.clear()
        self._categories = list(categories)
        count = max(1, len(series))
        width = 0.8 / count
        for i, (name, values) in enumerate(series.items()):
            colour = series_colour(i)
            xs = [c + (i - (count - 1) / 2) * width for c in range(len(values))]
            self.plot.addItem(pg.BarGraphItem(x=xs, height=values, width=width, brush=colour,
                                              pen=pg.mkPen(colour.darker(130)), name=name))
            self._series[name] = list(zip(range(len(values)), values))
        self._finish(y_label, [v for values in series.values() for v in values])
        self.plot.setLabel("bottom", "")
        self.partial = set()

    def _set_bottom_axis(self, axis: pg.AxisItem) -> None:
        self.plot.setAxisItems({"bottom": axis})
        self.apply_palette()

    @property
    def series_names(self) -> list[str]:
        return list(self._series)

    # -- hover read-out
    def _on_mouse_moved(self, event: tuple) -> None:
        position: QPointF = event[0]
        if not self.plot.sceneBoundingRect().contains(position) or not self._series:
            return
        x = self.plot.plotItem.vb.mapSceneToView(position).x()
        self.readout.setText(self.readout_at(x))

    def readout_at(self, x: float) -> str:
        """The values of every series at the data point nearest to ``x``."""
        xs = sorted({p[0] for points in self._series.values() for p in points})
        if not xs:
            return " "
        nearest = min(xs, key=lambda v: abs(v - x))
        self.cursor.setPos(nearest)
        self.cursor.show()
        if self._categories:
            head = self._categories[int(nearest)] if 0 <= int(nearest) < len(self._categories) else ""
        else:
            head = datetime.fromtimestamp(nearest, timezone.utc).strftime(self.date_format)
        parts = [f"{name}: {numbers.decimal(repr(y), 0 if float(y).is_integer() else 2)}"
                 + (" (partial)" if px in self.partial else "")
                 for name, points in self._series.items() for px, y in points if px == nearest]
        return f"{head}  ·  " + "  ·  ".join(parts) if parts else head

    # -- palette
    def apply_palette(self) -> None:
        palette = self.palette()
        base = palette.color(QPalette.ColorRole.Base)
        text = palette.color(QPalette.ColorRole.Text)
        self.plot.setBackground(base)
        for name in ("left", "bottom"):
            axis = self.plot.getAxis(name)
            axis.setPen(pg.mkPen(text))
            axis.setTextPen(pg.mkPen(text))
        self.cursor.setPen(pg.mkPen(QColor(text), width=1, style=Qt.PenStyle.DashLine))
        legend_fill = QColor(base)
        legend_fill.setAlpha(220)
        self.legend.setBrush(pg.mkBrush(legend_fill))
        self.legend.setPen(pg.mkPen(palette.color(QPalette.ColorRole.Mid)))
        self.legend.setLabelTextColor(text)

    def changeEvent(self, event) -> None:  # noqa: N802
        from PySide6.QtCore import QEvent
        if event.type() == QEvent.Type.PaletteChange:
            self.apply_palette()
        super().changeEvent(event)

    def export_png(self, path: str) -> None:
        """The chart exactly as drawn on screen (at the screen's pixel ratio: legend, symbols and
        labels keep their proportions), headed by ``title_lines``, without the hover crosshair."""
        cursor_was = self.cursor.isVisible()
        self.cursor.hide()
        try:
            self.render_image().save(path)
        finally:
            self.cursor.setVisible(cursor_was)

    def render_image(self) -> QImage:
        shot = self.plot.grab()
        ratio = shot.devicePixelRatio()
        line = self.fontMetrics().height() + 2
        head = len(self.title_lines) * line + (10 if self.title_lines else 0)
        image = QImage(shot.width(), shot.height() + int(head * ratio), QImage.Format.Format_ARGB32)
        image.fill(self._base())
        painter = QPainter(image)
        painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
        painter.scale(ratio, ratio)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        for i, text in enumerate(self.title_lines):
            font = QFont(self.font())
            font.setBold(i == 0)
            painter.setFont(font)
            painter.drawText(QRectF(8, 4 + i * line, self.plot.width() - 16, line),
                             int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), text)
        painter.drawPixmap(0, head, shot)
        painter.end()
        return image
