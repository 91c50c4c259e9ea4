"""The key footer, showing only keys that fit whole.

Textual's footer lets its row of keys run on under the docked "^p palette" key, so on a
narrow terminal a cut-off key peeks out (a stray "r" at the very end). Here every key that
would not fit whole is hidden instead; `?` help and the palette still list them all.
"""

from __future__ import annotations

from textual.widgets import Footer
from textual.widgets._footer import FooterKey


class BoardFooter(Footer):
    async def recompose(self) -> None:
        await super().recompose()
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        for key in self.query_children(FooterKey):
            key.display = True
        self.call_after_refresh(self._fit)

    def _fit(self) -> None:
        keys = list(self.query_children(FooterKey))
        limit = self.region.right - sum(key.region.width for key in keys if key.has_class("-command-palette"))
        fits = True
        for key in keys:
            if not key.has_class("-command-palette"):
                fits = fits and key.region.right <= limit - 1
                key.display = fits
