"""The result panel says what happened, consistently with ``eventdesk submit --json`` of the same case.

Every fault point (and none) x {new event, exact re-send of a normalized one, re-send of a failed
one, semantic duplicate, rejected, re-send of a rejected one}. The same steps run through the
Submit tab (clicking Submit) and through the CLI on a second store, so ids match one to one.
"""
from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from eventdesk.app import Settings, build_app
from eventdesk.app.queries import stored_raw
from eventdesk.cli.main import main as cli_main
from eventdesk.core.faults import FaultPoint
from eventdesk.core.intake import read_envelope


def event(amount, form="client"):
    if form == "client":  # client_A's own keys (resources/mappings.json)
        payload = {"value": "sales", "price": amount, "date": "2024-01-01T00:00:00Z"}
    else:                 # the same fact in the default keys
        payload = {"metric": " Sales ", "amount": str(amount), "timestamp": "2024-01-01T00:00:00Z"}
    return json.dumps({"source": "client_A", "payload": payload})


# case -> (steps before: [(text, fault)], the text sent with the fault under test)
CASES = {
    "new": ([], event(101)),
    "resend_of_normalized": ([(event(102), None)], event(102)),
    "resend_of_failed": ([(event(103), "mid_transaction")], event(103)),
    "semantic_duplicate": ([(event(104), None)], event(104, form="default")),
    "rejected": ([], '{"source": "client_A", "payload": [105]}'),
    "resend_of_rejected": ([('{"source": "client_A", "payload": [106]}', None)],
                           '{"source": "client_A", "payload": [106]}'),
}

COMMITTED = "committed as raw #{r}; the reply was lost on purpose"
RESENT = "raw #{r} was already stored ({was}): this re-send counted one more receipt"
EXPECTED = {
    (None, "new"): ["accepted as raw #{r}: new normalized event #"],
    (None, "resend_of_normalized"): ["already stored as raw #{r} (normalized): this re-send counted one more receipt"],
    (None, "resend_of_failed"): ["accepted as raw #{r}", RESENT.format(r="{r}", was="failed") + "; now normalized"],
    (None, "semantic_duplicate"): ["semantic duplicate: stored as raw #{r}, the same fact as normalized event #"],
    (None, "rejected"): ["rejected: stored as raw #{r} as received"],
    (None, "resend_of_rejected"): ["already stored as raw #{r} (rejected): this re-send counted one more receipt"],
    ("mid_transaction", "new"): ["rolled back", "raw #{r} is now failed (attempt 1)"],
    ("mid_transaction", "resend_of_normalized"): ["rolled back", RESENT.format(r="{r}", was="normalized")
                                                  + "; it stays normalized"],
    ("mid_transaction", "resend_of_failed"): ["rolled back", RESENT.format(r="{r}", was="failed")
                                              + "; now failed (attempt 2)"],
    ("mid_transaction", "semantic_duplicate"): ["rolled back", "raw #{r} is now failed (attempt 1)"],
    ("mid_transaction", "rejected"): ["rejected: stored as raw #{r} as received"],
    ("mid_transaction", "resend_of_rejected"): ["rolled back", RESENT.format(r="{r}", was="rejected")
                                                + "; it stays rejected"],
    ("after_commit", "new"): [COMMITTED, "raw #{r} is now normalized (normalized #"],
    ("after_commit", "resend_of_normalized"): [COMMITTED, RESENT.format(r="{r}", was="normalized")
                                               + "; it stays normalized"],
    ("after_commit", "resend_of_failed"): [COMMITTED, RESENT.format(r="{r}", was="failed") + "; now normalized"],
    ("after_commit", "semantic_duplicate"): [COMMITTED, "raw #{r} is now duplicate (of normalized #"],
    ("after_commit", "rejected"): [COMMITTED, "raw #{r} is now rejected"],
    ("after_commit", "resend_of_rejected"): [COMMITTED, RESENT.format(r="{r}", was="rejected") + "; it stays rejected"],
}
for case in CASES:
    EXPECTED[("before_write", case)] = ["failed on purpose before anything was written: nothing was stored or counted"]
    if case.startswith("resend"):
        EXPECTED[("before_write", case)].append("raw #{r} stays as it was")


