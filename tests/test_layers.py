"""The layers hold: ``lint-imports`` checks the contracts in pyproject.toml's ``[tool.importlinter]``
(``incident`` < ``store`` < ``db``/``asgi`` < ``web``/``notify``/``alerts``/``export`` < ``server``/``tui``
< ``cli``; the board imports nothing of the server; inside the board ``model`` < ``widgets`` <
``screens`` < ``board`` < ``lobby`` < ``app``; no cycle between packages or modules, the board's included). An import that
points up a layer, lazy or type-only, fails here."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_every_import_contract_is_kept():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run(
        [str(lint), "--no-cache"],  # reads ./pyproject.toml
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    assert f"Contracts: {len(contracts)} kept, 0 broken." in done.stdout
