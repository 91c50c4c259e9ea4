"""The domain stays pure and start-up stays fast: importing it pulls in no UI, HTTP or server code."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


@pytest.mark.parametrize("module", ["warroom.incident", "warroom.room", "warroom.store", "warroom.cli", "warroom.safetext"])
def test_import_pulls_in_no_textual_httpx_or_server(module):
    code = (
        f"import sys, {module}; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'httpx', 'fastapi', 'uvicorn', 'starlette')))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    assert result.stdout.strip() == "[]"


def test_the_domain_imports_nothing_of_ours_outside_it():
    code = "import sys, warroom.incident; print(sorted(m for m in sys.modules if m.startswith('warroom.') and not m.startswith('warroom.incident')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True)
    assert result.stdout.strip() == "[]"
