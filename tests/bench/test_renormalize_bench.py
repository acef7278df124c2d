"""Issue 13: the renormalize benchmark on a tiny generated file (a smoke run of the real CLI path)."""
from __future__ import annotations

from eventdesk.bench import measures, renormalize_bench
from eventdesk.bench.report import Report


def ingested(tmp_path, lines=3000):
    data = measures.generate(tmp_path, "tiny", lines, seed=2)
    store = tmp_path / "tiny.db"
    renormalize_bench._cli("ingest", str(data.events), "--mappings", str(data.mappings), "--store", str(store))
    return data, store


def test_reports_the_rate_against_half_the_ingest_rate_and_checks_the_truth(tmp_path):
    data, store = ingested(tmp_path)
    report = Report()
    report.bulk_rate = 30_000.0  # as bulk_ingest leaves it
    renormalize_bench.run(report, data, store)
    (row,) = [r for r in report.rows if r.name.startswith("renormalize")]
    assert row.unit == "events/s" and row.goal == 15_000 and row.value > 0
    assert report.checks and report.all_correct(), report.checks
    assert [name for name, _, _ in report.checks] == ["renormalize changed a real share of events",
                                                      "renormalized store equals a fresh ingest with the new mappings"]


def test_the_truth_check_sees_a_store_that_was_not_renormalized(tmp_path):
    """Negative control: before renormalize the store differs from a fresh ingest with new mappings."""
    data, store = ingested(tmp_path)
    mappings = renormalize_bench.new_mappings(data, tmp_path)
    fresh = tmp_path / "fresh.db"
    renormalize_bench._cli("ingest", str(data.events), "--mappings", str(mappings), "--store", str(fresh))
    wrong = renormalize_bench.differences(renormalize_bench.store_figures(fresh), renormalize_bench.store_figures(store))
    assert "aggregates" in wrong and "by_day" in wrong


def test_the_reference_is_the_bulk_rate_else_the_last_ingest_row():
    report = Report()
    assert renormalize_bench.reference_rate(report) is None
    report.add("ingest 1,000 lines, end to end", 12_000.0, "events/s", 50_000)
    assert renormalize_bench.reference_rate(report) == 12_000.0
    report.bulk_rate = 20_000.0
    assert renormalize_bench.reference_rate(report) == 20_000.0
