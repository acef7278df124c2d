"""GUI test fixtures: an isolated QSettings, a window over a fresh store, a big store.

Qt's offscreen platform warns "This plugin does not support propagateSizeHints()" whenever a
main window is shown; that one message (and only it) is ignored here so that every other Qt
warning still fails the test.
"""
from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication, QSettings

from eventdesk.app import Settings, build_app
from eventdesk.gui.main_window import MainWindow
from eventdesk.gui.preferences import Preferences
from eventdesk.http.server import BackgroundServer

GUI_DIR = Path(__file__).parent
BIG_STORE_EVENTS = 200_250  # a few inputs repeat each other: at least 200,000 raw events


def pytest_collection_modifyitems(config, items):
    for item in items:
        if GUI_DIR in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints"))


@pytest.fixture(autouse=True)
def isolated_settings(qapp, tmp_path, monkeypatch):
    """QSettings (and the user data folder: the admin token) of the tests live in a temporary
    folder, never in the user's own."""
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    QCoreApplication.setOrganizationName("eventdesk-tests")
    QCoreApplication.setApplicationName("eventdesk-tests")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "settings"))
    yield


@pytest.fixture
def prefs(tmp_path):
    return Preferences(QSettings(str(tmp_path / "prefs.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def store_path(tmp_path):
    return str(tmp_path / "events.db")


@pytest.fixture
def idle(qtbot):
    """idle(window): wait until no background job of the window is running or queued, and no
    table is about to refresh after a write."""
    def settled(window):
        waiting = [t.refresh_later.pending for t in (window.raw_tab, window.normalized_tab)]
        return window.session.busy == 0 and not any(waiting)

    def wait(window, timeout=20_000):
        qtbot.waitUntil(lambda: settled(window), timeout=timeout)
    return wait


@pytest.fixture
def open_window(qtbot, prefs, idle):
    """open_window(uri): a shown main window whose store has opened."""
    def make(uri, size=(1400, 900)):
        window = MainWindow(prefs, server_factory=BackgroundServer)  # as `eventdesk` starts it
        qtbot.addWidget(window)
        window.resize(*size)
        with qtbot.waitSignal(window.session.store_opened, timeout=20_000):
            window.open_store(uri)
        window.show()
        qtbot.waitExposed(window)
        idle(window)
        return window
    return make


@pytest.fixture
def window(open_window, store_path):
    """The main window over a fresh, empty SQLite store."""
    return open_window(store_path)


def _generator() -> Path:
    """The generator tests/conftest.py's ``generate`` runs: shared/bench, else tests/data."""
    root = Path(__file__).resolve().parents[2]
    shared = root.parent / "shared" / "bench" / "gen_events.py"
    return shared if shared.is_file() else root / "tests" / "data" / "gen_events.py"


def _store_fingerprint(generator: Path) -> str:
    """Changes with the SQLite schema or the generator, so that a cached store is rebuilt.

    (The paging tests need 200k rows of the current file format, not the engine's latest
    normalisation rules, so engine changes elsewhere do not force a rebuild.)
    """
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for path in (root / "eventdesk" / "store" / "sqlite" / "schema.py", generator):
        digest.update(path.read_bytes() if path.is_file() else b"")
    return digest.hexdigest()[:16]


@pytest.fixture(scope="session")
def big_store(generate, request, tmp_path_factory):
    """A store of 200,000 raw events (no exact duplicates), built once and cached by pytest.

    Building costs the engine's ingest time; the file is kept in pytest's cache folder,
    keyed by the engine's source, and copied for each session.
    """
    cache = getattr(request.config, "cache", None)  # None with -p no:cacheprovider
    cache_dir = Path(cache.mkdir("eventdesk-gui-big-store")) if cache else tmp_path_factory.mktemp("big-cache")
    cached = cache_dir / f"big-{BIG_STORE_EVENTS}-{_store_fingerprint(_generator())}.db"
    if not cached.exists():
        for old in cache_dir.glob("big-*.db*"):
            old.unlink()
        events, _truth, mappings = generate(BIG_STORE_EVENTS, seed=11, exact_dup_rate=0.0)
        building = cache_dir / "building.db"
        for leftover in cache_dir.glob("building.db*"):
            leftover.unlink()
        app = build_app(Settings(store_uri=str(building), mappings_file=str(mappings)))
        preparer = app.parallel_preparer(os.cpu_count() or 2) if hasattr(app, "parallel_preparer") else None
        try:
            with open(events, "rb") as stream:
                app.ingest(stream, batch_size=10_000, **({"preparer": preparer} if preparer else {}))
        finally:
            if preparer is not None:
                preparer.close()
            app.close()
        building.rename(cached)
    copy = tmp_path_factory.mktemp("big") / "big.db"
    shutil.copyfile(cached, copy)
    return str(copy)


@pytest.fixture
def load_all(qtbot):
    """load_all(model): fetch every page of a paged model (as scrolling to the end would)."""
    def fetch(model, timeout=20_000):
        qtbot.waitUntil(lambda: not model.loading, timeout=timeout)
        while model.canFetchMore():
            model.fetchMore()
            qtbot.waitUntil(lambda: not model.loading, timeout=timeout)
        return list(model.rows)
    return fetch


@pytest.fixture
def imported(qtbot, window, generate, idle):
    """The window after importing 3,000 generated events through File › Import."""
    events, truth, _mappings = generate(3000, seed=5)
    run = window.start_import(str(events))
    with qtbot.waitSignal(run.finished, timeout=60_000) as blocker:
        pass
    assert blocker.args[0].lines == 3000
    idle(window)
    return window, truth


def pytest_configure(config):
    config.addinivalue_line("markers", "realwindow: drives the app in a real X window (Xvfb, xdotool)")
