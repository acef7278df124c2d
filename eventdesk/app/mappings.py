"""Mappings services: the version in use, the store's newest one, validate and save a new version."""
from __future__ import annotations

from typing import Optional

from eventdesk.app.composition import App
from eventdesk.app.mapping_sources import (
    current_mappings,
    load_mappings_file,
    readable_mappings,
    shipped_mappings,
)
from eventdesk.core.errors import MappingsError
from eventdesk.core.mappings import Mappings

__all__ = ["check_mappings_text", "current_mappings", "in_use", "load_current", "load_mappings_file",
           "readable_mappings", "save_mappings_file", "save_mappings_text", "shipped_mappings"]


def in_use(app: App) -> tuple[int, str]:
    """The version and JSON text of the mappings this App normalises with."""
    return app.mappings_version, app.mappings.to_json()


def load_current(app: App) -> tuple[int, str]:
    """The store's newest mappings (another process may have saved one): (version, JSON text)."""
    current = app.store.current_mappings()
    return current if current is not None else (app.mappings_version, app.mappings.to_json())


def save_mappings_text(app: App, text: str) -> int:
    """Validate ``text`` (``MappingsError`` names the entry at fault) and make it the new version."""
    return app.set_mappings(Mappings.from_json(text))


def save_mappings_file(app: App, path: str) -> int:
    return app.set_mappings(load_mappings_file(path))


def check_mappings_text(text: str) -> Optional[str]:
    """None when ``text`` is valid mappings, else the message naming the entry at fault."""
    try:
        Mappings.from_json(text)
    except MappingsError as exc:
        return str(exc)
    return None
