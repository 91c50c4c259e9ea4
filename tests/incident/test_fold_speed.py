"""The fold stays fast: a guard against the regression of issue 23, measured relatively.

``bench/fold.py`` fell from ~530,000 to ~205,000 events/s and nobody noticed for a day:
the fold's timeline entries made Python's collector walk the whole heap (every event held
in memory) in the middle of folds. A timed test cannot use an absolute figure on a shared
2-core machine, so this one compares the fold with a fixed piece of plain Python over the
same events (it reads each event and formats a line, keeping nothing), in one process,
rounds interleaved, in CPU time: whatever slows the machine or the interpreter slows both.
(Parsing the same log is no yardstick for this: it is compiled code, and it got faster in
the same fix.) Measured on one machine at load average 8-10 on its 2 cores, three runs each:
folding cost 10.6-11.3x the reference before the fix, 5.8-6.8x after it. Since the fold keeps
no set of event ids (2026-12-06, load 5-8, five runs each): 4.9-5.2x, against 6.3-6.9x for
the fold that kept one. The bound sits 25 % above the fold's worst run: far below the
collector's regression, and at the edge of the id set's return.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys

from tests.conftest import REPO_ROOT

EVENTS = 60_000
ROUNDS = 5
MOST_FOLD_PER_REFERENCE = 6.5
"""Folding the log may cost at most this many times the reference (see the docstring)."""


def reference(log: list) -> None:
    """Plain Python over every event of ``log`` that keeps nothing (so the collector has no part in it)."""
    latest = {}
    for event in log:
        body = event.body
        latest[event.actor] = f"{event.seq} {body.type} {len(body.__dict__)}"


def measure(events: int, rounds: int) -> dict[str, float]:
    """CPU seconds of ``rounds`` folds and references over one realistic log, interleaved.

    Run in a fresh interpreter (see the test), so the heap holds this log and warroom only,
    and where the collector's generations stand does not depend on the tests run before."""
    import gc
    import time

    spec = importlib.util.spec_from_file_location("bench_fold", REPO_ROOT / "bench" / "fold.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    from warroom.incident import fold

    log = bench.realistic_log(events)
    gc.collect()
    fold_s = reference_s = 0.0
    state = None
    for _ in range(rounds):
        started = time.process_time()
        state = fold(log)  # the previous state lives until this one is made, as in the bench
        fold_s += time.process_time() - started
        started = time.process_time()
        reference(log)
        reference_s += time.process_time() - started
    assert state is not None and state.seq == events
    return {"fold_s": fold_s, "reference_s": reference_s}


def test_folding_a_big_log_costs_at_most_six_and_a_half_times_reading_it():
    code = f"import json; from tests.incident.test_fold_speed import measure; print(json.dumps(measure({EVENTS}, {ROUNDS})))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO_ROOT, check=True, timeout=300)
    measured = json.loads(result.stdout.splitlines()[-1])
    ratio = measured["fold_s"] / measured["reference_s"]
    assert ratio <= MOST_FOLD_PER_REFERENCE, (
        f"folding {EVENTS} events took {ratio:.1f}x the reference (at most {MOST_FOLD_PER_REFERENCE}x): {measured}"
    )
