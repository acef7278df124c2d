"""core.preview: what a draft mappings would change in stored events, counted and exemplified."""
from __future__ import annotations

import copy
import json

from eventdesk.core.fastjson import read_envelope_fast
from eventdesk.core.mappings import Mappings
from eventdesk.core.normalizer import Normalizer
from eventdesk.core.preview import KINDS, HistoryItem, preview


class History:
    """Events ingested one by one with ``mappings``, deduplicated as the store's unique index does."""

    def __init__(self, mappings: Mappings, texts: list[str], first_id: int = 1) -> None:
        normalizer, self.held, self.items = Normalizer(mappings), {}, []
        for raw_id, text in enumerate(texts, start=first_id):
            prepared = normalizer.prepare(read_envelope_fast(text))
            digest = prepared.normalized_hash
            duplicate = digest in self.held
            if not duplicate:
                self.held[digest] = (1000 + raw_id, raw_id, prepared.canonical)
            self.items.append(HistoryItem(raw_id, text, duplicate, self.held[digest][2], digest))

    def holders(self, hashes):
        return {h: self.held[h][:2] for h in hashes if h in self.held}


def ev(client, **payload):
    return json.dumps({"source": client, "payload": payload})


def draft(base: dict, client: str, **entry) -> Mappings:
    document = copy.deepcopy(base)
    document["clients"].setdefault(client, {}).update(entry)
    return Mappings(document)


D1 = ev("client_D", event="sales", betrag="1.200,50 EUR", zeit="05.01.2024 10:00")
D2 = ev("client_D", event="Sales", betrag="1200,5", zeit="2024-01-05T10:00:00+01:00")  # the same fact
D3 = ev("client_D", event="visits", betrag="7", zeit="06.01.2024 10:00")


def test_the_same_mappings_change_nothing(gen_events):
    mappings = Mappings(gen_events.MAPPINGS)
    history = History(mappings, [D1, D2, D3])
    result = preview(mappings, history.items, history.holders)
    assert (result.examined, result.unchanged, result.changed) == (3, 3, 0)
    assert all(e.kinds == () for e in result.examples) and len(result.examples) == 3
    json.dumps(result.to_json())


def test_a_wrong_decimal_mark_breaks_amounts(gen_events):
    history = History(Mappings(gen_events.MAPPINGS), [D1, D2, D3])
    result = preview(draft(gen_events.MAPPINGS, "client_D", decimal_comma=False), history.items, history.holders)
    # "1.200,50 EUR" and "1200,5" no longer read; "7" does; D2 was D1's duplicate and is no more
    assert (result.broken, result.amount_changed, result.fixed, result.changed) == (2, 2, 0, 2)
    assert (result.stopped_duplicate, result.became_duplicate) == (1, 0)
    by_id = {e.raw_id: e for e in result.examples}
    assert by_id[1].kinds == ("broken", "amount") and by_id[1].after.amount is None
    assert by_id[2].kinds == ("broken", "amount", "stopped_duplicate")
    assert by_id[3].kinds == () and by_id[1].before.amount is not None


def test_a_found_timestamp_is_fixed_and_can_make_a_duplicate(gen_events):
    stored = draft(gen_events.MAPPINGS, "client_D", fields={"metric": ["event"], "amount": ["betrag"],
                                                             "timestamp": ["zeitpunkt"]})
    history = History(stored, [D1, D2, D3])
    assert not any(item.duplicate for item in history.items)  # incomplete events never swallow each other
    result = preview(Mappings(gen_events.MAPPINGS), history.items, history.holders)
    assert (result.fixed, result.timestamp_changed, result.became_duplicate, result.broken) == (3, 3, 1, 0)
    assert [e.kinds for e in result.examples if e.raw_id == 2] == [("fixed", "timestamp", "became_duplicate")]


def test_a_metric_read_elsewhere_stops_a_duplicate(gen_events):
    one = ev("client_B", metric="sales", amount=5, timestamp="2024-01-05T10:00:00Z")
    two = ev("client_B", metric="sales", amount="5.0", timestamp="2024-01-05T10:00:00Z", name="refunds")
    history = History(Mappings(gen_events.MAPPINGS), [one, two])
    assert history.items[1].duplicate
    result = preview(draft(gen_events.MAPPINGS, "client_B", fields={"metric": ["name", "metric"]}),
                     history.items, history.holders)
    assert (result.metric_changed, result.stopped_duplicate, result.changed, result.unchanged) == (1, 1, 1, 1)


def test_a_hash_held_outside_the_sample_makes_a_duplicate_and_one_held_inside_does_not(gen_events):
    mappings = Mappings(gen_events.MAPPINGS)
    whole = History(mappings, [D1, D2, D3])
    sample = whole.items[1:]  # D1 (raw 1) holds the fact outside the sample; D2 is its duplicate
    no_comma = draft(gen_events.MAPPINGS, "client_D", decimal_comma=False)
    assert preview(mappings, sample, whole.holders).changed == 0
    # an unchanged duplicate stays one, whatever the holders say: renormalize leaves it alone
    assert preview(mappings, sample, lambda hashes: {}).stopped_duplicate == 0
    assert preview(no_comma, sample, whole.holders).stopped_duplicate == 1
    # with the draft, D2 breaks: its new hash is its own
    later = History(mappings, [D3, D1], first_id=1)
    assert preview(mappings, later.items, later.holders).became_duplicate == 0  # held inside: by itself


