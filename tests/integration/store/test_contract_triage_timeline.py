"""Issue 13.6: each triage group's events per hour of receipt (the sparkline), on every store."""
from __future__ import annotations

import json

from eventdesk.app import queries
from eventdesk.core.faults import FaultPoint
from eventdesk.core.triage import TriageGroup, timeline


def event(client="client_B", **payload):
    return json.dumps({"source": client, "payload": payload})


def submit_at(app, when: str, text: str, fault=None):
    app.processor.clock = lambda: when
    return app.submit(text, fault)


def by_key(groups):
    return {(g.code, g.client_id, g.field): g for g in groups}


def test_hours_count_each_event_once_and_add_up_to_the_count(app):
    # same hour twice, an hour later, two days later; " client_D " and "client_D" merge
    submit_at(app, "2024-03-01T10:05:00.000000Z", event("client_D", event="s", betrag="x1", zeit="05.01.2024"))
    submit_at(app, "2024-03-01T10:59:59.999999Z", event(" client_D ", event="s", betrag="x2", zeit="05.01.2024"))
    submit_at(app, "2024-03-01T11:00:00.000000Z", event("client_D", event="s", betrag="x3", zeit="05.01.2024"))
    submit_at(app, "2024-03-03T23:00:00.000000Z", event("client_D", event="s", betrag="x4", zeit="05.01.2024"))
    submit_at(app, "2024-03-01T10:00:00.000000Z", "{bad")
    submit_at(app, "2024-03-01T12:00:00.000000Z", "{bad 2")
    submit_at(app, "2024-03-02T09:00:00.000000Z", event(metric="z", amount="9", timestamp="2024-05-05"),
              FaultPoint.MID_TRANSACTION)
    groups = by_key(queries.triage(app))
    amount = groups[("amount.unparseable", "client_D", "amount")]
    assert amount.hourly == {"2024-03-01T10": 2, "2024-03-01T11": 1, "2024-03-03T23": 1}
    assert groups[("json.invalid", None, None)].hourly == {"2024-03-01T10": 1, "2024-03-01T12": 1}
    assert groups[("simulated.mid_transaction", "client_B", None)].hourly == {"2024-03-02T09": 1}
    assert all(sum(g.hourly.values()) == g.count for g in groups.values())
    # a span over 48 hours is drawn per day, every day present
    assert timeline(amount).to_json() == {"unit": "day", "start": "2024-03-01T00:00:00Z", "counts": [3, 0, 1]}
    invalid = timeline(groups[("json.invalid", None, None)]).to_json()
    assert invalid == {"unit": "hour", "start": "2024-03-01T10:00:00Z", "counts": [1, 0, 1]}


def test_filters_keep_the_hours_of_their_own_events(app):
    submit_at(app, "2024-03-01T10:00:00.000000Z", event("client_B", metric="m", amount="oops", timestamp="2024-01-01"))
    submit_at(app, "2024-03-01T13:00:00.000000Z", event("client_X", metric="m", amount="oops", timestamp="2024-01-01"))
    (only_c,) = [g for g in queries.triage(app, "normalized", "client_X") if g.code == "amount.unparseable"]
    assert only_c.hourly == {"2024-03-01T13": 1}
    assert queries.triage(app, "rejected") == []


def test_json_adds_the_timeline_and_keeps_every_field(app):
    submit_at(app, "2024-03-01T10:00:00.000000Z", "{bad")
    (group,) = queries.triage(app)
    body = group.to_json()
    assert list(body) == ["code", "client_id", "field", "count", "first_seen", "last_seen", "sample_raw_ids",
                          "timeline"]
    assert body["timeline"] == {"unit": "hour", "start": "2024-03-01T10:00:00Z", "counts": [1]}


def test_timeline_boundaries():
    def group(hourly):
        return TriageGroup("c", None, None, sum(hourly.values()), "", "", [], hourly)
    assert timeline(group({})).to_json() == {"unit": "hour", "start": None, "counts": []}
    # 47 hours apart: still hourly (48 buckets); 48 hours apart: daily
    assert timeline(group({"2024-02-28T00": 1, "2024-02-29T23": 2})).counts == (1,) + (0,) * 46 + (2,)
    daily = timeline(group({"2024-02-28T00": 1, "2024-03-01T00": 2}))
    assert (daily.unit, daily.counts) == ("day", (1, 1 - 1, 2))  # 2024 is a leap year: Feb 29 is empty
