"""The Aggregates tab shows the same numbers as `eventdesk aggregates --json`, charted over dates."""
from __future__ import annotations

import csv
import json
import subprocess
import sys
from datetime import date

import pyqtgraph as pg
import pytest

from eventdesk.gui.models.paged_model import EXACT_ROLE


def cli_rows(store_path, *args):
    out = subprocess.run([sys.executable, "-m", "eventdesk", "aggregates", "--json", "--store", store_path, *args],
                         capture_output=True, text=True, check=True, timeout=120)
    return json.loads(out.stdout)["rows"]


def run_query(qtbot, tab):
    qtbot.waitUntil(lambda: not tab.debounce.pending, timeout=5_000)
    with qtbot.waitSignal(tab.session.busy_changed, timeout=10_000, check_params_cb=lambda n, _l: n == 0):
        tab.refresh()


@pytest.mark.parametrize("bucket", ["month", "week", "none"])
def test_table_equals_the_command_line(qtbot, imported, store_path, bucket):
    window, _truth = imported
    tab = window.aggregates_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.clients.count() == 5, timeout=5_000)
    tab.clients.set_checked(["client_A", "client_D"])
    tab.metrics.set_checked(["sales", "refunds"])
    tab.time_range.set_range(date(2024, 2, 1), date(2024, 6, 30))
    tab.bucket.setCurrentText(bucket)
    run_query(qtbot, tab)
    expected = cli_rows(store_path, "--client", "client_A", "--client", "client_D", "--metric", "sales",
                        "--metric", "refunds", "--from", "2024-02-01", "--to", "2024-06-30", "--bucket", bucket)
    assert expected, "the query should match some events"
    assert [row.to_json() for row in tab.table_model.rows] == expected
    model = tab.table_model
    exact = [[model.index(r, c).data(EXACT_ROLE) for c in (0, 1, 4)] for r in range(model.rowCount())]
    assert exact == [[e["client_id"], e["metric"], e["sum"]] for e in expected]  # what Ctrl+C and CSV take


def test_chart_has_real_dates_a_series_per_client_and_exports(qtbot, imported, store_path, tmp_path):
    window, _truth = imported
    tab = window.aggregates_tab
    window.tabs.setCurrentWidget(tab)
    qtbot.waitUntil(lambda: tab.clients.count() == 5, timeout=5_000)
    tab.clients.set_checked([])
    tab.time_range.set_range(None, None)
    tab.bucket.setCurrentText("month")
    run_query(qtbot, tab)
    assert tab.chart.series_names == ["client_A", "client_B", "client_C", "client_D", "client_E"]
    assert isinstance(tab.chart.plot.getAxis("bottom"), pg.DateAxisItem)
    readout = tab.chart.readout_at(1709251200.0)  # 2024-03-01T00:00:00Z
    assert readout.startswith("2024-03") and "client_A:" in readout
    tab.series_by.setCurrentText("metric")
    assert tab.chart.series_names == ["churn", "refunds", "sales", "signups", "visits"]
    tab.kind.setCurrentText("bars")
    assert tab.chart.series_names == ["churn", "refunds", "sales", "signups", "visits"]

    csv_path, png_path = tmp_path / "agg.csv", tmp_path / "agg.png"
    assert tab.export_csv(str(csv_path)) == len(tab.table_model.rows)
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert rows == [{k: ("" if v is None else str(v)) for k, v in e.items()} for e in cli_rows(store_path, "--bucket", "month")]
    tab.export_png(str(png_path))
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
