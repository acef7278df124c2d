"""Schema version of a MongoDB store (design section 11): one document in ``meta``.

    {_id: "schema", version: 2}

    1  the layout of the first builds (also databases written before the version document)
    2  raw and normalized documents may hold ``reasons`` and normalized ones ``mapping_version``;
       the upgrade from 1 writes nothing to the events: an absent field reads as no reasons and
       an unknown mappings version (None), which is exactly what an older event has

A database of a newer version is refused before anything is written.
"""
from __future__ import annotations

from typing import Any, Optional

from eventdesk.core.ports import StoreVersionError

META = "meta"
SCHEMA_VERSION = 2
_ID = "schema"


def stored_version(db: Any) -> Optional[int]:
    doc = db[META].find_one({"_id": _ID})
    if doc is None:
        return None
    version = doc.get("version")
    if isinstance(version, bool) or not isinstance(version, int):
        raise StoreVersionError(f"the store's schema version {version!r} cannot be read")
    return version


def check(db: Any, where: str) -> Optional[int]:
    """The stored version; refuses a newer one with one line."""
    version = stored_version(db)
    if version is not None and version > SCHEMA_VERSION:
        raise StoreVersionError(
            f"the store {where} was written by a newer eventdesk (schema version {version}; this "
            f"one knows up to {SCHEMA_VERSION}); it was not changed: upgrade eventdesk to use it")
    return version


def upgrade(db: Any, version: int) -> None:
    """Bring the documents from ``version`` to the current layout (1 -> 2: nothing to write)."""


def record(db: Any, version: Optional[int]) -> None:
    """Write the current version (after the indexes exist), upgrading an older database first."""
    if version is not None and version < SCHEMA_VERSION:
        upgrade(db, version)
    if version != SCHEMA_VERSION:
        db[META].update_one({"_id": _ID}, {"$set": {"version": SCHEMA_VERSION}}, upsert=True)
