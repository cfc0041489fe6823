"""Hand-built alerts for the API tests (no dependency on the enricher or grouping)."""

from __future__ import annotations

from dataclasses import replace

from shared.records import Actor, Alert, Event, Location, Quantity, SourceRef

KP = Actor("sender", "North Korea", "country", "KP")
RU = Actor("recipient", "Russia", "country", "RU")
T0 = 1_752_480_000.0

CNN = SourceRef(
    url="https://edition.cnn.com/2025/07/14/world/north-korea-troops-russia",
    title="North Korea to send up to 30,000 more troops to Russia, Ukraine says",
    publisher="CNN",
    article_id="a-cnn",
)
BBC = SourceRef(
    url="https://www.bbc.com/news/articles/kp-troops",
    title="Ukraine: North Korea preparing new troop deployment",
    publisher="BBC News",
    article_id="a-bbc",
)
REUTERS = SourceRef(
    url="https://www.reuters.com/world/shells-kp-ru",
    title="North Korea has shipped 12 million shells to Russia, Seoul says",
    publisher="Reuters",
    article_id="a-reuters",
)


def troops_alert(version: int = 1, alerted: float = T0, **kw: object) -> Alert:
    event = Event(
        type="troop_deployment",
        actors=(KP, RU),
        status="planned",
        sentence="North Korea is planning to send up to 30,000 more troops to Russia.",
        confidence=0.9,
        quantity=Quantity(25_000, 30_000, "troops"),
        location=Location("Kursk", "RU"),
        attribution=("CNN", "Ukrainian intelligence"),
        disputed_by=("GUR",),
        signature="sig-kp-ru-troops",
    )
    sources = (CNN, BBC)[:version] if version <= 2 else (CNN, BBC)
    alert = Alert(
        alert_id="3f2a9c0d1e4b5a67",
        group_key="large-troop-deployment:sig-kp-ru-troops",
        rule="large-troop-deployment",
        severity="critical",
        summary="North Korea → Russia: 25,000–30,000 troops (planned; CNN citing Ukrainian "
        "intelligence; disputed by GUR)" + (f" · {len(sources)} sources" if version > 1 else ""),
        event=event,
        story_id="story-kp-ru",
        sources=sources,
        version=version,
        stamps={"fetched": alerted - 2, "alerted": alerted},
    )
    return replace(alert, **kw)  # type: ignore[arg-type]


def shells_alert(alerted: float = T0 + 60, **kw: object) -> Alert:
    event = Event(
        type="arms_transfer",
        actors=(KP, RU),
        status="estimated",
        sentence="North Korea has supplied about 12 million 152mm shells to Russia.",
        confidence=0.8,
        quantity=Quantity(12e6, 12e6, "shells", approximate=True, calibre="152mm"),
        attribution=("South Korean intelligence",),
        signature="sig-kp-ru-shells",
    )
    alert = Alert(
        alert_id="77aa00bb11cc22dd",
        group_key="arms-transfer:sig-kp-ru-shells",
        rule="arms-transfer",
        severity="critical",
        summary="North Korea → Russia: ≈12,000,000 152mm shells (estimated; South Korean "
        "intelligence)",
        event=event,
        story_id="story-shells",
        sources=(REUTERS,),
        stamps={"fetched": alerted - 1, "alerted": alerted},
    )
    return replace(alert, **kw)  # type: ignore[arg-type]


def mobilisation_alert(alerted: float = T0 + 120, **kw: object) -> Alert:
    event = Event(
        type="mobilisation",
        actors=(Actor("subject", "Poland", "country", "PL"),),
        status="confirmed",
        sentence="Poland called up 10,000 reservists for exercises.",
        confidence=0.9,
        quantity=Quantity(10_000, 10_000, "reservists"),
        location=Location("Warsaw", "PL"),
        signature="sig-pl-mobilisation",
    )
    alert = Alert(
        alert_id="99ee88dd77cc66bb",
        group_key="mobilisation:sig-pl-mobilisation",
        rule="mobilisation",
        severity="warning",
        summary="Poland: 10,000 reservists (confirmed)",
        event=event,
        story_id="story-pl",
        sources=(
            SourceRef(
                url="https://notesfrompoland.com/2025/07/14/reservists",
                title="Poland calls up 10,000 reservists",
                publisher="Notes from Poland",
                article_id="a-nfp",
            ),
        ),
        stamps={"fetched": alerted - 1, "alerted": alerted},
    )
    return replace(alert, **kw)  # type: ignore[arg-type]


KURSK = Location("Kursk", "RU", lat=51.73, lon=36.19)


def located_troops(version: int = 1, alerted: float = T0) -> Alert:
    """`troops_alert` with coordinates (for the map and GeoJSON)."""
    alert = troops_alert(version, alerted)
    return replace(alert, event=replace(alert.event, location=KURSK))
