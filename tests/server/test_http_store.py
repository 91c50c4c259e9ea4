"""The HTTP store without a server: the plain contract fails loudly, the board's queue waits."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from tests.server.harness import REPO_ROOT, cli_env
from warroom.incident import events as ev
from warroom.store import InvalidIncidentId, StoreUnavailable
from warroom.store.http import AuthError, HttpStore, Queued


@pytest.fixture
def dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"  # nothing listens here now


def note(text: str) -> ev.EventDraft:
    return ev.EventDraft(actor="bob", body=ev.NoteAdded(text=text))


async def test_the_plain_contract_raises_when_the_server_is_down(dead_url: str):
    store = HttpStore(dead_url, token="wr_secret-token-value")
    try:
        with pytest.raises(StoreUnavailable) as down:
            await store.append("INC-1", note("hello?"))
        assert not isinstance(down.value, Queued)
        assert "cannot reach the warroom server" in str(down.value) and "wr_secret" not in str(down.value)
        with pytest.raises(StoreUnavailable):
            await store.read("INC-1")
        with pytest.raises(InvalidIncidentId):
            await store.read("../etc")
        assert store.pending() == 0 and store.online is False
    finally:
        await store.aclose()


async def test_the_board_queue_keeps_order_and_warns_if_never_delivered(dead_url: str):
    warnings: list[str] = []
    statuses: list[bool] = []
    store = HttpStore(dead_url, token="t", warn=warnings.append, queue_offline=True, backoff_max=0.05)
    store.on_status(statuses.append)
    drafts = [note(f"n{i}") for i in range(3)]
    try:
        for n, d in enumerate(drafts, start=1):
            with pytest.raises(Queued) as queued:
                await store.append("INC-1", d)
            assert queued.value.pending == n
        assert [d for _, d in store.pending_drafts()] == drafts
        assert statuses == [False]
        assert await store.flush(timeout=0.2) is False
    finally:
        await store.aclose()
    assert warnings == [f"3 queued action(s) were never delivered to {dead_url}"]


@pytest.mark.parametrize("token", ["wr_secret\nX-Evil: 1", "wr_sécret", "wr_secret with space"])
def test_a_malformed_token_is_refused_without_echoing_it(token: str):
    with pytest.raises(AuthError) as refused:
        HttpStore("http://127.0.0.1:1", token=token)
    assert "secret" not in str(refused.value) and "sécret" not in str(refused.value)


def test_the_cli_and_the_http_store_do_not_load_the_server():
    code = "import sys, warroom.cli, warroom.store.http; print(sorted(m for m in ('fastapi', 'uvicorn', 'warroom.server') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=cli_env(), cwd=REPO_ROOT, check=True)
    assert result.stdout.strip() == "[]"
