"""The App's screens: the lobby, the board and replay (each owning its widgets), and the
modals over them: forms that ask, and screens that tell."""

from .form_screen import Field, FormScreen
from .info import CatchUpScreen, ConfirmScreen, HelpScreen

__all__ = ["CatchUpScreen", "ConfirmScreen", "Field", "FormScreen", "HelpScreen"]
