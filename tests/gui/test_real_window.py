"""The app in a real X window (Xvfb, xcb platform), driven with XTEST key presses (xdotool).

Starts Xvfb on a free display, builds a store with ``eventdesk ingest`` from generated events,
starts ``eventdesk`` on it, visits every tab with Ctrl+1..Ctrl+6 at 1024x700 and 1600x1000,
saves a screenshot of each as realwin-<width>-<tab>.png, and fails on any Qt warning or traceback
the app writes to stderr. Select it with ``-m realwindow``. The screenshots go to the test's temporary
folder, so a test run never changes the checkout; ``make screenshots`` sets EVENTDESK_SCREENSHOTS to
docs/screenshots to refresh the ones in the docs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TABS = ("submit", "raw", "normalized", "aggregates", "statistics", "triage")
SIZES = ((1024, 700), (1600, 1000))
TOOLS = ("Xvfb", "xdotool", "import")
MISSING = [tool for tool in TOOLS if shutil.which(tool) is None]

pytestmark = [
    pytest.mark.realwindow, pytest.mark.slow,
    pytest.mark.skipif(bool(MISSING), reason=f"needs {', '.join(MISSING)} (apt-get install xvfb xdotool "
                                             "imagemagick; scripts/setup.sh installs them)"),
]


def free_display() -> int:
    for number in range(90, 200):
        if not Path(f"/tmp/.X11-unix/X{number}").exists() and not Path(f"/tmp/.X{number}-lock").exists():
            return number
    raise RuntimeError("no free X display number")


def xdotool(display: str, *args: str, timeout: float = 20) -> str:
    done = subprocess.run(["xdotool", *args], check=False, env={**os.environ, "DISPLAY": display}, capture_output=True,
                          text=True, timeout=timeout)
    return done.stdout.strip()


@pytest.fixture
def xserver():
    number = free_display()
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", "1920x1080x24", "-nolisten", "tcp"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 15
    while not Path(f"/tmp/.X11-unix/X{number}").exists():
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"Xvfb :{number} did not start")
        time.sleep(0.1)
    yield f":{number}"
    server.terminate()
    server.wait(10)


@pytest.fixture
def store(tmp_path, generate):
    events, _truth, mappings = generate(3000, seed=12)
    path = tmp_path / "realwin.db"
    subprocess.run([sys.executable, "-m", "eventdesk", "ingest", "--store", str(path),
                    "--mappings", str(mappings), "--workers", "1", str(events)], check=True,
                   capture_output=True, cwd=ROOT)
    return path


def start_app(display: str, store: Path, home: Path) -> subprocess.Popen:
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb", "HOME": str(home),
           "XDG_CONFIG_HOME": str(home / "config"), "XDG_DATA_HOME": str(home / "data"),
           "XDG_RUNTIME_DIR": str(home / "run"), "PYTHONUNBUFFERED": "1"}
    (home / "run").mkdir(mode=0o700, parents=True, exist_ok=True)
    return subprocess.Popen([sys.executable, "-m", "eventdesk", "--store", str(store)], env=env,
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def window_id(display: str, app: subprocess.Popen) -> str:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        found = xdotool(display, "search", "--onlyvisible", "--name", "^eventdesk — ")
        if found:
            return found.splitlines()[0]
        if app.poll() is not None:
            pytest.fail(f"the app exited: {app.communicate()[1]}")
        time.sleep(0.3)
    pytest.fail("the window did not appear within 60 s")


def shoot(display: str, wid: str, path: Path) -> None:
    subprocess.run(["import", "-window", wid, str(path)], env={**os.environ, "DISPLAY": display},
                   check=True, timeout=30)


def test_every_tab_in_a_real_window_at_two_sizes(xserver, store, tmp_path):
    app = start_app(xserver, store, tmp_path / "home")
    try:
        wid = window_id(xserver, app)
        time.sleep(2)  # the store opens and the first pages load
        shots_dir = Path(os.environ.get("EVENTDESK_SCREENSHOTS") or tmp_path / "shots")
        shots_dir.mkdir(parents=True, exist_ok=True)
        shots = []
        for width, height in SIZES:
            xdotool(xserver, "windowsize", "--sync", wid, str(width), str(height))
            xdotool(xserver, "windowfocus", "--sync", wid)
            geometry = xdotool(xserver, "getwindowgeometry", wid)
            assert f"{width}x{height}" in geometry, geometry
            for number, tab in enumerate(TABS, start=1):
                xdotool(xserver, "key", "--window", "0", f"ctrl+{number}")
                time.sleep(1.5)
                path = shots_dir / f"realwin-{width}-{tab}.png"
                shoot(xserver, wid, path)
                shots.append(path.read_bytes())
                geometry = xdotool(xserver, "getwindowgeometry", wid)
                assert f"{width}x{height}" in geometry, f"the {tab} tab resized the window: {geometry}"
        assert len(set(shots)) == len(shots), "two tabs looked the same: a key press did not switch tabs"
        xdotool(xserver, "key", "--window", "0", "ctrl+q")
        _out, err = app.communicate(timeout=30)
    finally:
        if app.poll() is None:
            app.kill()
            app.communicate()
    assert app.returncode == 0, err
    problems = [line for line in err.splitlines() if line.strip()]
    assert not problems, "the app wrote warnings or tracebacks:\n" + err
