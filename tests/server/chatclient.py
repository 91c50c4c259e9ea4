"""Chat requests as Slack and Mattermost send them, for the chat tests.

Bodies follow the platforms' documented shapes: a slash command is a form with
``token``, ``team_id``, ``team_domain``, ``channel_id``, ``channel_name``, ``user_id``,
``user_name``, ``command``, ``text``, ``response_url``, ``trigger_id``; Slack's message
shortcut is ``payload=<JSON>`` with ``type: message_action``. Slack requests are signed
as Slack signs them (``v0=`` HMAC-SHA256 of ``v0:timestamp:body``), computed here
independently of ``warroom.chat.verify``.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import queue
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlencode

import httpx

from tests.server.harness import ServerProcess, warroom

SIGNING_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
MATTERMOST_TOKEN = "xr3j5x3p4pfk7d5gqz1bzz4bqc"


def slash_form(text: str, user_id: str = "U024BE7LH", channel_id: str = "C2147483705", token: str = "gIkuvaNzQIHg97ATvDxqgjtO") -> bytes:
    return urlencode(
        {
            "token": token,
            "team_id": "T0001",
            "team_domain": "example",
            "channel_id": channel_id,
            "channel_name": "incident-room",
            "user_id": user_id,
            "user_name": "Steve",
            "command": "/warroom",
            "text": text,
            "response_url": "https://hooks.slack.com/commands/1234/5678",
            "trigger_id": f"13345224609.{time.time_ns()}.8088930838d88f008e0",  # unique per use, as Slack's
        }
    ).encode()


def message_action(
    text: str,
    author: str = "U0G9QF9C6",
    user_id: str = "U024BE7LH",
    channel_id: str = "C2147483705",
    response_url: str = "https://hooks.slack.com/app/T0001/944799105734/1111",
) -> bytes:
    payload = {
        "type": "message_action",
        "token": "Nj2rfC2hU8mAfgaJLemZgO7H",
        "action_ts": f"{time.time():.6f}",  # unique per use, as Slack's
        "team": {"id": "T0001", "domain": "example"},
        "user": {"id": user_id, "name": "steve", "username": "steve", "team_id": "T0001"},
        "channel": {"id": channel_id, "name": "incident-room"},
        "callback_id": "add_to_warroom_timeline",
        "trigger_id": "944799105734.773906753841.38b5894552bdd4a780554ee59d1f3bbb",
        "message_ts": "1581106224.000300",
        "message": {"type": "message", "user": author, "ts": "1581106224.000300", "text": text},
        "response_url": response_url,
    }
    return urlencode({"payload": json.dumps(payload)}).encode()


class ResponseSink:
    """A real local HTTP server standing in for Slack's ``response_url``: it keeps each POST (path, JSON)."""

    def __init__(self, statuses: tuple[int, ...] = ()) -> None:
        """``statuses``: what it answers the first POSTs (then 200), to see a failing Slack retried."""
        received: queue.Queue[tuple[str, dict]] = queue.Queue()
        self.received = received
        answers = list(statuses)

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                received.put((self.path, json.loads(body)))
                self.send_response(answers.pop(0) if answers else 200)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - http.server's name
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def next(self, timeout: float = 10) -> tuple[str, dict]:
        return self.received.get(timeout=timeout)

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


def slack_headers(body: bytes, secret: str = SIGNING_SECRET, timestamp: int | None = None) -> dict[str, str]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    signature = "v0=" + hmac.new(secret.encode(), f"v0:{stamp}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": signature, "Content-Type": "application/x-www-form-urlencoded"}


def add_connection(server: ServerProcess, platform: str, env: dict[str, str]) -> str:
    """``warroom chat add`` on the server's database: the request URL (its last line)."""
    secret = ["--signing-secret", SIGNING_SECRET] if platform == "slack" else ["--token", MATTERMOST_TOKEN]
    out = warroom("chat", "add", platform, *secret, "--db", str(server.db), "--url", server.url, env=env).stdout
    return out.strip().splitlines()[-1]


def slack(url: str, text: str, user_id: str = "U024BE7LH", channel_id: str = "C2147483705") -> httpx.Response:
    body = slash_form(text, user_id, channel_id)
    return httpx.post(url, content=body, headers=slack_headers(body), timeout=10)


def events(server: ServerProcess, token: str, incident: str) -> list[dict]:
    answer = httpx.get(f"{server.url}/api/incidents/{incident}/events", headers={"Authorization": f"Bearer {token}"}, timeout=10)
    answer.raise_for_status()
    return answer.json()


