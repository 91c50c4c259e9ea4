"""The stakeholders' status page: server-rendered HTML, a live viewer stream, share keys.

Mounted by ``warroom serve`` (``server.mount_server_status``, called by ``warroom.server.app``) and served on its own over a
shared folder by ``warroom status-page`` (``standalone.create_status_app``). Everything shown is
rendered from the viewer-safe projection in ``warroom.incident.public``.

The share-key book itself is ``warroom.db.shares`` (its table lives in the server's
database, which the PostgreSQL schema also creates); the server passes its own log in
as a store (``server.reader``), so nothing here imports the server.
"""
