"""Tab completion for bash, zsh and fish: ``warroom completion SHELL`` prints the script.

Completion is argcomplete's: the shell script calls ``warroom`` itself with ``_ARGCOMPLETE``
set, and the real parser answers. So commands, flags and choices can never drift from what
the parser accepts, and one mechanism serves all three shells (shtab, which writes a static
script instead, has no fish). Incident ids complete from the file store by listing its
folder's file names: no log is read or folded. A server is not asked (a TAB must never wait
on the network), so there ids are typed.

Nothing here imports argcomplete until the shell asks for completions or the script, so
every other command starts as fast as before.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

from warroom.cli.context import EXIT_OK, CliContext

SHELLS = ("bash", "zsh", "fish")
INSTALL = """\
Install it once (then open a new shell):
  bash  warroom completion bash > ~/.local/share/bash-completion/completions/warroom
  zsh   warroom completion zsh > ~/.zfunc/_warroom    (fpath=(~/.zfunc $fpath) before compinit)
  fish  warroom completion fish > ~/.config/fish/completions/warroom.fish
"""


def complete_if_asked(parser: argparse.ArgumentParser) -> None:
    """Answer the shell and exit when this run is a completion request; otherwise return at once."""
    if "_ARGCOMPLETE" not in os.environ:
        return
    import argcomplete

    argcomplete.autocomplete(parser, always_complete_options=False)


def incident_ids(prefix: str, parsed_args: argparse.Namespace | None = None, **_: Any) -> list[str]:
    """Incident ids in the file store that start with ``prefix`` (in any case; the rest of the
    id follows the case typed, as the CLI takes any). A server, or a folder that cannot be
    listed, completes nothing."""
    from warroom.config import load_config, resolve_store
    from warroom.errors import WarroomError
    from warroom.incident.events import valid_incident_id
    from warroom.store.file import SUFFIX

    def given(name: str) -> str | None:
        return getattr(parsed_args, name, None) or getattr(parsed_args, f"top_{name}", None)

    try:
        location = resolve_store(load_config(), folder_flag=given("store"), server_flag=given("server"))
        if location.folder is None:
            return []
        with os.scandir(location.folder) as listing:
            names = [entry.name for entry in listing if entry.name.endswith(SUFFIX)]
    except (WarroomError, OSError):
        return []
    ids = (name[: -len(SUFFIX)] for name in names)
    wanted = prefix.upper()
    return sorted(
        prefix + incident_id[len(prefix):]
        for incident_id in ids
        if incident_id == incident_id.upper() and valid_incident_id(incident_id) and incident_id.startswith(wanted)
    )


def completes_incidents(action: argparse.Action) -> argparse.Action:
    """Mark an INC-ID argument so TAB offers the store's incident ids."""
    setattr(action, "completer", incident_ids)  # argcomplete reads it
    return action


def cmd_completion(ctx: CliContext) -> int:
    import argcomplete

    sys.stdout.write(argcomplete.shellcode(["warroom"], shell=ctx.args.shell))
    return EXIT_OK
