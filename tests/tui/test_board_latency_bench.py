"""``bench/board_latency.py`` still measures two boards on one folder.

Alice's board opens with the "while you were away" box (bob joined after her declaration),
so her ``t`` went to the box, the note form never opened, and the one-process run failed at
once on the focused widget (unnoticed: nothing ran the bench). It closes the box first now,
and waits for the form's field; this runs the real bench, both ways, with a few samples.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO_ROOT


@pytest.mark.parametrize("how", [[], ["--other-process"]], ids=["one-process", "other-process"])
def test_the_board_latency_bench_reports_every_sample(how: list[str]) -> None:
    result = subprocess.run(
        [sys.executable, "bench/board_latency.py", "3", *how],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("samples=3 median="), result.stdout
