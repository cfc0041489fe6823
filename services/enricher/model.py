"""The enricher's working records: a sentence being read, and the event drafts read from it.

Drafts are mutable: consolidation merges them, scenes and disputes complete them; the
finished events are the frozen ``shared.records.Event``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from services.enricher.arguments import Resolver
from services.enricher.lexicon import Lexicon
from shared.records import Actor, Location, Quantity

AGENT_ROLES = ("sender", "attacker", "supporter", "subject")  # who acts
PATIENT_ROLES = ("recipient", "target", "victim")  # who is acted on
SCENE = 2  # sentences back a casualty count may take its attack from (its scene)


def one_role_each(actors: list[Actor]) -> list[Actor]:
    """A party is not both the one acting and the one acted on in one event ("Iranian
    missile strike on a base": Iran attacks); it keeps the acting role."""
    acting = {a.code or a.name for a in actors if a.role in AGENT_ROLES}
    return [a for a in actors if a.role not in PATIENT_ROLES or (a.code or a.name) not in acting]


@dataclass(slots=True)
class Draft:
    type: str
    actors: list[Actor]
    status: str
    sentence: str
    position: int  # absolute offset of the trigger
    sentence_index: int = 0
    confidence: float = 0.5
    quantity: Quantity | None = None
    also: list[Quantity] = field(default_factory=list)
    breakdown: list[Quantity] = field(default_factory=list)
    location: Location | None = None
    time_text: str | None = None
    attribution: list[str] = field(default_factory=list)
    disputed_by: list[str] = field(default_factory=list)
    direction: str | None = None
    background: bool = False
    headline: bool = False
    partitive: bool = False  # its count is part of an earlier one ("1,000 of these people")
    anaphoric: bool = False  # "the troops", "the deployment": refers to an earlier event
    mentions: int = 1
    trigger: str = ""
    self_report: bool = False  # the actor itself says so
    trigger_verb: bool = False  # evoked by a verb ("killed"), not a noun ("deaths")
    armed_agent: bool = False  # an armed or state actor did it, named or not ("gunmen")
    victim_unit: str | None = None  # what the casualties were: civilians, troops, militants
    theme_at: int = -1  # the token of what was sent, supplied or struck, in its sentence

    def codes(self, *roles: str) -> set[str]:
        return {a.code or a.name for a in self.actors if not roles or a.role in roles}


@dataclass
class Sentence:
    """One parsed sentence and what is known about it."""

    resolver: Resolver
    lex: Lexicon
    text: str
    start: int
    index: int
    headline: bool = False
    military_doc: bool = False  # the article is about armed conflict
    register: set[str] = field(default_factory=set)
    time_text: str | None = None
    year: int | None = None  # the article's publication year, for background dating
    retrospective: bool = False  # the whole article looks back
    prior: str = ""  # the sentence before, which "weeks earlier" is dated from




@dataclass(slots=True)
class Built:
    """What a role builder read for one trigger."""

    actors: list[Actor]
    quantity: Quantity | None = None
    location: Location | None = None
    armed_agent: bool = False
    victim_unit: str | None = None
