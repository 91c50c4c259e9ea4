"""Pyflakes' checks (ruff's F rules) over the code: an undefined name or a dead import is a
bug waiting for the one path that reaches it (a checkpoint write that failed once raised
NameError because its logger had gone)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def test_no_undefined_names_or_unused_imports():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--select", "F", "--output-format", "concise", "warroom", "tests", "bench", "scripts"],
        capture_output=True, text=True, cwd=REPO_ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
