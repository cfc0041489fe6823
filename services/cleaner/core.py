"""The cleaner's pure core: RawArticle in, CleanArticle out, Unusable for anything else."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from services.cleaner import (
    body_checks,
    dates,
    fingerprint,
    html,
    language,
    metadata,
    stubs,
    text,
)
from services.cleaner.errors import Unusable
from services.cleaner.filters import filter_paragraphs
from services.cleaner.lines import word_count
from services.cleaner.sitememory import SiteMemory
from shared.records import CleanArticle, RawArticle

__all__ = ["Cleaner", "Unusable", "clean"]

FALLBACK_MAX_CHARS = 1_000_000  # past this size, no second (slower) extraction pass
FALLBACK_TIME_BUDGET_S = 0.5  # nor when the first pass already took this long
OPTIONAL_STEPS_BUDGET_S = 1.0  # past this (since parsing began), optional steps are skipped


@dataclass(slots=True)
class _Draft:
    title: str | None
    paragraphs: list[str]
    publisher: str | None = None
    published: str | None = None
    original_publisher: str | None = None
    language_hint: str | None = None
    page_text: str = ""
    canonical_url: str | None = None
    authors: tuple[str, ...] = ()
    modified: str | None = None


def _host(url: str) -> str:
    try:
        return (urlsplit(url).hostname or "").removeprefix("www.")
    except ValueError:
        return ""


def _from_text(raw: RawArticle, body: str) -> _Draft:
    dump = text.clean_dump(body, raw.title_hint)
    return _Draft(dump.title, dump.paragraphs, dump.publisher, dump.published,
                  dump.original_publisher, authors=dump.authors, modified=dump.modified)


def _from_html(raw: RawArticle, body: str) -> _Draft:
    """Extraction under the per-document budget: the tree is held to fixed element limits
    (`html.bound`) before the extractor sees it, and optional steps are skipped once the
    elapsed time passes ``OPTIONAL_STEPS_BUDGET_S``."""
    started = time.perf_counter()
    tree = html.parse(body)
    if tree is None:
        return _from_text(raw, body)
    meta = metadata.extract(tree, raw.url)
    html.strip_inert(tree)
    bounds = html.bound(tree)
    html.strip_hover_cards(tree)
    if time.perf_counter() - started < OPTIONAL_STEPS_BUDGET_S:
        html.merge_split_bodies(tree)
    first_pass = time.perf_counter()
    paragraphs = html.extract(tree, raw.url)
    if not paragraphs and _fallback_allowed(body, bounds, first_pass, started):
        paragraphs = html.extract(tree, raw.url, fast=False)
    title = raw.title_hint or meta.title
    kept = filter_paragraphs(paragraphs, title, other_titles=meta.other_titles)
    page_text = "" if kept.paragraphs else html.page_text(tree)
    return _Draft(title, kept.paragraphs, meta.publisher or metadata.site_name_from_url(raw.url),
                  meta.published, kept.original_publisher, meta.language_hint, page_text,
                  meta.canonical_url, meta.authors, meta.modified)


def _fallback_allowed(body: str, bounds: html.Bounds, first_pass: float, started: float) -> bool:
    now = time.perf_counter()
    return (
        len(body) <= FALLBACK_MAX_CHARS
        and bounds.nodes <= html.FALLBACK_MAX_NODES
        and now - first_pass < FALLBACK_TIME_BUDGET_S
        and now - started < OPTIONAL_STEPS_BUDGET_S
    )


class Cleaner:
    """Cleans articles; remembers recent content hashes and each site's recurring lines."""

    def __init__(self, seen_capacity: int = 100_000, sites: SiteMemory | None = None) -> None:
        self.seen = fingerprint.SeenHashes(seen_capacity)
        self.sites = sites if sites is not None else SiteMemory()

    def clean(self, raw: RawArticle) -> CleanArticle:
        draft = self._draft(raw)
        host = _host(raw.url)
        floor = stubs.MIN_TEXT_WORDS if _is_short_text(raw) else stubs.MIN_WORDS
        paragraphs = stubs.check(self.sites.strip(host, draft.paragraphs), draft.page_text,
                                 floor)
        body = "\n".join(paragraphs)
        normalised = fingerprint.normalise(body)
        digest = fingerprint.sha1(normalised)
        if self.seen.add(digest):
            raise Unusable("duplicate", f"content hash {digest} already seen")
        self.sites.learn(host, draft.paragraphs)
        return CleanArticle(
            id=raw.id, url=raw.url, source=raw.source, title=draft.title, text=body,
            publisher=draft.publisher, original_publisher=draft.original_publisher,
            published=draft.published or _hinted_date(raw.published_hint),
            language=language.detect(body, draft.language_hint),
            word_count=word_count(body), content_hash=digest,
            simhash=fingerprint.simhash_normalised(normalised), stamps=dict(raw.stamps),
            canonical_url=draft.canonical_url, authors=draft.authors,
            modified=draft.modified or None,
        )

    def _draft(self, raw: RawArticle) -> _Draft:
        body = raw.body or ""
        if not body.strip():
            raise Unusable("no_body", "empty body")
        body_checks.check_size(body)
        body_checks.check_binary(body)
        body = body_checks.repair_encoding(body)
        body_checks.check_kind(body, raw.content_type or "")
        if body_checks.looks_like_html(body, raw.content_type or ""):
            return _from_html(raw, body)
        if _is_short_text(raw):
            return _from_short_text(raw, body)
        return _from_text(raw, body)


SHORT_TEXT_MAX_WORDS = 80  # a flash, an alert, a feed summary: no page around it


def _is_short_text(raw: RawArticle) -> bool:
    """Pushed or feed text that is too short to carry page furniture (menus, teasers) is
    taken whole; the page heuristics (title line, boilerplate, minimum length) are for
    pages."""
    body = raw.body or ""
    return (raw.content_type or "").startswith("text/plain") and \
        len(body.split()) <= SHORT_TEXT_MAX_WORDS and not body_checks.looks_like_html(body, "")


def _from_short_text(raw: RawArticle, body: str) -> _Draft:
    lines = [" ".join(line.split()) for line in body.splitlines() if line.strip()]
    headline = len(lines) > 1 and len(lines[0].split()) <= 20 and not lines[0].endswith(
        (".", "!", "?", '"', "”", ":"))  # a first line without final punctuation heads it
    title = raw.title_hint or (lines[0] if headline else None)
    paragraphs = lines[1:] if headline and lines[0] == title else lines
    return _Draft(title, paragraphs)


def _hinted_date(hint: str | None) -> str | None:
    return dates.from_iso(hint) if hint else None


_DEFAULT = Cleaner()


def clean(raw: RawArticle) -> CleanArticle:
    """Clean with a process-wide default Cleaner (shared duplicate and boilerplate memory)."""
    return _DEFAULT.clean(raw)
