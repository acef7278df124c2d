"""The session: the App of the open store, and the thread pool that every store call runs in.

The GUI thread never calls the store. It asks the session to ``run`` a function of the App in
the pool; the result comes back as a callback in the GUI thread, and a failure goes to the
message router. Results computed on a store that has since been replaced are dropped.
"""
from __future__ import annotations

from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, QThreadPool, Signal

from eventdesk.app import App, Settings, build_app, queries, redact
from eventdesk.gui.messages import MessageRouter
from eventdesk.gui.workers import Callback, Job


class Session(QObject):
    """Owns the App of the open store; runs store work in its own QThreadPool."""

    #: The store opened (or re-opened): the App now in use.
    store_opened = Signal(object)
    #: Opening a store failed: (uri as typed, one-line reason). The previous store stays open.
    open_failed = Signal(str, str)
    #: A write finished (submit, import, retry, mappings): tables and statistics may be stale.
    data_changed = Signal()
    #: Work in progress changed: (jobs running or queued, label of the newest one).
    busy_changed = Signal(int, str)
    #: Writes (imports, submissions, retries) started or all ended: read ``writing``.
    writing_changed = Signal()

    def __init__(self, messages: MessageRouter, workers: int = 4, max_attempts: int = 5) -> None:
        super().__init__()
        self.messages = messages
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(max(1, workers))
        # Threads live as long as the window: a store may keep one connection per thread
        # (SQLite does), so threads that come and go would leave connections behind.
        self.pool.setExpiryTimeout(-1)
        self.max_attempts = max_attempts
        self.app: Optional[App] = None
        self.uri: Optional[str] = None
        self.store_options: dict = {}
        self._pending_options: dict = {}
        self._jobs: dict[Job, None] = {}  # in order of starting: the newest names the work
        self._writes = 0
        self._per_app: dict[int, int] = {}
        self._retired: list[App] = []
        self._closed = False
        self._opening: Optional[Job] = None

    # -- opening stores

    def open_store(self, uri: Optional[str], **store_options: Any) -> Job:
        """Open ``uri`` (None: the default store) in the background.

        ``store_options`` go to the adapter (tests pass an in-memory MongoDB client this way).
        """
        settings = Settings(store_uri=uri, max_attempts=self.max_attempts, store_options=store_options)
        self._pending_options = store_options
        shown = redact(uri) if uri else "the default store"
        job = self._start(Job(build_app, settings, label=f"Opening {shown}"),
                          lambda app: self._on_store_built(uri, app),
                          lambda exc: self._on_store_failed(uri, shown, exc), app=None)
        self._opening = job
        return job

    @property
    def opening(self) -> bool:
        return self._opening is not None

    def _on_store_built(self, uri: Optional[str], app: App) -> None:
        old, self.app = self.app, app
        self.uri = uri or queries.store_description(app)
        self.store_options = self._pending_options
        if old is not None:
            self._retired.append(old)
            self._close_idle_apps()
        self.store_opened.emit(app)

    def _on_store_failed(self, uri: Optional[str], shown: str, exc: BaseException) -> None:
        self.messages.report(exc, "Opening the store")
        self.open_failed.emit(uri or "", str(exc))

    # -- running work

    def run(self, fn: Callable[..., Any], *args: Any, doing: str = "", on_result: Callback = None,
            on_error: Callback = None, on_progress: Callback = None, writes: bool = False,
            quiet: bool = False, **kwargs: Any) -> Optional[Job]:
        """Run ``fn(app, *args, **kwargs)`` in the pool; callbacks run in the GUI thread.

        ``doing`` names the work for the status bar and for error messages ("Loading raw events").
        Errors are reported to the message area unless ``quiet``; ``on_error`` is for cleanup.
        """
        app = self.app
        if app is None:
            if not quiet:
                self.messages.warning(f"{doing or 'That'} needs an open store")
            return None
        job = Job(fn, app, *args, label=doing, on_progress=self._guard(app, on_progress), **kwargs)

        def failed(exc: BaseException) -> None:
            if not quiet and not self._closed:
                self.messages.report(exc, doing)
            if on_error is not None and not self._closed:
                on_error(exc)

        return self._start(job, self._guard(app, on_result), failed, app=app, writes=writes)

    def _guard(self, app: App, callback: Callback) -> Callback:
        """The callback, skipped when the store changed or the window closed meanwhile."""
        if callback is None:
            return None

        def guarded(value: Any) -> None:
            if self.app is app and not self._closed:
                callback(value)
        return guarded

    def _start(self, job: Job, on_result: Callback, on_error: Callback, app: Optional[App],
               writes: bool = False) -> Job:
        job.on_result, job.on_error = on_result, on_error
        job.writes, job.app = writes, app  # type: ignore[attr-defined]
        job.done.connect(self._on_job_done)
        self._jobs[job] = None
        if app is not None:
            self._per_app[id(app)] = self._per_app.get(id(app), 0) + 1
        if writes:
            self._writes += 1
            if self._writes == 1:
                self.writing_changed.emit()
        self.busy_changed.emit(len(self._jobs), job.label)
        self.pool.start(job.worker)
        return job

    def _on_job_done(self, job: Job) -> None:
        self._jobs.pop(job, None)
        if job is self._opening:
            self._opening = None
        app = getattr(job, "app", None)
        if app is not None:
            self._per_app[id(app)] -= 1
        if getattr(job, "writes", False):
            self._writes -= 1
            if self._writes == 0:
                self.writing_changed.emit()
            if not self._closed and app is self.app:
                self.data_changed.emit()
        labels = [j.label for j in self._jobs if j.label]
        self.busy_changed.emit(len(self._jobs), labels[-1] if labels else "")
        self._close_idle_apps()

    @property
    def busy(self) -> int:
        return len(self._jobs)

    @property
    def writing(self) -> bool:
        return self._writes > 0

    # -- settings and shutdown

    def set_worker_count(self, count: int) -> None:
        self.pool.setMaxThreadCount(max(1, count))

    def set_max_attempts(self, attempts: int) -> None:
        self.max_attempts = attempts
        if self.app is not None:
            self.app.set_max_attempts(attempts)

    def _close_idle_apps(self) -> None:
        for old in [a for a in self._retired if not self._per_app.get(id(a))]:
            self._retired.remove(old)
            self._per_app.pop(id(old), None)
            old.close()  # no job uses it any more; closing is quick (no network round trip)

    def shutdown(self, timeout_ms: int = 30_000) -> None:
        """Stop taking work, wait for running jobs, close every store."""
        if self._closed:
            return
        self._closed = True
        self.pool.clear()
        self.pool.waitForDone(timeout_ms)
        for app in self._retired + ([self.app] if self.app is not None else []):
            try:
                app.close()
            except Exception:  # noqa: BLE001 - closing on exit must not raise
                pass
        self._retired.clear()
        self._jobs.clear()
