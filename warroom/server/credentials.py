"""Whether a request carries a credential this server knows, judged from its head alone.

The connection protocol (``protocol``) lets connections that no request has
authenticated hold only a share of the connection budget, and it must decide before
the app runs -- while a body is still arriving, say. So it asks this, once per request,
when the headers are in: is there a responder's token (``Authorization: Bearer wr_…``,
or ``?key=wr_…`` on the status page), an active share key (``wv_…``, in either place,
on a ``/status`` request only: stakeholders' links travel far, and a key opens nothing
else), an alert hook's secret (on its ``/hooks/whk_…`` path) or the operator's
``[server] metrics_token`` (on ``/metrics``, so a Prometheus scraper counts as known)? At most one of each is
looked up, one indexed read apiece (a token's answer is then cached for the app's own check), and only
a string with the right prefix reaches the database. The answer decides nothing but
which budget the connection counts against: the app still checks every request itself.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl

from warroom.db.shares import KEY_PREFIX

from .hooks import HOOK_PREFIX
from warroom.db.tokens import MAX_TOKEN_LENGTH, TOKEN_PREFIX

HOOK_PATH = b"/hooks/"
STATUS_PATH = b"/status"
METRICS_PATH = b"/metrics"


def presented(url: bytes, headers: list[tuple[bytes, bytes]]) -> Iterator[str]:
    """The secrets a request presents: its first bearer header, its first ``key=``, a hook path's."""
    bearer = next((value for name, value in headers if name == b"authorization"), None)
    if bearer is not None:
        scheme, _, secret = bearer.strip().partition(b" ")
        if scheme.lower() == b"bearer":
            yield secret.strip().decode("latin-1")
    path, _, query = url.partition(b"?")
    if path.startswith(HOOK_PATH):
        yield path[len(HOOK_PATH) :].split(b"/", 1)[0].decode("latin-1")
    if b"key=" in query:
        key = next((value for name, value in parse_qsl(query.decode("latin-1")) if name == "key"), None)
        if key is not None:
            yield key


def metrics_token_matches(authorization: str | None, token: str) -> bool:
    """Whether an ``Authorization`` header value is ``Bearer <token>`` (compared in constant time)."""
    scheme, _, secret = (authorization or "").strip().partition(" ")
    return scheme.lower() == "bearer" and _same(secret.strip(), token)


def _same(presented: str, token: str) -> bool:
    # header values arrive decoded as latin-1: compare the bytes that were sent
    return hmac.compare_digest(presented.encode("latin-1", "replace"), token.encode("utf-8"))


class HeadCredentials:
    """``authenticates`` for ``protocol.ConnectionLimits``: the server's token, share key and hook books,
    and the metrics token when there is one."""

    def __init__(self, tokens: Any, shares: Any, hooks: Any, metrics_token: str | None = None):
        self.tokens = tokens
        self.shares = shares
        self.hooks = hooks
        self.metrics_token = metrics_token

    def __call__(self, url: bytes, headers: list[tuple[bytes, bytes]]) -> bool:
        return any(self.opens(secret, url) for secret in presented(url, headers))

    def opens(self, secret: str, url: bytes) -> bool:
        """Whether ``secret`` is valid where it is used: a token anywhere, a key on the status
        page, a hook secret on its hook path, the metrics token on ``/metrics``."""
        if self.metrics_token and url.partition(b"?")[0] == METRICS_PATH and _same(secret, self.metrics_token):
            return True
        if not secret or len(secret) > MAX_TOKEN_LENGTH:
            return False
        if secret.startswith(TOKEN_PREFIX):
            return self.tokens.lookup(secret) is not None
        if secret.startswith(KEY_PREFIX):
            return url.startswith(STATUS_PATH) and self.shares.lookup(secret) is not None
        if secret.startswith(HOOK_PREFIX):
            return url.startswith(HOOK_PATH) and self.hooks.lookup(secret) is not None
        return False
