"""How long a person's words may be: events refuse longer ones, the board's forms stop typing there.

A leaf module (no pydantic, no domain): the forms are loaded before the board's first
frame, long before the event models (``tui/frame_first.py``).
"""

MAX_TITLE = 200
MAX_TEXT = 4000
