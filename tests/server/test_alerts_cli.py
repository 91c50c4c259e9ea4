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
