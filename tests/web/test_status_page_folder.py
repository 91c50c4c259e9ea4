"""``warroom status-page --store DIR``: the same page, read-only, over a shared folder."""

from __future__ import annotations

import queue
import re
import subprocess
import sys
import threading

import httpx

from tests.server.harness import REPO_ROOT, cli_env, warroom


def _start(folder, home, *extra: str) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "warroom", "status-page", "--store", str(folder), "--port", "0", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_env(home=home), cwd=REPO_ROOT, stdin=subprocess.DEVNULL,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stdout] + [lines.put(None)], daemon=True).start()  # type: ignore[union-attr]
    line = lines.get(timeout=30)
    assert line is not None, proc.stderr.read()  # type: ignore[union-attr]
    return proc, re.search(r"(http://\S+)/status", line).group(1)  # type: ignore[union-attr]


def test_the_folder_page_is_served_read_only_and_live(tmp_path):
    folder, home = tmp_path / "incidents", tmp_path / "home"
    env = cli_env(home=home)
    env["WARROOM_HANDLE"] = "alice"
    warroom("declare", "INC-2", "--title", "SECRET disk 97% on q-1", "--sev", "2", "--store", str(folder), env=env)
    warroom("publish", "INC-2", "--title", "Queue backlog", "--store", str(folder), env=env)
    warroom("note", "INC-2", "SECRET internal", "--store", str(folder), env=env)
    proc, url = _start(folder, home)
    try:
        assert url.startswith("http://127.0.0.1:")
        index = httpx.get(f"{url}/status", timeout=10)
        assert index.status_code == 200 and "INC-2" in index.text
        page = httpx.get(f"{url}/status/INC-2", timeout=10).text
        assert "Queue backlog" in page and "SECRET" not in page
        with httpx.stream("GET", f"{url}/status/INC-2/stream", params={"after": 1}, timeout=30) as response:
            lines = response.iter_lines()
            assert next(lines) == ": connected"
            warroom("broadcast", "INC-2", "Backlog draining", "--stakeholders", "--store", str(folder), env=env)
            for line in lines:
                if "Backlog draining" in line:
                    break
        for method in ("POST", "PUT", "DELETE"):
            assert httpx.request(method, f"{url}/status/INC-2", timeout=10).status_code == 405
        assert httpx.get(f"{url}/api/incidents", timeout=10).status_code == 404  # no API at all
    finally:
        proc.terminate()
        proc.wait(15)


def test_a_public_address_needs_saying_so(tmp_path):
    result = warroom("status-page", "--store", str(tmp_path), "--host", "0.0.0.0", env=cli_env(home=tmp_path), check=False)
    assert result.returncode == 1 and "--public" in result.stderr and "Traceback" not in result.stderr


def test_a_keyless_public_page_may_be_cached_briefly_and_revalidated(tmp_path):
    """Issue 26 item 8: with ``[server] public_url`` set, a page without a key is what a CDN serves."""
    folder, home = tmp_path / "incidents", tmp_path / "home"
    env = cli_env(home=home)
    env["WARROOM_HANDLE"] = "alice"
    warroom("declare", "INC-3", "--title", "internal words", "--store", str(folder), env=env)
    warroom("publish", "INC-3", "--title", "Search is slow", "--store", str(folder), env=env)
    private, url = _start(folder, home)
    try:
        assert httpx.get(f"{url}/status/INC-3", timeout=10).headers["cache-control"] == "private, no-store"
    finally:
        private.terminate()
        private.wait(15)
    (home / "warroom.toml").write_text('[server]\npublic_url = "https://status.example.com"\n')
    proc, url = _start(folder, home)
    try:
        for path in ("/status", "/status/INC-3", "/status/INC-3/feed.atom"):
            page = httpx.get(f"{url}{path}", timeout=10)
            assert page.headers["cache-control"] == "public, max-age=10", path
            again = httpx.get(f"{url}{path}", headers={"If-None-Match": page.headers["etag"]}, timeout=10)
            assert again.status_code == 304, path
    finally:
        proc.terminate()
        proc.wait(15)
