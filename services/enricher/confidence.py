"""An event's confidence: the probability that an analyst would take it as it stands, from a
logistic model over what the reading found (type, status, roles filled, count, place,
sources, mentions). The weights (``data/confidence.json``) are fitted on the labelled
development corpora by ``python -m bench.train_confidence``, which also prints how well the
probabilities are calibrated; alert rules threshold on them (``min_confidence``).
"""

from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

from services.enricher.model import AGENT_ROLES, PATIENT_ROLES
from shared.records import Event

DATA = Path(__file__).with_name("data") / "confidence.json"
TYPES = ("troop_deployment", "mobilisation", "arms_transfer", "casualties", "military_support",
         "diplomatic_contact", "attack")
STATUSES = ("planned", "pledged", "under_way", "completed", "reported", "estimated",
            "confirmed", "denied", "disputed")
_KINDS = ("country", "organisation", "person", "place")


def features(e: Event) -> dict[str, float]:
    roles = {a.role for a in e.actors}
    kinds = {a.kind for a in e.actors}
    q, loc = e.quantity, e.location
    out = {f"type={t}": float(e.type == t) for t in TYPES}
    out |= {f"status={s}": float(e.status == s) for s in STATUSES}
    out |= {
        "agent": float(bool(roles & set(AGENT_ROLES))),
        "patient": float(bool(roles & set(PATIENT_ROLES))),
        "participants>=2": float(sum(a.role == "participant" for a in e.actors) >= 2),
        "quantity": float(q is not None),
        "approximate": float(bool(q and q.approximate)),
        "location": float(loc is not None),
        "place_coordinates": float(bool(loc and loc.lat is not None)),
        "attribution": float(bool(e.attribution)),
        "disputed_by": float(bool(e.disputed_by)),
        "mentions>=2": float(e.mentions >= 2),
        "organisation": float("organisation" in kinds),
        "person": float("person" in kinds),
        "actors": float(min(len(e.actors), 4)) / 4,
        "direction": float(e.direction is not None),
        "time": float(e.time_text is not None),
        "attributions>=2": float(len(e.attribution) >= 2),
        "breakdown": float(bool(e.breakdown or e.also)),
        # long sentences and quotes are where the parse and the roles go wrong most
        "sentence_words": min(len(e.sentence.split()), 60) / 60,
        "quoted": float(any(c in e.sentence for c in '"\u201c\u201d')),
    }
    return out | _sides(e)


def _sides(e: Event) -> dict[str, float]:
    """Who fills the acting and the affected side: a country acting on a group is read more
    reliably than a place standing in for a target, and a party on both sides is a misreading."""
    agents = [a for a in e.actors if a.role in AGENT_ROLES]
    patients = [a for a in e.actors if a.role in PATIENT_ROLES]
    out: dict[str, float] = {}
    for side, party in (("agent", agents), ("patient", patients)):
        kinds = {a.kind for a in party}
        out |= {f"{side}_kind={k}": float(k in kinds) for k in _KINDS}
        out[f"{side}s>=2"] = float(len(party) >= 2)
    out["agent_and_patient"] = float(bool(agents) and bool(patients))
    out["self_directed"] = float(bool({a.code for a in agents if a.code}
                                      & {a.code for a in patients if a.code}))
    return out


@lru_cache(maxsize=1)
def _weights(path: Path = DATA) -> tuple[float, dict[str, float]]:
    if not path.exists():
        return 0.0, {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return float(data["bias"]), {str(k): float(v) for k, v in data["weights"].items()}


def score(e: Event) -> float:
    """P(the event is right as it stands), rounded to two places."""
    bias, weights = _weights()
    if not weights:
        return e.confidence  # no fitted model: the heuristic score
    z = bias + sum(weights.get(k, 0.0) * v for k, v in features(e).items())
    return round(1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z)))), 2)
