"""The board's view logic free of Textual: what a row says, what a toast decides, search, catch-up.

Plain functions and dataclasses over the folded state (and the lobby's summaries), so they
are tested without a screen and the widgets only draw what they return. Nothing under this
package imports Textual (``tests/test_import_hygiene.py`` checks it).
"""
