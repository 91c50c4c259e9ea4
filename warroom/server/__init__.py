"""``warroom serve``: the incident server for responders without a shared folder.

An ASGI app (FastAPI, served by uvicorn) over one SQLite file: the events of every
incident, durable on commit, and the hashes of per-responder bearer tokens. The
same rules as the file store decide every append; new events reach every board
through Server-Sent Events. Modules:

- ``writer``  what both logs share: the writer thread and its queue, cached incident
              states, the rule check that numbers an event, acks after the commit
- ``db``      the log on SQLite (``sqlite``: its file, connection settings and schema;
              ``summaries``: the list of incidents it serves)
- ``pg``      the same log on PostgreSQL, for several servers on one database (row lock
              per incident, NOTIFY/LISTEN fan-out); ``pgschema`` its migrations,
              ``pgtokens``/``pgshares`` tokens and share keys there
- ``backend`` which of the two a ``--db`` names (a path or a ``postgresql://`` URL)
- ``hub``     in-process fan-out of committed events to SSE subscribers
- ``tokens``  making, listing, revoking and checking tokens (``hooks``: alert hooks alike)
- ``limits``  per-token rate limiting
- ``streams`` open SSE streams: caps per token or share key and in all, ending a revoked holder's
- ``protocol`` connection limits: header size, header, body and write timeouts, connection
              count and the unauthenticated connections' share of it (``credentials``: whether
              a request's head carries a known token, share key or hook secret)
- ``app``     the FastAPI routes, auth and error mapping (``wire``: their models, OpenAPI
              words, where a stream resumes)
- ``run``     ``warroom serve``: bind, lock the database, run uvicorn

Nothing outside ``warroom.cli`` imports this package, so the CLI and the board
start without loading FastAPI.
"""
