"""Schemathesis against the server's own ``/openapi.json``: no generated input makes it fail.

The schema is loaded from the running server (``schemathesis.openapi.from_url``) and
each operation is turned into a Hypothesis strategy (``operation.as_strategy``), both
schema-conforming and deliberately non-conforming cases, a bounded number of
examples each, derandomised so runs are repeatable. The SSE stream is left out: it
never ends, and its inputs are the same ``after``/``Last-Event-ID`` covered by hand
in ``test_bad_input``. Every response must be below 500 and, for conforming input,
must also pass schemathesis' response checks against the schema. It runs against a
server on SQLite and one on PostgreSQL.
"""

from __future__ import annotations

import os

import hypothesis
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode

from tests.server import kinds
from tests.server.kinds import server_of_kind
from tests.server.harness import ServerProcess

db_kind, tokens = kinds.db_kind, kinds.tokens  # module-scoped fixtures: one server per kind for the module

EXAMPLES = int(os.environ.get("WARROOM_SCHEMATHESIS_EXAMPLES", "300" if os.environ.get("WARROOM_LONG_TESTS") else "25"))


@pytest.fixture(scope="module")
def fuzzed_server(tmp_path_factory, db_kind: str, request: pytest.FixtureRequest) -> ServerProcess:
    with server_of_kind(db_kind, request, tmp_path_factory.mktemp(f"fuzz-{db_kind}"), "--rate-limit", "0") as server:
        yield server
    log = server.log.read_text()
    assert "Traceback" not in log, log


def _operations(url: str):
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json", timeout=10).exclude(path_regex=r"/stream$")
    return [result.ok() for result in schema.get_all_operations()]


def test_the_schema_describes_every_route(fuzzed_server: ServerProcess):
    names = {f"{op.method.upper()} {op.path}" for op in _operations(fuzzed_server.url)}
    assert names == {
        "POST /hooks/{secret}",
        "PUT /hooks/{secret}",  # as Grafana may send it (issue 26)
        "GET /healthz",
        "GET /api/me",
        "GET /api/incidents",
        "POST /api/incidents",
        "GET /api/incidents/{incident_id}/events",
        "GET /api/incidents/{incident_id}/state",
        "POST /api/incidents/{incident_id}/events",
        "POST /api/shares",
        "GET /api/shares",
        "POST /api/shares/revoke",
        "POST /api/invites",
        "POST /api/login",
        "POST /api/chat/codes",
        "POST /chat/{connection_id}",
    }


@pytest.mark.parametrize("mode", list(GenerationMode), ids=lambda m: m.value)
def test_no_generated_request_gets_a_server_error(fuzzed_server: ServerProcess, tokens: dict[str, str], mode: GenerationMode):
    url = fuzzed_server.url
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {tokens['alice']}"
    # Something to find: a declared incident with a workstream and a note.
    session.post(f"{url}/api/incidents", json={"incident_id": "INC-1", "title": "Fuzzed"}, timeout=10)
    session.post(f"{url}/api/incidents/INC-1/events", json={"body": {"type": "workstream_opened", "title": "w"}}, timeout=10)
    server_errors: list[str] = []
    calls: dict[str, int] = {}

    for operation in _operations(url):
        name = f"{operation.method.upper()} {operation.path}"

        @hypothesis.settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @hypothesis.given(case=operation.as_strategy(generation_mode=mode))
        def call(case: schemathesis.Case) -> None:
            response = case.call(base_url=url, session=session, timeout=10)
            calls[name] = calls.get(name, 0) + 1
            if response.status_code >= 500:
                server_errors.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}")
                return
            if mode is GenerationMode.POSITIVE:
                case.validate_response(response)

        try:
            call()
        except hypothesis.errors.Unsatisfiable:
            assert mode is GenerationMode.NEGATIVE, name  # nothing to get wrong (e.g. GET /healthz)

    assert server_errors == []
    for name in ("POST /api/incidents", "POST /api/incidents/{incident_id}/events", "GET /api/incidents/{incident_id}/events"):
        assert calls.get(name, 0) >= EXAMPLES // 2, calls
