"""Publication dates from meta values, URLs and free text, normalised to ISO 8601."""

from __future__ import annotations

import re
from datetime import date, datetime

_MONTHS = {
    name: i + 1
    for i, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ]
    )
    for name in names
}
_MONTH = r"(?P<mon>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_ISO_DATE = re.compile(r"(?<!\d)(?P<y>(?:19|20)\d{2})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)")
# dd-mm-yyyy, dd.mm.yyyy, dd/mm/yyyy: read day first.
_DMY = re.compile(r"(?<!\d)(?P<d>\d{1,2})[-./](?P<m>\d{1,2})[-./](?P<y>(?:19|20)\d{2})(?!\d)")
_YEAR = r"(?P<y>(?:19|20)\d{2})"
_D_MON_Y = re.compile(rf"(?<!\d)(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH}\s+{_YEAR}", re.I)
_MON_D_Y = re.compile(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+{_YEAR}", re.I)
_URL_DATE = re.compile(r"/(?P<y>(?:19|20)\d{2})[/-]?(?P<m>\d{1,2})[/-]?(?P<d>\d{1,2})(?:/|[-_]|$)")


def _make(y: str, m: str | int, d: str) -> str | None:
    try:
        day = date(int(y), int(m), int(d))
    except ValueError:
        return None
    if not 1990 <= day.year <= date.today().year + 1:
        return None
    return day.isoformat()


def from_iso(value: str) -> str | None:
    """A meta-tag value ("2019-11-19T10:00:00Z", "2019-11-19") as an ISO date or datetime."""
    value = value.strip()
    try:
        stamp = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        match = _ISO_DATE.search(value)
        return _make(match["y"], match["m"], match["d"]) if match else from_text(value)
    if _make(str(stamp.year), stamp.month, str(stamp.day)) is None:
        return None
    if len(value) <= 10:
        return stamp.date().isoformat()
    return stamp.isoformat()


def from_text(text: str) -> str | None:
    """The first date written in ``text``; dd-mm-yyyy forms are read day first."""
    for pattern in (_ISO_DATE, _DMY):
        match = pattern.search(text)
        if match and (found := _make(match["y"], match["m"], match["d"])):
            return found
    for pattern in (_D_MON_Y, _MON_D_Y):
        match = pattern.search(text)
        if match:
            month = _MONTHS.get(match["mon"].lower().rstrip("."), 0)
            if found := _make(match["y"], month, match["d"]):
                return found
    return None


def strip_date(text: str) -> str:
    """``text`` with its written dates removed (what is left of a dateline)."""
    for pattern in (_ISO_DATE, _DMY, _D_MON_Y, _MON_D_Y):
        text = pattern.sub(" ", text)
    return " ".join(text.split())


def from_url(url: str) -> str | None:
    """/2019/11/19/ or /2019-11-19- style dates in a URL path."""
    match = _URL_DATE.search(url)
    return _make(match["y"], match["m"], match["d"]) if match else None
