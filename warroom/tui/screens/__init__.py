"""Modal screens: forms that ask, and screens that tell."""

from .form_screen import Field, FormScreen
from .info import CatchUpScreen, ConfirmScreen, HelpScreen

__all__ = ["CatchUpScreen", "ConfirmScreen", "Field", "FormScreen", "HelpScreen"]
