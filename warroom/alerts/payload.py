"""Webhook bodies in, one bounded and sanitised ``Notification`` out (pure: no I/O).

An alert source is a machine we do not control, and whatever it sends ends up on
every responder's terminal. So this module is strict about shape (a wrong type is a
one-line ``PayloadError``, answered 422) and forgiving about size (too many alerts,
labels or characters are bounded, and the response says how many were dropped):
an outage that fires 10,000 alerts must still open its incident. Control, bidi and
zero-width characters are replaced by visible escapes (``\\x1b``) before anything
is stored, so the log never holds terminal escapes from an integration.

Three shapes are understood:

- ``alertmanager``: the Prometheus Alertmanager webhook, payload version 4.
- ``grafana``: Grafana alerting's webhook contact point (the same shape, other version).
- ``generic``: ``{"group": ..., "alerts": [{"title", "status", "severity", "labels",
  "description", "links", "started_at", "ended_at", "id"}]}`` (see docs/alerts.md).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from warroom.safetext import fit

KINDS = ("alertmanager", "grafana", "generic")

MAX_ALERTS = 100
"""Alerts recorded from one notification; the rest are counted, not recorded."""
MAX_LABELS = 40
MAX_LABEL_NAME = 100
MAX_LABEL_VALUE = 500
MAX_SUMMARY = 200
MAX_DESCRIPTION = 1000
MAX_LINKS = 6
MAX_URL = 2000
MAX_GROUP_KEY = 500
MAX_NAME = 200

_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)
_ZERO_TIME_YEAR = 1  # Go's zero time, "0001-01-01T00:00:00Z": Alertmanager's "not ended yet"
_FRACTION = re.compile(r"(\.\d{6})\d+")
_LINK_ANNOTATIONS = (
    ("runbook", "runbook_url"),
    ("runbook", "runbook"),
    ("dashboard", "dashboard_url"),
    ("dashboard", "dashboard"),
    ("dashboard", "dashboardURL"),
    ("panel", "panelURL"),
    ("image", "imageURL"),
    ("silence", "silenceURL"),
)
"""Links kept from an alert: annotations by these names, and Grafana's own ``...URL`` fields."""


class PayloadError(ValueError):
    """The body is not a notification we understand; the message says where, in one line."""


def escape_unsafe(text: str, *, keep_newlines: bool = False) -> str:
    """Control, bidi and zero-width characters as visible escapes (``\\x1b``, ``\\u202e``)."""

    def visible(match: re.Match[str]) -> str:
        char = match.group(0)
        if keep_newlines and char in "\n":
            return char
        code = ord(char)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    if not keep_newlines:
        text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    return _UNSAFE.sub(visible, text)


def clean(text: str, limit: int, *, keep_newlines: bool = False) -> str:
    return fit(escape_unsafe(text, keep_newlines=keep_newlines).strip(), limit)


@dataclass(frozen=True, slots=True)
class Alert:
    fingerprint: str
    name: str
    status: str  # "firing" or "resolved"
    labels: dict[str, str]
    summary: str
    description: str
    links: tuple[tuple[str, str], ...]
    starts_at: datetime
    ends_at: datetime | None


@dataclass(frozen=True, slots=True)
class Notification:
    kind: str
    group_key: str
    status: str
    alerts: tuple[Alert, ...]
    dropped: int = 0
    """Alerts not in ``alerts``: beyond ``MAX_ALERTS``, or truncated by the sender."""
    common_summary: str = ""
    notes: tuple[str, ...] = field(default=())
    """What was bounded (labels dropped, text cut), for the response."""

    def title(self) -> str:
        """The incident title: the first firing alert's summary, else the common one, else its name."""
        for alert in self.alerts:
            if alert.status == "firing" and alert.summary:
                return alert.summary
        if self.common_summary:
            return self.common_summary
        firing = [a for a in self.alerts if a.status == "firing"] or list(self.alerts)
        return fit(firing[0].name, MAX_SUMMARY) if firing else fit(self.group_key, MAX_SUMMARY)


def parse(data: bytes, kind: str, *, now: datetime | None = None) -> Notification:
    """Parse one webhook body of ``kind``; raises ``PayloadError`` with a one-line reason."""
    if kind not in KINDS:
        raise PayloadError(f"unknown hook kind {kind!r} (one of {', '.join(KINDS)})")
    now = now or datetime.now(timezone.utc)
    try:
        doc = json.loads(data)
    except UnicodeDecodeError:
        raise PayloadError("the body is not UTF-8 JSON") from None
    except json.JSONDecodeError as error:
        raise PayloadError(f"malformed JSON: {error.msg} at line {error.lineno} column {error.colno}") from None
    except RecursionError:
        raise PayloadError("malformed JSON: nested too deeply") from None
    if not isinstance(doc, dict):
        raise PayloadError(f"expected a JSON object, got {_json_type(doc)}")
    if kind == "generic":
        return _generic(doc, now)
    return _alertmanager(doc, kind, now)


