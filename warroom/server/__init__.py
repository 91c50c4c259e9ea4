"""``warroom serve``: the incident server for responders without a shared folder.

An ASGI app (FastAPI, served by uvicorn) over one SQLite file: the events of every
incident, durable on commit, and the hashes of per-responder bearer tokens. The
same rules as the file store decide every append; new events reach every board
through Server-Sent Events. Modules:

- ``writer``  what both logs share: the writer thread and its queue, cached incident
              states, the rule check that numbers an event, acks after the commit
- ``db``      the log on SQLite (its file, connection settings and schema: ``warroom.db.sqlite``;
              ``summaries``: the list of incidents it serves)
- ``pg``      the same log on PostgreSQL, for several servers on one database (row lock
              per incident, NOTIFY/LISTEN fan-out; migrations: ``warroom.db.pgschema``)
- ``logs``    the log and the alert-hook book a ``--db`` names (which database: ``warroom.db.backend``)
- ``parts``   the log, hub, tokens, limiter and stream caps every request shares
- ``hub``     in-process fan-out of committed events to SSE subscribers
- ``hooks``   alert hooks (``pghooks`` on PostgreSQL); tokens and share keys are ``warroom.db``'s
- ``limits``  per-token rate limiting
- ``protocol`` connection limits: header size, header, body and write timeouts, connection
              count and the unauthenticated connections' share of it (``credentials``: whether
              a request's head carries a known token, share key or hook secret)
- ``app``     the FastAPI routes, auth and error mapping (``wire``: their models, where a
              stream resumes); it mounts the status page (``warroom.web``) and the notifier
- ``run``     ``warroom serve``: bind, lock the database, run uvicorn

Below it, shared with the status page: ``warroom.db`` (database plumbing) and
``warroom.asgi`` (the listening socket, SSE responses and OpenAPI error words, stream caps).

Nothing outside ``warroom.cli`` imports this package, so the CLI and the board
start without loading FastAPI.
"""
