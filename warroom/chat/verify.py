"""Whether a chat request comes from the chat app it claims to, exactly as each platform documents it.

Slack signs every request: ``X-Slack-Signature`` is ``v0=`` and the hex HMAC-SHA256, keyed
with the app's signing secret, of ``v0:{X-Slack-Request-Timestamp}:{raw body}``. We compute
the same and compare in constant time; a timestamp more than five minutes from our clock
is refused, and so is a signature already seen within that window (a replay: Slack never
sends the same signature twice, because the timestamp changes). Mattermost sends the
slash command's ``token`` in the form; it is compared against the hash kept for the
connection (``warroom.db.chats.token_matches``).
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

WINDOW_SECONDS = 5 * 60
MAX_REMEMBERED = 100_000


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """What Slack puts in ``X-Slack-Signature`` for this body at this timestamp."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


class SlackVerifier:
    """Checks signatures and remembers the ones it accepted for the replay window."""

    def __init__(self, clock: Callable[[], float] = time.time):
        self.clock = clock
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def refusal(self, secret: str, timestamp: str | None, signature: str | None, body: bytes) -> str | None:
        """Why this request is not Slack's, or ``None`` when it is (and it is now remembered)."""
        if not timestamp or not signature:
            return "missing X-Slack-Signature or X-Slack-Request-Timestamp"
        if not timestamp.isascii() or not timestamp.isdigit() or len(timestamp) > 12:
            return "bad X-Slack-Request-Timestamp"
        now = self.clock()
        if abs(now - int(timestamp)) > WINDOW_SECONDS:
            return "stale X-Slack-Request-Timestamp (more than 5 minutes from the server's clock)"
        expected = slack_signature(secret, timestamp, body)
        if not hmac.compare_digest(expected.encode("ascii"), signature.encode("latin-1", "replace")):
            return "bad X-Slack-Signature"
        with self._lock:
            self._forget_before(now - WINDOW_SECONDS)
            if signature in self._seen:
                return "replayed request (this signature was already used)"
            if len(self._seen) >= MAX_REMEMBERED:
                self._seen.popitem(last=False)
            self._seen[signature] = int(timestamp)
        return None

    def _forget_before(self, cutoff: float) -> None:
        # signatures are remembered in arrival order; their timestamps are close to it
        while self._seen:
            signature, stamp = next(iter(self._seen.items()))
            if stamp >= cutoff:
                return
            del self._seen[signature]
