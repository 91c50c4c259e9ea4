"""Modal screens: forms that ask, and screens that tell."""

from .forms import Field, FormScreen
from .info import CatchUpScreen, ConfirmScreen, HelpScreen

__all__ = ["CatchUpScreen", "ConfirmScreen", "Field", "FormScreen", "HelpScreen"]
