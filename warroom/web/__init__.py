"""The stakeholders' status page: server-rendered HTML, a live viewer stream, share keys.

Mounted by ``warroom serve`` (``server.mount_server_status``) and served on its own over a
shared folder by ``warroom status-page`` (``standalone.create_status_app``). Everything shown is
rendered from the viewer-safe projection in ``warroom.incident.public``.

The package itself imports nothing, so ``shares`` (the share-key book, whose table the
PostgreSQL schema also creates) loads without FastAPI.
"""
