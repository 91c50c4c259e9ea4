"""warroom/ type-checks: mypy over the package, with pyproject.toml's ``[tool.mypy]`` (strict for the
domain and the stores), finds nothing; and the few ``# type: ignore`` left each name their error code
and say why, on the same line (``# type: ignore[code]  # why``)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_IGNORES = 10
IGNORE = re.compile(r"#\s*type:\s*ignore(?P<codes>\[[a-z0-9, -]+\])?(?P<rest>.*)$")


def test_mypy_finds_nothing_in_warroom():
    """The cache (``.mypy_cache``, beside pyproject.toml) makes a re-run take seconds."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "warroom", "--cache-dir", str(ROOT / ".mypy_cache")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert done.returncode == 0, done.stdout[-6000:] + done.stderr[-2000:]


def ignores_in(text: str) -> list[tuple[int, re.Match[str]]]:
    return [(number, found) for number, line in enumerate(text.splitlines(), 1) if (found := IGNORE.search(line))]


def explained(found: re.Match[str]) -> bool:
    return bool(found["codes"]) and re.match(r"\s+#\s*\w", found["rest"]) is not None


def test_an_ignore_needs_its_code_and_a_reason():
    assert explained(IGNORE.search("x = f()  # type: ignore[arg-type]  # f's stub says str; it takes bytes too"))
    assert not explained(IGNORE.search("x = f()  # type: ignore[arg-type]"))
    assert not explained(IGNORE.search("x = f()  # type: ignore  # no code"))


def unchecked_modules() -> set[str]:
    """Modules pyproject.toml's ``[tool.mypy]`` overrides leave unchecked (``ignore_errors``)."""
    overrides = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["overrides"]
    return {module for override in overrides if override.get("ignore_errors") for module in override["module"]}


def test_no_module_is_left_unchecked():
    """The board's last debts (drawing, following, its screen, the panes) are paid: an
    ``ignore_errors`` override would hide a whole module from mypy and from the count below."""
    assert unchecked_modules() == set()


def test_type_ignores_are_few_and_each_names_its_code_and_why():
    found = [
        (f"{path.relative_to(ROOT)}:{number}", match)
        for path in sorted((ROOT / "warroom").rglob("*.py"))
        for number, match in ignores_in(path.read_text())
    ]
    assert [where for where, match in found if not explained(match)] == []
    assert len(found) <= MAX_IGNORES, "\n".join(where for where, _ in found)
