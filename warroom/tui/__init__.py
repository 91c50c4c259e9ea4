"""The board: the Textual app behind ``warroom join`` and ``warroom demo``.

Only this package imports Textual; the CLI imports it lazily (``warroom.tui.app``),
so the scripted commands start without it.
"""
