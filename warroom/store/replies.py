"""What a warroom server's answer means to the HTTP store: which error it is, and how long to wait.

Kept apart from ``http`` so the one table of status codes -> store exceptions is read
in one place by every request and every stream, and the token never reaches a message:
the mapping only knows *whether* a token was sent.
"""

from __future__ import annotations

import asyncio
import random
from typing import TYPE_CHECKING

from .base import Rejected, StoreError, StoreUnavailable, UnknownIncident

if TYPE_CHECKING:
    import httpx

BACKOFF_FIRST = 0.05
BACKOFF_MAX = 5.0
MAX_RETRY_AFTER = 10.0


class AuthError(StoreError):
    """The server refused the token (401) or what it may do (403)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


class Backoff:
    """Capped exponential delays with jitter, so many clients do not come back in step."""

    def __init__(self, first: float = BACKOFF_FIRST, cap: float = BACKOFF_MAX):
        self.first, self.cap = first, cap
        self.attempt = 0

    def reset(self) -> None:
        self.attempt = 0

    def next(self) -> float:
        delay = min(self.cap, self.first * (2.0**self.attempt))
        self.attempt += 1
        return delay * random.uniform(0.8, 1.2)

    async def wait(self) -> None:
        await asyncio.sleep(self.next())


def retryable(status: int) -> bool:
    """A 429 or a 5xx: the outcome is unknown or the server is busy; asking again is safe."""
    return status == 429 or status >= 500


def retry_after(response: httpx.Response) -> float:
    try:
        return min(
            MAX_RETRY_AFTER, max(0.0, float(response.headers.get("Retry-After", "1")))
        )
    except ValueError:
        return 1.0


def detail(response: httpx.Response) -> str:
    try:
        said = response.json().get("detail")
    except (ValueError, AttributeError):
        said = None
    if isinstance(said, str) and said:
        return said
    text = response.text.strip()
    return text[:200] if text else response.reason_phrase


def error_for(
    response: httpx.Response, incident_id: str | None, *, token_sent: bool, url: str
) -> StoreError:
    """The store exception for a refused request (its message never holds the token)."""
    status = response.status_code
    said = detail(response)
    if status == 401:
        if not token_sent:
            return AuthError(
                "no token for the warroom server: set WARROOM_TOKEN or pass --token "
                "(someone with the server's database makes one: `warroom token add HANDLE`)",
                status,
            )
        return AuthError(
            f"the server refused your token (401: {said}): check WARROOM_TOKEN / --token, "
            "or ask for a new one (`warroom token add HANDLE` on the server)",
            status,
        )
    if status == 403:
        return AuthError(
            f"the server refused this for your token (403): {said}", status
        )
    if status == 404 and incident_id is not None:
        return UnknownIncident(incident_id)
    if status == 409:
        return Rejected(said)
    if status == 413:
        return StoreError(f"the server refused a request that large (413): {said}")
    if status == 429:
        return StoreUnavailable(f"the server is rate-limiting this token (429): {said}")
    if status >= 500:
        return StoreUnavailable(
            f"the warroom server at {url} failed ({status}): {said}"
        )
    return StoreError(f"the warroom server refused the request ({status}): {said}")
