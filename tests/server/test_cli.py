"""The real CLI against a real server: every command works unchanged with --server/--token."""

from __future__ import annotations

import json

import pytest

from tests.server.harness import ServerProcess, cli_env, warroom


def run(server: ServerProcess, token: str | None, *args: str, check: bool = True, **env_extra: str):
    env = dict(server.env, **env_extra)
    flags = ["--server", server.url] + (["--token", token] if token else [])
    command, *rest = args
    if command in ("ws",):
        sub, *rest = rest
        return warroom(command, sub, *rest, *flags, env=env, check=check)
    return warroom(command, *rest, *flags, env=env, check=check)


def test_commands_work_against_the_server(server: ServerProcess, tokens: dict[str, str]):
    alice, bob = tokens["alice"], tokens["bob"]
    assert run(server, alice, "declare", "INC-7", "--title", "Payments failing", "--sev", "2").stdout.strip() == "INC-7"
    assert run(server, alice, "note", "INC-7", "restarted the fleet").stdout.strip().endswith("#2 alice restarted the fleet")
    assert "WS-1" in run(server, bob, "ws", "open", "INC-7", "Roll back").stdout
    assert "bob claimed WS-1" in run(server, bob, "ws", "claim", "INC-7", "WS-1").stdout
    refused = run(server, bob, "broadcast", "INC-7", "all good", check=False)
    assert refused.returncode == 1 and "refused: only the commander can broadcast" in refused.stderr
    shown = json.loads(run(server, bob, "show", "INC-7", "--json").stdout)
    assert shown["commander"] == "alice" and shown["workstreams"][0]["owner"] == "bob"
    assert run(server, bob, "declare", "--title", "Next free id").stdout.strip() == "INC-8"
    listed = json.loads(run(server, bob, "list", "--json").stdout)
    assert [i["id"] for i in listed] == ["INC-8", "INC-7"] and listed[0]["commander"] == "bob"
    # The same through the environment, as a responder would configure it.
    env = {"WARROOM_SERVER": server.url, "WARROOM_TOKEN": alice}
    noted = warroom("note", "INC-7", "from the environment", env=dict(cli_env(), **env, WARROOM_CONFIG_PATH=server.env["WARROOM_CONFIG_PATH"]))
    assert "alice from the environment" in noted.stdout


def test_as_must_match_the_token(server: ServerProcess, tokens: dict[str, str]):
    run(server, tokens["alice"], "declare", "INC-8", "--title", "t")
    assert run(server, tokens["alice"], "note", "INC-8", "me", "--as", "alice").returncode == 0
    mismatch = run(server, tokens["alice"], "note", "INC-8", "as bob", "--as", "bob", check=False)
    assert mismatch.returncode == 2
    assert "--as bob does not match your token, which acts as alice" in mismatch.stderr
    ambient = run(server, tokens["bob"], "note", "INC-8", "hello", WARROOM_HANDLE="somebody-else")
    assert "#3 bob hello" in ambient.stdout  # WARROOM_HANDLE/config do not apply on a server


@pytest.mark.parametrize(
    "command",
    [("show", "INC-8"), ("show", "INC-8", "--json"), ("list",), ("export", "INC-8", "--format", "json", "-o", "-"),
     ("show", "INC-8", "--at", "#1"), ("policy", "INC-8"), ("note", "INC-8", "as bob")],
)
def test_as_with_someone_elses_token_is_refused_on_every_command(server: ServerProcess, tokens: dict[str, str], command):
    """Issue 21 item 10: reads used to ignore a --as that named someone other than the token's owner."""
    run(server, tokens["alice"], "declare", "INC-8", "--title", "t")
    refused = run(server, tokens["alice"], *command, "--as", "bob", check=False)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.splitlines() == [
        "warroom: --as bob does not match your token, which acts as alice: on a server the token decides who acts "
        "(drop --as, or use that person's token)"
    ]
    assert run(server, tokens["alice"], *command, "--as", "ALICE").returncode == 0  # handles match in any case


def test_token_problems_are_clear_and_never_echo_the_token(server: ServerProcess, tokens: dict[str, str]):
    wrong = "wr_this-is-not-a-real-token-000000000000000"
    bad = run(server, wrong, "list", check=False)
    assert bad.returncode == 1 and "the server refused your token (401" in bad.stderr
    assert wrong not in bad.stderr + bad.stdout
    revoked = run(server, tokens["zed"], "list", check=False)
    assert revoked.returncode == 1 and "refused your token" in revoked.stderr and tokens["zed"] not in revoked.stderr
    missing = run(server, None, "list", check=False)
    assert missing.returncode == 1 and "no token" in missing.stderr and "WARROOM_TOKEN" in missing.stderr


def test_a_down_server_fails_the_command(server: ServerProcess, tokens: dict[str, str]):
    run(server, tokens["alice"], "declare", "INC-9", "--title", "t")
    url = server.url
    server.stop()
    down = warroom("note", "INC-9", "nobody hears", "--server", url, "--token", tokens["alice"], env=server.env, check=False)
    assert down.returncode == 1 and "cannot reach the warroom server" in down.stderr
    assert tokens["alice"] not in down.stderr


def test_token_commands(server: ServerProcess):
    db = str(server.db)
    made = warroom("token", "add", "grace", "--db", db)
    secret = made.stdout.strip().splitlines()[-1]
    listed = warroom("token", "list", "--db", db).stdout
    assert "grace" in listed and "alice" in listed and secret not in listed
    rows = json.loads(warroom("token", "list", "--db", db, "--json").stdout)
    grace = next(r for r in rows if r["handle"] == "grace")
    assert set(grace) == {"id", "handle", "admin", "created_at", "revoked_at"} and grace["revoked_at"] is None and grace["admin"] is False
    assert f"revoked {grace['id']} (grace)" in warroom("token", "revoke", grace["id"], "--db", db).stdout
    again = warroom("token", "revoke", grace["id"], "--db", db, check=False)
    assert again.returncode == 1 and "no active token" in again.stderr
    bad = warroom("token", "add", "no/slashes", "--db", db, check=False)
    assert bad.returncode == 2 and "bad handle" in bad.stderr


def test_help():
    for args in (["serve", "--help"], ["token", "--help"], ["token", "add", "--help"], ["token", "list", "--help"], ["token", "revoke", "--help"]):
        result = warroom(*args)
        assert result.stdout.startswith("usage: warroom")
