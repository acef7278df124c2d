"""Pure edits of a mappings document as the form sees it: one entry (``defaults`` or a client).

An entry's missing setting means "as the defaults"; the form writes a setting only when it has one.
"""
from __future__ import annotations

import copy
import json
from typing import Any, Optional

from eventdesk.core.mappings import BUILTIN_DEFAULTS, CANONICAL_FIELDS

DEFAULTS = None  #: the entry name of ``defaults`` (a client name is text)


def parse(text: str) -> Optional[dict[str, Any]]:
    """The document, or None when the text is not a JSON object."""
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def entry_of(document: dict[str, Any], client: Optional[str]) -> dict[str, Any]:
    """The entry as written (a copy; {} for a client not listed)."""
    if client is DEFAULTS:
        entry = document.get("defaults", {})
    else:
        clients = document.get("clients", {})
        entry = clients.get(client, {}) if isinstance(clients, dict) else {}
    return copy.deepcopy(entry) if isinstance(entry, dict) else {}


def inherited(document: dict[str, Any], client: Optional[str]) -> dict[str, Any]:
    """What an entry inherits where it says nothing: the document's defaults over the built-in ones."""
    defaults = document.get("defaults", {}) if client is not DEFAULTS else {}
    defaults = defaults if isinstance(defaults, dict) else {}
    fields = defaults.get("fields", {}) if isinstance(defaults.get("fields"), dict) else {}
    merged = {key: defaults.get(key, BUILTIN_DEFAULTS[key]) for key in ("dayfirst", "decimal_comma", "timezone")}
    merged["fields"] = {name: fields.get(name, BUILTIN_DEFAULTS["fields"][name]) for name in CANONICAL_FIELDS}
    return merged


def with_entry(document: dict[str, Any], client: Optional[str], entry: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``document`` with this entry replaced; other entries and key order are kept."""
    result = copy.deepcopy(document)
    if client is DEFAULTS:
        result["defaults"] = entry
    else:
        clients = result.get("clients")
        if not isinstance(clients, dict):
            clients = result["clients"] = {}
        clients[client] = entry
    return result


def text_of(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False)


def same_document(a: str, b: str) -> bool:
    """Whether two texts hold the same mappings (whitespace and key order aside)."""
    first, second = parse(a), parse(b)
    return first is not None and first == second
