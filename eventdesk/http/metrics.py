"""Prometheus metrics of one server: events by outcome and source, reasons by code
(``eventdesk_reasons_total``), raw events by status (read from the store at scrape time),
requests and their latency by route and status code."""
from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

MAX_SOURCES = 1000  # beyond this many distinct sources, more are counted as "_other"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class _RawByStatus:
    def __init__(self, stats: Callable[[], Any]) -> None:
        self._stats = stats

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("eventdesk_raw_events", "Raw events in the store by status", labels=["status"])
        try:
            for status, count in self._stats().by_status.items():
                family.add_metric([status], count)
        except Exception:  # an unreachable store must not break the scrape; /healthz says so
            pass
        yield family


class Metrics:
    def __init__(self, stats: Callable[[], Any]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter("eventdesk_http_requests", "HTTP requests by route and status code",
                                ["route", "code"], registry=self.registry)
        self.latency = Histogram("eventdesk_http_request_seconds", "HTTP request latency by route and status code",
                                 ["route", "code"], registry=self.registry,
                                 buckets=(.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10))
        self.events = Counter("eventdesk_events", "Submitted events by outcome and source",
                              ["outcome", "source"], registry=self.registry)
        # the codes are a fixed set (docs/reasons.md), so the label cannot grow without bound
        self.reasons = Counter("eventdesk_reasons", "Reasons of submitted events (rejections, failures, "
                               "warnings) by code", ["code"], registry=self.registry)
        self.registry.register(_RawByStatus(stats))
        self._sources: set[str] = set()
        self._lock = threading.Lock()
        self._recent: deque[float] = deque()

    def observe_request(self, route: str, code: int, seconds: float) -> None:
        self.requests.labels(route, str(code)).inc()
        self.latency.labels(route, str(code)).observe(seconds)
        now = time.monotonic()
        with self._lock:
            self._recent.append(now)
            while self._recent and self._recent[0] < now - 1.0:
                self._recent.popleft()

    def requests_per_second(self) -> int:
        """Requests finished in the last second (for a status bar)."""
        now = time.monotonic()
        with self._lock:
            while self._recent and self._recent[0] < now - 1.0:
                self._recent.popleft()
            return len(self._recent)

    def observe_event(self, outcome: str, source: Any) -> None:
        label = source if isinstance(source, str) else ""
        with self._lock:
            if label not in self._sources:
                if len(self._sources) >= MAX_SOURCES:
                    label = "_other"
                else:
                    self._sources.add(label)
        self.events.labels(outcome, label).inc()

    def observe_reasons(self, codes: Iterable[str]) -> None:
        for code in codes:
            self.reasons.labels(code).inc()

    def render(self) -> bytes:
        return generate_latest(self.registry)
