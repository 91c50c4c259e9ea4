"""Every validator refuses what only looks valid: a trailing newline, CR, NUL, zero-width or bidi.

``re.match`` with a ``$`` pattern lets ``"eve\\n"`` through (``$`` matches before a final
newline); such a handle made a token that got a 500 on every write. Every check here
must hold with ``fullmatch`` semantics, and text that shows nothing is blank.
"""

from __future__ import annotations

import argparse

import pytest
from pydantic import ValidationError

from warroom.cli import workstream_id
from warroom.config import Config, ConfigError, resolve_handle
from warroom.incident import events as ev
from warroom.store import InvalidIncidentId, checked_incident_id
from warroom.tui.themes import ThemeError, parse_theme

SNEAKY = ["\n", "\r", "\r\n", "\x00", "\u200b", "\u200d", "\ufeff", "\u202e", "\u2066", "\u200e", "\u061c", "\u2028"]


def _variants(good: str) -> list[str]:
    return [v for bad in SNEAKY for v in (good + bad, bad + good, good[:2] + bad + good[2:])]


@pytest.mark.parametrize("value", _variants("eve"))
def test_handles(value: str) -> None:
    assert not ev.valid_handle(value)
    with pytest.raises(ValidationError):
        ev.EventDraft(actor=value, body=ev.ResponderJoined())
    with pytest.raises(ValidationError):
        ev.HandoffOffered(workstream="WS-1", to=value)
    with pytest.raises(ConfigError, match="bad handle"):
        resolve_handle(value, Config())


@pytest.mark.parametrize("value", _variants("INC-7"))
def test_incident_ids(value: str) -> None:
    assert not ev.valid_incident_id(value)
    with pytest.raises(InvalidIncidentId):
        checked_incident_id(value)
    with pytest.raises(ValidationError):
        ev.IncidentDeclared(incident_id=value, title="t")


@pytest.mark.parametrize("value", _variants("WS-3"))
def test_workstream_ids(value: str) -> None:
    with pytest.raises(ValidationError):
        ev.WorkstreamClaimed(workstream=value)
    if value.strip() == value:  # the CLI forgives surrounding whitespace, nothing else
        with pytest.raises(argparse.ArgumentTypeError):
            workstream_id(value)


@pytest.mark.parametrize("value", _variants("dusk"))
def test_theme_names(value: str) -> None:
    with pytest.raises(ThemeError):
        parse_theme({"name": value, "primary": "#4C9AFF"}, "test.toml")


@pytest.mark.parametrize(
    "blank", ["", "   ", "\u200b", "\u200b\u200b\u200b", " \u200d\ufeff ", "\u202e\u202c", "\u3164", "\x00\x1b", "\u2028"]
)
def test_text_that_shows_nothing_is_blank(blank: str) -> None:
    assert ev.is_blank(blank)
    with pytest.raises(ValidationError, match="blank"):
        ev.IncidentDeclared(incident_id="INC-1", title=blank or " ")
    with pytest.raises(ValidationError):
        ev.NoteAdded(text=blank)
    with pytest.raises(ValidationError):
        ev.WorkstreamOpened(title=blank)


def test_visible_text_next_to_invisible_characters_is_kept() -> None:
    assert ev.NoteAdded(text="\u200bok\u200b").text == "\u200bok\u200b"
    assert ev.WorkstreamOpened(title="🔥").title == "🔥"
    assert not ev.is_blank("\u202eabc")


# --- the two commands from the issue, end to end -------------------------------------------


def test_token_add_refuses_a_handle_with_a_trailing_newline(tmp_path) -> None:
    from tests.server.harness import cli_env, warroom

    db = str(tmp_path / "warroom.db")
    refused = warroom("token", "add", "eve\n", "--db", db, env=cli_env(home=tmp_path), check=False)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == "warroom: bad handle 'eve\\n': use up to 40 letters, digits, '.', '_' or '-'\n"
    listed = warroom("token", "list", "--db", db, "--json", env=cli_env(home=tmp_path))
    assert listed.stdout.strip() == "[]"


def test_join_as_a_handle_with_a_trailing_newline_is_refused_and_the_config_untouched(cli, isolated_environment) -> None:
    cli("declare", "INC-1", "--title", "t", actor="alice")
    config = isolated_environment / "warroom.toml"
    before = config.read_bytes()
    refused = cli("join", "INC-1", actor="bob\n", check=False, timeout=30)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip() == "warroom: bad handle 'bob\\n' from --as: use up to 40 letters, digits, '.', '_' or '-'"
    assert config.read_bytes() == before
