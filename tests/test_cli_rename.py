"""Renaming an incident through the real CLI: the commander only, validated like a declared title,
and the new title is what exports, the status page's view and the list show (issue 22 item 7)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

from tests.test_cli_export import one_line_error
from warroom.incident.public import public_view
from warroom.store import FileStore


def test_rename_is_the_commanders_and_every_export_uses_the_new_title(cli, store_dir: Path, tmp_path: Path) -> None:
    cli("declare", "INC-4", "--title", "HighErrorRate firing on checkout-api", "--sev", "2")
    cli("note", "INC-4", "bob here", actor="bob")

    assert "only the commander can rename the incident (alice is in command)" in one_line_error(
        cli("rename", "INC-4", "Mine now", actor="bob", check=False)
    )
    assert one_line_error(cli("rename", "INC-4", "   ", check=False)) == "warroom: invalid title: Value error, must not be blank"
    assert "at most 200 characters" in one_line_error(cli("rename", "INC-4", "x" * 201, check=False))

    renamed = cli("rename", "INC-4", "EU card payments fail at checkout")
    assert renamed.stdout.strip().endswith('alice renamed the incident: "HighErrorRate firing on checkout-api" → "EU card payments fail at checkout"')
    assert "already the title" in one_line_error(cli("rename", "INC-4", "EU card payments fail at checkout", check=False))

    assert "EU card payments fail at checkout" in cli("list").stdout
    assert "HighErrorRate" not in cli("list").stdout
    exports = tmp_path / "out"
    cli("export", "INC-4", "--dir", str(exports))
    assert (exports / "INC-4-postmortem.md").read_text().splitlines()[0] == "# INC-4: EU card payments fail at checkout"
    assert json.loads((exports / "INC-4.json").read_text())["incident"]["title"] == "EU card payments fail at checkout"
    assert "<h1>INC-4: EU card payments fail at checkout" in (exports / "INC-4-postmortem.html").read_text()

    state = asyncio.run(FileStore(store_dir).load_state("INC-4"))
    assert public_view(state).title == "Service disruption"  # the public title is its own (issue 26): a rename keeps it


def test_a_closed_incident_is_not_renamed(cli) -> None:
    cli("declare", "INC-6", "--title", "Checkout down")
    cli("close", "INC-6", "--force")
    assert one_line_error(cli("rename", "INC-6", "Better title", check=False)) == "warroom: refused: INC-6 is closed"
