"""A child ends with its parent without prctl too (issue 8, item 7): the watchdog alone sees the
lifeline pipe close, or the parent process id change, and ends the child."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="kills by pid and reads os.getppid()")

MIDDLE = textwrap.dedent("""
    import os, subprocess, sys, time
    read_fd, write_fd = os.pipe()
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1], str(os.getpid()), str(read_fd)],
                             pass_fds=(read_fd,))
    os.close(read_fd)
    print(child.pid, flush=True)
    time.sleep(120)
""")

CHILD = textwrap.dedent("""
    import os, sys, time
    from multiprocessing.connection import Connection
    from eventdesk.core import parent_watch
    parent_watch._ask_kernel_to_kill_orphan = lambda: None  # as where prctl is missing
    if "{watch}" == "lifeline":
        parent_watch._orphaned = lambda pid: False
        line = Connection(int(sys.argv[2]), writable=False)
    else:
        line = None
    parent_watch.become_child_of(int(sys.argv[1]), line)
    time.sleep(120)
""")


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True


@pytest.mark.parametrize("watch", ["lifeline", "parent id"])
def test_the_watchdog_ends_an_orphaned_child(watch):
    middle = subprocess.Popen([sys.executable, "-c", MIDDLE, CHILD.replace("{watch}", watch)],
                              stdout=subprocess.PIPE, start_new_session=True)
    try:
        child = int(middle.stdout.readline())
        time.sleep(1.0)  # let the child start its watchdog
        assert alive(child)
        os.kill(middle.pid, signal.SIGKILL)
        middle.wait()
        deadline = time.monotonic() + 5
        while alive(child) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not alive(child)
    finally:
        try:
            os.killpg(middle.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        middle.wait()


def test_a_ctrl_c_during_a_deferred_block_is_raised_after_it():
    code = textwrap.dedent("""
        import os, signal
        from eventdesk.core.parent_watch import interrupts_deferred
        try:
            with interrupts_deferred():
                os.kill(os.getpid(), signal.SIGINT)
                print("block finished", flush=True)
        except KeyboardInterrupt:
            print("interrupted after", flush=True)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stdout.splitlines() == ["block finished", "interrupted after"], done


def test_workers_are_forked_only_from_a_process_with_no_other_thread(monkeypatch):
    """Fork copies a lock another thread holds, held for good; a desktop app always has threads."""
    import threading

    from eventdesk.core import parent_watch
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(sys, "platform", "linux")
    assert isinstance(parent_watch.quiet_context(), parent_watch.QuietForkContext)
    monkeypatch.setattr(threading, "active_count", lambda: 2)
    assert isinstance(parent_watch.quiet_context(), parent_watch.QuietSpawnContext)
    monkeypatch.setattr(threading, "active_count", lambda: 1)
    monkeypatch.setattr(sys, "platform", "darwin")
    assert isinstance(parent_watch.quiet_context(), parent_watch.QuietSpawnContext)
