"""The screens the lobby and the board push: replay and the panes it shares with the board,
a workstream's story, action items, the checklist, insights, and the modals: forms that ask,
and screens that tell. The lobby (``tui/lobby.py``) and the live board (``tui/board/``) sit
above this package and push these; nothing here imports them."""

from .form_screen import Field, FormScreen
from .info import CatchUpScreen, ConfirmScreen, HelpScreen

__all__ = ["CatchUpScreen", "ConfirmScreen", "Field", "FormScreen", "HelpScreen"]
