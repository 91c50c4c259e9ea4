"""``warroom invite`` and ``warroom login`` against a real ``warroom serve`` (SQLite and PostgreSQL).

An invite's code works once, expires, and is stored hashed; login saves the server and a
new token in the responder's config (0600), after which the CLI just works; a used,
expired or wrong code is one line and no traceback."""

from __future__ import annotations

import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.server.conftest import DB_KINDS, server_starter, template_tokens
from tests.server.harness import ServerProcess, cli_env, warroom


@pytest.fixture(params=DB_KINDS)
def kind_server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[ServerProcess, dict[str, str], str]]:
    started: list[ServerProcess] = []
    try:
        yield server_starter(request.param, request, tmp_path, started)(), template_tokens(request.param, request), request.param
    finally:
        for server in started:
            server.stop()


def _home(tmp_path: Path, name: str) -> dict[str, str]:
    home = tmp_path / name
    home.mkdir()
    return cli_env(home=home)


def _one_line_refusal(result, *words: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0]


def test_operator_invite_then_login_then_the_cli_just_works(kind_server, tmp_path: Path) -> None:
    server, _, kind = kind_server
    made = warroom("invite", "raj", "--expires", "2h", "--db", str(server.db), "--url", server.url, env=_home(tmp_path, "op"))
    lines = made.stdout.strip().splitlines()
    code = lines[-1]
    assert code.startswith("wrc_") and code == code.strip()
    assert f"warroom login {code} --server {server.url}" in lines[-2]
    assert "raj" in lines[0]

    raj = _home(tmp_path, "raj")
    config = Path(raj["WARROOM_CONFIG_PATH"])
    config.write_text(f'[store]\nfolder = "{tmp_path / "old-folder"}"\n[user]\nhandle = "raj"\n')  # a folder user before
    config.chmod(0o644)
    logged = warroom("login", code, "--server", server.url, env=raj)
    assert "as raj" in logged.stdout and "[store] folder" in logged.stdout
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert server.url in config.read_text() and "wr_" in config.read_text()

    warroom("declare", "INC-7", "--title", "checkout down", env=raj)  # the saved server and token, nothing passed
    shown = warroom("show", "INC-7", env=raj).stdout
    assert "commander: raj" in shown

    again = warroom("login", code, "--server", server.url, env=_home(tmp_path, "mallory"), check=False)
    _one_line_refusal(again, "already used")
    if kind == "sqlite":  # the code itself is nowhere in the database, only its hash
        assert code.encode() not in Path(server.db).read_bytes()


def test_a_wrong_or_expired_code_is_one_line(server: ServerProcess, tmp_path: Path) -> None:
    wrong = warroom("login", "wrc_nottherightcode", "--server", server.url, env=_home(tmp_path, "a"), check=False)
    _one_line_refusal(wrong, "unknown code")
    not_a_code = warroom("login", "hello", "--server", server.url, env=_home(tmp_path, "b"), check=False)
    _one_line_refusal(not_a_code, "not a warroom code")

    code = warroom("invite", "raj", "--db", str(server.db), env=_home(tmp_path, "op")).stdout.strip().splitlines()[-1]
    with sqlite3.connect(server.db) as conn:
        conn.execute("UPDATE codes SET expires_at = '2000-01-01T00:00:00Z'")
    expired = warroom("login", code, "--server", server.url, env=_home(tmp_path, "c"), check=False)
    _one_line_refusal(expired, "expired")


def test_the_commander_invites_over_http_and_a_responder_cannot(server: ServerProcess, tokens: dict[str, str], tmp_path: Path) -> None:
    env = _home(tmp_path, "alice")
    warroom("declare", "INC-3", "--title", "api errors", "--server", server.url, "--token", tokens["alice"], env=env)
    made = warroom("invite", "raj", "--server", server.url, "--token", tokens["alice"], env=env).stdout.strip().splitlines()
    assert made[-1].startswith("wrc_") and f"--server {server.url}" in made[-2]

    refused = warroom("invite", "raj", "--server", server.url, "--token", tokens["bob"], env=_home(tmp_path, "bob"), check=False)
    _one_line_refusal(refused, "403", "commander")

    # the code is exchanged once, even when two people race with it
    with httpx.Client(base_url=server.url) as client:
        answers = [client.post("/api/login", json={"code": made[-1]}) for _ in range(2)]
    assert sorted(a.status_code for a in answers) == [200, 403]
    token = next(a for a in answers if a.status_code == 200).json()["token"]
    me = httpx.get(f"{server.url}/api/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json()["handle"] == "raj"


@pytest.mark.parametrize(
    "args,words",
    [
        (("invite", "not a handle!", "--db", "{db}"), "bad handle"),
        (("invite", "raj", "--expires", "9d", "--db", "{db}"), "at most 7d"),
        (("invite", "raj", "--expires", "soon", "--db", "{db}"), "bad duration"),
        (("invite", "raj"), "--db"),
        (("login", "wrc_x", "--server", "warroom.example.com"), "which server"),
        (("login", "wrc_x", "--server", "http://127.0.0.1:1"), "cannot reach"),
        (("chat", "add", "slack", "--db", "{db}"), "--signing-secret"),
        (("chat", "add", "mattermost", "--db", "{db}"), "--token"),
        (("chat", "add", "mattermost", "--signing-secret", "s", "--db", "{db}"), "mattermost takes --token"),
        (("chat", "link", "slack", "U024BE7LH", "not a handle!", "--db", "{db}"), "bad handle"),
        (("chat", "link", "slack", "U0 24", "raj", "--db", "{db}"), "bad chat user id"),
        (("chat", "revoke", "chat_nope", "--db", "{db}"), "no active chat connection"),
        (("chat", "code"), "--server"),
    ],
)
def test_bad_input_to_invite_login_and_chat_is_one_line(tmp_path: Path, args: tuple[str, ...], words: str) -> None:
    db = str(tmp_path / "warroom.db")
    result = warroom(*(arg.format(db=db) for arg in args), env=_home(tmp_path, "who"), check=False)
    _one_line_refusal(result, words)
