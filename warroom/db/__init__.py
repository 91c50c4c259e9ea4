"""The server database's plumbing, shared by the server, the status page and the notifier.

- ``backend``   which database a ``--db`` names (an SQLite path or a ``postgresql://`` URL),
                the token and share-key books on it, and ``upgrade`` (the schema)
- ``sqlite``    the SQLite file: connection settings, base schema, the tables the books share
- ``pgschema``  PostgreSQL: the one way we connect, the versioned migrations
- ``tokens``    responders' bearer tokens (``pgtokens`` on PostgreSQL)
- ``shares``    the status page's share keys (``pgshares`` on PostgreSQL)

It sits below ``warroom.server``, ``warroom.web`` and ``warroom.notify`` (the layers in
pyproject.toml's ``[tool.importlinter]``), so none of them imports another for its tables.
"""
