"""What the window remembers between runs (QSettings): stores, filters, layout, settings.

Tests pass a ``QSettings`` on a temporary INI file so they never touch the user's settings.
"""
from __future__ import annotations

import json
from typing import Any, Optional

from PySide6.QtCore import QByteArray, QSettings

from eventdesk.app import redact

MAX_RECENT = 8
DEFAULT_WORKERS = 4
DEFAULT_MAX_ATTEMPTS = 5


class Preferences:
    """Typed access to the application's QSettings."""

    def __init__(self, settings: Optional[QSettings] = None) -> None:
        self.settings = settings if settings is not None else QSettings()

    # -- stores
    @property
    def last_store(self) -> Optional[str]:
        value = self.settings.value("stores/last")
        return str(value) if value else None

    def remember_store(self, uri: str) -> None:
        """Remember a store (MongoDB credentials are dropped: they are never written to disk)."""
        uri = redact(uri)
        self.settings.setValue("stores/last", uri)
        recent = [uri] + [u for u in self.recent_stores if u != uri]
        self.settings.setValue("stores/recent", json.dumps(recent[:MAX_RECENT]))

    @property
    def recent_stores(self) -> list[str]:
        return [str(u) for u in self._json("stores/recent", [])]

    def clear_recent_stores(self) -> None:
        self.settings.setValue("stores/recent", "[]")

    # -- settings dialog
    @property
    def worker_count(self) -> int:
        return self._int("settings/workers", DEFAULT_WORKERS, 1, 64)

    @worker_count.setter
    def worker_count(self, value: int) -> None:
        self.settings.setValue("settings/workers", int(value))

    @property
    def max_attempts(self) -> int:
        return self._int("settings/max_attempts", DEFAULT_MAX_ATTEMPTS, 1, 1000)

    @max_attempts.setter
    def max_attempts(self, value: int) -> None:
        self.settings.setValue("settings/max_attempts", int(value))

    @property
    def listen_host(self) -> str:
        return str(self.settings.value("listener/host", "127.0.0.1") or "127.0.0.1")

    @listen_host.setter
    def listen_host(self, value: str) -> None:
        self.settings.setValue("listener/host", value.strip() or "127.0.0.1")

    @property
    def listen_port(self) -> int:
        return self._int("listener/port", 5000, 0, 65535)

    @listen_port.setter
    def listen_port(self, value: int) -> None:
        self.settings.setValue("listener/port", int(value))

    # -- per-tab filters and window layout
    def filters(self, name: str) -> dict[str, Any]:
        value = self._json(f"filters/{name}", {})
        return value if isinstance(value, dict) else {}

    def save_filters(self, name: str, values: dict[str, Any]) -> None:
        self.settings.setValue(f"filters/{name}", json.dumps(values))

    def window_state(self, key: str) -> Optional[QByteArray]:
        value = self.settings.value(f"window/{key}")
        return value if isinstance(value, QByteArray) else None

    def save_window_state(self, key: str, value: QByteArray) -> None:
        self.settings.setValue(f"window/{key}", value)

    def value(self, key: str, default: Any = None) -> Any:
        return self.settings.value(key, default)

    def set_value(self, key: str, value: Any) -> None:
        self.settings.setValue(key, value)

    def sync(self) -> None:
        self.settings.sync()

    # -- helpers
    def _json(self, key: str, default: Any) -> Any:
        text = self.settings.value(key)
        if not text:
            return default
        try:
            return json.loads(str(text))
        except ValueError:
            return default

    def _int(self, key: str, default: int, low: int, high: int) -> int:
        try:
            value = int(self.settings.value(key, default))
        except (TypeError, ValueError):
            return default
        return min(max(value, low), high)
