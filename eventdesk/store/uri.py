"""Checking a store URI before anything is opened (design section 8).

A URI that names nothing (``sqlite:///``, an empty value), an in-memory database (it would
acknowledge events and then lose them), a folder, or a scheme we do not support is refused
with one line that says what is wrong; it never falls back to memory or to the default store.
"""
from __future__ import annotations

import os
import re

from eventdesk.core.errors import BadStoreUri

MONGO_SCHEMES = ("mongodb://", "mongodb+srv://")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*)://")  # without "//", "a:b.db" is a file name
_HINT = "give a file path, sqlite:///path/to/file.db or mongodb://host/database"


def check_store_uri(uri: str, origin: str = "the store") -> str:
    """``uri`` unchanged when it names a store we can open; ``BadStoreUri`` saying why otherwise.

    ``origin`` says where the value came from (``--store``, ``EVENTDESK_STORE``).
    """
    if not uri.strip():
        raise BadStoreUri(f"{origin} is empty: {_HINT}")
    problem = _problem(uri)
    if problem:
        raise BadStoreUri(f"{origin} {redact(uri)!r} {problem}")
    return uri


def _problem(uri: str) -> str | None:
    lowered = uri.lower()
    if lowered.startswith(MONGO_SCHEMES):
        return _mongo_problem(uri)
    if lowered.startswith(("mongodb:", "mongodb+srv:")):
        return "is not a MongoDB URI: write mongodb://host[:port]/database"
    if lowered.startswith("file:"):
        return "is a file: URI, which is not supported: give the path itself or sqlite:///path"
    if lowered.startswith("sqlite:"):
        if not lowered.startswith("sqlite://"):
            return "is not a SQLite URI: write sqlite:///path/to/file.db"
        path = sqlite_path(uri)
        if not path:
            return "has no path after sqlite:///: write sqlite:///path/to/file.db"
        return _path_problem(path)
    match = _SCHEME.match(uri)
    if match:
        scheme = match.group(1).lower()
        return f"uses the scheme {scheme!r}, which is not supported: {_HINT}"
    return _path_problem(uri)


def _path_problem(path: str) -> str | None:
    if path == ":memory:" or path.lower().startswith("file:"):
        return ("names an in-memory database, which would lose every event when the command ends: "
                "give a file path")
    if os.path.isdir(path):
        return "is a folder, not a store file: give the path of a file in it, e.g. .../eventdesk.db"
    return None


def _mongo_problem(uri: str) -> str | None:
    rest = uri.split("://", 1)[1]
    hosts = rest.split("/", 1)[0].split("?", 1)[0].rsplit("@", 1)[-1]
    if not hosts.strip(" ,"):
        return "names no host: write mongodb://host[:port]/database"
    return None


def sqlite_path(uri: str) -> str:
    """The file path of a SQLite URI or plain path (``sqlite:///rel``, ``sqlite:////abs``)."""
    lowered = uri.lower()
    if lowered.startswith("sqlite:///"):
        return uri[len("sqlite:///"):]
    if lowered.startswith("sqlite://"):
        return uri[len("sqlite://"):]
    return uri


# -- the one redaction: how every message and screen names a store, never with credentials

_USERINFO = re.compile(r"[^\s/@,]+:[^\s/@]*@")


def redact(uri: str) -> str:
    """A store URI fit for messages and the screen: a MongoDB URI without user name, password
    and options (``mongodb://host:port/db``); a file path or ``sqlite://`` URI unchanged (it
    holds no credentials); any other URI without its ``user:password@``."""
    lowered = uri.lower()
    if lowered.startswith("sqlite:") or not _SCHEME.match(uri):
        return uri
    if not lowered.startswith(MONGO_SCHEMES):
        return scrub(uri)
    scheme, hosts, path = split_mongo_uri(uri)
    return f"{scheme}://{hosts}/{path}"


def split_mongo_uri(uri: str) -> tuple[str, str, str]:
    """(scheme, hosts, path) of a MongoDB URI, without user info, options or fragment."""
    scheme, sep, rest = uri.partition("://")
    if not sep:
        return "", "", ""
    rest = rest.split("?", 1)[0].split("#", 1)[0]
    hosts, _, path = rest.partition("/")
    return scheme, hosts.rpartition("@")[2], path


def scrub(text: str) -> str:
    """Driver text with any ``user:password@`` cut out."""
    return _USERINFO.sub("***@", text)