# --- Alertmanager (and Grafana, which copies its shape) ---------------------------------------


def _alertmanager(doc: dict, kind: str, now: datetime) -> Notification:
    version = doc.get("version")
    if kind == "alertmanager" and version is not None and str(version) != "4":
        raise PayloadError(f"Alertmanager webhook version {str(version)[:20]!r} is not supported (warroom reads version 4)")
    raw_alerts = _list(doc, "alerts")
    status = _status(doc.get("status", "firing"), "status")
    common_annotations = _string_map(doc.get("commonAnnotations", {}), "commonAnnotations")
    group_labels = _string_map(doc.get("groupLabels", {}), "groupLabels")
    group_key = doc.get("groupKey")
    if group_key is None or group_key == "":
        group_key = "{}:{" + ",".join(f'{k}="{v}"' for k, v in sorted(group_labels.items())) + "}"
    if not isinstance(group_key, str):
        raise PayloadError("groupKey must be a string")
    truncated = doc.get("truncatedAlerts", 0)
    if not isinstance(truncated, int) or isinstance(truncated, bool) or truncated < 0:
        raise PayloadError("truncatedAlerts must be a whole number")
    notes: list[str] = []
    alerts = []
    for where, raw in _alert_objects(raw_alerts):
        labels = _string_map(raw.get("labels", {}), f"{where}.labels")
        annotations = _string_map(raw.get("annotations", {}), f"{where}.annotations")
        links = [("source", raw.get("generatorURL"))]
        links += [(title, annotations.get(key)) for title, key in _LINK_ANNOTATIONS]
        links += [(title, raw.get(key)) for title, key in _LINK_ANNOTATIONS if key.endswith("URL")]
        starts = _time(raw.get("startsAt"), f"{where}.startsAt") or now
        alerts.append(
            _alert(
                fingerprint=raw.get("fingerprint"),
                name=labels.get("alertname", ""),
                status=_status(raw.get("status", status), f"{where}.status"),
                labels=labels,
                summary=annotations.get("summary") or annotations.get("title") or "",
                description=annotations.get("description") or annotations.get("message") or "",
                links=links,
                starts_at=starts,
                ends_at=_time(raw.get("endsAt"), f"{where}.endsAt"),
                where=where,
                notes=notes,
            )
        )
    if truncated:
        sender = "Alertmanager" if kind == "alertmanager" else "Grafana"
        notes.append(f"{truncated} alerts truncated by {sender} (max_alerts in its webhook config): not sent, not recorded")
    return _notification(kind, _group(group_key), status, alerts, len(raw_alerts), truncated,
                         clean(common_annotations.get("summary", ""), MAX_SUMMARY), notes)


def _alert_objects(raw_alerts: list) -> Iterator[tuple[str, dict]]:
    """Each alert object with its place in the payload (for error messages); past 4x the cap, none."""
    for index, raw in enumerate(raw_alerts[: MAX_ALERTS * 4]):
        where = f"alerts[{index}]"
        if not isinstance(raw, dict):
            raise PayloadError(f"{where} must be an object, got {_json_type(raw)}")
        yield where, raw


# --- the generic shape ----------------------------------------------------------------------


def _generic(doc: dict, now: datetime) -> Notification:
    group = doc.get("group")
    if not isinstance(group, str) or not group.strip():
        raise PayloadError("group is required: a string naming the group of alerts (e.g. \"checkout-latency\")")
    raw_alerts = _list(doc, "alerts")
    notes: list[str] = []
    alerts = []
    for where, raw in _alert_objects(raw_alerts):
        title = raw.get("title")
        if not isinstance(title, str) or not title.strip():
            raise PayloadError(f"{where}.title is required (one line: what is wrong)")
        labels = _string_map(raw.get("labels", {}), f"{where}.labels")
        severity = raw.get("severity")
        if severity is not None:
            if not isinstance(severity, str):
                raise PayloadError(f"{where}.severity must be a string")
            labels.setdefault("severity", severity)
        description = raw.get("description", "")
        if not isinstance(description, str):
            raise PayloadError(f"{where}.description must be a string")
        raw_links = raw.get("links", [])
        if not isinstance(raw_links, list):
            raise PayloadError(f"{where}.links must be a list of URLs")
        links = []
        for link in raw_links[:MAX_LINKS * 2]:
            if isinstance(link, str):
                links.append(("link", link))
            elif isinstance(link, dict) and isinstance(link.get("url"), str):
                links.append((str(link.get("title") or "link"), link["url"]))
            else:
                raise PayloadError(f"{where}.links: each link is a URL or {{\"title\", \"url\"}}")
        alerts.append(
            _alert(
                fingerprint=raw.get("id"),
                name=labels.get("alertname") or title,
                status=_status(raw.get("status", "firing"), f"{where}.status"),
                labels=labels,
                summary=title,
                description=description,
                links=links,
                starts_at=_time(raw.get("started_at"), f"{where}.started_at") or now,
                ends_at=_time(raw.get("ended_at"), f"{where}.ended_at"),
                where=where,
                notes=notes,
                fallback_identity=title,
            )
        )
    status = "firing" if any(a.status == "firing" for a in alerts) else "resolved"
    return _notification("generic", _group(group), status, alerts, len(raw_alerts), 0, "", notes)


