"""Close, reopen and link as a user runs them: real ``warroom`` subprocesses on a store folder."""

from __future__ import annotations

import json
from pathlib import Path


def show(cli, incident: str) -> dict:
    return json.loads(cli("show", incident, "--json").stdout)


def test_close_refuses_with_what_is_still_open_unless_forced(cli, isolated_environment: Path) -> None:
    cli("declare", "--title", "Checkout down")
    cli("ws", "open", "INC-1", "Fail over", actor="bob")
    cli("ws", "claim", "INC-1", "WS-1", actor="bob")
    cli("status", "INC-1", "mitigated")
    refused = cli("close", "INC-1", check=False)
    assert refused.returncode == 1 and refused.stdout == ""
    assert refused.stderr.strip() == (
        'warroom: refused: INC-1 still has open work: status is mitigated, not resolved; WS-1 "Fail over" is active (bob) '
        "(finish it, or close anyway with --force)"
    )
    assert show(cli, "INC-1")["closed"] is False
    assert "only the commander" in cli("close", "INC-1", "--force", actor="bob", check=False).stderr
    forced = cli("close", "INC-1", "--force", "--no-export")
    assert "closed the incident" in forced.stdout and show(cli, "INC-1")["closed"] is True


def test_a_closed_incident_refuses_all_but_action_items_which_reexport(cli, isolated_environment: Path) -> None:
    cli("declare", "--title", "Checkout down")
    cli("status", "INC-1", "resolved")
    closed = cli("close", "INC-1")
    postmortem = isolated_environment / "exports" / "INC-1-postmortem.md"
    assert f"exported {postmortem}" in closed.stdout and "Lock timeout" not in postmortem.read_text(encoding="utf-8")
    late = cli("note", "INC-1", "one more thing", actor="bob", check=False)
    assert late.returncode == 1 and late.stderr.strip() == "warroom: refused: INC-1 is closed"
    added = cli("action", "INC-1", "Lock timeout on migrations", "--owner", "bob")
    assert f"exported {postmortem}" in added.stdout
    assert "Lock timeout on migrations" in postmortem.read_text(encoding="utf-8")
    cli("action", "done", "INC-1", "A-1", actor="bob")
    assert "| A-1 | Lock timeout on migrations | bob | corrective |  | done |" in postmortem.read_text(encoding="utf-8")


def test_reopen_is_the_commanders_and_is_recorded(cli) -> None:
    cli("declare", "--title", "Checkout down")
    cli("status", "INC-1", "resolved")
    cli("close", "INC-1", "--no-export")
    assert "only the commander can reopen" in cli("reopen", "INC-1", "--reason", "back", actor="bob", check=False).stderr
    assert "--reason" in cli("reopen", "INC-1", check=False).stderr
    reopened = cli("reopen", "INC-1", "--reason", "errors are back")
    assert reopened.stdout.strip().endswith("alice reopened the incident: errors are back")
    state = show(cli, "INC-1")
    assert state["closed"] is False and state["timeline"][-1]["type"] == "incident_reopened"
    cli("note", "INC-1", "looking again", actor="bob")
    assert "not closed" in cli("reopen", "INC-1", "--reason", "again", check=False).stderr


def test_link_records_both_sides_for_the_commander_of_either(cli) -> None:
    cli("declare", "--title", "Deploy broke auth")  # INC-1, alice
    cli("declare", "--title", "Logins failing", actor="bob")  # INC-2, bob
    refused = cli("link", "INC-2", "INC-1", "--kind", "caused-by", actor="carol", check=False)
    assert refused.returncode == 1 and "only the commander of INC-2 or of INC-1 can link them" in refused.stderr
    linked = cli("link", "INC-2", "INC-1", "--kind", "caused-by")  # alice commands INC-1 only: its half goes first
    lines = linked.stdout.strip().splitlines()
    assert lines[0].startswith("INC-1 #") and lines[0].endswith('alice linked: this incident caused INC-2 "Logins failing"')
    assert lines[1].startswith("INC-2 #") and lines[1].endswith('alice linked: this incident was caused by INC-1 "Deploy broke auth"')
    assert show(cli, "INC-2")["links"] == [{"incident": "INC-1", "kind": "caused-by"}]
    assert show(cli, "INC-1")["links"] == [{"incident": "INC-2", "kind": "causes"}]
    again = cli("link", "INC-2", "INC-1", "--kind", "caused-by")
    assert again.stdout.splitlines() == ["INC-1 already records the link", "INC-2 already records the link"]
    assert len([e for e in show(cli, "INC-2")["timeline"] if e["type"] == "incident_linked"]) == 1
    other = cli("link", "INC-1", "INC-2", "--kind", "related", check=False)
    assert "INC-1 is already linked to INC-2 (causes)" in other.stderr
    listed = {s["id"]: s["links"] for s in json.loads(cli("list", "--json").stdout)}
    assert listed == {"INC-1": [{"incident": "INC-2", "kind": "causes"}], "INC-2": [{"incident": "INC-1", "kind": "caused-by"}]}


