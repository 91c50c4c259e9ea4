"""Who is acting, with which settings, against which store: what the CLI and the board share.

Every ``warroom`` subcommand and the board start from the same three facts -- the config,
the store's location, and the handle asked for with ``--as`` -- and the same two moves:
open the store, and ask who really acts (on a server the token decides). They live here,
below both ``cli`` and ``tui``, so the board never imports the CLI.
"""

from __future__ import annotations

from collections.abc import Callable

from warroom.config import Config, remember_handle, resolve_handle
from warroom.incident.events import canonical_handle
from warroom.room import Room
from warroom.store import EventStore, StoreLocation, open_store


class UsageError(Exception):
    """Bad input the parser could not catch; printed as one line, exit 2."""


class Session:
    location: StoreLocation
    """Where the store is (a subclass may resolve it on first use instead)."""

    def __init__(
        self,
        config: Config,
        location: StoreLocation | None,
        handle_flag: str | None = None,
        *,
        warn: Callable[[str], None] | None = None,
    ) -> None:
        self.config = config
        if location is not None:
            self.location = location
        self._handle_flag = handle_flag
        self._warn = warn

    @property
    def handle(self) -> str:
        return resolve_handle(self._handle_flag, self.config)

    def remember_handle(self) -> None:
        remember_handle(self.handle, self.config)

    def open_store(self) -> EventStore:
        return open_store(self.location, warn=self._warn) if self._warn else open_store(self.location)

    def room(self, store: EventStore, incident_id: str, handle: str | None = None) -> Room:
        return Room(store, incident_id, handle or self.handle, self.config.policy)

    async def acting_handle(self, store: EventStore) -> str:
        """Who acts. On a server the token's owner, always: a different explicit ``--as`` is a
        usage error (not silently ignored), while ``WARROOM_HANDLE``/config are just not used.
        Elsewhere: ``--as``, ``WARROOM_HANDLE``, config, login name."""
        owner = await store.whoami()
        if owner is None:
            return self.handle
        if self._handle_flag and canonical_handle(self._handle_flag) != canonical_handle(owner):
            raise UsageError(
                f"--as {self._handle_flag} does not match your token, which acts as {owner}: "
                "on a server the token decides who acts (drop --as, or use that person's token)"
            )
        return owner
