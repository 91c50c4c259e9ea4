"""The board: the Textual app behind ``warroom join`` and ``warroom demo``.

Only this package imports Textual; the CLI imports it lazily (``warroom.tui.app``),
so the scripted commands start without it. ``app.py`` is the one App; ``lobby.py``
the lobby; ``board/`` the live board and its parts; ``screens/`` replay, forms and dialogs;
``widgets/`` the panes; ``model/`` the view logic without Textual (layers: pyproject.toml).
"""
