"""``bench/join_split.py`` still finds a join's steps: the wraps it puts on Textual's and the
board's methods name them, and a rename would make it print nothing useful (or hang)."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import REPO_ROOT


def test_the_join_split_bench_times_the_board_from_loaded_to_full_paint() -> None:
    result = subprocess.run(
        [sys.executable, "bench/join_split.py", "--events", "1000", "--runs", "1"],
        capture_output=True, text=True, cwd=REPO_ROOT, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for step in ("frame rendered", "stylesheet applied", "mounted (a batch)", "drawn (draw_all)", "catch-up box made", "layouts of BoardScreen"):
        assert step in result.stdout, result.stdout
    assert result.stdout.strip().splitlines()[-1].startswith("events=1000 size=140x45 loaded_to_full_paint_ms="), result.stdout
