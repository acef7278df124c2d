"""Starting the desktop application: ``run(store_uri) -> exit status`` (``eventdesk`` with no
command calls it)."""
from __future__ import annotations

import logging
import signal
import sys
from pathlib import Path
from typing import Any, Callable, Optional

from PySide6.QtCore import QStandardPaths, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from eventdesk.app.paths import resource_path

ORGANIZATION = APPLICATION = "eventdesk"


def _log_to_file() -> None:
    """Defects of ours go to eventdesk.log in the app data folder (never to the user's screen)."""
    folder = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(folder / "eventdesk.log", encoding="utf-8")
    except OSError:
        return
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.getLogger("eventdesk").addHandler(handler)


def make_application(argv: Optional[list[str]] = None) -> QApplication:
    """The QApplication with eventdesk's names (they choose where QSettings are kept)."""
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv[:1])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setDesktopFileName("eventdesk")  # matches packaging/eventdesk.desktop
    icon = resource_path("eventdesk.png")
    if icon is not None:
        app.setWindowIcon(QIcon(str(icon)))
    import pyqtgraph as pg
    pg.setConfigOptions(antialias=True)
    return app  # type: ignore[return-value]


def run(store_uri: Optional[str] = None, server_factory: Optional[Callable[..., Any]] = None) -> int:
    """Open the window on ``store_uri`` (else the last store, else the default) and run.

    ``server_factory`` (the CLI passes ``eventdesk.http.server.BackgroundServer``) lets the
    window listen for clients."""
    app = make_application()
    _log_to_file()
    from eventdesk.gui.main_window import MainWindow
    from eventdesk.gui.preferences import Preferences

    prefs = Preferences()
    window = MainWindow(prefs, server_factory=server_factory)
    window.open_store(store_uri or prefs.last_store)
    window.show()
    _close_on_ctrl_c(app)
    return app.exec()


def _close_on_ctrl_c(app: QApplication) -> None:
    """Ctrl+C in the terminal closes the window properly (layout saved, imports stopped at a
    batch boundary). Python handles signals only while it runs, hence the idle timer."""
    signal.signal(signal.SIGINT, lambda *_args: app.closeAllWindows())
    timer = QTimer(app, interval=250)
    timer.timeout.connect(lambda: None)
    timer.start()
