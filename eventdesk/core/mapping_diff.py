"""What changed between two mappings documents: clients added, removed, changed, per setting.

Pure: compares the documents as written (a client entry's ``fields.amount``, ``dayfirst`` ...,
and the ``defaults``), for ``mappings --history``. A setting is named by its dotted path.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional


@dataclass(frozen=True)
class MappingDiff:
    clients_added: list[str] = field(default_factory=list)
    clients_removed: list[str] = field(default_factory=list)
    clients_changed: dict[str, list[str]] = field(default_factory=dict)  # client -> settings changed
    defaults_changed: list[str] = field(default_factory=list)
    other_changed: list[str] = field(default_factory=list)  # top-level keys besides the two

    @property
    def empty(self) -> bool:
        return not (self.clients_added or self.clients_removed or self.clients_changed
                    or self.defaults_changed or self.other_changed)

    def to_json(self) -> dict[str, Any]:
        return {"clients_added": self.clients_added, "clients_removed": self.clients_removed,
                "clients_changed": self.clients_changed, "defaults_changed": self.defaults_changed,
                "other_changed": self.other_changed}

    def summary(self) -> str:
        """One line for a history listing."""
        if self.empty:
            return "no change"
        parts = []
        if self.defaults_changed:
            parts.append("defaults: " + ", ".join(self.defaults_changed))
        if self.clients_added:
            parts.append("clients added: " + ", ".join(self.clients_added))
        if self.clients_removed:
            parts.append("clients removed: " + ", ".join(self.clients_removed))
        if self.clients_changed:
            parts.append("clients changed: " + ", ".join(
                f"{client} ({', '.join(keys)})" for client, keys in self.clients_changed.items()))
        if self.other_changed:
            parts.append("changed: " + ", ".join(self.other_changed))
        return "; ".join(parts)


def mapping_diff(old: Optional[dict[str, Any]], new: dict[str, Any]) -> MappingDiff:
    """The changes from ``old`` (None: nothing before, every client is added) to ``new``."""
    before = old or {}
    old_clients, new_clients = _clients(before), _clients(new)
    changed = {}
    for client in sorted(set(old_clients) & set(new_clients)):
        keys = _changed_settings(old_clients[client], new_clients[client])
        if keys:
            changed[client] = keys
    defaults = (_changed_settings(_object(before.get("defaults")), _object(new.get("defaults")))
                if old is not None else [])
    tops = (set(before) | set(new)) - {"clients", "defaults"}
    others = sorted(k for k in tops if old is not None and before.get(k) != new.get(k))
    return MappingDiff(sorted(set(new_clients) - set(old_clients)), sorted(set(old_clients) - set(new_clients)),
                       changed, defaults, others)


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _clients(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: _object(entry) for name, entry in _object(document.get("clients")).items()}


def _changed_settings(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Dotted names of the settings whose value differs (``fields.amount``, ``timezone``)."""
    names = []
    for key in sorted(set(old) | set(new)):
        if key == "fields":
            old_fields, new_fields = _object(old.get(key)), _object(new.get(key))
            names += [f"fields.{f}" for f in sorted(set(old_fields) | set(new_fields))
                      if old_fields.get(f) != new_fields.get(f)]
        elif old.get(key) != new.get(key):
            names.append(key)
    return names
