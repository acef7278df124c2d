"""Where a ``MappingsError`` points: its message names the entry (``clients.client_D.timezone``).

``entry_at_fault`` splits the name against the document (a client id may itself hold dots), and
``line_of`` finds the line of that entry in the JSON text so the editor can mark it.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Optional

_PREFIX = "mappings entry "


@dataclass(frozen=True)
class EntryAtFault:
    """The entry a message names: ``client`` (None: defaults or top level) and the setting path."""

    keys: tuple[str, ...]             # the JSON keys from the top, e.g. ("clients", "client_D", "timezone")
    client: Optional[str] = None      # the client, when the entry is in one
    in_defaults: bool = False
    setting: Optional[str] = None     # "timezone", "dayfirst", "decimal_comma", "fields", "fields.amount"

    @property
    def field(self) -> Optional[str]:
        """The canonical field of a ``fields.<name>`` setting."""
        if self.setting and self.setting.startswith("fields."):
            return self.setting.split(".", 1)[1]
        return None


def entry_at_fault(message: str, document: Optional[dict[str, Any]]) -> Optional[EntryAtFault]:
    """The entry ``message`` names, or None when it names none (e.g. not JSON at all)."""
    if not message.startswith(_PREFIX) or ":" not in message:
        return None
    name = message[len(_PREFIX):].split(": ", 1)[0]
    name = re.sub(r"\[\d+\]$", "", name)  # a candidate's index: the list holds it
    if name == "defaults" or name.startswith("defaults."):
        setting = name[len("defaults."):] or None
        return EntryAtFault(("defaults", *_setting_keys(setting)), None, True, setting)
    if name.startswith("clients."):
        client, setting = _split_client(name[len("clients."):], document)
        keys = ("clients", client, *_setting_keys(setting)) if client is not None else ("clients",)
        return EntryAtFault(keys, client, False, setting)
    return EntryAtFault((name,))


def _split_client(rest: str, document: Optional[dict[str, Any]]) -> tuple[Optional[str], Optional[str]]:
    clients = document.get("clients") if isinstance(document, dict) else None
    names = sorted((c for c in clients if isinstance(c, str)), key=len, reverse=True) \
        if isinstance(clients, dict) else []
    for client in names:  # longest first: "a.b" before "a"
        if rest == client:
            return client, None
        if rest.startswith(client + "."):
            return client, rest[len(client) + 1:]
    return None, None  # e.g. "clients.'  x '": the id itself is at fault, not one we can find


def _setting_keys(setting: Optional[str]) -> tuple[str, ...]:
    return tuple(setting.split(".", 1)) if setting else ()


def line_of(text: str, keys: tuple[str, ...]) -> Optional[int]:
    """The 1-based line of the last of ``keys``, each looked for after the one before."""
    position, found = 0, None
    for key in keys:
        match = re.compile(re.escape(json.dumps(key, ensure_ascii=False)) + r"\s*:").search(text, position)
        if match is None:
            match = re.compile(re.escape(json.dumps(key)) + r"\s*:").search(text, position)
        if match is None:
            break
        position, found = match.end(), match.start()
    return None if found is None else text.count("\n", 0, found) + 1
