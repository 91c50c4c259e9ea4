"""The one base for errors that are the user's to fix, not bugs.

Every such error carries a message meant for a responder; the CLI prints it as one line
and the board as a notification, never as a traceback. Stores, config and exports each
raise their own subclasses, so callers can catch ``WarroomError`` without importing
(and paying start-up for) the part that raised it.
"""


class WarroomError(Exception):
    """An expected failure with a human message (bad input, refused action, unreachable store)."""
