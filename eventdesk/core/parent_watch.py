"""Child processes that end with their parent, however it ends, and leave Ctrl-C to it.

A worker that outlives a ``kill -9`` of its parent would parse on for minutes, unseen. So a
child asks Linux to kill it when its parent dies (``prctl(PR_SET_PDEATHSIG)``) and, where that
is missing, a watchdog thread ends it when the parent's lifeline pipe closes or its parent
process id changes. Children start with SIGINT blocked and then ignore it: a terminal's Ctrl-C
reaches the whole process group, and only the parent should answer it, with one line.
"""
from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import multiprocessing.context
import os
import signal
import sys
import threading
from multiprocessing.connection import Connection
from typing import Iterator, Optional

PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.5
EXIT_ORPHANED = 1


@contextlib.contextmanager
def sigint_blocked() -> Iterator[None]:
    """SIGINT held back in this thread; a process started meanwhile inherits the mask."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


@contextlib.contextmanager
def interrupts_deferred() -> Iterator[None]:
    """A Ctrl-C during the block is raised after it, e.g. once a started worker is registered
    for shutdown (main thread only: elsewhere Python never raises KeyboardInterrupt)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: caught.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous if previous is not None else signal.SIG_DFL)
        if caught and callable(previous):
            previous(signal.SIGINT, None)  # the default handler raises KeyboardInterrupt here
        elif caught and previous == signal.SIG_DFL:
            raise KeyboardInterrupt


class _QuietStart:
    """A process that cannot get a Ctrl-C before it has chosen to ignore it."""

    def start(self) -> None:
        with sigint_blocked():
            super().start()  # type: ignore[misc]


class QuietSpawnProcess(_QuietStart, multiprocessing.context.SpawnProcess):
    pass


class QuietSpawnContext(multiprocessing.context.SpawnContext):
    Process = QuietSpawnProcess


def quiet_spawn_context() -> multiprocessing.context.SpawnContext:
    return QuietSpawnContext()


class QuietForkProcess(_QuietStart, multiprocessing.context.ForkProcess):
    pass


class QuietForkContext(multiprocessing.context.ForkContext):
    Process = QuietForkProcess


def quiet_context() -> multiprocessing.context.BaseContext:
    """Fork where that is safe, else spawn. A forked child starts in milliseconds with every
    module already imported; a spawned one imports them again (~0.3 s). Fork is safe only from
    a process with no other thread (a lock held by one would stay held in the child for good:
    a desktop app always has threads), and only on Linux (macOS frameworks break in a child)."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return QuietForkContext()
    return QuietSpawnContext()


def lifeline() -> tuple[Connection, Connection]:
    """(end for the children, end the parent keeps open): the children see EOF when it dies."""
    return multiprocessing.Pipe(duplex=False)


def become_child_of(parent_pid: int, line: Optional[Connection]) -> None:
    """Call first thing in a child: it ignores Ctrl-C and ends when ``parent_pid`` does."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(signal, "pthread_sigmask"):
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    _ask_kernel_to_kill_orphan()
    if _orphaned(parent_pid):  # the parent died before the kernel was asked
        os._exit(EXIT_ORPHANED)
    threading.Thread(target=_watch, args=(parent_pid, line), name="eventdesk-parent-watch",
                     daemon=True).start()


def _ask_kernel_to_kill_orphan() -> None:
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # the watchdog still ends this process


def _orphaned(parent_pid: int) -> bool:
    return os.name == "posix" and os.getppid() != parent_pid


def _watch(parent_pid: int, line: Optional[Connection]) -> None:
    while True:
        if line is not None and line.poll(POLL_SECONDS):
            try:
                line.recv_bytes()
            except (EOFError, OSError):
                os._exit(EXIT_ORPHANED)
        elif line is None:
            threading.Event().wait(POLL_SECONDS)
        if _orphaned(parent_pid):
            os._exit(EXIT_ORPHANED)
