"""Event status from the wording around the trigger and in the sentence.

Local modality (a window just before the trigger) wins: denied > pledged > planned. Then the
sentence's epistemic stance: estimated > confirmed (also: the actor itself says so) > reported.
Otherwise aspect: under_way (progressive) or completed (past/perfect, the default).
"""

from __future__ import annotations

import re

_WINDOW = 70
_DENIED = re.compile(r"\b(?:not|never|no plans?|denied|denies|deny|denying|rejected|won't|"
                     r"didn't|hasn't|haven't|refused|refuses)\b")
_PLEDGED = re.compile(r"\b(?:pledg\w*|promis\w*|vow\w*|commit\w*|offered|agreed to|agree to|"
                      r"willing to|will always|ready to)\b")
_PLANNED = re.compile(r"\b(?:plan\w*|will|would|intend\w*|going to|prepar\w*|wants? to|"
                      r"wanted to|set to|could|may|might|expected to|consider\w*|seek\w* to|"
                      r"aims? to|next year|next month|in the coming)\b")
_UNDER_WAY = re.compile(r"\b(?:is|are|has been|have been|was|were)\s+(?:\w+\s+)?\w+ing\b|"
                        r"\b(?:under ?way|ongoing|continu\w+|currently)\b")
_ESTIMATED = re.compile(r"\b(?:estimat\w*|believ\w*|assess\w*|suspect\w*|likely)\b")
_CONFIRMED = re.compile(r"\bconfirm\w*\b")
_REPORTED = re.compile(r"\b(?:reported|reportedly|allegedly|claimed|claims|according to)\b")
_DONE_SUPPORT = re.compile(r"\b(?:signed|provided|delivered|trained|sent|gave|approved)\b")
_ANNOUNCED = frozenset({"sale", "sales", "package", "aid package", "approved"})
_FUTURE_AFTER = re.compile(r"^\w*\s+(?:\w+\s+){0,6}?(?:next (?:year|month|week)|"
                           r"in the coming (?:days|weeks|months))")


def status_of(lowered: str, trigger: int, trigger_end: int, event_type: str,
              self_statement: bool, marks: frozenset[str] | None = None) -> str:
    """``lowered`` is the lower-cased sentence; offsets are relative to it. ``marks`` is the
    sentence's ``stance`` (computed once per sentence and shared by all its events)."""
    if marks is None:
        marks = stance(lowered)
    before = lowered[max(0, trigger - _WINDOW):trigger]
    local = before + lowered[trigger:trigger_end]
    if _DENIED.search(before[-45:]):
        return "denied"
    if _PLEDGED.search(local[-60:]):
        return "pledged"
    if _PLANNED.search(before[-50:]) or _FUTURE_AFTER.match(lowered[trigger:trigger + 80]):
        return "planned"
    if event_type == "military_support" and not _DONE_SUPPORT.search(local):
        return "pledged"
    if lowered[trigger:trigger_end] in _ANNOUNCED:
        return "planned"
    if "estimated" in marks:
        return "estimated"
    if "confirmed" in marks:
        return "confirmed"
    if "reported" in marks:
        return "reported"
    if _UNDER_WAY.search(lowered[max(0, trigger - 20):trigger_end]):
        return "under_way"
    return "confirmed" if self_statement else "completed"


_HEDGE = re.compile(r"\b(?:could|may|might|if|possibly|perhaps|reportedly|unconfirmed)\b")
# the four sentence-level cues in one pass: which of them occur anywhere in the sentence
_STANCE = re.compile("|".join(f"(?P<{name}>{pat.pattern})" for name, pat in (
    ("estimated", _ESTIMATED), ("confirmed", _CONFIRMED), ("reported", _REPORTED),
    ("hedge", _HEDGE))))


def stance(lowered: str) -> frozenset[str]:
    """{"estimated", "confirmed", "reported", "hedge"} cues present in the sentence."""
    found = set()
    for m in _STANCE.finditer(lowered):
        found.add(m.lastgroup or "")
        if m.group() == "reportedly":  # both a report and a hedge
            found.add("hedge")
    return frozenset(found)


def hedged(lowered: str, marks: frozenset[str] | None = None) -> bool:
    return "hedge" in (stance(lowered) if marks is None else marks)
