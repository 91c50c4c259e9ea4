"""Playbooks: incident types as TOML files, built-in or the user's, checked before anyone uses them.

Like themes, the built-in playbooks ship as package data (``warroom/playbooks/builtin``) and
a user adds or replaces one by dropping ``NAME.toml`` in the ``playbooks`` folder beside
the config file. Each file is validated with the model the incident log carries
(``warroom.incident.playbook.Playbook``); a bad file is reported with its line and the
reason and left out, so one typo never stops warroom from starting. Declaring with a
playbook copies the model into the log: from then on the file no longer matters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path

from pydantic import ValidationError

from warroom.config import TomlProblem, config_path, read_toml
from warroom.errors import WarroomError
from warroom.incident.playbook import PLAYBOOK_NAME_PATTERN, Playbook

DEFAULT_PLAYBOOK = "default"
MAX_FILE_BYTES = 256 * 1024
MAX_COPY_BYTES = 48 * 1024
"""The copy a declaration carries must fit a server's request (64 KiB) with room for the rest."""


class PlaybookError(WarroomError):
    """A playbook that cannot be used: unknown, or its file is bad (the message says where and why)."""


@dataclass
class LoadedPlaybooks:
    playbooks: dict[str, Playbook] = field(default_factory=dict)
    sources: dict[str, str] = field(default_factory=dict)
    """Where each playbook came from: ``built-in`` or the user's file."""
    problems: list[str] = field(default_factory=list)
    """One line per file left out: ``path: line N: reason``."""

    def get(self, name: str) -> Playbook:
        """The playbook called ``name``; raises ``PlaybookError`` naming the known ones (and why a file is missing)."""
        found = self.playbooks.get(name.lower())
        if found is not None:
            return found
        bad = [problem for problem in self.problems if Path(problem.split(":", 1)[0]).stem == name.lower()]
        if bad:
            raise PlaybookError(f"playbook {name!r} cannot be used: {bad[0]}")
        raise PlaybookError(f"no playbook called {name!r} (known: {', '.join(sorted(self.playbooks))})")


def user_playbooks_dir() -> Path:
    """Users drop their own playbook files here, beside their config."""
    return config_path().parent / "playbooks"


def builtin_playbook_files() -> list[Traversable]:
    folder = resources.files("warroom") / "playbooks" / "builtin"
    return sorted((f for f in folder.iterdir() if f.name.endswith(".toml")), key=lambda f: f.name)


def load_playbooks(user_dir: Path | None = None) -> LoadedPlaybooks:
    """Every usable playbook: the built-ins, then the user's folder (a user file replaces a built-in of its name)."""
    loaded = LoadedPlaybooks()
    sources: list[tuple[Path | Traversable, str]] = [(f, "built-in") for f in builtin_playbook_files()]
    folder = user_dir if user_dir is not None else user_playbooks_dir()
    if folder.is_dir():
        sources.extend((path, str(path)) for path in sorted(folder.glob("*.toml")))
    for source, where in sources:
        try:
            playbook = load_playbook_file(source)
        except PlaybookError as error:
            loaded.problems.append(str(error))
            continue
        loaded.playbooks[playbook.name] = playbook
        loaded.sources[playbook.name] = where
    return loaded


def load_playbook_file(path: Path | Traversable) -> Playbook:
    """One playbook file, validated; raises ``PlaybookError`` saying ``path: line N: reason``."""
    name = path.name.removesuffix(".toml").lower()
    if not re.fullmatch(PLAYBOOK_NAME_PATTERN, name):
        raise PlaybookError(f"{path}: the file name must be a playbook name: lower-case letters, digits, - and _ (up to 40)")
    if isinstance(path, Path):
        try:
            size = path.stat().st_size
        except OSError as error:
            raise PlaybookError(f"{path}: cannot read it ({error.strerror or error})") from None
        if size > MAX_FILE_BYTES:
            raise PlaybookError(f"{path}: too big ({size:,} bytes; a playbook is at most {MAX_FILE_BYTES:,})")
    try:
        data = read_toml(path)
    except FileNotFoundError as error:
        raise PlaybookError(f"{path}: cannot read it ({error.strerror or error})") from None
    except TomlProblem as problem:
        raise PlaybookError(f"{path}: {problem}") from None
    if data.get("name", name) != name:
        raise PlaybookError(f"{path}: line {_line_of(path, ('name',))}: name = {data['name']!r} differs from the file name ({name})")
    try:
        playbook = Playbook.model_validate({**data, "name": name})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the file"
        raise PlaybookError(f"{path}: line {_line_of(path, first['loc'])}: {where}: {first['msg']}") from None
    size = len(playbook.model_dump_json().encode())
    if size > MAX_COPY_BYTES:
        raise PlaybookError(f"{path}: too much for one declaration ({size:,} bytes as JSON; at most {MAX_COPY_BYTES:,})")
    return playbook


def _line_of(path: Path | Traversable, loc: tuple[int | str, ...]) -> int:
    """The line a pydantic error location points at, found in the TOML text: ``('checklist', 2, 'text')``
    is the ``text =`` line after the third ``[[checklist]]``. Line 1 when it cannot be told."""
    try:
        lines = path.read_bytes().decode("utf-8", "replace").splitlines()
    except OSError:
        return 1
    at, table = 0, ""
    for part in loc:
        if isinstance(part, int) and table:
            header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]")
            seen = -1
            for index in range(at, len(lines)):
                if header.match(lines[index]):
                    seen += 1
                    if seen == part:
                        at = index
                        break
            continue
        if not isinstance(part, str):
            continue
        key = re.compile(rf"^\s*(?:{re.escape(part)}\s*=|\[+\s*(?:[\w.-]+\.)?{re.escape(part)}\s*\]+)")
        for index in range(at, len(lines)):
            if key.match(lines[index]):
                at = index
                break
        table = part
    return at + 1
