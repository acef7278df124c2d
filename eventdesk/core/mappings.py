"""Per-client field mappings (design section 6): loading, validation, lookup.

A mappings document has ``defaults`` and ``clients``; a client's entry overrides the defaults
field by field. ``Mappings.from_json`` refuses an invalid document with a ``MappingsError``
whose message names the entry at fault, e.g. ``clients.client_D.timezone``.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timezone, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from eventdesk.core.errors import MappingsError

CANONICAL_FIELDS = ("metric", "amount", "timestamp")
_ENTRY_KEYS = {"fields", "dayfirst", "decimal_comma", "timezone"}
_TOP_KEYS = {"defaults", "clients", "description"}
#: Zone keys that exist in some tz databases but mean "whatever this machine says".
_MACHINE_ZONES = {"localtime", "posixrules"}

BUILTIN_DEFAULTS: dict[str, Any] = {
    "fields": {
        "metric": ["metric", "value", "type", "event", "kind", "name"],
        "amount": ["amount", "price", "total", "value"],
        "timestamp": ["timestamp", "date", "ts", "time", "created_at"],
    },
    "dayfirst": False,
    "decimal_comma": False,
    "timezone": "UTC",
}


@dataclass(frozen=True)
class ClientMapping:
    """The resolved settings for one client: candidate paths per field and reading habits."""

    fields: dict[str, tuple[tuple[str, ...], ...]]
    dayfirst: bool
    decimal_comma: bool
    timezone: str

    @property
    def zone(self) -> tzinfo:
        return _zone(self.timezone)


def _zone(name: str) -> tzinfo:
    return timezone.utc if name.upper() == "UTC" else ZoneInfo(name)


def _fail(where: str, problem: str) -> MappingsError:
    return MappingsError(f"mappings entry {where}: {problem}")


def _check_entry(entry: Any, where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise _fail(where, "must be an object")
    for key in entry:
        if key not in _ENTRY_KEYS:
            raise _fail(f"{where}.{key}", f"unknown setting (known: {', '.join(sorted(_ENTRY_KEYS))})")
    fields = entry.get("fields", {})
    if not isinstance(fields, dict):
        raise _fail(f"{where}.fields", "must be an object")
    for name, candidates in fields.items():
        if name not in CANONICAL_FIELDS:
            raise _fail(f"{where}.fields.{name}", f"unknown field (known: {', '.join(CANONICAL_FIELDS)})")
        if not isinstance(candidates, list) or not candidates:
            raise _fail(f"{where}.fields.{name}", "must be a non-empty list of field names")
        for i, candidate in enumerate(candidates):
            if not isinstance(candidate, str) or not candidate.strip() or "" in candidate.split("."):
                raise _fail(f"{where}.fields.{name}[{i}]", f"{candidate!r} is not a field name or dotted path")
    for flag in ("dayfirst", "decimal_comma"):
        if flag in entry and not isinstance(entry[flag], bool):
            raise _fail(f"{where}.{flag}", "must be true or false")
    if "timezone" in entry:
        zone = entry["timezone"]
        if not isinstance(zone, str):
            raise _fail(f"{where}.timezone", "must be an IANA time zone name such as Europe/Berlin")
        try:
            if zone in _MACHINE_ZONES:
                raise ValueError(zone)
            _zone(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: e.g. a folder ("Europe")
            raise _fail(f"{where}.timezone", f"{zone!r} is not a known IANA time zone") from None
    return entry


class Mappings:
    """A validated mappings document, resolving each client's mapping once."""

    def __init__(self, document: dict[str, Any]) -> None:
        if not isinstance(document, dict):
            raise MappingsError("mappings must be a JSON object with 'defaults' and 'clients'")
        for key in document:
            if key not in _TOP_KEYS:
                raise _fail(key, "unknown top-level entry (known: clients, defaults, description)")
        defaults = _check_entry(document.get("defaults", {}), "defaults")
        clients = document.get("clients", {})
        if not isinstance(clients, dict):
            raise _fail("clients", "must be an object keyed by client id")
        for client_id, entry in clients.items():
            if not isinstance(client_id, str) or not client_id.strip() or client_id != client_id.strip():
                raise _fail(f"clients.{client_id!r}", "a client id must be non-empty text without "
                            "surrounding blanks (sources are matched trimmed)")
            _check_entry(entry, f"clients.{client_id}")
        if not isinstance(document.get("description", ""), str):
            raise _fail("description", "must be text")
        self.document = document
        self._clients = clients
        # Resolved once: unlisted clients share the defaults, so hostile sources cost nothing.
        self._default_mapping = _resolve(_merge(BUILTIN_DEFAULTS, defaults))
        self._resolved = {client_id: _resolve(_merge(_merge(BUILTIN_DEFAULTS, defaults), entry))
                          for client_id, entry in clients.items()}

    @classmethod
    def from_json(cls, text: str | bytes) -> Mappings:
        if isinstance(text, bytes):
            text = text.removeprefix(b"\xef\xbb\xbf")
        elif text.startswith("\ufeff"):  # one UTF-8 byte order mark, as events may carry
            text = text[1:]
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise MappingsError(f"mappings are not valid JSON: {exc}") from None
        return cls(document)

    @classmethod
    def builtin(cls) -> Mappings:
        return cls({"defaults": BUILTIN_DEFAULTS, "clients": {}})

    def to_json(self) -> str:
        return json.dumps(self.document, indent=2, ensure_ascii=False)

    def for_client(self, client_id: str) -> ClientMapping:
        """The mapping of a client (its source, trimmed); unlisted clients get the defaults."""
        return self._resolved.get(client_id, self._default_mapping)


def _resolve(entry: dict[str, Any]) -> ClientMapping:
    return ClientMapping(
        fields={name: tuple(tuple(c.split(".")) for c in entry["fields"][name])
                for name in CANONICAL_FIELDS},
        dayfirst=entry["dayfirst"], decimal_comma=entry["decimal_comma"],
        timezone=entry["timezone"])


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    merged["fields"] = {**base.get("fields", {}), **override.get("fields", {})}
    for key in ("dayfirst", "decimal_comma", "timezone"):
        if key in override:
            merged[key] = override[key]
    return merged
