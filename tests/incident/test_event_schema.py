"""The JSON Schema the server publishes for event bodies says what the models accept: a client
(or schemathesis) that follows the schema is never refused, and what the schema allows the
models allow. A constraint pydantic cannot express by itself must be added to the schema."""

from __future__ import annotations

import jsonschema
import pydantic
import pytest

from warroom.incident.events import AlertFired

ALERT = {"type": "alert_fired", "fingerprint": "f1", "name": "DiskFull", "group": "g", "starts_at": "2026-12-06T10:00:00Z"}


@pytest.mark.parametrize(
    "labels",
    [
        {"instance": "db-1"},
        {"bad\x19key": "v"},
        {"bad\tkey": []},
        {"key": "bad\nvalue"},
        {"": "empty name"},
    ],
    ids=["good", "control-char-key", "non-string-value", "newline-value", "empty-key"],
)
def test_alert_labels_schema_and_model_agree(labels: dict[str, object]) -> None:
    schema = AlertFired.model_json_schema()
    body = {**ALERT, "labels": labels}
    try:
        AlertFired.model_validate(body)
        model_accepts = True
    except pydantic.ValidationError:
        model_accepts = False
    schema_accepts = jsonschema.Draft202012Validator(schema).is_valid(body)
    assert schema_accepts == model_accepts
