"""3. Ambiguous commit: the commit happens, the reply is lost, the client sends again.

Each trial submits one event with the ``after_commit`` fault point (design section 7): the
client is told ``failed``. The retry must be an exact ``duplicate`` naming the ids of the event
that was committed, and every fact must be counted once. Trials mix new facts, semantic variants
of earlier facts and rejected input. The same is done with a real lost reply at the store's edge
(the commit runs, then the store raises) and, a few times, through the command line.
"""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal

import pytest

from eventdesk.core.faults import FaultPoint
from eventdesk.core.queries import Page, RawQuery
from reliability.faulty_store import FaultPlan, FaultyStore
from reliability.harness import open_app, run_cli, with_store
from reliability.history import VARIANTS, Fact, Model, render
from reliability.invariants import Ack, check, count_kinds, lost_and_doubled

TRIALS = 1000
LOST_REPLY_TRIALS = 200
CLI_TRIALS = 4
START = datetime(2024, 1, 1, tzinfo=timezone.utc)


class Trials:
    """Draws the next event of a trial: a new fact, another variant of a known fact, or junk."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.facts: list[Fact] = []
        self.variants_used: dict[Fact, set] = {}
        self.count = 0

    def next(self):
        self.count += 1
        roll = self.rng.random()
        if roll < 0.1:
            text = json.dumps({"source": "shop_9", "payload": f"trial {self.count}"})
            return ("rejected", self.count), None, text
        open_facts = [f for f in self.facts if len(self.variants_used[f]) < VARIANTS]
        if roll < 0.35 and open_facts:
            fact = self.rng.choice(open_facts)
        else:
            fact = Fact(f"shop_{self.rng.randrange(1, 4)}", self.rng.choice(["sales", "visits", "page views"]),
                        Decimal(self.rng.randrange(-10**7, 10**9)) / 100,
                        START + timedelta(seconds=self.rng.randrange(366 * 86400)))
            if fact in self.variants_used:
                return self.next()
            self.facts.append(fact)
            self.variants_used[fact] = set()
        variant = self.rng.choice(sorted(set(range(VARIANTS)) - self.variants_used[fact]))
        self.variants_used[fact].add(variant)
        return (fact, variant), fact, render(fact, variant, self.rng.randrange(2))


def _committed(store, content_hash):
    rows = store.query_raw(RawQuery(text=content_hash), Page(limit=5))
    return rows


def run_trials(app, count: int, seed: int, lost_reply: bool = False):
    """``count`` ambiguous commits and their retries; returns (model, problems, acks)."""
    trials, model, problems, acks = Trials(seed), Model(), [], []
    holders: dict[Fact, object] = {}
    plan = FaultPlan()
    faulty = with_store(app, FaultyStore(app.store, plan))
    for number in range(1, count + 1):
        key, fact, text = trials.next()
        if lost_reply:
            plan.arm(1, "lost_reply")
            first = faulty.submit(text)
            plan.heal()
        else:
            first = app.submit(text, FaultPoint.AFTER_COMMIT)
        model.submit(key, fact, "after_commit")
        rows = _committed(app.store, first.content_hash)
        second = app.submit(text)
        predicted = model.submit(key, fact)
        acks.append(Ack(second.content_hash, second.outcome.value, second.raw_id, second.normalized_id))
        where = f"trial {number} ({text[:50]})"
        if lost_reply and first.outcome.value == "failed":  # the processor finds its commit mark
            problems.append(f"{where}: a commit that landed was reported failed ({first.error})")
        if not lost_reply and first.outcome.value != "failed":
            problems.append(f"{where}: the lost reply said {first.outcome.value}")
        if len(rows) != 1:
            problems.append(f"{where}: {len(rows)} raw events hold the content after the commit")
            continue
        raw = rows[0]
        if second.outcome.value != "duplicate" or predicted != "duplicate":
            problems.append(f"{where}: the retry came to {second.outcome.value}, not duplicate")
        if second.raw_id != raw.id:
            problems.append(f"{where}: the retry names raw {second.raw_id}, the commit stored raw {raw.id}")
        named = raw.normalized_id if raw.status == "normalized" else raw.duplicate_of
        if second.normalized_id != named:
            problems.append(f"{where}: the retry names normalized {second.normalized_id}, the commit made {named}")
        if fact is not None:
            holder = holders.setdefault(fact, named)
            if named != holder:
                problems.append(f"{where}: fact counted under normalized {named} and {holder}")
    return model, problems, acks


def _verdict(app, model, acks):
    expected = model.expected()
    expected.acknowledged = acks
    return check(app.store, expected)


@pytest.mark.slow
def test_after_commit_retry_is_an_exact_duplicate(tmp_path, figures):
    app = open_app(tmp_path / "ambiguous.db")
    model, problems, acks = run_trials(app, TRIALS, seed=301)
    violations = _verdict(app, model, acks)
    app.close()
    lost, doubled = lost_and_doubled(violations)
    figures.record("ambiguous_commit", trials=TRIALS, faults_injected=TRIALS, facts=len(model.holders),
                   events_lost=lost, events_double_counted=doubled)
    assert not problems, "\n".join(problems[:30])
    assert not violations, "\n".join(map(str, violations))


def test_lost_reply_at_the_store_edge_then_retry(tmp_path, figures):
    app = open_app(tmp_path / "lost_reply.db")
    model, problems, acks = run_trials(app, LOST_REPLY_TRIALS, seed=302, lost_reply=True)
    violations = _verdict(app, model, acks)
    app.close()
    lost, doubled = lost_and_doubled(violations)
    figures.record("lost_reply_at_store_edge", trials=LOST_REPLY_TRIALS, faults_injected=LOST_REPLY_TRIALS,
                   events_lost=lost, events_double_counted=doubled)
    assert not problems, "\n".join(problems[:30])
    assert not violations, "\n".join(map(str, violations))


def test_after_commit_through_the_command_line(tmp_path, figures):
    db = tmp_path / "cli.db"
    trials = Trials(303)
    for _ in range(CLI_TRIALS):
        _, _, text = trials.next()
        first = run_cli(["submit", text, "--simulate-failure", "after_commit", "--json", "--store", db])
        assert first.returncode == 3, first.stderr  # a failed submission: its JSON is still printed
        assert json.loads(first.stdout)["outcome"] == "failed"
        assert first.stderr.count("\n") == 1 and "Traceback" not in first.stderr
        second = run_cli(["submit", text, "--json", "--store", db])
        assert second.returncode == 0, second.stderr
        told = json.loads(second.stdout)
        app = open_app(db)
        raw = _committed(app.store, app.processor.prepare(text).envelope.content_hash)
        app.close()
        assert len(raw) == 1 and told["outcome"] == "duplicate" and told["raw_id"] == raw[0].id
        assert told["normalized_id"] == (raw[0].normalized_id or raw[0].duplicate_of)
    figures.record("ambiguous_commit_cli", trials=CLI_TRIALS, faults_injected=CLI_TRIALS)


def test_a_lost_commit_reply_counts_the_line_once(tmp_path):
    """The smallest reproduction: one submission, its commit lands, the reply is lost."""
    app = open_app(tmp_path / "one.db")
    plan = FaultPlan()
    plan.arm(1, "lost_reply")
    told = with_store(app, FaultyStore(app.store, plan)).submit(
        '{"source":"client_B","payload":{"metric":"sales","amount":"5","timestamp":"2024-01-01T00:00:00Z"}}')
    raws = _committed(app.store, told.content_hash)
    app.close()
    # the processor reads its commit mark back and reports what really happened
    assert told.outcome.value == "accepted" and plan.fired == 1 and len(raws) == 1
    assert raws[0].receipts == 1, f"one line received, {raws[0].receipts} receipts counted"


# -- 8. negative control: without the unique indexes, the retry is counted again

@pytest.mark.slow
def test_negative_control_ambiguous_commit_without_dedup_guard(tmp_path, figures):
    app = open_app(tmp_path / "unguarded.db", unique=False)
    model, problems, acks = run_trials(app, 100, seed=304)
    violations = _verdict(app, model, acks)
    app.close()
    kinds = count_kinds(violations)
    figures.record("negative_control_ambiguous_commit", trials=100, violations_reported=len(violations),
                   kinds=dict(kinds))
    assert problems, "the trials saw nothing wrong with the guard removed"
    assert kinds["duplicated"] > 0, "the checker missed double counting with the guard removed"
