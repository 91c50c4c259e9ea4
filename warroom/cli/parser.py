"""The argument parser: every subcommand, its options and help text, in one place."""


from __future__ import annotations

import argparse
from collections.abc import Callable
from typing import Any

from warroom import __version__
from warroom.cli.completion import INSTALL, SHELLS, cmd_completion, completes_incidents
from warroom.cli.context import (
    CliContext,
    submitting,
    due_date,
    entry_number,
    declared_incident_type,
    incident_type,
    policy_setting,
    run_command,
    command_group,
    loaded_on_use,
    workstream_id,
)
from warroom.cli.incident import (
    command_body,
    cmd_affect,
    declare_command,
    role_body,
    shift_body,
    cmd_demo,
    cmd_join,
    cmd_link,
    cmd_list,
    cmd_lobby,
    cmd_locate,
    cmd_policy,
    cmd_show,
)
from warroom.cli.replay import cmd_keytime, cmd_replay, moment_arg
from warroom.cli.records import EXPORT_CHOICES, cmd_close, cmd_export, cmd_import, cmd_reopen
from warroom.cli.parser_server import add_server_commands
from warroom.cli.playbooks import add_playbook_commands
from warroom.incident import Policy
from warroom.incident.keyframes import MOMENT_HELP
from warroom.incident import events as ev


class CommandParser(argparse.ArgumentParser):
    """A parser that leaves itself in what it parses, so ``parse`` can refuse an unknown argument
    with the usage of the command that was given it (``usage: warroom note ...``), not the top
    level's. Subparsers are made of their parent's class, and the innermost one's default wins."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_defaults(command_parser=self)


def _common() -> CommandParser:
    common = CommandParser(add_help=False)
    group = common.add_argument_group("who and where")
    group.add_argument("--as", dest="actor", metavar="HANDLE", help="act as HANDLE (default: config, then login name)")
    group.add_argument("--store", metavar="DIR", help="shared folder of incident logs (file store)")
    group.add_argument("--server", metavar="URL", help="use a warroom server instead of a folder")
    group.add_argument("--token", metavar="TOKEN", help="bearer token for --server (or WARROOM_TOKEN)")
    return common


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """``parser.parse_args``, with who-and-where flags given before the command (``warroom --store
    DIR``, which opens the lobby) used where the command's own were not given."""
    args, unknown = parser.parse_known_args(argv)
    command_parser = vars(args).pop("command_parser", parser)
    if unknown:
        command_parser.error(f"unrecognized arguments: {' '.join(unknown)}")
    for dest in ("actor", "store", "server", "token"):
        top = getattr(args, f"top_{dest}", None)
        if top is not None and getattr(args, dest, None) is None:
            setattr(args, dest, top)
    return args


