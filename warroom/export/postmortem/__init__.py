"""The post-mortem draft's sections, one module per part of the document.

Each module is a mixin over ``DraftBase`` (the state, the derived history and the clock
formatting every section shares); ``warroom.export.markdown`` puts the sections in order.
"""
