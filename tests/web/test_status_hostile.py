"""The status page shows hostile text as the terminal views do, and finds any case of an id (issue 21 item 8).

Before, the page and its stream carried raw ESC and BEL bytes (and U+202E) from a title,
an update or a workstream, and ``/status/inc-7`` was 404 with a valid key.
"""

from __future__ import annotations

import json

import httpx

from tests.web.conftest import get, share

HOSTILE = "red\x1b[2J\x07 \u202egnp.exe"
SHOWN = "red␛[2J␇ &lt;U+202E&gt;gnp.exe"
RAW = ("\x1b", "\x07", "\u202e")


def _hostile_incident(act) -> str:
    act("alice", "INC-8", {"type": "incident_declared", "title": f"Title {HOSTILE}", "severity": 2, "published": True})
    act("alice", "INC-8", {"type": "broadcast_sent", "text": f"Update {HOSTILE}", "audience": "stakeholders"})
    act("alice", "INC-8", {"type": "workstream_opened", "title": f"Stream {HOSTILE}"})
    return "INC-8"


def _first_view(url: str, key: str) -> dict:
    """The first ``view`` event the stream sends (after=0: the current view at once)."""
    got = ""
    with httpx.stream("GET", url, params={"key": key, "after": 0}, timeout=30) as response:
        for chunk in response.iter_text():
            got += chunk
            for block in got.split("\n\n")[:-1]:
                lines = block.splitlines()
                if "event: view" in lines:
                    data = "".join(line[len("data: ") :] for line in lines if line.startswith("data: "))
                    return json.loads(data)
    raise AssertionError(got)


def test_the_page_and_its_stream_show_controls_as_the_terminal_does(web_server, act, cli):
    incident = _hostile_incident(act)
    key = share(cli, "alice", incident).split("key=")[1]
    html = get(f"{web_server.url}/status/{incident}?key={key}").text
    assert not any(char in html for char in RAW)
    for part in ("Title", "Update", "Stream"):
        assert f"{part} {SHOWN}" in html
    view = _first_view(f"{web_server.url}/status/{incident}/stream", key)
    sent = json.dumps(view, ensure_ascii=False)
    assert not any(char in sent for char in RAW) and "\\u001b" not in sent and "\\u0007" not in sent
    assert f"Update {SHOWN}" in view["html"] and f"Title {SHOWN}" in view["html"]


def test_the_json_export_keeps_the_data_escaped(web_server, act, cli, tmp_path):
    incident = _hostile_incident(act)
    exported = cli("alice", "export", incident, "--format", "json", "-o", "-").stdout
    assert "\u202e" not in exported and "\x1b" not in exported
    assert "\\u202e" in exported and "\\u001b" in exported
    document = json.loads(exported)
    assert document["incident"]["title"] == f"Title {HOSTILE}"


def test_an_incident_page_and_stream_answer_to_any_case(web_server, incident, cli):
    key = share(cli, "alice", incident).split("key=")[1]
    for spelling in (incident, incident.lower(), "Inc-7"):
        page = get(f"{web_server.url}/status/{spelling}?key={key}")
        assert page.status_code == 200, spelling
        assert f"/status/{incident}/stream" in page.text  # the stream link is the canonical id
        assert _first_view(f"{web_server.url}/status/{spelling}/stream", key)["html"]
    other = get(f"{web_server.url}/status/inc-1?key={key}")
    assert other.status_code == 404  # the key is INC-7's: case changes nothing of who may see what
