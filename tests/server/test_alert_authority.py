"""Who may write alerts (issue 21, items 2 and 3), on a real ``warroom serve`` and beside a folder.

Alert events come only from a hook's intake: a responder token posting ``alert_fired``
(with a phishing runbook link) or an ``incident_declared`` for an alert group is refused
with a named reason. And the ids the intake derives are keyed with the hook's secret:
a note posted under the id the old, public formula gave a future resolution does not
make the hook's real resolution look "already known".
"""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path

import httpx
import pytest

from tests.server.harness import ServerProcess, cli_env, make_tokens, warroom
from tests.server.test_alert_hooks import events, hook_url, payload, post
from warroom.incident import events as ev
from warroom.incident import fold

OLD_NAMESPACE = uuid.UUID("6f0e3c1a-8a4b-4c55-9d7e-5a1d2b3c4d5e")  # published in alerts/intake.py until issue 21
PHISH = {"title": "runbook", "url": "https://evil.example/phish"}


def old_event_id(incident: str, hook: str, body_type: str, group: str, fingerprint: str, starts_at: str = "") -> uuid.UUID:
    """The id the intake used to give an alert change: anyone could compute it."""
    return uuid.uuid5(OLD_NAMESPACE, "\x1f".join([incident, hook, body_type, group, fingerprint, starts_at]))


def append(server: ServerProcess, token: str, incident: str, body: dict, **extra) -> httpx.Response:
    return httpx.post(
        f"{server.url}/api/incidents/{incident}/events", json={"body": body, **extra}, headers={"Authorization": f"Bearer {token}"}
    )


def test_no_token_writes_an_alert_or_declares_for_an_alert_group(any_server) -> None:
    server, tokens = any_server
    url = hook_url(server)
    assert post(url, payload("alertmanager-firing.json")).json()["incident"] == "INC-1"
    forged = {
        "type": "alert_fired", "group": "g", "fingerprint": "forged", "name": "CheckoutLatencyHigh",
        "starts_at": "2026-11-25T09:20:00Z", "links": [PHISH],
    }
    tokens = tokens | make_tokens(server.db, ["alertmanager"], env=cli_env(home=server.log.parent))  # the hook's own name
    for who in ("bob", "alice", "alertmanager"):  # a non-member, a responder, a person named like the hook alike
        refused = append(server, tokens[who], "INC-1", forged)
        assert refused.status_code == 409 and refused.json()["detail"] == "alert_fired comes only from an alert hook (`warroom hook add`), never from a person"
        resolved = append(server, tokens[who], "INC-1", {"type": "alert_resolved", "group": "g", "fingerprint": "5f8a3c1e9b2d4470", "name": "x"})
        assert resolved.status_code == 409 and "alert_resolved comes only from an alert hook" in resolved.json()["detail"]
    declared = append(server, tokens["bob"], "INC-9", {
        "type": "incident_declared", "incident_id": "INC-9", "title": "from a hook", "severity": 1, "alert_group": "g",
    })
    assert declared.status_code == 409
    assert declared.json()["detail"] == "only an alert hook declares an incident for an alert group: declare it without one"
    assert httpx.get(f"{server.url}/api/incidents/INC-9/events", headers={"Authorization": f"Bearer {tokens['bob']}"}).status_code == 404
    log = events(server, tokens["alice"], "INC-1")
    assert [e.type for e in log] == ["incident_declared", "alert_fired", "alert_fired"]
    assert "evil.example" not in str([e.model_dump() for e in log])


def test_a_resolution_pre_claimed_with_the_old_public_id_is_still_recorded(any_server) -> None:
    server, tokens = any_server
    url = hook_url(server)
    assert post(url, payload("alertmanager-firing.json")).json()["declared"] is True
    fired = events(server, tokens["alice"], "INC-1")[1]
    group, fingerprint = fired.body.group, fired.body.fingerprint
    for fp in (fingerprint, "a01b77c3d9e8f512"):
        claimed = old_event_id("INC-1", "alertmanager", "alert_resolved", group, fp)
        note = append(server, tokens["bob"], "INC-1", {"type": "note_added", "text": "nothing to see"}, id=str(claimed))
        assert note.status_code == 201, note.text  # the id is still free to take: it is just no longer the hook's
    done = post(url, payload("alertmanager-resolved.json")).json()
    assert (done["recorded"], done["repeated"]) == (2, 0), done
    state = fold(events(server, tokens["alice"], "INC-1"))
    assert state.all_alerts_resolved and state.alerts[fingerprint].status == "resolved"
    again = post(url, payload("alertmanager-resolved.json")).json()  # Alertmanager repeating itself
    assert (again["recorded"], again["repeated"]) == (0, 2)
    assert len(events(server, tokens["alice"], "INC-1")) == 7


def test_an_alert_that_fires_and_resolves_twice_records_both_resolutions(server: ServerProcess, tokens: dict) -> None:
    url = hook_url(server)
    first, resolved = payload("alertmanager-firing.json"), payload("alertmanager-resolved.json")
    assert post(url, first).json()["recorded"] == 2
    assert post(url, resolved).json()["recorded"] == 2
    later = first.replace(b"2026-11-25T09:14:03.157076912Z", b"2026-11-25T10:14:03Z").replace(b"2026-11-25T09:15:33.5Z", b"2026-11-25T10:15:33Z")
    assert post(url, later).json()["recorded"] == 2
    again = resolved.replace(b"2026-11-25T09:14:03.157076912Z", b"2026-11-25T10:14:03Z").replace(b"2026-11-25T09:15:33.5Z", b"2026-11-25T10:15:33Z")
    done = post(url, again).json()
    assert (done["recorded"], done["repeated"]) == (2, 0), done
    assert fold(events(server, tokens["alice"], "INC-1")).all_alerts_resolved


def test_beside_a_folder_a_pre_claimed_resolution_is_still_recorded_and_people_write_no_alerts(tmp_path: Path) -> None:
    from warroom.store import FileStore, Rejected

    folder, db = tmp_path / "store", tmp_path / "hooks" / "warroom.db"
    env = cli_env(home=tmp_path)
    path = "/hooks/" + warroom("hook", "add", "alertmanager", "--db", str(db), env=env).stdout.strip().rsplit("/hooks/", 1)[1]
    with ServerProcess(db, env=env, command=["alerts", "--store", str(folder)]) as receiver:
        assert httpx.post(receiver.url + path, content=payload("alertmanager-firing.json")).json()["declared"] is True
        store = FileStore(folder)

        async def as_a_person() -> None:
            log = await store.read("INC-1")
            group = log[1].body.group
            for fp in ("5f8a3c1e9b2d4470", "a01b77c3d9e8f512"):
                claimed = old_event_id("INC-1", "alertmanager", "alert_resolved", group, fp)
                await store.append("INC-1", ev.EventDraft(id=claimed, actor="mallory", body=ev.NoteAdded(text="hi")))
            forged = ev.AlertFired(group=group, fingerprint="x", name="x", starts_at=log[1].body.starts_at, links=[ev.AlertLink(**PHISH)])
            with pytest.raises(Rejected, match="alert_fired comes only from an alert hook"):
                await store.append("INC-1", ev.EventDraft(actor="alertmanager", body=forged))  # a person, whatever name they give
            await store.aclose()

        asyncio.run(as_a_person())
        done = httpx.post(receiver.url + path, content=payload("alertmanager-resolved.json")).json()
        assert (done["recorded"], done["repeated"]) == (2, 0), done
    shown = warroom("show", "INC-1", "--json", "--store", str(folder), env=env).stdout
    assert '"status": "resolved"' in shown and "evil.example" not in shown
