"""Pages that are not articles but walls: cookie-consent screens, paywalls, empty shells."""

from __future__ import annotations

import re

from services.cleaner.errors import Unusable
from services.cleaner.lines import word_count

MIN_WORDS = 25  # a page with fewer story words than this is not an article
MIN_TEXT_WORDS = 4  # pushed or feed text: a one-line flash is an article
_STUB_MAX_WORDS = 200  # a wall message is short; a long article merely mentioning cookies is fine

_CONSENT = re.compile(
    r"\b(?:we (?:and our partners )?use cookies|cookie (?:policy|settings|preferences|consent)|"
    r"accept (?:all )?cookies|manage (?:your )?(?:cookie|privacy) (?:settings|preferences|choices)|"
    r"your privacy choices|consent to (?:the use of|our use of)|reject all|"
    r"before you continue|we value your privacy)\b",
    re.IGNORECASE,
)
_PAYWALL = re.compile(
    r"\b(?:subscribe (?:now )?to (?:continue|keep) reading|subscribers? only|"
    r"this (?:article|content|story) is (?:only )?(?:available|reserved) (?:to|for) "
    r"(?:subscribers|members)|"
    r"(?:already a subscriber|have an account)\?|to continue reading,? (?:please )?(?:log|sign) in|"
    r"you(?:'ve| have) reached (?:your|the) (?:limit|maximum)|free articles? (?:left|remaining)|"
    r"(?:start|unlock) your (?:free )?(?:trial|subscription)|"
    r"create a free account to (?:continue|read))\b",
    re.IGNORECASE,
)


def _wall_lines(paragraphs: list[str], pattern: re.Pattern[str]) -> int:
    return sum(1 for p in paragraphs if pattern.search(p))


def classify(paragraphs: list[str]) -> str | None:
    """"consent_stub", "paywall_stub" or None for a short text made of such messages."""
    words = sum(word_count(p) for p in paragraphs)
    if words > _STUB_MAX_WORDS:
        return None
    if _wall_lines(paragraphs, _CONSENT) >= 1:
        return "consent_stub"
    if _wall_lines(paragraphs, _PAYWALL) >= 1:
        return "paywall_stub"
    return None


def _page_reason(page_text: str) -> str | None:
    """Why a page with no article text is empty: a consent or pay wall on it, if any."""
    if _CONSENT.search(page_text):
        return "consent_stub"
    if _PAYWALL.search(page_text):
        return "paywall_stub"
    return None


def strip_walls(paragraphs: list[str]) -> list[str]:
    """Drop short paywall/consent lines from an otherwise real article."""
    return [
        p for p in paragraphs
        if word_count(p) > 40 or not (_PAYWALL.search(p) or _CONSENT.search(p))
    ]


def check(paragraphs: list[str], page_text: str = "", min_words: int = MIN_WORDS) -> list[str]:
    """The story paragraphs, or Unusable when only a wall or too little text is left."""
    story = strip_walls(paragraphs)
    if sum(word_count(p) for p in story) >= min_words:
        return story
    reason = classify(paragraphs) or _page_reason(page_text[:20_000])
    raise Unusable(reason or "no_body", "too little article text")
