"""Where mappings come from: a file, the shipped default, the store's current version."""
from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Optional

from eventdesk.app.paths import resource_path
from eventdesk.core.errors import MappingsError
from eventdesk.core.mappings import Mappings
from eventdesk.core.ports import MappingsStore
from eventdesk.core.processor import utc_now_text

SHIPPED_MAPPINGS = "mappings.json"
_FALLBACK_MAPPINGS = {  # used only when resources/ is missing from an installation
    "clients": {"client_A": {"fields": {"metric": ["value", "metric"], "amount": ["price", "amount"],
                                        "timestamp": ["date", "timestamp"]}}}}


def load_mappings_file(path: str | Path) -> Mappings:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else exc
        raise MappingsError(f"cannot read mappings file {path}: {reason}") from None
    return Mappings.from_json(text)


def shipped_mappings() -> Mappings:
    path = resource_path(SHIPPED_MAPPINGS)
    return load_mappings_file(path) if path else Mappings(_FALLBACK_MAPPINGS)


def current_mappings(store: MappingsStore, mappings_file: Optional[str]) -> tuple[Mappings, int]:
    """The mappings to use: a given file (saved as a new version when it differs), else the
    store's current version, seeded from the shipped file on first use."""
    stored = store.current_mappings()
    if mappings_file is not None:
        mappings = load_mappings_file(mappings_file)
        if stored is not None and _same(stored[1], mappings):
            return mappings, stored[0]
        return mappings, store.save_mappings(mappings.to_json(), utc_now_text(), os_user(),
                                             f"from {mappings_file}")
    if stored is not None:
        return Mappings.from_json(stored[1]), stored[0]
    mappings = shipped_mappings()
    return mappings, store.save_mappings(mappings.to_json(), utc_now_text(), os_user(),
                                         "the shipped mappings")


def os_user() -> Optional[str]:
    """Who is saving, for the mappings history; None when the system cannot say."""
    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return None


def readable_mappings(store: MappingsStore, mappings_file: Optional[str]) -> tuple[Mappings, int]:
    """The mappings ``current_mappings`` would use, without saving anything (version 0: unsaved)."""
    stored = store.current_mappings()
    if mappings_file is not None:
        mappings = load_mappings_file(mappings_file)
        return mappings, stored[0] if stored is not None and _same(stored[1], mappings) else 0
    if stored is not None:
        return Mappings.from_json(stored[1]), stored[0]
    return shipped_mappings(), 0


def _same(text: str, mappings: Mappings) -> bool:
    try:
        return json.loads(text) == mappings.document
    except ValueError:
        return False
