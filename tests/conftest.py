"""Shared fixtures: an isolated config and store per test, and the CLI as a real subprocess."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from tests.pg import PgCluster, binaries

REPO_ROOT = Path(__file__).resolve().parent.parent
LONG = bool(os.environ.get("WARROOM_LONG_TESTS"))

# Hypothesis: quick in CI, 10,000 examples with WARROOM_LONG_TESTS=1.
settings.register_profile("ci", max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", max_examples=10_000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("long" if os.environ.get("WARROOM_LONG_TESTS") else "ci")

_OUR_VARIABLES = (
    "WARROOM_CONFIG_PATH",
    "WARROOM_STORE",
    "WARROOM_SERVER",
    "WARROOM_TOKEN",
    "WARROOM_HANDLE",
    "WARROOM_EXPORT_DIR",
    "WARROOM_DB",
)


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No test reads or writes the developer's real config, store or exports."""
    for name in _OUR_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("WARROOM_CONFIG_PATH", str(home / "warroom.toml"))
    monkeypatch.setenv("WARROOM_EXPORT_DIR", str(home / "exports"))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    return home


@pytest.fixture(scope="session")
def postgres() -> Iterator[PgCluster]:
    """One real PostgreSQL cluster for the whole run, started on first use (see tests/pg.py)."""
    if binaries() is None and not os.environ.get("CI"):
        pytest.skip("PostgreSQL is not installed here (apt-get install postgresql)")
    cluster = PgCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    folder.mkdir()
    return folder


class Cli:
    """Runs ``python -m warroom`` as a subprocess against one store folder."""

    def __init__(self, store_dir: Path):
        self.store_dir = store_dir
        self.env = dict(os.environ)
        self.env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + self.env.get("PYTHONPATH", "")
        self.env["WARROOM_STORE"] = str(store_dir)

    def __call__(self, *args: str, actor: str | None = "alice", check: bool = True, timeout: float = 60):
        command = [sys.executable, "-m", "warroom", *args]
        if actor is not None:
            command += ["--as", actor]
        result = subprocess.run(
            command, capture_output=True, text=True, env=self.env, cwd=REPO_ROOT, timeout=timeout, stdin=subprocess.DEVNULL
        )
        if check and result.returncode != 0:
            raise AssertionError(f"{command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
        return result


@pytest.fixture
def cli(store_dir: Path) -> Cli:
    return Cli(store_dir)


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of every collection that starts while the test runs (the collector on at its start)."""
    started: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    was_enabled = gc.isenabled()
    gc.enable()
    gc.callbacks.append(note)
    try:
        yield started
    finally:
        gc.callbacks.remove(note)
        if not was_enabled:
            gc.disable()
