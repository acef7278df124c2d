"""Query filters read exactly as events are normalised (issue 8, item 6)."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from eventdesk.core.canonical import timestamp_text
from eventdesk.core.filters import client_filter, metric_filter, time_bound
from eventdesk.core.mappings import Mappings
from eventdesk.core.normalizer import Normalizer, read_metric

UTC = timezone.utc

# (text, --from bound, --to bound): a day alone covers the whole day, an instant is exclusive
BOUNDS = [
    ("2024-01-31", "2024-01-31T00:00:00Z", "2024-02-01T00:00:00Z"),
    (" 2024-01-31 ", "2024-01-31T00:00:00Z", "2024-02-01T00:00:00Z"),
    ("2024-1-5", "2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z"),
    ("2024/01/05", "2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z"),
    ("2024.01.05", "2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z"),
    ("January 1, 2024", "2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z"),
    ("5 January 2024", "2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z"),
    ("Fri, 05 Jan 2024", "2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z"),
    ("05-Jan-2024", "2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z"),
    ("01/02/2024", "2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z"),   # no client: month first
    ("13/01/2024", "2024-01-13T00:00:00Z", "2024-01-14T00:00:00Z"),
    ("1/5/24", "2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z"),
    ("2024-W01-5", "2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z"),
    ("2024-005", "2024-01-05T00:00:00Z", "2024-01-06T00:00:00Z"),
    ("2024-12-31", "2024-12-31T00:00:00Z", "2025-01-01T00:00:00Z"),
    ("2024-02-28", "2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z"),
    # instants, including those at midnight and those ten characters long
    ("1704067200", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
    ("1704153600", "2024-01-02T00:00:00Z", "2024-01-02T00:00:00Z"),
    ("1704067200000", "2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"),
    ("2024-01-31T00:00", "2024-01-31T00:00:00Z", "2024-01-31T00:00:00Z"),
    ("2024-01-31 00:00:00Z", "2024-01-31T00:00:00Z", "2024-01-31T00:00:00Z"),
    ("2024-01-31T00:00:00+01:00", "2024-01-30T23:00:00Z", "2024-01-30T23:00:00Z"),
    ("20240131T0000Z", "2024-01-31T00:00:00Z", "2024-01-31T00:00:00Z"),
    ("Jan 5, 2024 12:00 AM", "2024-01-05T00:00:00Z", "2024-01-05T00:00:00Z"),
    ("1/5/2024 0:00", "2024-01-05T00:00:00Z", "2024-01-05T00:00:00Z"),
    ("Fri Jan  5 00:00:00 2024", "2024-01-05T00:00:00Z", "2024-01-05T00:00:00Z"),
    ("2024-01-05T10:30", "2024-01-05T10:30:00Z", "2024-01-05T10:30:00Z"),
]


@pytest.mark.parametrize("text, start, end", BOUNDS, ids=[b[0] for b in BOUNDS])
def test_a_day_alone_covers_the_whole_day_and_an_instant_is_exclusive(text, start, end):
    assert timestamp_text(time_bound(text)) == start
    assert timestamp_text(time_bound(text, end=True)) == end


@pytest.mark.parametrize("text", ["yesterday-ish", "2024-03", "March 2024", "", "  ", "2024-02-30",
                                  "2024-01-05 10:00 EST", "2024-W01", "x" * 200])
def test_a_bound_that_cannot_be_read_is_refused_with_the_reason(text):
    with pytest.raises(ValueError, match="cannot read the date"):
        time_bound(text, end=True)


def test_no_bound_is_no_bound():
    assert time_bound(None) is None and time_bound(None, end=True) is None


def test_bounds_have_no_client_context_utc_and_month_first():
    assert time_bound("05.01.2024") == datetime(2024, 5, 1, tzinfo=UTC)
    assert time_bound("2024-01-05 10:00") == datetime(2024, 1, 5, 10, tzinfo=UTC)


METRICS = ["sales", "  Page   Views\t", "SALES", "Page\u00a0Views", "a\nb", "Äpfel", "x" * 200, "page views"]


@pytest.mark.parametrize("text", METRICS)
def test_a_metric_filter_is_the_metric_the_normalizer_would_store(text):
    assert metric_filter(text) == read_metric(text)[0]


@given(st.text(max_size=30))
def test_a_metric_filter_matches_the_normalizer_on_any_text(text):
    stored, problem = read_metric(text)
    if problem is None:
        assert metric_filter(text) == stored
    else:
        with pytest.raises(ValueError):
            metric_filter(text)


@pytest.mark.parametrize("text", ["", "   ", "x" * 201])
def test_a_metric_filter_that_no_metric_could_match_is_refused(text):
    with pytest.raises(ValueError, match="metric"):
        metric_filter(text)


@given(st.text(min_size=1, max_size=20).filter(str.strip))
def test_a_client_filter_is_the_client_id_the_normalizer_would_store(source):
    canonical = Normalizer(Mappings.builtin()).canonical(source, {})
    assert client_filter(source) == canonical.client_id


def test_a_client_filter_is_trimmed_only():
    assert client_filter("  client_D \t") == "client_D"
    assert client_filter("Client  D") == "Client  D"
    with pytest.raises(ValueError, match="client"):
        client_filter("   ")
