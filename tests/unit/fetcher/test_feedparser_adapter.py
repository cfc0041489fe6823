"""Upgrade guard for services/fetcher/feedparser_adapter.py: the private date parser it calls
must still exist, take one string, and read dates exactly as ``feedparser.parse`` does."""

from __future__ import annotations

import inspect
import time

import feedparser
import feedparser.datetimes
import pytest

from services.fetcher.feedparser_adapter import parse_date

UPGRADE = ("feedparser changed under services/fetcher/feedparser_adapter.py ({}): the fast "
           "feed path may no longer read dates as feedparser does")

DATES = [
    "Mon, 06 Sep 2021 16:45:00 GMT",
    "Mon, 06 Sep 2021 16:45:00 +0200",
    "2021-09-06T16:45:00Z",
    "2021-09-06T16:45:00.123+05:30",
    "2021-09-06",
    "Sun Jan  4 16:29:06 PST 2004",
    "not a date",
]


def test_private_parser_is_still_there() -> None:
    func = getattr(feedparser.datetimes, "_parse_date", None)
    assert callable(func), UPGRADE.format("feedparser.datetimes._parse_date is gone")
    params = list(inspect.signature(func).parameters)
    assert params == ["date_string"], UPGRADE.format(f"_parse_date{params}")


@pytest.mark.parametrize("text", DATES)
def test_agrees_with_feedparser_parse(text: str) -> None:
    doc = (f"<rss version='2.0'><channel><item><link>http://e.com/a</link>"
           f"<pubDate>{text}</pubDate></item></channel></rss>")
    expected = feedparser.parse(doc.encode()).entries[0].get("published_parsed")
    got = parse_date(text)
    assert got == expected, UPGRADE.format(f"{text!r}: {got} != {expected}")
    assert got is None or isinstance(got, time.struct_time)
