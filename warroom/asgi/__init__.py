"""The HTTP plumbing shared by the server's API (``warroom.server``) and the status page (``warroom.web``).

- ``listener``  the listening socket (TCP_NODELAY-ready) every warroom ASGI server binds
- ``responses`` the OpenAPI words for errors and the two SSE response classes
- ``streams``   open SSE streams: caps per token or share key and in all, ending a revoked holder's

Below both, so the status page never imports the server: the server mounts the status page.
"""
