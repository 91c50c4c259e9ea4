"""Chat in the loop: Slack and Mattermost slash commands, and Slack's message shortcut, on ``warroom serve``.

Chat is never the source of truth: every chat action becomes an event in the incident's
log through the server's own writer and the same rules as a key on the board, acting as
the warroom handle the chat user is linked to. Modules:

- ``verify``    is this request from the chat app it claims: Slack's signature (and replays),
                Mattermost's token
- ``requests``  the platforms' documented payloads (slash-command forms, ``message_action``)
                parsed into one ``ChatRequest``
- ``commands``  ``/warroom note|status|claim|on|off|break|broadcast|declare|bind|iam|help``
- ``status``    the board in a few lines, for ``/warroom status``
- ``routes``    ``POST /chat/{connection}``: bounded, rate-limited, answered within Slack's 3 s
- ``followup``  the shortcut's answer, posted to its ``response_url`` (allowed hosts only)

It sits above ``warroom.server`` (it uses the server's writer, books and limits) and is
mounted into the server's app by ``warroom serve`` (``create_app(extensions=...)``), so
the server package never imports it.
"""
