"""Mapping pymongo's errors to eventdesk's store errors, and keeping credentials out of messages.

    StoreUnavailable
    ├── (plain)             server unreachable, timed out, authentication refused
    └── TransientConflict   a transaction hit a write conflict or lost its primary: run it again
    StoreCorrupt            the database holds indexes or data eventdesk did not put there
    StoreBug                anything else the server said: a defect of ours

Every message names the store by ``redact(uri)`` and passes driver text through ``scrub`` first.
"""
from __future__ import annotations

import re
from typing import Iterable, Optional
from urllib.parse import unquote

from pymongo.errors import (
    BulkWriteError,
    ConfigurationError,
    ConnectionFailure,
    ExecutionTimeout,
    OperationFailure,
    PyMongoError,
    WTimeoutError,
)

from eventdesk.core.errors import StoreBug, StoreConflict, StoreCorrupt, StoreError, StoreUnavailable
from eventdesk.store.uri import redact, scrub, split_mongo_uri

TRANSIENT = "TransientTransactionError"
UNKNOWN_COMMIT = "UnknownTransactionCommitResult"
DUPLICATE_KEY = 11000
_AUTH_CODES = frozenset({13, 18})           # Unauthorized, AuthenticationFailed
_CONFLICT_CODES = frozenset({112, 251})     # WriteConflict, NoSuchTransaction
_INDEX_CONFLICT_CODES = frozenset({85, 86})  # IndexOptionsConflict, IndexKeySpecsConflict


class TransientConflict(StoreConflict):
    """The transaction was aborted by a conflict the server calls transient: run it again."""


def describe(uri: str, database: str) -> str:
    """How messages name a store: scheme, hosts and database, never credentials."""
    scheme, hosts, _ = split_mongo_uri(uri)
    return f"{scheme}://{hosts}/{database}" if scheme else f"{redact(uri)} (database {database})"


def uri_database(uri: str) -> Optional[str]:
    """The default database a MongoDB URI names in its path, if any."""
    rest = uri.partition("://")[2].split("?", 1)[0]
    path = rest.partition("/")[2]
    return unquote(path) or None


def uri_options(uri: str) -> dict[str, str]:
    """The options (names in lower case) a MongoDB URI sets in its query."""
    query = uri.partition("?")[2].split("#", 1)[0]
    pairs = (part.partition("=") for part in re.split(r"[&;]", query) if part)
    return {name.lower(): unquote(value) for name, _, value in pairs}


def has_label(exc: BaseException, label: str) -> bool:
    check = getattr(exc, "has_error_label", None)
    return bool(check and check(label))


def is_transient(exc: BaseException) -> bool:
    """True for errors after which the whole transaction may simply run again."""
    if has_label(exc, TRANSIENT):
        return True
    if isinstance(exc, BulkWriteError):
        return any(e.get("code") in _CONFLICT_CODES for e in _write_errors(exc))
    return isinstance(exc, OperationFailure) and exc.code in _CONFLICT_CODES


def duplicate_indexes(exc: BulkWriteError) -> tuple[set[int], bool]:
    """Indexes of the bulk operations refused as duplicate keys, and whether any other error occurred."""
    duplicates: set[int] = set()
    other = bool((exc.details or {}).get("writeConcernErrors"))
    for error in _write_errors(exc):
        if error.get("code") == DUPLICATE_KEY:
            duplicates.add(int(error["index"]))
        else:
            other = True
    return duplicates, other


def _write_errors(exc: BulkWriteError) -> Iterable[dict]:
    return (exc.details or {}).get("writeErrors") or []


def translate(exc: BaseException, where: str) -> StoreError:
    """The store error that tells the user what happened to the store ``where`` (redacted)."""
    if isinstance(exc, StoreError):
        return exc
    text = scrub(str(exc)) if str(exc) else type(exc).__name__
    if is_transient(exc):
        return TransientConflict(f"transient conflict on the MongoDB store {where}, retry ({text})")
    if isinstance(exc, ConnectionFailure):
        return StoreUnavailable(f"the MongoDB store {where} cannot be reached; check that the server "
                                f"is running and the address is right ({_reason(text)})")
    if isinstance(exc, (ExecutionTimeout, WTimeoutError)):
        return StoreUnavailable(f"the MongoDB store {where} timed out; try again")
    if isinstance(exc, ConfigurationError):
        return StoreUnavailable(f"the MongoDB address {where} is not usable: {_first_line(text)}")
    if isinstance(exc, OperationFailure):
        return _operation_failure(exc, where, text)
    if isinstance(exc, PyMongoError):
        return StoreBug(f"unexpected MongoDB error on {where}: {text}")
    return StoreBug(f"unexpected error on {where}: {type(exc).__name__}: {text}")


def _operation_failure(exc: OperationFailure, where: str, text: str) -> StoreError:
    if exc.code in _AUTH_CODES:
        return StoreUnavailable(f"authentication failed for the MongoDB store {where}; "
                                "check the user name, password and authSource")
    if exc.code in _INDEX_CONFLICT_CODES:
        return StoreCorrupt(f"the MongoDB store {where} has indexes eventdesk did not create "
                            f"({_first_line(text)})")
    return StoreBug(f"unexpected MongoDB error on {where}: {_first_line(text)}")


def _reason(text: str) -> str:
    """The driver's reason for a connection failure, without its topology dump."""
    reason = re.split(r" \(configured timeouts|, Timeout: |, Topology Description", text, maxsplit=1)[0]
    return _first_line(reason)


def _first_line(text: str) -> str:
    line = text.strip().splitlines()[0] if text.strip() else text
    return line if len(line) <= 300 else line[:297] + "..."