# --- shared pieces --------------------------------------------------------------------------


def _alert(*, fingerprint: Any, name: str, status: str, labels: dict[str, str], summary: str, description: str,
           links: list[tuple[str, Any]], starts_at: datetime, ends_at: datetime | None, where: str,
           notes: list[str], fallback_identity: str = "") -> Alert:
    if fingerprint is not None and not isinstance(fingerprint, str):
        raise PayloadError(f"{where}.fingerprint must be a string")
    kept = dict(sorted(labels.items())[:MAX_LABELS])
    if len(labels) > MAX_LABELS:
        notes.append(f"{where}: {len(labels) - MAX_LABELS} labels beyond {MAX_LABELS} dropped")
    safe_labels = {clean(k, MAX_LABEL_NAME): clean(v, MAX_LABEL_VALUE) for k, v in kept.items()}
    if not fingerprint:
        identity = json.dumps([sorted(labels.items()), fallback_identity], ensure_ascii=False)
        fingerprint = hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:16]
    safe_links: list[tuple[str, str]] = []
    for title, url in links:
        if isinstance(url, str) and url.startswith(("http://", "https://")) and len(url) <= MAX_URL:
            url = clean(url, MAX_URL)
            if url not in (u for _, u in safe_links) and len(safe_links) < MAX_LINKS:
                safe_links.append((clean(title, 40) or "link", url))
    if ends_at is not None and status == "firing":
        ends_at = None  # a firing alert's endsAt is only the sender's guess of when it times out
    return Alert(
        fingerprint=clean(fingerprint, 64) or "-",
        name=clean(name, MAX_NAME) or "alert",
        status=status,
        labels=safe_labels,
        summary=clean(summary, MAX_SUMMARY),
        description=clean(description, MAX_DESCRIPTION, keep_newlines=True),
        links=tuple(safe_links),
        starts_at=starts_at,
        ends_at=ends_at,
    )


def _notification(kind: str, group_key: str, status: str, alerts: list[Alert], total: int, truncated: int,
                  common_summary: str, notes: list[str]) -> Notification:
    if not alerts:
        raise PayloadError("alerts is empty: nothing to record")
    ordered = sorted(alerts, key=lambda a: (a.starts_at, a.fingerprint))
    unique: dict[str, Alert] = {}
    for alert in ordered:
        unique.setdefault(alert.fingerprint, alert)
    kept = list(unique.values())[:MAX_ALERTS]
    beyond = total - len(kept) - (len(alerts) - len(unique))
    if beyond:
        notes.append(f"{beyond} alerts not recorded (at most {MAX_ALERTS} per notification)")
    dropped = beyond + truncated
    return Notification(kind, group_key, status, tuple(kept), max(dropped, 0), common_summary, tuple(notes[:10]))


def _group(key: str) -> str:
    key = escape_unsafe(key).strip()
    if not key:
        raise PayloadError("the group key is blank")
    if len(key) > MAX_GROUP_KEY:
        return "sha256:" + hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    return key


def _list(doc: dict, name: str) -> list:
    value = doc.get(name)
    if value is None:
        raise PayloadError(f"{name} is missing: expected a list of alerts")
    if not isinstance(value, list):
        raise PayloadError(f"{name} must be a list, got {_json_type(value)}")
    return value


def _status(value: Any, where: str) -> str:
    if value not in ("firing", "resolved"):
        raise PayloadError(f"{where} must be \"firing\" or \"resolved\", got {str(value)[:40]!r}")
    return value


def _string_map(value: Any, where: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise PayloadError(f"{where} must be an object of strings, got {_json_type(value)}")
    for key, item in value.items():
        if not isinstance(item, str):
            raise PayloadError(f"{where}.{escape_unsafe(key)[:40]} must be a string, got {_json_type(item)}")
    return value


def _time(value: Any, where: str) -> datetime | None:
    """An RFC 3339 time (Go's nanoseconds allowed); ``None`` for absent, empty or Go's zero time."""
    if value is None or value == "":
        return None
    if not isinstance(value, str) or len(value) > 64:
        raise PayloadError(f"{where} must be an RFC 3339 time string")
    text = _FRACTION.sub(r"\1", value.strip()).replace("Z", "+00:00").replace("z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise PayloadError(f"{where} is not an RFC 3339 time: {escape_unsafe(value)[:40]!r}") from None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    if parsed.year <= _ZERO_TIME_YEAR:
        return None
    if not 1970 <= parsed.year <= 9000:
        raise PayloadError(f"{where} is not a plausible time: {value[:40]!r}")
    return parsed.astimezone(timezone.utc)


def _json_type(value: Any) -> str:
    return {dict: "an object", list: "a list", str: "a string", bool: "true/false", type(None): "null"}.get(
        type(value), "a number"
    )
