"""How fast replay seeks: ``python bench/replay.py --events 100000``.

Builds the same realistic log as ``bench/fold.py`` in memory, then times what a replay
does (``warroom.incident.keyframes.History``): making every keyframe (the first seek to
the end; keyframes are built lazily, so this is paid once, as far as a replay goes), then
seeks to random moments and single steps. Target: a seek anywhere at 100,000 events within
50 ms. Prints one final line of ``key=value`` pairs.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from fold import realistic_log  # noqa: E402

from warroom.incident.keyframes import KEYFRAME_EVERY, History  # noqa: E402


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--every", type=int, default=KEYFRAME_EVERY, help="events between keyframes")
    parser.add_argument("--seeks", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    events = realistic_log(args.events)
    rss_log = rss_mib()
    history = History(events, every=args.every)

    started = time.perf_counter()
    history.state_at(history.last_seq)
    build_s = time.perf_counter() - started
    rss_built = rss_mib()

    rng = random.Random(args.seed)
    seeks = []
    for _ in range(args.seeks):
        seq = rng.randint(1, history.last_seq)
        started = time.perf_counter()
        history.state_at(seq)
        seeks.append((time.perf_counter() - started) * 1000)
    steps = []
    for _ in range(args.seeks // 5):
        moment = history.at_seq(rng.randint(1, history.last_seq))
        started = time.perf_counter()
        history.state_at(history.step(moment, 1).seq)
        steps.append((time.perf_counter() - started) * 1000)

    print(
        f"{len(events)} events, a keyframe every {args.every}: {history.keyframes} keyframes made in {build_s:.2f}s; "
        f"{args.seeks} random seeks: median {statistics.median(seeks):.1f} ms, worst {max(seeks):.1f} ms"
    )
    print(
        f"events={len(events)} every={args.every} keyframes={history.keyframes} build_s={build_s:.2f} "
        f"seek_p50_ms={percentile(seeks, 0.5):.1f} seek_p99_ms={percentile(seeks, 0.99):.1f} seek_max_ms={max(seeks):.1f} "
        f"step_p50_ms={percentile(steps, 0.5):.1f} step_p99_ms={percentile(steps, 0.99):.1f} "
        f"rss_log_mib={rss_log:.0f} rss_mib={rss_mib():.0f} keyframes_mib={rss_built - rss_log:.0f}"
    )


if __name__ == "__main__":
    main()