def gui_submit(qtbot, window, text, fault):
    tab = window.submit_tab
    window.simulation.set_enabled(fault is not None)
    if fault is not None:
        window.simulation.set_point(FaultPoint(fault))
    tab.editor.setPlainText(text)
    with qtbot.waitSignal(tab.submitted, timeout=10_000) as blocker:
        qtbot.mouseClick(tab.submit_button, Qt.MouseButton.LeftButton)
    return blocker.args[0]


def cli_submit(capsys, store, text, fault):
    capsys.readouterr()
    cli_main(["submit", text, "--json", "--store", store] + (["--simulate-failure", fault] if fault else []))
    return json.loads(capsys.readouterr().out)


def each_case(qtbot, window, capsys, cli_store, fault):
    """Every case of CASES, its steps done first, submitted through the GUI and through the CLI."""
    for case, (steps, text) in CASES.items():
        for step_text, step_fault in steps:
            gui_submit(qtbot, window, step_text, step_fault)
            cli_submit(capsys, cli_store, step_text, step_fault)
        yield case, text, gui_submit(qtbot, window, text, fault), cli_submit(capsys, cli_store, text, fault)


@pytest.mark.parametrize("fault", [None, *[p.value for p in FaultPoint]])
def test_every_fault_point_and_case_is_told_as_the_cli_reports_it(qtbot, window, capsys, tmp_path, fault):
    cli_store = str(tmp_path / "cli.db")
    panel = window.submit_tab.result_panel
    for case, text, submission, reply in each_case(qtbot, window, capsys, cli_store, fault):
        where = f"{fault} x {case}: {panel.summary.text()!r}"

        assert submission.result.to_json() == reply, where
        assert panel.outcome == reply["outcome"], where
        for key in ("raw_id", "normalized_id", "status", "error"):
            assert panel.values[key].text() == ("—" if reply[key] is None else str(reply[key])), where

        digest = read_envelope(text).content_hash
        cli_app = build_app(Settings(store_uri=cli_store))
        try:
            cli_raw = stored_raw(cli_app, digest)
        finally:
            cli_app.close()
        gui_raw = stored_raw(window.session.app, digest)
        assert (gui_raw is None) == (cli_raw is None), where
        if gui_raw is not None:
            assert (gui_raw.id, gui_raw.status, gui_raw.receipts) == (cli_raw.id, cli_raw.status, cli_raw.receipts)
            assert panel.stored.text().startswith(f"raw #{gui_raw.id}: {gui_raw.status}"), where
        else:
            assert panel.stored.text() == "nothing stored with this content", where
        if reply["raw_id"] is not None:
            assert f"raw #{reply['raw_id']}" in panel.summary.text(), where

        summary = panel.summary.text()
        for words in EXPECTED[(fault, case)]:
            assert words.format(r=gui_raw.id if gui_raw else "?") in summary, where
        assert "not processed" not in summary, where
        if fault:
            assert summary.startswith(f"[simulated failure: {fault}] "), where


@pytest.mark.parametrize("server", ["replica_set", "standalone"])
@pytest.mark.parametrize("fault", [None, *[p.value for p in FaultPoint]])
def test_the_same_stories_over_mongodb(qtbot, window, capsys, tmp_path, idle, fault, server):
    mongo_testing = pytest.importorskip("fakes.mongo")
    pytest.importorskip("mongomock")
    client = mongo_testing.FakeReplicaSet() if server == "replica_set" else mongo_testing.mongomock_client()
    with qtbot.waitSignal(window.session.store_opened, timeout=20_000):
        window.open_store("mongodb://localhost:27017/eventdesk_stories", client=client)
    idle(window)
    cli_store = str(tmp_path / "cli.db")
    panel = window.submit_tab.result_panel
    for case, text, submission, reply in each_case(qtbot, window, capsys, cli_store, fault):
        where = f"{server} {fault} x {case}: {panel.summary.text()!r}"
        mine = submission.result.to_json()
        assert [mine[k] for k in ("outcome", "status", "error")] == [reply[k] for k in ("outcome", "status", "error")]
        assert (mine["raw_id"] is None) == (reply["raw_id"] is None), where
        raw = stored_raw(window.session.app, read_envelope(text).content_hash)
        for words in EXPECTED[(fault, case)]:
            assert words.format(r=raw.id if raw else "?") in panel.summary.text(), where
        assert "not processed" not in panel.summary.text(), where
