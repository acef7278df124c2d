"""Where things live: the user data folder, the default store, the shipped resources."""
from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Optional

from eventdesk.store.uri import check_store_uri

APP_NAME = "eventdesk"
STORE_ENV = "EVENTDESK_STORE"


def user_data_dir() -> Path:
    """The per-user data folder of the platform (XDG on Linux)."""
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_NAME


def default_store_uri() -> str:
    """``$EVENTDESK_STORE``, else ``eventdesk.db`` in the user data folder (created on demand).

    A set but empty or unusable ``EVENTDESK_STORE`` is refused (``BadStoreUri``), never ignored.
    """
    configured = os.environ.get(STORE_ENV)
    if configured is not None:
        return check_store_uri(configured, f"the environment variable {STORE_ENV}")
    folder = user_data_dir()
    folder.mkdir(parents=True, exist_ok=True)
    return str(folder / "eventdesk.db")


def resource_path(name: str) -> Optional[Path]:
    """A file under ``resources/``: next to the package in a checkout, or in a frozen bundle."""
    candidates = []
    if os.environ.get("EVENTDESK_RESOURCES"):
        candidates.append(Path(os.environ["EVENTDESK_RESOURCES"]))
    if getattr(sys, "_MEIPASS", None):
        candidates.append(Path(sys._MEIPASS) / "resources")  # type: ignore[attr-defined]
    candidates.append(Path(__file__).resolve().parents[2] / "resources")
    candidates.append(Path(sys.prefix) / "share" / APP_NAME / "resources")
    for folder in candidates:
        if (folder / name).is_file():
            return folder / name
    return None
