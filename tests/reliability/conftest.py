"""The reliability suite reuses the server fixtures (real `warroom serve` processes, always stopped)."""

from tests.server.conftest import pg_server_template, server_template, start_server, tokens  # noqa: F401
