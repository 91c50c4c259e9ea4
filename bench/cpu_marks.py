"""Run a Python program on the terminal, writing its process CPU time when each marker first shows.

    CPU_MARKS='loading…/Objects expiring|last entry' CPU_MARKS_FILE=out.tsv python bench/cpu_marks.py -m warroom join ...

``bench/startup.py --cpu`` runs both the join and the bare app through this. Markers are
``|``-separated; ``a/b`` stops a marker's clock at the first of its alternatives. The text
Textual hands its writer thread (the frames, escape codes removed) is what is searched, so
a mark is the CPU the process (every thread) had used when it *sent* that frame: steadier
than the wall clock on a shared machine, where a run also waits for a core.
"""

import os
import re
import runpy
import sys
import time

from textual.drivers import _writer_thread

ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][0-9A-Za-z]|\x1b[=>]")
MARKS_FILE = os.environ["CPU_MARKS_FILE"]
MARKERS = os.environ["CPU_MARKS"].split("|")

_seen: set[str] = set()
_screen = [""]
_write = _writer_thread.WriterThread.write


def _marking_write(self: _writer_thread.WriterThread, text: str) -> None:
    if len(_seen) == len(MARKERS):
        _write(self, text)
        return
    _screen[0] = (_screen[0] + ANSI.sub("", text))[-200_000:]
    for marker in MARKERS:
        if marker not in _seen and any(alternative in _screen[0] for alternative in marker.split("/")):
            _seen.add(marker)
            with open(MARKS_FILE, "a") as marks:
                marks.write(f"{marker}\t{time.process_time():.4f}\n")
    _write(self, text)  # after the mark: whoever watches the terminal may stop this process once it shows


setattr(_writer_thread.WriterThread, "write", _marking_write)
if sys.argv[1] == "-m":
    sys.argv = sys.argv[2:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    sys.argv = sys.argv[1:]
    runpy.run_path(sys.argv[0], run_name="__main__")
