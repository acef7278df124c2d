"""5. Model-based test: Hypothesis drives the store, a simple model says what it must hold.

The state machine submits facts in four semantic variants and two layouts, re-sends earlier
contents exactly, sends rejected input, fires the fault points of section 7 (as arguments and
as the seed's ``simulateFailure`` field), injects store faults (transient, persistent, lost
reply), retries (also under a fault), and closes and reopens the store. After every step the
store is compared with the model (history.Model): every outcome as predicted, every content's
status, attempts and receipts, every count and exact sum.
"""
from __future__ import annotations

import shutil
import tempfile
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from eventdesk.core.errors import StoreUnavailable
from eventdesk.core.faults import FaultPoint
from reliability.faulty_store import MODES, FaultPlan, FaultyStore
from reliability.harness import open_app, with_store
from reliability.history import LAYOUTS, REJECTS, VARIANTS, Fact, Model, render
from reliability.invariants import Ack, check, read_all

EPOCH = datetime(2023, 1, 1, tzinfo=timezone.utc)
amounts = st.one_of(
    st.integers(-10**9, 10**9).map(lambda cents: Decimal(cents) / 100),
    st.sampled_from([Decimal("0.000001"), Decimal("1E+20"), Decimal("123456789012.123456"), Decimal(0),
                     Decimal("-0.0001")]))
facts = st.builds(Fact, client=st.sampled_from(["shop_1", "shop_2"]),
                  metric=st.sampled_from(["sales", "page views", "refunds"]), amount=amounts,
                  ts=st.integers(0, 3 * 366 * 86400).map(lambda s: EPOCH + timedelta(seconds=s)))
variants = st.integers(0, VARIANTS - 1)
layouts = st.integers(0, LAYOUTS - 1)
COUNTS = {"examples": 0, "steps": 0, "faults": 0, "reopens": 0}
STORE_FAULTS = list(MODES)


class StoreAgainstModel(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.folder = Path(tempfile.mkdtemp(prefix="eventdesk-model-"))
        self.plan = FaultPlan()
        self.model = Model()
        self.facts: list[Fact] = []
        self.hashes: dict = {}      # content key -> content hash, as the engine reported it
        self.acks: list[Ack] = []
        self._open()
        COUNTS["examples"] += 1

    def _open(self) -> None:
        self.app = open_app(self.folder / "model.db")
        self.faulty = with_store(self.app, FaultyStore(self.app.store, self.plan))

    def teardown(self) -> None:
        self.app.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    @initialize(chosen=st.lists(facts, min_size=2, max_size=5, unique=True))
    def choose_facts(self, chosen) -> None:
        self.facts = chosen

    # -- one submission, checked against the model

    def _submit(self, key, fact, text, fault=None, app=None):
        result = (app or self.app).submit(text, fault)
        return self._expect(key, fact, result, None if fault is None else fault.value)

    def _expect(self, key, fact, result, model_fault):
        predicted = self.model.submit(key, fact, model_fault)
        assert result.outcome.value == predicted, (result, model_fault)
        if result.content_hash:
            assert self.hashes.setdefault(key, result.content_hash) == result.content_hash
        if predicted != "failed":
            self.acks.append(Ack(result.content_hash, predicted, result.raw_id, result.normalized_id))
        COUNTS["steps"] += 1
        return result

    def _fact(self, index: int) -> Fact:
        return self.facts[index % len(self.facts)]

    @rule(index=st.integers(0, 4), variant=variants, layout=layouts)
    def submit(self, index, variant, layout):
        fact = self._fact(index)
        self._submit((fact, variant), fact, render(fact, variant, layout))

    @precondition(lambda self: self.model.contents)
    @rule(data=st.data(), layout=layouts)
    def resend(self, data, layout):
        key = data.draw(st.sampled_from(sorted(self.model.contents, key=repr)))
        fact = self.model.contents[key].fact
        text = REJECTS[key[1]] if fact is None else render(fact, key[1], layout)
        self._submit(key, fact, text)

    @rule(which=st.integers(0, len(REJECTS) - 1))
    def submit_rejected(self, which):
        self._submit(("rejected", which), None, REJECTS[which])

    @rule(index=st.integers(0, 4), variant=variants, point=st.sampled_from(list(FaultPoint)))
    def submit_with_fault_point(self, index, variant, point):
        fact = self._fact(index)
        COUNTS["faults"] += 1
        self._submit((fact, variant), fact, render(fact, variant), point)

    @rule(index=st.integers(0, 4), variant=variants, layout=layouts)
    def submit_with_simulate_failure_field(self, index, variant, layout):
        fact = self._fact(index)
        COUNTS["faults"] += 1
        result = self.app.submit(render(fact, variant, layout, simulate_failure=True))
        self._expect((fact, variant), fact, result, "mid_transaction")

    @rule(index=st.integers(0, 4), variant=variants, call=st.integers(1, 8), mode=st.sampled_from(STORE_FAULTS))
    def submit_with_store_fault(self, index, variant, call, mode):
        fact = self._fact(index)
        self.plan.arm(1 if mode == "lost_reply" else call, mode)
        result = self.faulty.submit(render(fact, variant))
        fired = self.plan.fired
        self.plan.heal()
        COUNTS["faults"] += fired
        model_fault = None
        if fired:
            # a lost reply at the store's commit is found out by the commit mark: no fault
            model_fault = {"transient": "mid_transaction", "persistent": "before_write",
                           "lost_reply": None}[mode]
        self._expect((fact, variant), fact, result, model_fault)

    @rule()
    def retry(self):
        self.app.processor.retry()
        self.model.retry()

    @rule(call=st.integers(1, 6))
    def retry_with_store_fault(self, call):
        self.plan.arm(call, "transient")
        raised = False
        try:
            self.faulty.processor.retry()
        except StoreUnavailable:
            raised = True
        fired_at = list(self.plan.fired_at)
        self.plan.heal()
        COUNTS["faults"] += len(fired_at)
        if not fired_at:
            self.model.retry()
        elif fired_at[0] == "1:store.raw_ids_by_status":
            pass  # nothing was read, nothing written: the caller sees the error
        elif fired_at[0].endswith("store.raw_ids_by_status"):
            self.model.retry()  # the batch was done; asking for the next one failed
        else:
            self.model.retry(fault=True)
        assert raised == any(f.endswith("store.raw_ids_by_status") for f in fired_at), fired_at

    @rule()
    def close_and_reopen(self):
        self.app.close()
        self._open()
        COUNTS["reopens"] += 1

    @invariant()
    def store_matches_model(self):
        expected = self.model.expected()
        expected.acknowledged = self.acks
        violations = check(self.app.store, expected, integrity=False)
        assert not violations, "\n".join(map(str, violations))
        stored = {raw.content_hash: raw for raw in read_all(self.app.store).raws}
        for key, content in self.model.contents.items():
            raw = stored.get(self.hashes.get(key))
            assert raw is not None, f"{key} is not stored"
            assert (raw.status, raw.attempts, raw.receipts) == (content.status, content.attempts, content.receipts), \
                (key, raw)


StoreAgainstModel.TestCase.settings = settings(
    max_examples=60, stateful_step_count=30, deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])


@pytest.mark.slow
def test_store_against_model(figures):
    for name in COUNTS:
        COUNTS[name] = 0
    StoreAgainstModel.TestCase().runTest()
    figures.record("model_based", examples=COUNTS["examples"], submissions=COUNTS["steps"],
                   faults_injected=COUNTS["faults"], reopens=COUNTS["reopens"], events_lost=0,
                   events_double_counted=0)
