"""The status page shows a playbook's public fields once set, and never its internal ones (issue 24)."""

from __future__ import annotations

from tests.web.conftest import get, share

PLAYBOOK = {
    "name": "data-loss",
    "fields": [
        {"name": "customers_affected", "label": "Customers affected", "kind": "int", "public": True},
        {"name": "objects_lost", "label": "SECRET objects lost", "kind": "int"},
        {"name": "region", "label": "Region \u001b[2J\u202e", "kind": "text", "public": True},
    ],
}


def test_public_fields_that_are_set_are_on_the_page_and_internal_ones_are_not(web_server, act, cli):
    act("alice", "INC-9", {"type": "incident_declared", "title": "Objects expiring", "severity": 1, "playbook": PLAYBOOK})
    act("alice", "INC-9", {"type": "incident_published", "title": "Some customer data unavailable"})
    key = share(cli, "alice", "INC-9").split("key=")[1]
    page = get(f"{web_server.url}/status/INC-9?key={key}").text
    assert "Customers affected" not in page  # not set yet
    act("bob", "INC-9", {"type": "field_set", "name": "customers_affected", "value": 1200})
    act("bob", "INC-9", {"type": "field_set", "name": "objects_lost", "value": 490000})
    act("bob", "INC-9", {"type": "field_set", "name": "region", "value": "eu-west-1\u0007"})
    page = get(f"{web_server.url}/status/INC-9?key={key}").text
    assert "<dt>Customers affected</dt><dd>1,200</dd>" in page
    assert "SECRET" not in page and "490,000" not in page
    assert "\x1b" not in page and "\x07" not in page and "\u202e" not in page
    assert "Region ␛[2J" in page and "eu-west-1␇" in page
