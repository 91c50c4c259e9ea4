"""``warroom alerts``: the same hook route beside a shared folder (the file store has no server)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx

from tests.server.harness import REPO_ROOT, ServerProcess, cli_env, warroom

PAYLOADS = Path(__file__).parent / "payloads"


def test_alerts_beside_a_folder_declare_dedupe_and_show_on_the_board(tmp_path: Path) -> None:
    store, db = tmp_path / "store", tmp_path / "hooks" / "warroom.db"
    env = cli_env(home=tmp_path)
    added = warroom("hook", "add", "alertmanager", "--db", str(db), env=env).stdout.strip().splitlines()
    assert added[-1].startswith("http://127.0.0.1:8765/hooks/whk_")  # the config's default address
    path = "/hooks/" + added[-1].rsplit("/hooks/", 1)[1]
    with ServerProcess(db, env=env, command=["alerts", "--store", str(store)]) as receiver:
        body = (PAYLOADS / "alertmanager-firing.json").read_bytes()
        first = httpx.post(receiver.url + path, content=body).json()
        assert (first["incident"], first["declared"], first["recorded"]) == ("INC-1", True, 2)
        assert httpx.post(receiver.url + path, content=body).json()["recorded"] == 0
        assert httpx.post(receiver.url + "/hooks/whk_wrong", content=body).status_code == 401
        second = subprocess.run(
            [sys.executable, "-m", "warroom", "alerts", "--store", str(store), "--db", str(db), "--port", "0"],
            capture_output=True, text=True, env=env, cwd=REPO_ROOT, timeout=60, stdin=subprocess.DEVNULL,
        )
        assert second.returncode == 1 and "another receiver is already running" in second.stderr
    shown = json.loads(warroom("show", "INC-1", "--json", "--store", str(store), env=env).stdout)
    assert shown["commander"] is None and shown["responders"] == []
    assert [a["fingerprint"] for a in shown["alerts"]] == ["5f8a3c1e9b2d4470", "a01b77c3d9e8f512"]
    assert shown["timeline"][1]["actor"] == "alertmanager" and shown["timeline"][1]["text"].startswith("alert firing: CheckoutLatencyHigh")
    taken = warroom("command", "INC-1", "take", "--as", "alice", "--store", str(store), env=env).stdout
    assert "assumed command" in taken


def test_a_hook_bound_to_a_playbook_declares_with_it_and_label_rules_come_first(tmp_path: Path) -> None:
    store, db = tmp_path / "store", tmp_path / "hooks" / "warroom.db"
    env = cli_env(home=tmp_path)
    unknown = warroom("hook", "add", "alertmanager", "--db", str(db), "--playbook", "nope", env=env, check=False)
    assert unknown.returncode == 2 and "no playbook called 'nope'" in unknown.stderr
    added = warroom("hook", "add", "alertmanager", "--db", str(db), "--playbook", "data-loss", env=env).stdout.strip().splitlines()
    assert any("declared with the data-loss playbook" in line for line in added)
    config = (tmp_path / "warroom.toml").read_text()
    assert "[alerts.playbooks]" in config and 'alertmanager = "data-loss"' in config
    (tmp_path / "warroom.toml").write_text(
        config + '\n[[alerts.playbook_rules]]\nlabel = "job"\nvalue = "Billing"\nplaybook = "outage"\n'
    )
    path = "/hooks/" + added[-1].rsplit("/hooks/", 1)[1]
    firing = json.loads((PAYLOADS / "alertmanager-firing.json").read_text())
    billing = json.loads(json.dumps(firing).replace("checkout-api", "billing").replace("CheckoutLatencyHigh", "BillingDown"))
    with ServerProcess(db, env=env, command=["alerts", "--store", str(store)]) as receiver:
        assert httpx.post(receiver.url + path, content=json.dumps(firing)).json()["incident"] == "INC-1"
        assert httpx.post(receiver.url + path, content=json.dumps(billing)).json()["incident"] == "INC-2"
    first = json.loads(warroom("show", "INC-1", "--json", "--store", str(store), env=env).stdout)
    second = json.loads(warroom("show", "INC-2", "--json", "--store", str(store), env=env).stdout)
    assert (first["playbook"], first["severity"], first["commander"]) == ("data-loss", 1, None)
    assert first["policy"]["stale_workstream_minutes"] == 20 and len(first["workstreams"]) == 4
    assert "customers_affected" in [f["name"] for f in first["fields"]]
    assert second["playbook"] == "outage" and [ws["title"] for ws in second["workstreams"]] == ["Restore service", "Investigate the cause"]
