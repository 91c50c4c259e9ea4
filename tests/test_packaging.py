"""The wheel is what people install, so it is tested as they get it: built from the sources,
installed with its dependencies into a fresh virtual environment outside the repository, and
run from another folder. Every file of the package must be in it (package data is listed by
hand in pyproject.toml, and a file it misses is only noticed by whoever installs the wheel),
and the installed warroom must work: its version, the CLI on a file store, the board with its
themes and stylesheet, and ``warroom serve`` with the status page's templates and assets."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.conftest import REPO_ROOT
from tests.server.harness import ServerProcess

_NOT_SOURCES = shutil.ignore_patterns(
    ".git", "build", "dist", "*.egg-info", "__pycache__", "*.pyc", ".pytest_cache", ".hypothesis", ".venv"
)

# Run by the installed Python: the board starts (its stylesheet and the themes are found and
# parse) and draws the incident.
_BOARD = """
import asyncio, sys
from warroom.config import Config
from warroom.room import Room
from warroom.store import FileStore
from warroom.tui.app import WarroomApp
from warroom.tui.themes import load_themes

async def main():
    app = WarroomApp(room=Room(FileStore(sys.argv[1]), "INC-1", "alice"), config=Config())
    async with app.run_test(size=(120, 36)) as pilot:
        for _ in range(500):
            if app.room.state.declared:
                break
            await pilot.pause(0.01)
        await pilot.pause()
        screen = app.export_screenshot()
    print("startup error:", app.startup_error)
    print("themes:", " ".join(sorted(load_themes(None).themes)))
    print("title shown:", "Checkout" in screen)

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Built from a copy of the sources: setuptools reuses a ``build/`` folder it finds, so
    building in the repository could put a file deleted since into the wheel (and leaves
    ``build/`` behind)."""
    source = tmp_path_factory.mktemp("source") / "warroom"
    shutil.copytree(REPO_ROOT, source, ignore=_NOT_SOURCES)
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(source), "--no-deps", "-q", "-w", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert build.returncode == 0, build.stderr
    (found,) = out.glob("warroom-*.whl")
    return found


def _package_files(folder: Path) -> set[str]:
    return {
        path.relative_to(folder).as_posix()
        for path in folder.rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def test_the_wheel_ships_the_built_in_themes_and_stylesheet(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for theme in ("warroom-dark", "warroom-light", "warroom-high-contrast"):
        assert f"warroom/themes/{theme}.toml" in names
    assert "warroom/tui/app.tcss" in names
    assert {"warroom/export/templates/postmortem.md.j2", "warroom/export/templates/postmortem.html.j2"} <= names
    assert not any(name.startswith("tests/") for name in names)


def test_the_wheel_holds_every_file_of_the_package(wheel):
    """Package data is matched by one-level globs (``tui/*.tcss``, ``web/static/*``): a new
    kind of file, or a stylesheet beside a screen in ``tui/screens/``, is left out of the
    wheel until pyproject.toml names it."""
    shipped = {name.removeprefix("warroom/") for name in zipfile.ZipFile(wheel).namelist() if name.startswith("warroom/")}
    assert sorted(_package_files(REPO_ROOT / "warroom") - shipped) == []


@pytest.mark.slow
def test_the_installed_wheel_runs_on_its_own(wheel, tmp_path, isolated_environment):
    started = time.monotonic()
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python, warroom = venv / "bin" / "python", venv / "bin" / "warroom"
    elsewhere = tmp_path / "elsewhere"  # not the repository: nothing of it is importable from here
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME") and not k.startswith("WARROOM_")}
    # From the repository, `python -m pip` would see its warroom.egg-info (left by an editable
    # install) and call the wheel already installed.
    install = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", str(wheel)],
        capture_output=True, text=True, timeout=600, cwd=elsewhere, env=env,
    )
    assert install.returncode == 0, install.stderr
    installed_in = time.monotonic() - started
    env["WARROOM_CONFIG_PATH"] = str(isolated_environment / "warroom.toml")

    def run(*command: str | Path) -> str:
        result = subprocess.run(
            [str(part) for part in command], capture_output=True, text=True, cwd=elsewhere, env=env, timeout=120,
            stdin=subprocess.DEVNULL,
        )
        assert result.returncode == 0, f"{command} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
        return result.stdout

    package = Path(run(python, "-c", "import warroom; print(warroom.__file__)").strip()).parent
    assert package.is_relative_to(venv)
    assert sorted(_package_files(REPO_ROOT / "warroom") - _package_files(package)) == []

    version = wheel.name.split("-")[1]
    assert run(warroom, "--version").strip() == f"warroom {version}"

    store = tmp_path / "store"
    assert run(warroom, "declare", "--title", "Checkout is down", "--store", store, "--as", "alice").strip() == "INC-1"
    assert "Checkout is down" in run(warroom, "show", "INC-1", "--store", store)
    assert run(warroom, "completion", "bash").startswith("#compdef warroom")

    board = run(python, "-c", _BOARD, store)
    assert "startup error: None" in board
    assert "themes: warroom-dark warroom-high-contrast warroom-light" in board
    assert "title shown: True" in board

    with ServerProcess(tmp_path / "server.db", python=str(python), cwd=elsewhere, env=env) as server:
        assert httpx.get(f"{server.url}/healthz", timeout=30).status_code == 200
        style = httpx.get(f"{server.url}/status/static/status.css", timeout=30)
        assert style.status_code == 200 and style.headers["content-type"].startswith("text/css")
        page = httpx.get(f"{server.url}/status", timeout=30)  # no key: the page made from the templates
        assert page.status_code == 404 and "<h1>Not found</h1>" in page.text
    print(f"\nwheel installed with its dependencies in {installed_in:.1f} s; all checks in {time.monotonic() - started:.1f} s")
