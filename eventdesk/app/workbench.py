"""The mappings workbench services: explain one event with a draft, preview a draft against history.

Every front end uses these (GUI, CLI ``eventdesk mappings --preview``). Nothing here writes: a
draft is only read and compared; saving it is ``mappings.save_mappings_text``. See docs/workbench.md.

Which history a preview reads: the raw events of the client (every source that trims to it),
received in [time_from, time_to), newest first, ``limit`` of them, with status ``normalized``
or ``duplicate``, the ones a renormalize would recompute. ``rejected`` input cannot change with
mappings (intake does not read them), and ``failed``/``dead_letter`` events have no stored form
to compare with: a retry normalizes them with whatever mappings are current then.
"""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from eventdesk.app.composition import App
from eventdesk.app.errors import UsageError
from eventdesk.core.filters import client_filter, time_bound
from eventdesk.core.mappings import Mappings
from eventdesk.core.model import RawEvent, Status
from eventdesk.core.normalizer import client_id_of
from eventdesk.core.preview import HistoryItem, Preview, canonical_of, preview
from eventdesk.core.provenance import Explanation, explain
from eventdesk.core.queries import Page, RawQuery

__all__ = ["Explanation", "Preview", "explain_event", "latest_raw", "preview_draft"]

PREVIEW_STATUSES = (Status.NORMALIZED.value, Status.DUPLICATE.value)
MAX_LIMIT = 100_000  # events per preview: a larger sample is a renormalize dry run's job
_PAGE = 1000


def explain_event(app: App, draft_text: str, raw_text: str | bytes) -> Explanation:
    """How ``raw_text`` is normalized with the draft mappings; MappingsError names the entry at fault."""
    return explain(Mappings.from_json(draft_text), raw_text)


def latest_raw(app: App, client: str) -> Optional[RawEvent]:
    """The client's newest raw event (any status), None when it has none."""
    newest = _client_raws(app, _client(client), RawQuery(), 1)
    return newest[0] if newest else None


def preview_draft(app: App, draft_text: str, client: Optional[str] = None, limit: int = 500,
                  time_from: Optional[str] = None, time_to: Optional[str] = None, examples: int = 50) -> Preview:
    """What the draft would change in the client's last ``limit`` normalized or duplicate events."""
    draft = Mappings.from_json(draft_text)
    if not 1 <= limit <= MAX_LIMIT:
        raise UsageError(f"the preview limit must be 1 to {MAX_LIMIT}, not {limit}")
    if examples < 0:
        raise UsageError(f"the number of examples cannot be negative ({examples})")
    start, end = _bound(time_from), _bound(time_to, end=True)
    if start is not None and end is not None and end <= start:
        raise UsageError("the end of the time range must be later than its start")
    query = RawQuery(statuses=PREVIEW_STATUSES, received_from=start, received_to=end)
    raws = _client_raws(app, _client(client) if client is not None else None, query, limit)
    return preview(draft, [_history_item(app, raw) for raw in raws], app.store.normalized_holders, examples)


def _client(text: str) -> str:
    try:
        return client_filter(text)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _bound(text: Optional[str], end: bool = False) -> Optional[datetime]:
    try:
        return time_bound(text, end=end)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _client_raws(app: App, client_id: Optional[str], query: RawQuery, limit: int) -> list[RawEvent]:
    """The newest ``limit`` raw events matching ``query`` of every source that trims to ``client_id``."""
    if client_id is None:
        return _newest(app, query, limit)
    sources = [s for s in app.store.distinct_values("source") if client_id_of(s) == client_id]
    found: list[RawEvent] = []
    for source in sources:  # " client_D " and "client_D" are one client
        found += _newest(app, RawQuery(query.statuses, source, query.text, query.received_from,
                                       query.received_to, query.has_warnings), limit)
    found.sort(key=lambda raw: raw.id, reverse=True)  # type: ignore[arg-type, return-value]
    return found[:limit]


def _newest(app: App, query: RawQuery, limit: int) -> list[RawEvent]:
    rows: list[RawEvent] = []
    after = None
    while len(rows) < limit:
        size = min(_PAGE, limit - len(rows))
        page = app.store.query_raw(query, Page("id", True, after, size))
        rows += page
        if len(page) < size:
            break
        after = (page[-1].id, page[-1].id)
    return rows


def _history_item(app: App, raw: RawEvent) -> HistoryItem:
    duplicate = raw.status == Status.DUPLICATE.value
    held = raw.duplicate_of if duplicate else raw.normalized_id
    stored = app.store.get_normalized(held) if held is not None else app.store.normalized_for_raw(raw.id)
    if stored is None:
        return HistoryItem(raw.id, raw.text, duplicate, None, None)
    return HistoryItem(raw.id, raw.text, duplicate, canonical_of(stored), stored.normalized_hash)
