"""URL canonicalisation: one article, one id, whatever tracking junk its links carry. Pure."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from shared.web_guard import DEFAULT_PORTS

# Exact query keys that only track the reader; any key starting with a prefix below goes too.
TRACKING_KEYS = frozenset(
    {
        "fbclid", "gclid", "dclid", "gclsrc", "msclkid", "yclid", "twclid", "igshid",
        "mc_cid", "mc_eid", "_ga", "_gl", "_hsenc", "_hsmi", "mkt_tok", "vero_id", "oly_enc_id",
        "oly_anon_id", "rb_clickid", "s_cid", "wt_mc", "cmpid", "ncid", "ref_src", "ref_url",
        "smid", "sr_share", "at_medium", "at_campaign", "guccounter", "guce_referrer",
        "guce_referrer_sig", "spm", "ito", "taid",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")


def _is_tracking(key: str) -> bool:
    low = key.lower()
    return low in TRACKING_KEYS or low.startswith(TRACKING_PREFIXES)


def _netloc(scheme: str, url: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "").rstrip(".")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    port = parts.port
    netloc = host  # userinfo dropped: credentials must not reach ids, topics, logs or alerts
    if port is not None and port != DEFAULT_PORTS.get(scheme):
        netloc = f"{netloc}:{port}"
    return netloc


def strip_userinfo(url: str) -> str:
    """``url`` without ``user:password@``: httpx would send it as Basic auth to whatever host
    a feed or redirect names, and it would be logged with the URL. Otherwise unchanged."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url  # not a URL anyone can fetch; the caller refuses it
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rpartition("@")[2]))


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, no userinfo, no default port, no fragment, no tracking
    parameters, remaining query parameters sorted; an empty path becomes "/"."""
    text = url.strip()
    parts = urlsplit(text)
    scheme = parts.scheme.lower()
    if not scheme or not parts.netloc:
        return text
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    query = sorted((k, v) for k, v in pairs if not _is_tracking(k))
    return urlunsplit((scheme, _netloc(scheme, text), parts.path or "/", urlencode(query), ""))


def article_id(url: str) -> str:
    """sha1 hex of the canonical URL."""
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()


def body_id(body: str) -> str:
    """sha1 hex of a body, the id of an article that has no URL."""
    return hashlib.sha1(body.encode("utf-8")).hexdigest()