def test_a_half_written_link_is_finished_by_running_it_again(cli, store_dir: Path) -> None:
    """The second append fails (the share goes away mid-link); the same command finishes it, once."""
    import asyncio

    from warroom.links import HalfLinked, link_incidents
    from warroom.store import StoreUnavailable
    from warroom.store.file import FileStore

    cli("declare", "--title", "Deploy broke auth")
    cli("declare", "--title", "Logins failing", actor="bob")

    class ShareGoesAway(FileStore):
        async def append(self, incident_id, draft):
            if incident_id == "INC-2":
                raise StoreUnavailable("the share is not mounted")
            return await super().append(incident_id, draft)

    async def half() -> str:
        store = ShareGoesAway(store_dir)
        try:
            await link_incidents(store, "alice", "INC-2", "INC-1", "caused-by")
        except HalfLinked as error:
            return str(error)
        finally:
            await store.aclose()
        return "linked"

    assert asyncio.run(half()) == (
        "linked in INC-1, but recording it in INC-2 failed: the share is not mounted "
        "(run the same link again to finish it: it is never recorded twice)"
    )
    assert show(cli, "INC-1")["links"] == [{"incident": "INC-2", "kind": "causes"}] and show(cli, "INC-2")["links"] == []
    finished = cli("link", "INC-2", "INC-1", "--kind", "caused-by", actor="carol")  # anyone may finish a recorded link
    assert finished.stdout.splitlines()[-1] == "INC-1 already records the link"
    assert show(cli, "INC-2")["links"] == [{"incident": "INC-1", "kind": "caused-by"}]
    assert len([e for e in show(cli, "INC-1")["timeline"] if e["type"] == "incident_linked"]) == 1


def test_a_mirror_is_refused_when_the_other_log_holds_no_link(cli, store_dir: Path) -> None:
    """Nobody writes a one-sided link into an incident they do not command: the store checks the other log."""
    import asyncio

    from warroom.incident import EventDraft
    from warroom.incident import events as ev
    from warroom.store import Rejected
    from warroom.store.file import FileStore

    cli("declare", "--title", "Deploy broke auth")
    cli("declare", "--title", "Logins failing", actor="bob")

    async def forge() -> str:
        store = FileStore(store_dir)
        try:
            await store.append("INC-2", EventDraft(actor="alice", body=ev.IncidentLinked(incident="INC-1", kind="caused-by", mirror=True)))
        except Rejected as error:
            return error.reason
        finally:
            await store.aclose()
        return "stored"

    assert asyncio.run(forge()) == "INC-1 holds no link to INC-2 to mirror: link them from the incident you command"


def test_duplicate_of_closes_the_duplicate_and_exports_it(cli, isolated_environment: Path) -> None:
    cli("declare", "--title", "Checkout 500s")  # INC-1
    cli("declare", "--title", "Payments failing", actor="bob")  # INC-2
    cli("ws", "open", "INC-2", "Look at logs", actor="carol")
    merged = cli("link", "INC-2", "INC-1", "--kind", "duplicate-of", actor="bob")
    assert "INC-2 is closed as a duplicate of INC-1" in merged.stdout
    assert f"exported {isolated_environment / 'exports' / 'INC-2-postmortem.md'}" in merged.stdout
    duplicate = show(cli, "INC-2")
    assert duplicate["closed"] is True and duplicate["links"] == [{"incident": "INC-1", "kind": "duplicate-of"}]
    assert show(cli, "INC-1")["links"] == [{"incident": "INC-2", "kind": "duplicated-by"}] and not show(cli, "INC-1")["closed"]


def test_help_says_how_scripts_close_and_link(cli) -> None:
    close = cli("close", "--help", actor=None).stdout
    assert "--force" in close and "Scripts that close an unfinished incident on purpose pass --force" in " ".join(close.split())
    assert "run the same command again" in " ".join(cli("link", "--help", actor=None).stdout.split())


def test_show_counts_a_closed_incidents_times_to_its_close(cli, store_dir: Path) -> None:
    """Closed after 30 minutes, a week ago: `show` said `commander: alice (for 7d)` and 7d on shift
    (with the fatigue flag), where the post-mortem says 30m."""
    from datetime import datetime, timedelta, timezone

    from tests.builder import LogBuilder
    from warroom.incident import events as ev
    from warroom.incident.events import dump_stored

    log = LogBuilder("INC-1", start=datetime.now(timezone.utc) - timedelta(days=7))
    log.declare("alice")
    log.add("alice", ev.StatusChanged(status="resolved"), minutes=20)
    log.add("alice", ev.IncidentClosed(summary="done"), minutes=10)
    (store_dir / "INC-1.jsonl").write_text("".join(dump_stored(e) + "\n" for e in log.events), encoding="utf-8")
    shown = cli("show", "INC-1").stdout.splitlines()
    assert shown[1] == "commander: alice (for 30m)"
    assert [line.split() for line in shown if line.startswith("  alice ")] == [["alice", "on", "commander", "30m", "on", "shift"]]


def test_show_gives_the_next_command_with_the_incidents_own_id(cli, store_dir: Path) -> None:
    """`show` said `warroom ws open <id> TITLE` and `warroom command <id> take`: a placeholder to retype."""
    from tests.builder import LogBuilder
    from warroom.incident import events as ev
    from warroom.incident.events import dump_stored

    cli("declare", "INC-4", "--title", "Checkout down")
    assert "workstreams: none yet (warroom ws open INC-4 TITLE)" in cli("show", "INC-4").stdout.splitlines()
    log = LogBuilder("INC-5")
    log.add("alertmanager", ev.IncidentDeclared(incident_id="INC-5", title="p99 high", severity=2, alert_group="g"), minutes=0)
    (store_dir / "INC-5.jsonl").write_text("".join(dump_stored(e) + "\n" for e in log.events), encoding="utf-8")
    assert cli("show", "INC-5").stdout.splitlines()[1] == "commander: nobody: take command with `warroom command INC-5 take`"
