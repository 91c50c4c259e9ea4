"""The post-mortem draft's sections, computed as data: one pure function per section.

Each function takes the ``Draft`` (the state, its derived history and how times are
written, ``context.py``) and returns plain values -- rows, times already written out, user
text left raw. Nothing here knows Markdown or HTML: the templates in
``warroom/export/templates/`` escape user text for their format and put the sections in
order (``postmortem.md.j2`` is the document's shape, ``postmortem.html.j2`` the same for
people who paste into Confluence or Google Docs). ``document.sections`` computes them all.
"""
