"""Synthetic articles written for the tests (our own words), one distinct event each."""

from __future__ import annotations

from itertools import permutations

# (name as written, ISO code) — pairs of these give each article its own event signature.
COUNTRIES = [
    ("North Korea", "KP"), ("Russia", "RU"), ("Belarus", "BY"), ("Iran", "IR"),
    ("China", "CN"), ("Poland", "PL"), ("Germany", "DE"), ("France", "FR"),
    ("Turkey", "TR"), ("Japan", "JP"), ("India", "IN"), ("Pakistan", "PK"),
    ("Israel", "IL"), ("Egypt", "EG"), ("Nigeria", "NG"), ("Brazil", "BR"),
]


def deployment_article(index: int) -> dict[str, str]:
    """Article ``index``: one country sends troops to another, a different pair each time."""
    (sender, s_code), (recipient, r_code) = list(permutations(COUNTRIES, 2))[index]
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
        "sender": s_code,
        "recipient": r_code,
    }
