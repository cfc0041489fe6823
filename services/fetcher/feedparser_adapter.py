"""The one use of feedparser beyond its public API: parsing a date string the way it does.

The fast feed path (feed_fast_path.py) must read dates exactly as feedparser would, or the two
paths disagree (tests/unit/fetcher/test_feeds_parity.py). feedparser's public API parses only
whole documents (``feedparser.parse``) and lets one *add* date handlers
(``feedparser.registerDateHandler``); the function that runs the registered handlers on one
string, ``feedparser.datetimes._parse_date``, is private. Calling ``feedparser.parse`` on a
made-up document per date would cost the fast path its speed.

tests/unit/fetcher/test_feedparser_adapter.py checks on the installed version that the
function still exists with this signature and still agrees with what ``feedparser.parse``
gives for the same dates, so an upgrade that moves or changes it fails loudly there.

Upstream: export it, e.g. ``feedparser.parse_date(s) -> time.struct_time | None``.
"""

from __future__ import annotations

import time

from feedparser.datetimes import _parse_date


def parse_date(text: str) -> time.struct_time | None:
    """``text`` as feedparser reads a feed date (any registered handler), UTC; None if no
    handler reads it."""
    stamp: time.struct_time | None = _parse_date(text)
    return stamp
