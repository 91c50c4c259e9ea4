"""Notification targets from the config: which notices each wants, and how to name it.

A target is identified by a hash of its URL (which often holds a secret: a webhook
token, a mail password), so delivery records survive restarts without storing the URL,
and is shown by a harmless name: "Slack", "E-mail", "json://127.0.0.1:8080".
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from urllib.parse import urlsplit

from warroom.config import NotifyTarget

from .messages import Notice

_NAMES = {"slack": "Slack", "msteams": "Teams", "discord": "Discord", "mailto": "E-mail", "mailtos": "E-mail"}
_SHOW_HOST = {"json", "jsons", "form", "forms", "xml", "xmls"}


@dataclass(frozen=True, slots=True)
class Target:
    id: str
    name: str
    url: str
    config: NotifyTarget

    def wants(self, notice: Notice) -> bool:
        c = self.config
        if notice.kind not in c.events:
            return False
        if notice.drill and not c.drills:
            return False
        return c.min_severity is None or notice.severity <= c.min_severity


def targets_from(configs: list[NotifyTarget]) -> list[Target]:
    found: list[Target] = []
    for config in configs:
        parts = urlsplit(config.url)
        scheme = parts.scheme.lower()
        name = _NAMES.get(scheme) or (f"{scheme}://{parts.hostname}{f':{parts.port}' if parts.port else ''}" if scheme in _SHOW_HOST else scheme or "target")
        if any(t.name == name for t in found):
            name = f"{name} #{len(found) + 1}"
        found.append(Target(hashlib.sha256(config.url.encode()).hexdigest()[:16], name, config.url, config))
    return found
