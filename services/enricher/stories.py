"""Event signatures, in-article merging, story ids and a near-duplicate ``StoryIndex``.

Signature = sha1 over: event type, the sorted core actors with roles (countries by ISO code;
persons by canonical name for diplomatic contacts; bodies without a country by name) and
the quantity's magnitude bucket (decade + 1-2-5 step of ``max``: 30,000 -> "4:2"). No
wording, outlet, sentence or status goes in, so two outlets reporting the same thing agree.

story_id = "ev-" + signature of the article's most salient event (the alert-worthy event
with the highest confidence; ties: type priority, then magnitude, then first mention). With
no event it is "sh-" + the top 20 bits of the article's simhash. Both are pure functions of
the article, so independent enricher instances give one story the same id.
"""

from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from shared.records import Actor, CleanArticle, Event, Quantity

ALERT_TYPES = ("troop_deployment", "arms_transfer", "attack", "mobilisation", "casualties")
_PRIORITY = {t: len(ALERT_TYPES) - i for i, t in enumerate(ALERT_TYPES)}
_CORE_ROLES = {"sender", "recipient", "attacker", "target", "victim", "subject", "supporter",
               "participant"}


def magnitude(q: Quantity | None) -> str:
    if q is None or q.max <= 0 or q.unit == "factor":
        return "-"
    exp = math.floor(math.log10(q.max))
    lead = q.max / 10**exp
    step = 1 if lead < 2 else 2 if lead < 5 else 5
    return f"{exp}:{step}"


def actor_keys(event_type: str, actors: tuple[Actor, ...] | list[Actor]) -> list[str]:
    core = [a for a in actors if a.role in _CORE_ROLES]
    people = sorted({a.name for a in core if a.kind == "person"})
    if event_type == "diplomatic_contact" and len(people) >= 2:
        return people
    keys = {f"{a.role}:{a.code}" for a in core if a.code}
    keys |= {f"{a.role}:{a.name}" for a in core if a.kind == "organisation"
             and not any(b.code and b.role == a.role for b in core)}
    return sorted(keys)


def signature(event_type: str, actors: tuple[Actor, ...] | list[Actor],
              quantity: Quantity | None) -> str:
    basis = "|".join([event_type, ",".join(actor_keys(event_type, actors)), magnitude(quantity)])
    return hashlib.sha1(basis.encode()).hexdigest()[:16]


def salience(event: Event, order: int) -> tuple[float, int, float, int]:
    q = event.quantity.max if event.quantity else 0.0
    return (event.confidence, _PRIORITY.get(event.type, 0), q, -order)


def story_id(article: CleanArticle, events: tuple[Event, ...]) -> str:
    pool = [e for e in events if e.type in ALERT_TYPES] or list(events)
    if pool:
        ranked = max(enumerate(pool), key=lambda p: salience(p[1], p[0]))
        return f"ev-{ranked[1].signature}"
    return f"sh-{_simhash(article) >> 44:05x}"


def _simhash(article: CleanArticle) -> int:
    if article.simhash:
        try:
            return int(article.simhash, 16)
        except ValueError:
            pass
    return simhash64(article.text)


def simhash64(text: str) -> int:
    """64-bit SimHash over word 3-shingles (used when the cleaner gave none).

    Vectorised: one blake2b per shingle, then the 64 per-bit votes in one numpy pass."""
    words = text.lower().split()
    n = max(1, len(words) - 2)
    hashes = np.fromiter(
        (int.from_bytes(_blake2b(" ".join(words[i:i + 3]).encode(), digest_size=8).digest(),
                        "big") for i in range(n)), dtype=np.uint64, count=n)
    ones = ((hashes[:, None] >> _BITS) & np.uint64(1)).sum(axis=0, dtype=np.int64)
    votes = 2 * ones - n  # +1 per set bit, -1 per clear bit
    return sum(1 << int(bit) for bit in np.flatnonzero(votes > 0))


_BITS = np.arange(64, dtype=np.uint64)
_blake2b = hashlib.blake2b


@dataclass(slots=True)
class _Seen:
    simhash: int
    story_id: str


class StoryIndex:
    """In-memory, bounded (LRU) grouping of near-duplicate articles by simhash distance.

    ``assign`` returns the story id of an indexed article within ``max_distance`` bits, or
    the article's own (reproducible) id. Optional: the reproducible id alone is what lets N
    enricher instances agree; this index only merges near-duplicates one instance has seen.
    """

    def __init__(self, capacity: int = 4096, max_distance: int = 3) -> None:
        self.capacity = capacity
        self.max_distance = max_distance
        self._items: OrderedDict[str, _Seen] = OrderedDict()

    def assign(self, article: CleanArticle, own_id: str) -> str:
        sh = _simhash(article)
        for key, seen in reversed(self._items.items()):
            if (seen.simhash ^ sh).bit_count() <= self.max_distance:
                self._items.move_to_end(key)
                return seen.story_id
        self._items[article.id] = _Seen(sh, own_id)
        if len(self._items) > self.capacity:
            self._items.popitem(last=False)
        return own_id

    def __len__(self) -> int:
        return len(self._items)
