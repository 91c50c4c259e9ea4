"""Issue 26 item 6: alert intake as tried with real Alertmanager and Grafana payloads.

The payloads follow Alertmanager's webhook documentation (``docs/configuration.md``, the
``template.Data`` fields: ``truncatedAlerts``, per-alert ``fingerprint``, ``annotations``)
and Grafana's documented webhook example (``imageURL``, ``dashboardURL``, PUT as an
allowed method). What resolved is named, truncation is reported as the sender's, and the
description, image, dashboard and runbook reach the timeline.
"""

from __future__ import annotations

import copy
import json

import httpx

from tests.server.harness import ServerProcess
from tests.server.test_alert_hooks import PAYLOADS, events, hook_url, post
from warroom.incident import fold


def _alertmanager(status: str, instances: tuple[str, ...], truncated: int = 0) -> bytes:
    doc = json.loads((PAYLOADS / "alertmanager-firing.json").read_text())
    template = doc["alerts"][0]
    alerts = []
    for n, instance in enumerate(instances):
        alert = copy.deepcopy(template)
        alert["labels"] = {"alertname": "HighErrorRate", "job": "api", "instance": instance, "severity": "critical"}
        alert["annotations"] = {
            "summary": "API error rate above 5%",
            "description": f"5xx ratio on {instance} is 7%.\nSee the dashboard.",
            "dashboard": "https://grafana.example.com/d/api-errors",
            "runbook": "https://runbooks.example.com/api/errors",
        }
        alert["fingerprint"] = f"f{n:015d}"
        alert["status"] = status
        if status == "resolved":
            alert["endsAt"] = "2026-11-25T09:40:00Z"
        alerts.append(alert)
    doc.update(alerts=alerts, status=status, truncatedAlerts=truncated)
    doc["groupKey"] = '{}:{alertname="HighErrorRate"}'
    return json.dumps(doc).encode()


def test_resolved_alerts_say_what_resolved_and_truncation_is_the_senders(server: ServerProcess, tokens: dict) -> None:
    url = hook_url(server)
    fired = post(url, _alertmanager("firing", ("api-3", "api-4"), truncated=7)).json()
    assert fired["recorded"] == 2 and fired["dropped"] == 7
    assert fired["notes"] == ["7 alerts truncated by Alertmanager (max_alerts in its webhook config): not sent, not recorded"]
    post(url, _alertmanager("resolved", ("api-3", "api-4")))
    state = fold(events(server, tokens["alice"], fired["incident"]))
    resolved = [entry.text for entry in state.timeline if entry.type == "alert_resolved"]
    assert resolved == [
        "alert resolved: HighErrorRate on api-3",
        "alert resolved: HighErrorRate on api-4 (every alert of this incident has resolved)",
    ]
    firing = next(entry.text for entry in state.timeline if entry.type == "alert_fired")
    assert "— 5xx ratio on api-3 is 7%. See the dashboard." in firing
    assert "dashboard: https://grafana.example.com/d/api-errors" in firing and "runbook: https://runbooks.example.com/api/errors" in firing
    assert state.alerts["f000000000000000"].description == "5xx ratio on api-3 is 7%.\nSee the dashboard."


def test_grafana_may_put_and_its_image_and_dashboard_are_kept(server: ServerProcess, tokens: dict) -> None:
    doc = json.loads((PAYLOADS / "grafana-firing.json").read_text())
    doc["alerts"][0]["imageURL"] = "https://grafana.example.com/render/payments-eu.png"
    reply = httpx.put(hook_url(server, "grafana", "grafana"), content=json.dumps(doc), headers={"Content-Type": "application/json"}, timeout=30)
    assert reply.status_code == 200, reply.text
    state = fold(events(server, tokens["alice"], reply.json()["incident"]))
    alert = next(iter(state.alerts.values()))
    assert dict(alert.links)["image"] == "https://grafana.example.com/render/payments-eu.png"
    assert dict(alert.links)["dashboard"] == "https://grafana.example.com/d/payments-eu?orgId=1"
    assert alert.description == "Card payment errors are above 5% in EU"


def test_a_wrong_payload_for_a_generic_hook_says_a_generic(server: ServerProcess) -> None:
    reply = post(hook_url(server, "ci", "generic"), b'{"alerts": []}')
    assert reply.status_code == 422 and reply.json()["detail"].startswith("not a generic notification: ")
