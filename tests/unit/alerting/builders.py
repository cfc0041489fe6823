"""Hand-built records for the alerting tests (no dependency on the enricher)."""

from __future__ import annotations

from shared.records import (
    Actor,
    Alert,
    CleanArticle,
    EnrichedArticle,
    Event,
    Location,
    Quantity,
    SourceRef,
)

KP = Actor("sender", "North Korea", "country", "KP")
RU = Actor("recipient", "Russia", "country", "RU")


def troops(
    low: float = 25_000,
    high: float = 30_000,
    status: str = "planned",
    signature: str = "sig-kp-ru-troops",
    **kw: object,
) -> Event:
    fields: dict[str, object] = {
        "type": "troop_deployment",
        "actors": (KP, RU),
        "status": status,
        "sentence": "North Korea is planning to send up to 30,000 more troops to Russia.",
        "confidence": 0.9,
        "quantity": Quantity(low, high, "troops"),
        "attribution": ("CNN", "Ukrainian intelligence"),
        "disputed_by": ("GUR",),
        "signature": signature,
    }
    fields.update(kw)
    return Event(**fields)  # type: ignore[arg-type]


def shells(amount: float = 12_000_000, signature: str = "sig-kp-ru-shells") -> Event:
    return Event(
        type="arms_transfer",
        actors=(KP, RU),
        status="estimated",
        sentence="North Korea has supplied about 12 million 152mm artillery shells to Russia.",
        confidence=0.8,
        quantity=Quantity(amount, amount, "shells", approximate=True, calibre="152mm"),
        attribution=("South Korean intelligence",),
        signature=signature,
    )


def casualties(amount: float = 6000, unit: str = "killed_or_wounded") -> Event:
    return Event(
        type="casualties",
        actors=(Actor("victim", "North Korea", "country", "KP"),),
        status="estimated",
        sentence="About 6,000 of them were killed or wounded.",
        confidence=0.7,
        quantity=Quantity(amount, amount, unit, approximate=True),
        location=Location("Kursk", "RU"),
        signature=f"sig-casualties-{amount}-{unit}",
    )


def mobilisation(status: str = "confirmed") -> Event:
    return Event(
        type="mobilisation",
        actors=(Actor("subject", "Russia", "country", "RU"),),
        status=status,
        sentence="Russia ordered the call-up of 300,000 reservists.",
        confidence=0.9,
        quantity=Quantity(300_000, 300_000, "reservists"),
        signature="sig-ru-mobilisation",
    )


def article(
    n: int = 1, publisher: str = "Business Insider", original: str | None = None
) -> CleanArticle:
    return CleanArticle(
        id=f"article-{n}",
        url=f"https://outlet{n}.example/story",
        source="test",
        title=f"Story as told by outlet {n}",
        text="...",
        publisher=publisher,
        original_publisher=original,
    )


def enriched(
    *events: Event, art: CleanArticle | None = None, story: str = "story-1"
) -> EnrichedArticle:
    return EnrichedArticle(
        article=art or article(),
        entities=(),
        events=events or (troops(),),
        story_id=story,
        stamps={"fetched": 1000.0, "cleaned": 1000.1, "enriched": 1000.2},
    )


def alert(version: int = 1, alert_id: str = "0123456789abcdef") -> Alert:
    return Alert(
        alert_id=alert_id,
        group_key="large-troop-deployment:sig-kp-ru-troops",
        rule="large-troop-deployment",
        severity="critical",
        summary="North Korea → Russia: 25,000–30,000 troops (planned)",
        event=troops(),
        story_id="story-1",
        sources=(SourceRef("https://outlet1.example/story", "Story", "CNN", "article-1"),),
        version=version,
        stamps={"fetched": 1000.0, "alerted": 1001.0},
    )
