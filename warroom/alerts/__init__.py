"""Alert intake: webhooks from Alertmanager, Grafana or anything that speaks the generic JSON.

``payload`` turns a webhook body into a bounded, sanitised ``Notification`` (pure);
``intake`` turns notifications into incident events through any store. The HTTP
routes live in ``warroom.server.receiver``.
"""
