"""The checkpoint codec (``incident/snapshot.py``) against pydantic ``TypeAdapter``s on the same state.

    python bench/checkpoint_codec.py --events 10000

Folds the log of ``bench/fold.py`` and times, in CPU, best of 5: encoding and decoding every
timeline entry with snapshot's own codec (an entry as the JSON list of its fields) and with a
``TypeAdapter(TimelineEntry)`` (``dump_json`` / ``validate_json``: an object with its field
names), the bytes each makes, what building the adapters costs (paid once per process, on the
join path if a checkpoint were decoded through them), and a whole checkpoint's encode and decode.
Prints one final line: ``events= entries= ours_bytes= adapter_bytes= ours_encode_ms=
adapter_encode_ms= ours_decode_ms= adapter_decode_ms= adapter_build_ms= checkpoint_encode_ms=
checkpoint_decode_ms=``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from fold import realistic_log  # noqa: E402

from warroom.incident import fold, snapshot  # noqa: E402
from warroom.incident.state import IncidentState, TimelineEntry  # noqa: E402


def best_ms(work: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return min(times) * 1000


def dump(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()

    from pydantic import TypeAdapter

    state = fold(realistic_log(args.events))
    entries = list(state.timeline)
    encode, decode = snapshot._codec(TimelineEntry)
    started = time.process_time()
    adapter = TypeAdapter(TimelineEntry)
    TypeAdapter(IncidentState)
    build_ms = (time.process_time() - started) * 1000

    ours = [dump(encode(entry)) for entry in entries]
    theirs = [adapter.dump_json(entry) for entry in entries]
    assert [decode(json.loads(line)) for line in ours] == entries
    assert [adapter.validate_json(line) for line in theirs] == entries
    results = {
        "ours_encode_ms": best_ms(lambda: [dump(encode(entry)) for entry in entries]),
        "adapter_encode_ms": best_ms(lambda: [adapter.dump_json(entry) for entry in entries]),
        "ours_decode_ms": best_ms(lambda: [decode(json.loads(line)) for line in ours]),
        "adapter_decode_ms": best_ms(lambda: [adapter.validate_json(line) for line in theirs]),
    }
    data = b"".join(snapshot.encode(state))
    results["checkpoint_encode_ms"] = best_ms(lambda: b"".join(snapshot.encode(state)))
    results["checkpoint_decode_ms"] = best_ms(lambda: snapshot.decode(data))
    print(
        f"events={args.events} entries={len(entries)} ours_bytes={sum(map(len, ours))} adapter_bytes={sum(map(len, theirs))} "
        + " ".join(f"{key}={value:.1f}" for key, value in results.items())
        + f" adapter_build_ms={build_ms:.1f}"
    )


if __name__ == "__main__":
    main()
