"""Invites: a responder gets their own token by typing a one-time code, never by being handed one.

``POST /api/invites`` (the commander of an open incident, or an admin token) makes a code
for a handle; ``POST /api/login`` (no token: the code is the credential) trades it for a
new token of that handle, once. ``warroom invite --db`` makes the same code as the
operator, on the database itself. Codes are ``codes.CodeBook``'s: hashed, single use,
expiring. Login is open to anyone who can reach the server, so it has its own small rate
budget: a code has 144 random bits, so guessing is hopeless anyway, but a flood of
guesses must not cost the responders their database.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, HTTPException
from pydantic import BaseModel, Field

from warroom.incident.events import Handle
from warroom.store.base import StoreUnavailable

from warroom.db.backend import open_codes
from warroom.db.codes import INVITE, MAX_EXPIRY, CodeRefused
from .limits import RateLimiter
from warroom.db.tokens import Principal
from warroom.asgi.responses import errors

DEFAULT_EXPIRY = timedelta(hours=1)
LOGIN_RATE = 5.0
LOGIN_BURST = 20.0


class InviteIn(BaseModel):
    handle: Handle = Field(description="who the invite is for")
    expires_minutes: int = Field(60, ge=1, le=int(MAX_EXPIRY.total_seconds() // 60), description="how long the code works")


class InviteOut(BaseModel):
    code: str = Field(description="the one-time code, shown only now")
    handle: str
    expires_at: str


class LoginIn(BaseModel):
    code: str = Field(min_length=1, max_length=200)


class LoginOut(BaseModel):
    handle: str = Field(description="who the new token acts as")
    token: str = Field(description="the responder's own token, shown only now")
    token_id: str


def add_invite_routes(app: FastAPI, parts: Any, responder: Any) -> Any:
    """Mount the invite and login routes (``responder`` is the app's token dependency); returns the code book."""
    codes = open_codes(parts.db)
    guesses = RateLimiter(LOGIN_RATE, LOGIN_BURST)
    api = APIRouter(prefix="/api", tags=["invites"])

    @api.post("/invites", status_code=201, summary="invite a responder: a one-time code for `warroom login`", responses=errors(401, 403, 422, 429))
    async def invite(payload: InviteIn, who: Principal = Depends(responder)) -> InviteOut:  # noqa: B008 - FastAPI's way
        if not who.admin and not any(s.commander == who.handle and not s.closed for s in await parts.log.summaries()):
            raise HTTPException(403, "only the commander of an open incident (or an admin token) may invite")
        info, code = await asyncio.to_thread(codes.add, INVITE, payload.handle, who.handle, timedelta(minutes=payload.expires_minutes))
        return InviteOut(code=code, handle=info.handle, expires_at=info.expires_at)

    @api.post(
        "/login",
        summary="trade an invite code for your own token (no token needed: the code is the credential)",
        responses={403: {"description": "the code is unknown, used or expired (the detail says which)"}, **errors(422, 429, 503)},
    )
    async def login(payload: LoginIn) -> LoginOut:
        wait = guesses.take("login")
        if wait is not None:
            after = RateLimiter.retry_after_header(wait)
            raise HTTPException(429, f"too many login attempts on this server: retry in {after} s", headers={"Retry-After": after})
        try:
            info = await asyncio.to_thread(codes.redeem, INVITE, payload.code)
            token_info, token = await asyncio.to_thread(parts.tokens.add, info.handle)
        except CodeRefused as refusal:
            raise HTTPException(403, str(refusal)) from None
        except StoreUnavailable as error:
            raise HTTPException(503, str(error), headers={"Retry-After": "1"}) from None
        return LoginOut(handle=token_info.handle, token=token, token_id=token_info.id)

    app.include_router(api)
    return codes
