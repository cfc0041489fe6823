"""Time mentions as written: "on July 2", "in June", "on Sunday", "last week", "in early summer"."""

from __future__ import annotations

import re

_MONTH = ("January|February|March|April|May|June|July|August|September|October|November|"
          "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_DAY = "|".join(WEEKDAYS)
_TIME = re.compile(
    rf"\b(?:(?i:on|in|since|by|until|from|during|early|late|mid-?|last|this|next)\s+)?"
    rf"(?:(?:early|late|mid-?)\s*)?"
    rf"(?:(?:{_MONTH})\.?(?:\s+\d{{1,2}}(?:st|nd|rd|th)?)?(?:,?\s+\d{{4}})?|(?:{_DAY})"
    rf"|\d{{1,2}}\s+(?:{_MONTH})(?:\s+\d{{4}})?|(?:spring|summer|autumn|fall|winter)"
    rf"(?:\s+\d{{4}})?|(?:19|20)\d\d)\b"
    r"|\b(?:yesterday|today|overnight|last (?:week|month|year)|this (?:week|month|year)|"
    r"earlier this (?:week|month|year)|next (?:week|month|year)|in the coming (?:days|weeks|months)"
    r"|in the past 24 hours)\b"
)
_MAY_VERB = re.compile(r"^may\b", re.IGNORECASE)


def time_mention(sentence: str) -> str | None:
    """The first time expression in the sentence, or None ("may" as a verb is ignored)."""
    for m in _TIME.finditer(sentence):
        text = m.group(0)
        if text == "May" or (_MAY_VERB.match(text) and text[:1] == "m"):
            continue
        return text
    return None
