"""Secrets stay private: the server database (and the WAL and shared-memory files SQLite
makes beside it) is created 0600, a new config file is 0600, a rewritten file keeps its
mode, and ``join`` on a server never writes a handle into the config (the token decides)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from tests.server.harness import ServerProcess, cli_env, warroom


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_the_server_database_its_wal_and_shm_are_0600(tmp_path: Path):
    old = os.umask(0o022)  # the usual umask, which makes 0644 files
    try:
        db = tmp_path / "fresh" / "warroom.db"
        env = cli_env(home=tmp_path)
        warroom("token", "add", "alice", "--db", str(db), env=env)
        token = warroom("token", "add", "bob", "--db", str(db), env=env).stdout.strip().splitlines()[-1]
        with ServerProcess(db, env=env) as server:
            warroom("declare", "INC-M", "--title", "Modes", "--server", server.url, "--token", token, env=env)
            made = {p.name: mode(p) for p in db.parent.iterdir() if p.name.startswith("warroom.db")}
    finally:
        os.umask(old)
    assert {"warroom.db", "warroom.db-wal", "warroom.db-shm"} <= made.keys()
    assert made == {name: 0o600 for name in made}, made
    assert mode(db.parent) == 0o700


def test_an_existing_world_readable_database_is_kept_but_named(tmp_path: Path):
    db = tmp_path / "warroom.db"
    env = cli_env(home=tmp_path)
    warroom("token", "add", "alice", "--db", str(db), env=env)
    os.chmod(db, 0o644)
    with ServerProcess(db, env=env):
        pass
    assert mode(db) == 0o644  # the operator's choice stands...
    assert "is mode 644" in db.with_suffix(".server.log").read_text()  # ...but they are told


def test_a_new_config_is_0600_and_a_rewrite_keeps_the_mode(tmp_path: Path):
    env = cli_env(home=tmp_path)
    config = tmp_path / "warroom.toml"
    old = os.umask(0o022)
    try:
        warroom("declare", "INC-C1", "--title", "First", "--store", str(tmp_path / "inc"), "--as", "alice", env=env)
        assert config.exists() and mode(config) == 0o600  # made to remember the handle
        config.write_text('[store]\nfolder = "elsewhere"\n')
        os.chmod(config, 0o640)
        warroom("declare", "INC-C2", "--title", "Second", "--store", str(tmp_path / "inc"), "--as", "alice", env=env)
    finally:
        os.umask(old)
    assert 'handle = "alice"' in config.read_text() and mode(config) == 0o640


def test_join_on_a_server_never_writes_the_handle_into_the_config(tmp_path: Path, shared_server, tokens):
    env = cli_env(home=tmp_path)
    config = tmp_path / "warroom.toml"
    text = f'[server]\nurl = "{shared_server.url}"\ntoken = "{tokens["zed"]}"\n'
    config.write_text(text)
    os.chmod(config, 0o600)
    result = warroom("join", "INC-J", env=env, check=False)  # zed's token is revoked: refused
    assert result.returncode != 0 and "revoked" in result.stderr
    assert config.read_text() == text and mode(config) == 0o600
