"""Real ``warroom serve`` subprocesses for tests and benchmarks, always cleaned up.

A ``ServerProcess`` starts ``python -m warroom serve --port P --db DB`` (port 0 picks a
free one), waits for the ``listening on`` line the server prints once it accepts
connections, and can be stopped (SIGTERM, then SIGKILL) or killed outright (SIGKILL,
for crash tests) and started again on the same port and database. Tokens are made
with the real ``warroom token add``.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent
_LISTENING = re.compile(r"listening on (http://\S+)")


def cli_env(home: Path | None = None) -> dict[str, str]:
    """The environment for our subprocesses: the worktree importable, no stray WARROOM_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("WARROOM_")}
    env["PYTHONPATH"] = str(REPO_ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    if home is not None:
        env["WARROOM_CONFIG_PATH"] = str(home / "warroom.toml")
    elif "WARROOM_CONFIG_PATH" in os.environ:
        env["WARROOM_CONFIG_PATH"] = os.environ["WARROOM_CONFIG_PATH"]
    return env


def warroom(*args: str, env: dict[str, str] | None = None, check: bool = True, timeout: float = 60) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [sys.executable, "-m", "warroom", *args],
        capture_output=True,
        text=True,
        env=env or cli_env(),
        cwd=REPO_ROOT,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    if check and result.returncode != 0:
        raise AssertionError(f"warroom {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    return result


def make_tokens(db: Path, handles: Iterable[str], env: dict[str, str] | None = None) -> dict[str, str]:
    """``warroom token add`` for each handle (in parallel); the token is the last line of stdout."""
    procs = {
        handle: subprocess.Popen(
            [sys.executable, "-m", "warroom", "token", "add", handle, "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env or cli_env(),
            cwd=REPO_ROOT,
            stdin=subprocess.DEVNULL,
        )
        for handle in handles
    }
    tokens = {}
    for handle, proc in procs.items():
        out, err = proc.communicate(timeout=60)
        if proc.returncode != 0:
            raise AssertionError(f"token add {handle} failed: {err}")
        tokens[handle] = out.strip().splitlines()[-1]
    return tokens


class ServerProcess:
    def __init__(
        self,
        db: Path | str,
        *,
        port: int = 0,
        args: Iterable[str] = (),
        log: Path | None = None,
        env: dict[str, str] | None = None,
        preexec_fn: Callable[[], None] | None = None,
        command: Iterable[str] = ("serve",),
        python: str = sys.executable,
        cwd: Path = REPO_ROOT,
    ):
        """``db`` is an SQLite file or a ``postgresql://`` URL (then ``log`` is required);
        ``command`` is the warroom subcommand that serves (``serve``, or ``alerts --store DIR``);
        ``python`` and ``cwd`` run another installation (an installed wheel's virtual environment)."""
        self.command = list(command)
        self.python = python
        self.cwd = cwd
        self.db: Path | str = db if str(db).startswith("postgresql://") else Path(db)
        self.preexec_fn = preexec_fn
        self.port = port
        self.args = list(args)
        assert log is not None or isinstance(self.db, Path), "say where a PostgreSQL server's log goes"
        self.log = log or self.db.with_suffix(".server.log")  # type: ignore[union-attr]
        self.env = env or cli_env()
        self.proc: subprocess.Popen | None = None
        self.url = ""

    def start(self, timeout: float = 30.0) -> ServerProcess:
        assert self.proc is None, "already running"
        command = [self.python, "-m", "warroom", *self.command, "--host", "127.0.0.1", "--port", str(self.port), "--db", str(self.db), *self.args]
        stderr = open(self.log, "ab")  # noqa: SIM115 - handed to the child
        try:
            self.proc = subprocess.Popen(
                command,
                stdout=subprocess.PIPE,
                stderr=stderr,
                env=self.env,
                cwd=self.cwd,
                stdin=subprocess.DEVNULL,
                text=True,
                preexec_fn=self.preexec_fn,
            )
        finally:
            stderr.close()
        lines: queue.Queue = queue.Queue()
        proc = self.proc

        def pump() -> None:  # keep reading so the pipe never fills
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        try:
            while True:
                line = lines.get(timeout=timeout)
                if line is None:
                    raise AssertionError(f"warroom serve exited ({proc.wait()}):\n{self.log.read_text()}")
                if match := _LISTENING.search(line):
                    self.url = match.group(1)
                    self.port = int(self.url.rsplit(":", 1)[1])
                    return self
        except BaseException:
            self.kill()
            raise

    @property
    def pid(self) -> int:
        assert self.proc is not None, "not running"
        return self.proc.pid

    def status(self, field: str) -> int:
        """A number from /proc/PID/status, e.g. ``VmRSS`` or ``VmHWM`` (in kB)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
        raise KeyError(field)

    def open_sockets(self) -> int:
        """How many sockets the server process holds open right now."""
        count = 0
        for fd in Path(f"/proc/{self.pid}/fd").iterdir():
            try:
                count += os.readlink(fd).startswith("socket:")
            except OSError:
                pass
        return count

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def kill(self) -> None:
        """SIGKILL: no clean-up, no flushing -- the crash we must survive."""
        if self.proc is not None:
            if self.proc.poll() is None:
                self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=30)
            self.proc = None

    def stop(self, timeout: float = 10.0) -> int | None:
        """SIGTERM and wait; SIGKILL if it does not go."""
        if self.proc is None:
            return None
        proc = self.proc
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
        self.proc = None
        return proc.returncode

    def __enter__(self) -> ServerProcess:
        return self.start() if self.proc is None else self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@contextlib.contextmanager
def booted_together(servers: list[ServerProcess], drop: Callable[[], object]) -> Iterator[list[ServerProcess]]:
    """``servers`` started at once (as a fleet boots), then stopped, their logs free of tracebacks,
    and ``drop()`` called (the database they shared)."""
    try:
        with ThreadPoolExecutor(len(servers)) as pool:
            list(pool.map(ServerProcess.start, servers))
        yield servers
    finally:
        for server in servers:
            server.stop()
        for server in servers:
            assert "Traceback" not in server.log.read_text(), server.log.read_text()
        drop()


def healthz_ms(url: str) -> float:
    """Milliseconds for one ``GET /healthz`` on a new connection (raw socket: no client overhead)."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    started = time.perf_counter()
    with socket.create_connection((host.strip("[]"), int(port)), timeout=30) as sock:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    return (time.perf_counter() - started) * 1000


def build_template(folder: Path, handles: Iterable[str], revoked: Iterable[str] = ()) -> tuple[Path, dict[str, str]]:
    """A server database with a token per handle (made by ``warroom token add``); the
    ``revoked`` handles' tokens are then revoked with ``warroom token revoke``."""
    db = folder / "template.db"
    env = cli_env(home=folder)
    revoked = list(revoked)
    tokens = make_tokens(db, [*handles, *revoked], env=env)
    for handle in revoked:
        warroom("token", "revoke", handle, "--db", str(db), env=env)
    return db, tokens


def copy_db(template: Path, target: Path) -> Path:
    """Copy a server database whose connections are all closed (so it is all in the main file)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(template.read_bytes())
    return target
