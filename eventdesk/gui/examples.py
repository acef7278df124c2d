"""Ready-made events for the Submit tab: the seed's client_A example and one per sample client
(the formats of ``shared/bench/gen_events.py``), plus inputs that are meant to be rejected."""
from __future__ import annotations

import json

SEED_EXAMPLE = '{"source":"client_A","payload":{"value":"sales","price":"1200","date":"2024/01/01"}}'

_EVENTS: list[tuple[str, object]] = [
    ("client_A: the seed's example", json.loads(SEED_EXAMPLE)),
    ("client_A: same fact, other format (semantic duplicate)",
     {"source": "client_A", "payload": {"metric": "Sales", "amount": 1200, "timestamp": "2024-01-01T00:00:00Z"}}),
    ("client_B: ISO time, number amount",
     {"source": "client_B", "payload": {"metric": "refunds", "amount": 1200.5, "timestamp": "2024-01-05T10:00:00Z"}}),
    ("client_C: thousands separator, epoch seconds",
     {"source": "client_C", "payload": {"type": " Visits ", "total": "1,200.50", "ts": 1704448800}}),
    ("client_D: decimal comma, day first, Berlin time",
     {"source": "client_D", "payload": {"event": "SIGNUPS", "betrag": "1.200,50 EUR", "zeit": "05.01.2024 10:00"}}),
    ("client_E: nested amount, currency, month name",
     {"source": "client_E", "payload": {"kind": "churn", "data": {"value": "$1,200.50"},
                                        "created_at": "Jan 5, 2024 10:00 AM", "session": 4711}}),
    ("client_B: unreadable date (normalized with a warning)",
     {"source": "client_B", "payload": {"metric": "sales", "amount": "12.50", "timestamp": "2024-02-30"}}),
    ("seed: simulateFailure field (fails mid-transaction)",
     {"source": "client_A", "payload": {"value": "sales", "price": "99", "date": "2024/03/01"},
      "simulateFailure": True}),
    ("rejected: missing source", {"payload": {"metric": "sales", "amount": 5}}),
    ("rejected: payload is not an object", {"source": "client_B", "payload": "metric=sales;amount=5"}),
]

#: (menu label, editor text) for each example, pretty-printed.
EXAMPLES: list[tuple[str, str]] = [(label, json.dumps(event, indent=2, ensure_ascii=False))
                                   for label, event in _EVENTS]
EXAMPLES.append(("rejected: not JSON at all", '{"source": "client_A", "payload": {"value": "sales",'))
