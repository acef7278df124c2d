"""What a DRAFT mappings would change in past events, before it is saved (docs/workbench.md).

Pure: the caller hands over a sample of stored events (``HistoryItem``: the raw text, its stored
normalized form, whether it is a semantic duplicate) and a lookup of the store's existing
normalized hashes. Each event is normalized with the draft exactly as ingest and renormalize do
(``fastjson.read_envelope_fast`` then ``Normalizer.prepare``) and compared with its stored form.

How a draft's semantic duplicates are judged (the state a renormalize of the sample would end in):

- the sample is taken in raw-id order; events with equal draft hashes form a group;
- a group whose hash the store already holds for an event OUTSIDE the sample: all of it is
  duplicate (that event keeps its form, as events outside the sample are not re-normalized);
- otherwise one event of the group holds the hash and the rest are its duplicates; the holder is
  the event that already holds that very hash (renormalize leaves it in place), else the lowest
  raw id.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable, Optional, Sequence

from eventdesk.core.fastjson import read_envelope_fast
from eventdesk.core.mappings import Mappings
from eventdesk.core.model import Canonical, EventId, NormalizedEvent
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.provenance import canonical_to_json

KINDS = ("fixed", "broken", "amount", "timestamp", "metric", "became_duplicate", "stopped_duplicate")
_FIELDS = ("metric", "amount", "timestamp")
#: normalized hashes -> (normalized id, raw id) of the stored events holding them (EventReads.normalized_holders)
Holders = Callable[[Sequence[str]], dict[str, tuple[EventId, EventId]]]


@dataclass(frozen=True)
class HistoryItem:
    """A stored raw event (``normalized`` or ``duplicate``) and the normalized form it counts as."""

    raw_id: EventId
    text: str | bytes
    duplicate: bool                 # stored as a semantic duplicate
    before: Optional[Canonical]     # its own normalized form, or the one it duplicates
    before_hash: Optional[str]      # that form's normalized hash


@dataclass(frozen=True)
class PreviewExample:
    raw_id: EventId
    kinds: tuple[str, ...]          # subset of KINDS, in KINDS order; () when unchanged
    before: Optional[Canonical]     # the stored normalized form (None when it had none)
    after: Optional[Canonical]      # with the draft
    duplicate_before: bool = False
    duplicate_after: bool = False
    warnings_changed: bool = False  # same fields, other warnings (counted as changed)

    def to_json(self) -> dict[str, Any]:
        return {"raw_id": self.raw_id, "kinds": list(self.kinds),
                "before": None if self.before is None else canonical_to_json(self.before),
                "after": None if self.after is None else canonical_to_json(self.after),
                "duplicate_before": self.duplicate_before, "duplicate_after": self.duplicate_after,
                "warnings_changed": self.warnings_changed}


@dataclass(frozen=True)
class Preview:
    examined: int
    unchanged: int
    changed: int
    fixed: int
    broken: int
    amount_changed: int
    timestamp_changed: int
    metric_changed: int
    became_duplicate: int
    stopped_duplicate: int
    examples: tuple[PreviewExample, ...]   # at most `examples` of them, changes first, each kind represented

    def to_json(self) -> dict[str, Any]:
        counts = {name: getattr(self, name) for name in COUNT_NAMES}
        return {**counts, "examples": [e.to_json() for e in self.examples]}


COUNT_NAMES = ("examined", "unchanged", "changed", "fixed", "broken", "amount_changed", "timestamp_changed",
               "metric_changed", "became_duplicate", "stopped_duplicate")
_COUNT_OF_KIND = {"fixed": "fixed", "broken": "broken", "amount": "amount_changed",
                  "timestamp": "timestamp_changed", "metric": "metric_changed",
                  "became_duplicate": "became_duplicate", "stopped_duplicate": "stopped_duplicate"}


def preview(draft: Mappings, items: Sequence[HistoryItem], holders: Holders, examples: int = 50) -> Preview:
    """Compare each item's stored form with the draft's; ``examples`` at most, changes first."""
    ordered = sorted(items, key=lambda item: item.raw_id)  # type: ignore[arg-type, return-value]
    normalizer = Normalizer(draft)
    afters = []
    for item in ordered:
        prepared = normalizer.prepare(read_envelope_fast(item.text))
        afters.append((prepared.canonical, prepared.normalized_hash))
    duplicates = _duplicates_after(ordered, [h for _, h in afters], holders)
    found = [_example(item, after, dup) for item, (after, _), dup in zip(ordered, afters, duplicates)]
    counts = dict.fromkeys(COUNT_NAMES, 0)
    counts["examined"] = len(found)
    for example in found:
        counts["changed" if example.kinds or example.warnings_changed else "unchanged"] += 1
        for kind in example.kinds:
            counts[_COUNT_OF_KIND[kind]] += 1
    return Preview(**counts, examples=_pick(found, examples))


def _duplicates_after(items: Sequence[HistoryItem], hashes: Sequence[Optional[str]], holders: Holders) -> list[bool]:
    """Per item, whether it would be a semantic duplicate with the draft: renormalize's own rules
    played over the sample in raw-id order (``core/renormalize.py``). An event whose form changes
    hands the hash it held to its first duplicate, or frees it; its new hash is then its own
    where nobody holds it, else it becomes the holder's duplicate. Hashes held by events outside
    the sample stay theirs; heirs are looked for in the sample only."""
    in_sample = {item.raw_id for item in items}
    wanted = sorted({h for h in hashes if h is not None} | {i.before_hash for i in items if i.before_hash})
    outside = {h for h, (_nid, raw_id) in holders(wanted).items() if raw_id not in in_sample} if wanted else set()
    holds: dict[str, object] = {h: "outside" for h in outside}
    current = [item.before_hash for item in items]
    duplicate = [item.duplicate for item in items]
    heirs: dict[str, list[int]] = {}
    for index, item in enumerate(items):
        if item.before_hash is None:
            continue
        if item.duplicate:
            heirs.setdefault(item.before_hash, []).append(index)  # in raw-id order already
        else:
            holds[item.before_hash] = index

    def take(index: int, digest: str) -> None:
        current[index] = digest
        if digest in holds:
            duplicate[index] = True
            heirs.setdefault(digest, []).append(index)
            heirs[digest].sort()
        else:
            duplicate[index] = False
            holds[digest] = index

    for index, digest in enumerate(hashes):
        old = current[index]
        if digest is None or digest == old:
            continue
        if old is not None and not duplicate[index]:
            waiting = heirs.get(old)
            if waiting:
                heir = waiting.pop(0)
                duplicate[heir] = False
                holds[old] = heir
            else:
                holds.pop(old, None)
        elif old is not None and index in heirs.get(old, []):
            heirs[old].remove(index)
        take(index, digest)
    return [digest is not None and duplicate[index] for index, digest in enumerate(hashes)]


def _example(item: HistoryItem, after: Optional[Canonical], duplicate_after: bool) -> PreviewExample:
    before_values, after_values = _values(item.before), _values(after)
    kinds = []
    if any(b is None and a is not None for b, a in zip(before_values, after_values)):
        kinds.append("fixed")
    if any(b is not None and a is None for b, a in zip(before_values, after_values)):
        kinds.append("broken")
    for name, b, a in zip(_FIELDS, before_values, after_values):
        if b != a:
            kinds.append(name)
    if duplicate_after and not item.duplicate:
        kinds.append("became_duplicate")
    if item.duplicate and not duplicate_after:
        kinds.append("stopped_duplicate")
    ordered = tuple(kind for kind in KINDS if kind in kinds)
    # a duplicate's stored warnings are its holder's, not its own: only an own form's are compared
    warnings_changed = (not item.duplicate and item.before is not None and after is not None
                        and tuple(map(str, item.before.warnings)) != tuple(map(str, after.warnings)))
    return PreviewExample(item.raw_id, ordered, item.before, after, item.duplicate, duplicate_after,
                          warnings_changed)


def _values(canonical: Optional[Canonical]) -> tuple[Optional[str], ...]:
    if canonical is None:
        return (None, None, None)
    return tuple(canonical_to_json(canonical)[name] for name in _FIELDS)


def _pick(found: Sequence[PreviewExample], limit: int) -> tuple[PreviewExample, ...]:
    """One example of each kind first (in KINDS order), then other changes, then unchanged ones."""
    if limit <= 0:
        return ()
    chosen: list[int] = []
    for kind in KINDS:
        if not any(kind in found[i].kinds for i in chosen):
            first = next((i for i, e in enumerate(found) if kind in e.kinds and i not in chosen), None)
            if first is not None:
                chosen.append(first)
    rest = [i for i, e in enumerate(found) if i not in chosen and (e.kinds or e.warnings_changed)]
    rest += [i for i, e in enumerate(found) if not (e.kinds or e.warnings_changed)]
    return tuple(found[i] for i in (chosen + rest)[:limit])


def canonical_of(normalized: NormalizedEvent) -> Canonical:
    """A stored normalized event as a canonical form (amount and timestamp read back exactly)."""
    amount = None if normalized.amount is None else Decimal(normalized.amount)
    moment = None if normalized.timestamp is None else datetime.fromisoformat(
        normalized.timestamp.replace("Z", "+00:00"))
    return Canonical(normalized.client_id, normalized.metric, amount, moment, tuple(normalized.warnings),
                     tuple(normalized.reasons))
