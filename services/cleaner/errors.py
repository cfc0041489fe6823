"""The one error the cleaner raises on purpose."""

from __future__ import annotations

from shared.errors import InputError


class Unusable(InputError):
    """The input cannot yield an article; ``reason`` is a short machine-readable code.

    Reasons: ``no_body``, ``not_html``, ``binary``, ``bad_encoding``, ``too_large``,
    ``consent_stub``, ``paywall_stub``, ``duplicate``.
    """

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail
