"""The admin token of a store, as ``eventdesk serve`` creates it, for a front end that shows it.

``serve`` creates an admin token on a store without tokens and writes it to ``admin-token`` in
the user data folder (readable only by the user); the desktop app's listener does the same and
reads it back so that the user can copy it.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from eventdesk.app.composition import App
from eventdesk.app.http_state import HttpState
from eventdesk.app.paths import user_data_dir

TOKEN_FILE = "admin-token"


@dataclass(frozen=True)
class AdminToken:
    token: Optional[str]   # None: no usable token in the file (see ``why``)
    path: Path
    created: bool          # made just now, on a store without tokens
    why: str = ""          # why ``token`` is None, in words


def admin_token(app: App, folder: Optional[Path] = None) -> AdminToken:
    """Create the admin token on a store without tokens (as serve does); read it from its file,
    and give it only when it is a live token of this store."""
    folder = folder if folder is not None else user_data_dir()
    path = folder / TOKEN_FILE
    state = HttpState.of(app)
    try:
        created = state.tokens.ensure_admin(folder) is not None
        try:
            token = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return AdminToken(None, path, created, f"{path} does not exist; make a token with "
                                                   "`eventdesk tokens add NAME`")
        if not token or state.tokens.authenticate(token) is None:
            return AdminToken(None, path, created, f"the token in {path} is not a live token of this store; "
                                                   "make one with `eventdesk tokens add NAME`")
        return AdminToken(token, path, created)
    finally:
        state.close()
