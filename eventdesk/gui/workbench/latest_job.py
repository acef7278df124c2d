"""One background computation at a time, the latest request winning (typing makes many).

While a job runs, a new request waits; when the job ends only the newest waiting one starts, and
a result whose request was superseded is dropped. Errors go to ``on_error`` (the pane says it).
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from eventdesk.gui.session import Session


class LatestJob:
    def __init__(self, session: Session, doing: str, on_result: Callable[[Any], None],
                 on_error: Callable[[BaseException], None]) -> None:
        self.session, self.doing = session, doing
        self.on_result, self.on_error = on_result, on_error
        self._running = False
        self._waiting: Optional[tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]] = None
        self.requests = self.results = 0

    @property
    def busy(self) -> bool:
        return self._running or self._waiting is not None

    def request(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        self.requests += 1
        self._waiting = (fn, args, kwargs)
        if not self._running:
            self._start_waiting()

    def _start_waiting(self) -> None:
        if self._waiting is None:
            return
        fn, args, kwargs = self._waiting
        self._waiting = None
        number = self.requests
        job = self.session.run(fn, *args, doing=self.doing, quiet=True,
                               on_result=lambda value: self._on_done(number, value, None),
                               on_error=lambda exc: self._on_done(number, None, exc), **kwargs)
        self._running = job is not None

    def _on_done(self, number: int, value: Any, error: Optional[BaseException]) -> None:
        self._running = False
        if number == self.requests:  # the newest request: show it
            self.results += 1
            if error is not None:
                self.on_error(error)
            else:
                self.on_result(value)
        self._start_waiting()
