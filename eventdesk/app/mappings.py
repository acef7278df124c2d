"""Mappings services: the version in use, the store's newest one, validate and save a new version;
the history of versions with what each changed, one version's document, and rollback."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Optional

from eventdesk.app.composition import App
from eventdesk.app.errors import UsageError
from eventdesk.app.mapping_sources import (
    current_mappings,
    load_mappings_file,
    readable_mappings,
    shipped_mappings,
)
from eventdesk.core.errors import MappingsError
from eventdesk.core.mapping_diff import MappingDiff, mapping_diff
from eventdesk.core.mappings import Mappings
from eventdesk.core.ports import MappingVersion

__all__ = ["VersionEntry", "check_mappings_text", "current_mappings", "history", "in_use", "rollback",
           "show_version", "load_current", "load_mappings_file",
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


# -- versions


@dataclass(frozen=True)
class VersionEntry:
    """One line of the history: a saved version and what it changed against the one before."""

    saved: MappingVersion
    current: bool
    changes: MappingDiff

    def to_json(self) -> dict[str, Any]:
        return {"version": self.saved.version, "saved_at": self.saved.saved_at,
                "saved_by": self.saved.saved_by, "current": self.current,
                "changes": self.changes.summary(), "note": self.saved.note}


def history(app: App) -> list[VersionEntry]:
    """Every saved version, oldest first, each with its changes against the previous one."""
    versions = app.store.mappings_history()
    newest = versions[-1].version if versions else None
    entries, before = [], None
    for saved in versions:
        document = _document(saved.text)
        entries.append(VersionEntry(saved, saved.version == newest, mapping_diff(before, document)))
        before = document
    return entries


def show_version(app: App, version: int) -> str:
    """The JSON document of ``version`` exactly as saved; UsageError when there is none."""
    return _saved(app, version).text


def rollback(app: App, version: int) -> int:
    """A new version whose content is that of ``version`` (history is append-only); its number."""
    saved = _saved(app, version)
    return app.set_mappings(Mappings.from_json(saved.text), text=saved.text, note=f"rollback to {version}")


def _saved(app: App, version: int) -> MappingVersion:
    saved = app.store.mappings_version(version)
    if saved is None:
        known = [v.version for v in app.store.mappings_history()]
        span = f"versions are 1 to {known[-1]}" if known else "no version is saved yet"
        raise UsageError(f"there is no mappings version {version} ({span})")
    return saved


def _document(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
