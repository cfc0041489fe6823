"""Hostile sources for fault-isolation tests, written for these tests: pages with charsets
that are no text encoding, feeds that are no feed (or that make feedparser itself raise),
dates out of range, a quadratic <title> and a broken 4 MB feed — next to one good feed."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import orjson

from tests.support.articles import deployment_article
from tests.support.http import StaticSite

DATA = Path(__file__).resolve().parents[1] / "data" / "fetcher" / "hostile"
CHARSETS = ("base64", "rot13", "hex", "zlib", "idna")
FEEDPARSER_RAISES = ("feedparser_keyerror.xml", "feedparser_typeerror.xml",
                     "feedparser_unicodeerror.xml")
Pages = dict[str, tuple[str, bytes]]


def _rss(links: list[str], title: str = "Hostile") -> bytes:
    items = "".join(f"<item><title>Item {i}</title><link>{link}</link></item>"
                    for i, link in enumerate(links))
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
            f"{items}</channel></rss>").encode()


def _page(words: str, head: str = "") -> bytes:
    para = f"<p>{words} The harbour market opened late because of the rain.</p>" * 8
    return f"<html><head>{head}</head><body><article>{para}</article></body></html>".encode()


def hostile_pages(base: str) -> Pages:
    """path -> (Content-Type, body) of every hostile source and the pages they list."""
    pages: Pages = {}
    charset_links = []
    for name in CHARSETS:
        pages[f"/cs/{name}-header.html"] = (f"text/html; charset={name}", _page(name))
        pages[f"/cs/{name}-meta.html"] = ("text/html", _page(name, f'<meta charset="{name}">'))
        charset_links += [f"{base}/cs/{name}-header.html", f"{base}/cs/{name}-meta.html"]
    pages["/charsets.xml"] = ("application/rss+xml", _rss(charset_links))
    pages["/brackets.json"] = ("application/feed+json", b"[" * 200_000)
    dated = {"version": "https://jsonfeed.org/version/1.1", "title": "dates", "items": [
        {"id": "1", "url": f"{base}/dated-1.html", "date_published": "9999-12-31T23:00:00-05:00"},
        {"id": "2", "url": f"{base}/dated-2.html", "date_published": "0001-01-01T00:00:00+05:00"},
    ]}
    pages["/dates.json"] = ("application/feed+json", orjson.dumps(dated))
    pages["/dated-1.html"] = ("text/html", _page("Late date."))
    pages["/dated-2.html"] = ("text/html", _page("Early date."))
    for name in FEEDPARSER_RAISES:
        pages[f"/{name}"] = ("application/xml", (DATA / name).read_bytes())
    title = "<title>a" + " " * 40_000 + "b</title>"
    pages["/quadratic.html"] = ("text/html", _page("Quadratic title.", title))
    pages["/quadratic.xml"] = ("application/rss+xml", _rss([f"{base}/quadratic.html"]))
    pages["/broken-4mb.xml"] = ("application/rss+xml", broken_feed(4_000_000))
    return pages


def broken_feed(size: int) -> bytes:
    """Not well-formed XML of about ``size`` bytes (unclosed items): feedparser's lenient path."""
    item = b"<item><title>Broken <b>item</title><link>http://127.0.0.1:9/x</link>\n"
    return b'<rss version="2.0"><channel><title>broken</title>' + item * (size // len(item))


HOSTILE_FEEDS = ("/charsets.xml", "/brackets.json", "/dates.json", "/quadratic.xml",
                 "/broken-4mb.xml", *(f"/{n}" for n in FEEDPARSER_RAISES))
FAILING_FEEDS = ("/brackets.json", "/broken-4mb.xml", *(f"/{n}" for n in FEEDPARSER_RAISES))


def good_pages(base: str, index: int = 5) -> Pages:
    article = deployment_article(index)
    return {
        "/good.txt": ("text/plain", article["text"].encode()),
        "/good.xml": ("application/rss+xml", _rss([f"{base}/good.txt"], "Good")),
    }


def feeds_yaml(base: str, path: Path, *, interval_s: int = 10) -> Path:
    """A sources file: every hostile feed and the good one, each polled every ``interval_s``."""
    lines = ["sources:"]
    for i, feed in enumerate((*HOSTILE_FEEDS, "/good.xml")):
        lines += [f"  - name: src{i}-{feed.strip('/').replace('.', '-')}",
                  f"    url: {base}{feed}", f"    interval_s: {interval_s}"]
    path.write_text("\n".join(lines) + "\n")
    return path


@contextmanager
def hostile_site() -> Iterator[StaticSite]:
    """A loopback site serving every hostile source above next to the good feed."""
    with StaticSite() as served:
        served.pages.update(hostile_pages(served.url))
        served.pages.update(good_pages(served.url))
        yield served
