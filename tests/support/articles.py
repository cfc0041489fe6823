"""Synthetic articles written for the tests and benchmarks (our own words), one event each."""

from __future__ import annotations

from itertools import permutations

# name as written -> ISO 3166 alpha-2; ordered pairs give each article its own event signature.
COUNTRIES = {
    "North Korea": "KP", "Russia": "RU", "Belarus": "BY", "Iran": "IR", "China": "CN",
    "Poland": "PL", "Germany": "DE", "France": "FR", "Turkey": "TR", "Japan": "JP",
    "India": "IN", "Pakistan": "PK", "Israel": "IL", "Egypt": "EG", "Nigeria": "NG",
    "Brazil": "BR", "Italy": "IT", "Spain": "ES", "Iraq": "IQ", "Syria": "SY", "Libya": "LY",
    "Sudan": "SD", "Ethiopia": "ET", "Somalia": "SO", "Kenya": "KE", "Mali": "ML",
    "Niger": "NE", "Chad": "TD", "Algeria": "DZ", "Morocco": "MA", "Afghanistan": "AF",
    "Vietnam": "VN", "Thailand": "TH", "Myanmar": "MM", "Indonesia": "ID", "Australia": "AU",
    "Argentina": "AR", "Chile": "CL", "Colombia": "CO", "Venezuela": "VE", "Mexico": "MX",
    "Canada": "CA", "Cuba": "CU", "Serbia": "RS", "Hungary": "HU", "Romania": "RO",
    "Bulgaria": "BG", "Greece": "GR", "Finland": "FI", "Sweden": "SE", "Norway": "NO",
    "Denmark": "DK", "Estonia": "EE", "Latvia": "LV", "Lithuania": "LT", "Georgia": "GE",
    "Armenia": "AM", "Azerbaijan": "AZ", "Kazakhstan": "KZ", "Ukraine": "UA",
}  # fmt: skip
PAIRS = list(permutations(COUNTRIES, 2))


def push_body(article: dict[str, str]) -> dict[str, str]:
    """What ``POST /articles`` takes of an article."""
    return {key: article[key] for key in ("url", "title", "text")}


def deployment_article(index: int) -> dict[str, str]:
    """Article ``index``: one country sends troops to another, a different pair each time."""
    sender, recipient = PAIRS[index % len(PAIRS)]
    troops = 2000 + 10 * index
    text = (
        f"{sender} is sending {troops:,} troops to {recipient}, officials said on Monday.\n"
        f"The deployment of the {troops:,} soldiers is expected to be completed within weeks, "
        f"according to a statement from the defence ministry.\n"
        f"Analysts said the move would strengthen military ties between the two countries."
    )
    return {
        "url": f"https://news.example.org/world/{index}-deployment",
        "title": f"{sender} to send {troops:,} troops to {recipient}",
        "text": text,
        "sender": COUNTRIES[sender],
        "recipient": COUNTRIES[recipient],
    }


OUTLETS = ("outlet-a.example", "outlet-b.example", "outlet-c.example")


def outlet_reports(index: int) -> list[dict[str, str]]:
    """Article ``index``'s event as three outlets word it: one story, three independent sources
    (different publishers, different text), the same actors and the same troop count."""
    sender, recipient = PAIRS[index % len(PAIRS)]
    troops = 2000 + 10 * index
    texts = (
        f"{sender} is sending {troops:,} troops to {recipient}, officials said on Monday.\n"
        f"The deployment is expected to be completed within weeks, according to a statement "
        f"from the defence ministry.\nAnalysts said the move would strengthen military ties.",
        f"{sender} will deploy {troops:,} soldiers to {recipient}, the defence ministry "
        f"announced on Tuesday.\nThe first units left their bases overnight, a spokesman told "
        f"reporters.\nThe move deepens military cooperation between the two governments.",
        f"{sender} has begun sending {troops:,} troops to {recipient}, according to two "
        f"diplomats.\nNeither government commented on the timing of the deployment, which was "
        f"first reported by local media.\nObservers expect further announcements this week.",
    )
    return [
        {
            "url": f"https://{outlet}/world/{index}-{sender[:3].lower()}-troops",
            "title": f"{sender} sends troops to {recipient} ({outlet.split('.')[0]})",
            "text": text,
            "sender": COUNTRIES[sender],
            "recipient": COUNTRIES[recipient],
        }
        for outlet, text in zip(OUTLETS, texts, strict=True)
    ]
