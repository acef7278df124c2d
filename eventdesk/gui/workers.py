"""Background work: a QRunnable with a separate signals QObject (superqt's pattern).

A ``Worker`` runs one function in the thread pool and reports through ``WorkerSignals``.
It never shows anything: an exception becomes the ``errored`` signal, and the session routes
it to the message area (``messages.MessageRouter``), the one place users read about errors.

Callbacks given to ``Job`` run in the GUI thread: the signals are connected to slots of a
``Job`` QObject created there, so Qt queues them across threads whatever the callback is.
"""
from __future__ import annotations

import traceback
from typing import Any, Callable, Optional

from PySide6.QtCore import QObject, QRunnable, Signal, Slot


class WorkerSignals(QObject):
    """What a worker tells the GUI thread."""

    #: The function started running in a pool thread.
    started = Signal()
    #: The function returned this value.
    result = Signal(object)
    #: The function raised this exception (its ``__traceback__`` is kept for the log).
    errored = Signal(object)
    #: The worker is done, after ``result`` or ``errored``.
    finished = Signal()
    #: Progress reports, whatever the function passes to its ``progress`` callback.
    progress = Signal(object)


class Worker(QRunnable):
    """Runs ``fn(*args, **kwargs)`` in a pool thread and emits its outcome."""

    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.setAutoDelete(False)  # Python keeps it (and its signals) alive until ``finished``
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self.signals = WorkerSignals()

    def run(self) -> None:
        self.signals.started.emit()
        try:
            value = self.fn(*self.args, **self.kwargs)
        except BaseException as exc:  # noqa: BLE001 - every failure must reach the GUI as a signal
            exc.gui_traceback = traceback.format_exc()  # type: ignore[attr-defined]
            self.signals.errored.emit(exc)
        else:
            self.signals.result.emit(value)
        finally:
            self.signals.finished.emit()


Callback = Optional[Callable[[Any], None]]


class Job(QObject):
    """One piece of background work seen from the GUI thread.

    Created in the GUI thread; its slots receive the worker's signals (queued) and call the
    callbacks there. ``done`` fires last, after the callbacks, whatever the outcome.
    """

    #: Emitted in the GUI thread when the job has finished (result or error delivered).
    done = Signal(object)

    def __init__(self, fn: Callable[..., Any], *args: Any, label: str = "",
                 on_result: Callback = None, on_error: Callback = None,
                 on_progress: Callback = None, **kwargs: Any) -> None:
        super().__init__()
        self.label = label
        self.on_result, self.on_error, self.on_progress = on_result, on_error, on_progress
        self.error: Optional[BaseException] = None
        if on_progress is not None:
            kwargs["progress"] = self._emit_progress
        self.worker = Worker(fn, *args, **kwargs)
        signals = self.worker.signals
        signals.result.connect(self._on_worker_result)
        signals.errored.connect(self._on_worker_errored)
        signals.progress.connect(self._on_worker_progress)
        signals.finished.connect(self._on_worker_finished)

    def _emit_progress(self, value: Any) -> None:  # called in the pool thread
        self.worker.signals.progress.emit(value)

    @Slot(object)
    def _on_worker_result(self, value: Any) -> None:
        if self.on_result is not None:
            self.on_result(value)

    @Slot(object)
    def _on_worker_errored(self, exc: BaseException) -> None:
        self.error = exc
        if self.on_error is not None:
            self.on_error(exc)

    @Slot(object)
    def _on_worker_progress(self, value: Any) -> None:
        if self.on_progress is not None:
            self.on_progress(value)

    @Slot()
    def _on_worker_finished(self) -> None:
        self.done.emit(self)
