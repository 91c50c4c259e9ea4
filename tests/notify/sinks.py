"""Real local receivers for notification tests: an HTTP sink and an SMTP sink (aiosmtpd).

Both listen on 127.0.0.1 on a free port and record what arrived; each message carries
the notifier's ``ref INC/key`` line, so a test can count deliveries per reference.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from collections import Counter
from email import message_from_bytes
from email.policy import default as default_policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

_REF = re.compile(r"ref (\S+/\S+)")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Received:
    def __init__(self) -> None:
        self.messages: list[dict] = []
        self.changed = threading.Condition()

    def add(self, message: dict) -> None:
        with self.changed:
            self.messages.append(message)
            self.changed.notify_all()

    def refs(self, path: str | None = None) -> Counter:
        """How often each ``ref`` arrived (at one path of the HTTP sink, if given: one target each)."""
        with self.changed:
            return Counter(
                ref for m in self.messages if path is None or m.get("path") == path for ref in _REF.findall(m["body"])
            )

    def wait_for(self, predicate, timeout: float) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: predicate(self), timeout)


class HttpSink(Received):
    """Accepts Apprise's json:// and form:// posts; ``fail_next`` answers 500 that many times."""

    def __init__(self) -> None:
        super().__init__()
        self.fail_next = 0
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                data = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if sink.fail_next > 0:
                    sink.fail_next -= 1
                    self.send_response(500)
                    self.end_headers()
                    return
                kind = self.headers.get("Content-Type", "")
                if kind.startswith("application/json"):
                    doc = json.loads(data)
                    body, title = doc.get("message", ""), doc.get("title", "")
                else:
                    form = {k: v[0] for k, v in parse_qs(data.decode()).items()}
                    body, title = form.get("message", ""), form.get("title", "")
                sink.add({"path": self.path, "type": kind, "title": title, "body": body})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> HttpSink:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class SmtpSink(Received):
    def __init__(self) -> None:
        super().__init__()
        from aiosmtpd.controller import Controller

        sink = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's name
                mail = message_from_bytes(envelope.content, policy=default_policy)
                part = mail.get_body(preferencelist=("plain",))
                sink.add({"title": str(mail["Subject"]), "body": part.get_content() if part else "", "to": envelope.rcpt_tos})
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.controller.stop()

    def url(self) -> str:
        return f"mailto://127.0.0.1:{self.port}?to=oncall@example.com&from=warroom@example.com"
