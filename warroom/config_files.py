"""Where warroom's settings live and how a TOML file is read, without the settings' model.

``warroom.config`` validates ``warroom.toml`` into pydantic models; this is the part that
needs no pydantic: the board's first frame (``tui/frame_first.py``) takes its theme and
keys from the file before the models, the domain and the CLI are imported.
"""

from __future__ import annotations

import os
import tomllib
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import platformdirs

from warroom.errors import WarroomError

APP_NAME = "warroom"
DEFAULT_THEME = "warroom-dark"


def config_path() -> Path:
    override = os.environ.get("WARROOM_CONFIG_PATH")
    if override:
        return Path(override).expanduser()
    return platformdirs.user_config_path(APP_NAME, appauthor=False) / "warroom.toml"


def user_themes_dir() -> Path:
    """Users drop extra theme files here, beside their config."""
    return config_path().parent / "themes"


class TomlProblem(WarroomError):
    """A TOML file that cannot be read or parsed; says which, in words for a person."""


def read_toml(path: Path | Traversable) -> dict[str, Any]:
    """The table in ``path``; raises ``TomlProblem`` (``FileNotFoundError`` passes through)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise
    except OSError as error:
        raise TomlProblem(f"cannot read it ({error.strerror or error})") from None
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise TomlProblem(f"not valid TOML ({error})") from None