def test_an_event_holding_its_hash_keeps_it_and_an_earlier_one_becomes_its_duplicate(gen_events):
    early = ev("client_B", metric="sales", amount=5, timestamp="2024-01-05T10:00:00Z", name="visits")
    later = ev("client_B", metric="visits", amount=5, timestamp="2024-01-05T10:00:00Z")
    history = History(Mappings(gen_events.MAPPINGS), [early, later])
    assert not any(item.duplicate for item in history.items)
    result = preview(draft(gen_events.MAPPINGS, "client_B", fields={"metric": ["name", "metric"]}),
                     history.items, history.holders)
    by_id = {e.raw_id: e for e in result.examples}
    assert by_id[1].kinds == ("metric", "became_duplicate") and by_id[2].kinds == ()


def test_examples_put_changes_first_and_represent_each_kind(gen_events):
    stored = draft(gen_events.MAPPINGS, "client_D", fields={"metric": ["event"], "amount": ["betrag"],
                                                             "timestamp": ["zeitpunkt"]})
    texts = [ev("client_D", event="e", betrag=str(n), zeit="07.01.2024 10:00") for n in range(20)] + [D1, D2]
    texts += [ev("client_B", metric=f"m{n}", kind="k", amount=1, timestamp=1_700_000_000) for n in range(5)]
    texts.insert(0, ev("client_C", type="t", total="1", ts=1_700_000_000))  # unchanged, and first
    history = History(stored, texts)
    target = draft(gen_events.MAPPINGS, "client_D", fields={"metric": ["zeitpunkt"], "amount": ["betrag"],
                                                             "timestamp": ["zeit"]})
    target = draft(target.document, "client_B", fields={"metric": ["kind"]})
    result = preview(target, history.items, history.holders, examples=4)
    assert len(result.examples) == 4 and all(e.kinds for e in result.examples)
    assert result.became_duplicate == 4 and result.fixed == result.broken == 22
    present = {kind for kind in KINDS if any(kind in e.kinds for e in
                                             preview(target, history.items, history.holders, 10**6).examples)}
    assert present == {"fixed", "broken", "metric", "timestamp", "became_duplicate"}
    shown = {kind for e in result.examples for kind in e.kinds}
    assert present == shown  # four examples were enough to show all five kinds
    assert preview(target, history.items, history.holders, examples=0).examples == ()
    everything = preview(target, history.items, history.holders, examples=10**6).examples
    assert len(everything) == len(texts) and everything[-1].kinds == ()  # unchanged ones come last


def test_counts_add_up_on_generated_history(gen_events, generate):
    events, _truth, mappings_path = generate(2000, seed=21)
    mappings = Mappings.from_json(mappings_path.read_text(encoding="utf-8"))
    texts = [line.decode() for line in events.read_bytes().splitlines()
             if read_envelope_fast(line).rejection is None]
    history = History(mappings, texts)
    for client in ("client_A", "client_C", "client_D", "client_E"):
        target = draft(gen_events.MAPPINGS, client, dayfirst=True, decimal_comma=True, timezone="Asia/Tokyo")
        result = preview(target, history.items, history.holders, examples=20)
        assert result.examined == len(texts) == result.changed + result.unchanged
        assert result.changed > 0 and len(result.examples) == 20
        for example in result.examples:
            assert set(example.kinds) <= set(KINDS)


def test_a_changed_holder_hands_its_hash_to_its_first_duplicate_as_renormalize_does(gen_events):
    """Found by the property test: B2 (7, price 5), B3 (5, price 7), B4 (7) with the amount read
    from price first. Renormalize, in raw-id order: B2 hands its 7 to its duplicate B4 and becomes
    a duplicate of B3's 5; B3 then hands its 5 to B2 and becomes a duplicate of B4's 7."""
    day = "02.01.2024"
    texts = [ev("client_B", kind="a", amount="7", date=day, price="5"),
             ev("client_B", kind="a", amount="5", date=day, price="7"),
             ev("client_B", kind="a", amount="7", date=day)]
    base = {"clients": {}}
    history = History(Mappings(base), texts)
    assert [item.duplicate for item in history.items] == [False, False, True]
    new = {"clients": {"client_B": {"fields": {"amount": ["price", "amount"], "timestamp": ["date"],
                                               "metric": ["kind"]}}}}
    result = preview(Mappings(new), history.items, history.holders)
    after = {e.raw_id: e.duplicate_after for e in result.examples}
    assert after == {1: False, 2: True, 3: False}