def build_parser(*, up_to_joining: bool = False) -> argparse.ArgumentParser:
    """Every command's parser; ``up_to_joining``: only the commands up to ``join`` and ``lobby``,
    for ``warroom join`` and ``warroom lobby`` started frame first (``run.app_session``), whose
    arguments reach no other command: a tenth of the subparsers, ~10 ms less CPU before the board."""
    common = _common()
    parser = CommandParser(
        prog="warroom",
        description="A terminal war room for live incidents.",
        epilog="Without a command: the lobby (every open incident, live). "
        "Run `warroom COMMAND --help` for a command's options.",
    )
    parser.add_argument("--version", action="version", version=f"warroom {__version__}")
    top = parser.add_argument_group("who and where (also after any COMMAND)")
    for flag, dest, metavar in (("--as", "actor", "HANDLE"), ("--store", "store", "DIR"), ("--server", "server", "URL"), ("--token", "token", "TOKEN")):
        top.add_argument(flag, dest=f"top_{dest}", metavar=metavar, help=argparse.SUPPRESS)
    parser.set_defaults(run=cmd_lobby)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help: str, run: Callable[[CliContext], int], **kwargs: Any) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help, description=help, parents=[common], **kwargs)
        p.set_defaults(run=run)
        return p

    def with_incident(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        completes_incidents(p.add_argument("incident", type=incident_type, metavar="INC-ID"))
        return p

    p = command("declare", "declare an incident (you become its commander); prints its id", lambda c: run_command(declare_command(c)))
    p.add_argument("incident", nargs="?", type=declared_incident_type, metavar="INC-ID", help="default: the next free INC-n")
    p.add_argument("--title", required=True, help="one line: what is broken, for whom")
    p.add_argument("--sev", type=int, choices=range(1, 5), default=None, help="severity 1 (worst) to 4 (default: the playbook's, else 3)")
    p.add_argument("--drill", action="store_true", help="mark this incident as a drill")
    p.add_argument("--playbook", metavar="NAME", help="declare with a playbook: its workstreams, checklist and fields (`warroom playbooks` lists them)")

    p = command("list", "list incidents in the store", cmd_list)
    p.add_argument("--json", action="store_true", help="machine-readable output")

    p = with_incident(command("show", "print the board of one incident", cmd_show))
    p.add_argument("--json", action="store_true", help="the state as JSON")
    p.add_argument("--all", action="store_true", help="the whole timeline, not the last 20 entries")
    p.add_argument("--at", type=moment_arg, metavar="MOMENT", help=f"the board as it was then: {MOMENT_HELP}")

    p = with_incident(command("replay", "replay an incident on a read-only board, from any moment", cmd_replay))
    p.add_argument("--at", type=moment_arg, metavar="MOMENT", help=f"where to start (default: the end): {MOMENT_HELP}")

    with_incident(command("join", "open the live board for an incident", cmd_join))
    command("lobby", "every open incident, live; Enter joins one, n declares (also: warroom with no command)", cmd_lobby)
    if up_to_joining:
        return parser

    p = sub.add_parser(
        "demo",
        help="watch a simulated incident on the board and join in",
        description=(
            "Open the board on a simulated incident: an automation change is expiring customer data "
            "objects, and a few simulated responders claim, hand off, take breaks and post notes while "
            "you watch and join in as yourself. Uses a new temporary folder, never your real store."
        ),
    )
    p.add_argument("--as", dest="actor", metavar="HANDLE", help="join as HANDLE (default: config, then login name)")
    p.add_argument("--folder", metavar="DIR", help="keep the demo store in DIR (default: a new temporary folder)")
    p.add_argument("--pace", type=float, default=1.0, help="how many times faster the simulated responders act (default 1)")
    p.add_argument("--seed", type=int, help="random seed, for a repeatable demo")
    p.set_defaults(run=cmd_demo)

    p = with_incident(command("note", "add a note to the timeline", submitting(lambda a: ev.NoteAdded(text=a.text, star=a.star, workstream=a.workstream, impact=a.impact))))
    p.add_argument("text")
    p.add_argument("--star", action="store_true", help="star it for the post-mortem")
    p.add_argument("--ws", dest="workstream", type=workstream_id, metavar="WS-N", help="post it against a workstream (its story shows it)")
    p.add_argument("--impact", action="store_true", help="it says what the incident did to users or the business (the post-mortem's Impact section)")

    p = with_incident(command(
        "decide", "record a decision: what was decided, why, and what else was weighed",
        submitting(lambda a: ev.DecisionMade(text=a.text, why=a.why, alternatives="; ".join(a.alternatives or ()))),
        epilog="The timeline marks it with ◆ and the post-mortem lists every decision for the review to look at.",
    ))
    p.add_argument("text", help="what was decided")
    p.add_argument("--why", default="", help="the reason, as known at the time")
    p.add_argument("--alternatives", action="append", help="the other options that were weighed (repeat it for each)")

    p = with_incident(command("star", "star a timeline entry", submitting(lambda a: ev.EntryStarred(target=a.seq, starred=not a.off))))
    p.add_argument("seq", type=entry_number, help="the entry's number (#N in `warroom show`)")
    p.add_argument("--off", action="store_true", help="unstar instead")

    ws_sub = command_group(sub, "ws", "workstreams: open, claim, release, hand off, status", "Workstreams.")

    def ws_command(name: str, help: str, make: Callable[[argparse.Namespace], ev.Body]) -> argparse.ArgumentParser:
        p = ws_sub.add_parser(name, help=help, description=help, parents=[common])
        p.set_defaults(run=submitting(make))
        completes_incidents(p.add_argument("incident", type=incident_type, metavar="INC-ID"))
        if name != "open":
            p.add_argument("workstream", type=workstream_id, metavar="WS-N")
        return p

    ws_command("open", "open a workstream", lambda a: ev.WorkstreamOpened(title=a.title)).add_argument("title")
    ws_command("claim", "claim a workstream (the commander may take an owned one)", lambda a: ev.WorkstreamClaimed(workstream=a.workstream))
    ws_command("release", "give up a workstream you own", lambda a: ev.WorkstreamReleased(workstream=a.workstream))
    p = ws_command("handoff", "offer your workstream to someone on shift", lambda a: ev.HandoffOffered(workstream=a.workstream, to=a.to, note=a.note, replace=a.replace))
    p.add_argument("--to", required=True, metavar="HANDLE")
    p.add_argument("--note", required=True, help="what was tried, what is next")
    p.add_argument("--replace", action="store_true", help="replace the offer still pending on this workstream")
    ws_command("accept", "accept a workstream handed to you", lambda a: ev.HandoffAccepted(workstream=a.workstream))
    ws_command("decline", "decline a workstream handed to you", lambda a: ev.HandoffDeclined(workstream=a.workstream))
    p = ws_command("status", "set a workstream's status", lambda a: ev.WorkstreamStatusSet(workstream=a.workstream, status=a.status, note=a.note))
    p.add_argument("status", choices=ev.WORKSTREAM_STATUSES)
    p.add_argument("--note", default="")

    p = with_incident(command("shift", "go on shift, on a break, or off shift", submitting(shift_body)))
    p.add_argument("shift", choices=ev.SHIFTS)
    p.add_argument("--minutes", type=int, help="length of a break (default 15)")
    p.add_argument("--tz", metavar="ZONE", help="with on: your IANA time zone, e.g. Europe/Berlin (insights count out-of-hours in it)")

    p = with_incident(command("command", "take, hand over or accept command", submitting(command_body)))
    p.add_argument("action", choices=("take", "handoff", "accept", "decline"))
    p.add_argument("--to", metavar="HANDLE", help="with handoff: who takes command")
    p.add_argument("--note", default="", help="with handoff: the situation in a sentence or two")

    p = with_incident(command("role", "assign (or --clear) deputy, scribe or comms", submitting(role_body)))
    p.add_argument("role", choices=ev.ROLES)
    p.add_argument("handle", nargs="?", metavar="HANDLE")
    p.add_argument("--clear", action="store_true", help="clear the role instead")

    p = with_incident(command("broadcast", "send a message to every board (commander)", submitting(lambda a: ev.BroadcastSent(text=a.text, audience="stakeholders" if a.stakeholders else "responders"))))
    p.add_argument("text")
    p.add_argument("--stakeholders", action="store_true", help="this is a stakeholder update (resets the update clock)")

    p = with_incident(command("snooze", "push the next stakeholder update back (commander)", submitting(lambda a: ev.UpdateSnoozed(minutes=a.minutes))))
    p.add_argument("minutes", type=int)

    p = with_incident(command(
        "policy",
        "show the incident's policy, or change it (commander): update cadence, fatigue, staleness",
        cmd_policy,
        epilog="Settings: " + ", ".join(Policy.model_fields) + ". 'none' clears a cadence. "
        "Every board computes from the incident's policy; [policy] in your config only seeds new incidents.",
    ))
    p.add_argument("settings", nargs="*", type=policy_setting, metavar="NAME=VALUE")

    p = with_incident(command("sev", "change severity (commander)", submitting(lambda a: ev.SeverityChanged(severity=a.severity))))
    p.add_argument("severity", type=int, choices=range(1, 5))

    p = with_incident(command("rename", "give the incident a new title (commander)", submitting(lambda a: ev.IncidentRenamed(title=a.title))))
    p.add_argument("title", help="one line: what is broken, for whom")

    p = with_incident(command(
        "publish", "make the incident public on the status page, or change its public title or summary (commander or comms)",
        submitting(lambda a: ev.IncidentPublished(title=a.title, summary=a.summary)),
        epilog="Until published, the status page answers 'not found' and no stakeholder channel hears of it. "
        "The public title and summary are their own text: the internal title is never shown.",
    ))
    p.add_argument("--title", help=f"the public title (first publish: default {ev.DEFAULT_PUBLIC_TITLE!r})")
    p.add_argument("--summary", help="what stakeholders read under the title")

    p = with_incident(command(
        "affect", "say how the incident affects a status-page component (commander or comms)", cmd_affect,
        epilog="Components are the [[component]] tables of your config; 'operational' takes one off the incident.",
    ))
    p.add_argument("component", help="a [[component]] name from your config, e.g. 'Storage API'")
    p.add_argument("impact", choices=ev.COMPONENT_IMPACTS)

    p = with_incident(command("status", "change the incident status (commander)", submitting(lambda a: ev.StatusChanged(status=a.status))))
    p.add_argument("status", choices=ev.INCIDENT_STATUSES)

    p = with_incident(command("keytime", "correct a key time (commander or scribe)", cmd_keytime))
    p.add_argument("which", choices=ev.KEY_TIMES)
    p.add_argument("time", type=moment_arg, metavar="TIME", help=f"when, in the words replay takes: {MOMENT_HELP}")

    _action_commands(command)

    p = with_incident(command(
        "close", "close the incident (commander) and export its post-mortem draft, JSON and CSV", cmd_close,
        epilog="Refused while work is still open (status not resolved, workstreams not done, offers pending, "
        "a playbook's required checklist items unticked or fields unset): "
        "the refusal lists it. Scripts that close an unfinished incident on purpose pass --force. "
        "A closed incident takes only action items (which re-export it), links, and `warroom reopen`.",
    ))
    p.add_argument("--summary", default="", help="one paragraph for the post-mortem")
    p.add_argument("--force", action="store_true", help="close even with work still open (the list is not checked)")
    p.add_argument("--dir", metavar="DIR", help="export folder (default: WARROOM_EXPORT_DIR, then config, then Documents/warroom)")
    p.add_argument("--no-export", action="store_true", help="close without exporting")

    p = with_incident(command("reopen", "reopen a closed incident (its commander); the reason goes on the timeline", cmd_reopen))
    p.add_argument("--reason", required=True, help="why it is open again")

    p = with_incident(command(
        "link", "link two incidents in both logs (commander of either)", cmd_link,
        epilog="KIND is seen from the first incident: `warroom link INC-43 INC-42 --kind caused-by` says INC-43 "
        "was caused by INC-42 (INC-42's log says it causes INC-43). duplicate-of closes the first as a "
        "duplicate of the second. If recording the second half fails, run the same command again: "
        "it finishes the link and never records it twice.",
    ))
    completes_incidents(p.add_argument("other", type=incident_type, metavar="OTHER-ID"))
    p.add_argument("--kind", required=True, choices=ev.LINK_KINDS)
    p.add_argument("--dir", metavar="DIR", help="with duplicate-of: where the closed duplicate is exported (default as for close)")

    p = with_incident(
        command(
            "export",
            "write an incident's post-mortem draft (Markdown and HTML), log (JSON) and timeline (CSV), open or closed",
            cmd_export,
            epilog="Files: INC-ID-postmortem.md, INC-ID.json, INC-ID-timeline.csv, INC-ID-postmortem.html "
            "(one self-contained page: inline CSS, no script). Linked incidents in the same store are told "
            "in the draft too. Prints each path written.",
        )
    )
    p.add_argument("--format", choices=EXPORT_CHOICES, default=None, help="which export (default: all)")
    p.add_argument("-o", "--output", metavar="PATH", help="write one format to PATH instead ('-' for stdout)")
    p.add_argument("--dir", metavar="DIR", help="export folder (default: WARROOM_EXPORT_DIR, then config, then Documents/warroom)")

    p = command(
        "import",
        "restore an incident from a JSON export into the store",
        cmd_import,
        epilog="The restored incident shows exactly as the exported one (same events, same seq, same times).",
    )
    p.add_argument("file", metavar="FILE", help="a JSON export such as INC-42.json ('-' reads stdin)")
    p.add_argument("--replace", action="store_true", help="overwrite an incident with the same id in the store")

    p = command(
        "insights",
        "load, response times and action items across every incident in the store or on the server",
        loaded_on_use("warroom.cli.insights", "cmd_insights"),
        epilog="Responder hours exclude breaks; out of hours is outside 08:00-20:00 in each responder's time zone "
        "([responders.HANDLE] tz in config, or `shift on --tz`; UTC if unknown). Drills are left out unless --drills.",
    )
    p.add_argument("--since", default="90d", metavar="AGE", help="the period, back from now: 90d (default), 24h, 90m")
    p.add_argument("--drills", action="store_true", help="count drills too")
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="every number as JSON")
    shape.add_argument("--html", metavar="FILE", help="write one self-contained HTML page (inline SVG charts, no script)")

    p = command("locate", "print where the config or the store is", cmd_locate)
    p.add_argument("what", choices=("config", "store"))

    p = sub.add_parser(
        "completion",
        help="print the tab-completion script for bash, zsh or fish",
        description="Print the tab-completion script for SHELL (commands, options, choices, incident ids).",
        epilog=INSTALL,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("shell", choices=SHELLS)
    p.set_defaults(run=cmd_completion)

    add_server_commands(sub, command)
    add_playbook_commands(sub, command, with_incident)
    return parser


def _action_commands(command: Callable[..., argparse.ArgumentParser]) -> None:
    p = command(
        "action",
        "add an action item, edit one, or follow one through: start, done, wontdo --reason, reopen",
        loaded_on_use("warroom.cli.followup", "cmd_action"),
        usage="warroom action INC-ID TEXT [--owner H] [--kind K] [--due DATE]\n"
        "       warroom action edit INC-ID A-N [--text T] [--owner H | --no-owner] [--due DATE | --no-due]\n"
        "       warroom action start|done|wontdo|reopen INC-ID A-N [--reason R]",
        epilog="Items are numbered A-1, A-2 ... per incident (`warroom show` and `warroom actions` list them). "
        "Their status can change after the incident is closed.",
    )
    p.add_argument("words", nargs="+", metavar="ARG", help="INC-ID TEXT, or a verb (edit, start, done, wontdo, reopen), INC-ID and A-N")
    p.add_argument("--owner", metavar="HANDLE")
    p.add_argument("--kind", choices=ev.ACTION_KINDS, default=None, help="default corrective")
    p.add_argument("--due", type=due_date, metavar="DATE", help="due date, YYYY-MM-DD")
    p.add_argument("--reason", help="with wontdo: why it will not be done")
    p.add_argument("--text", help="with edit: the item's new words")
    p.add_argument("--no-owner", action="store_true", help="with edit: nobody owns it")
    p.add_argument("--no-due", action="store_true", help="with edit: no due date")

    p = command("actions", "list action items across every incident", loaded_on_use("warroom.cli.followup", "cmd_actions"))
    p.add_argument("--owner", metavar="HANDLE", help="only this owner's")
    p.add_argument("--open", action="store_true", help="only open or in progress")
    p.add_argument("--overdue", action="store_true", help="only open ones past their due date (UTC)")
    shape = p.add_mutually_exclusive_group()
    shape.add_argument("--json", action="store_true", help="a list of {incident, id, text, owner, kind, status, due}")
    shape.add_argument("--csv", action="store_true", help="CSV for GitHub/GitLab/Jira importers (see docs/review.md: Action items)")
