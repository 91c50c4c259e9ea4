"""``bench/pg.py`` must always end by itself, with one result line; ``bench/server.py --pg-pair`` too.

It once hung for good: its hundred boards shared one token, the server caps open
streams per token (16), and the boards past the cap retried for ever. These run the
real bench (its own PostgreSQL cluster, two real servers) small enough for the suite.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.pg import binaries
from tests.server.harness import REPO_ROOT, cli_env

pytestmark = pytest.mark.skipif(binaries() is None and not os.environ.get("CI"), reason="PostgreSQL is not installed here")


def _bench(*args: str, timeout: float) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "bench/pg.py", *args],
        capture_output=True, text=True, cwd=REPO_ROOT, env=cli_env(), timeout=timeout, stdin=subprocess.DEVNULL,
    )


def test_propagation_with_more_boards_than_one_tokens_stream_cap_finishes():
    # 40 boards over two servers: 20 streams per server, past the 16 one token may hold.
    result = _bench("propagation", "--boards", "40", "--events", "5", "--procs", "2", "--timeout", "240", timeout=400)
    assert result.returncode == 0, result.stdout + result.stderr
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("mode=propagation boards=40 servers=2 events=5 ") and "p99_ms=" in line, line


def test_a_run_that_cannot_finish_in_time_says_so_and_ends():
    result = _bench("throughput", "--subscribers", "4", "--seconds", "60", "--timeout", "5", timeout=240)
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("mode=throughput error=timeout"), result.stdout
    assert "Traceback" not in result.stderr, result.stderr


def test_the_server_bench_drives_a_postgresql_pair_with_the_same_clients_and_every_event_arrives():
    result = subprocess.run(
        [sys.executable, "bench/server.py", "--pg-pair", "--subscribers", "4", "--seconds", "1", "--appenders", "2", "--rate-limit", "0"],
        capture_output=True, text=True, cwd=REPO_ROOT, env=cli_env(), timeout=240, stdin=subprocess.DEVNULL,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    summary, line = result.stdout.strip().splitlines()[-2:]
    delivered, expected = summary.split("delivered ")[1].split(";")[0].split("/")
    assert delivered == expected and int(expected) > 0, summary
    assert line.startswith("appends_per_s=") and "server_cpu_ms_per_append=" in line, line
