"""Scoring enricher output against the hand-labelled dev corpus (tests/data/enricher).

Matching, per document: a predicted event matches an expected one of the same type when they
share at least one actor key (ISO code, else canonical name) or the expected event names no
actor; pairs are chosen greedily by (shared keys, quantity agreement). Then:
- events: precision/recall/F1 over matched pairs, overall and per type;
- roles: expected (role, key) pairs found among the matched prediction's actors;
- status: exact, except that "disputed" is also satisfied by a non-empty ``disputed_by`` and
  "completed" by "confirmed" (a completed event the actor itself confirms);
- quantity: min and max within 1% of the expected values.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.records import Event

CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "enricher" / "corpus.jsonl"


def load_corpus(path: Path = CORPUS) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _keys(event: Event) -> set[str]:
    return {a.code or a.name for a in event.actors}


def _role_keys(event: Event) -> set[tuple[str, str]]:
    return {(a.role, a.code or a.name) for a in event.actors}


def _exp_keys(exp: dict[str, Any]) -> set[str]:
    return {a.get("code") or a["name"] for a in exp.get("actors", [])}


def _qty_ok(exp: dict[str, Any], pred: Event) -> bool:
    want, got = exp.get("quantity"), pred.quantity
    if want is None or got is None:
        return False
    return all(abs(w - g) <= 0.01 * max(abs(w), 1) for w, g in
               ((want["min"], got.min), (want["max"], got.max)))


def status_ok(expected: str, pred: Event) -> bool:
    if expected == "disputed":
        return pred.status in ("disputed", "denied") or bool(pred.disputed_by)
    if expected == "completed":
        return pred.status in ("completed", "confirmed")
    return pred.status == expected


@dataclass
class Tally:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def prf(self) -> tuple[float, float, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


@dataclass
class Score:
    events: Tally = field(default_factory=Tally)
    by_type: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    roles: Tally = field(default_factory=Tally)
    status: Tally = field(default_factory=Tally)
    quantity: Tally = field(default_factory=Tally)
    n_docs: int = 0
    misses: list[str] = field(default_factory=list)


def match(expected: list[dict[str, Any]], predicted: list[Event]
          ) -> list[tuple[dict[str, Any], Event]]:
    pairs = []
    for i, exp in enumerate(expected):
        for j, pred in enumerate(predicted):
            if exp["type"] != pred.type:
                continue
            shared = len(_exp_keys(exp) & _keys(pred))
            if shared or not exp.get("actors"):
                pairs.append((shared, _qty_ok(exp, pred), i, j))
    pairs.sort(reverse=True)
    used_e: set[int] = set()
    used_p: set[int] = set()
    out = []
    for _, _, i, j in pairs:
        if i not in used_e and j not in used_p:
            used_e.add(i)
            used_p.add(j)
            out.append((expected[i], predicted[j]))
    return out


def score_doc(score: Score, doc: dict[str, Any], predicted: list[Event]) -> None:
    expected = doc["events"]
    pairs = match(expected, predicted)
    score.n_docs += 1
    score.events.tp += len(pairs)
    score.events.fp += len(predicted) - len(pairs)
    score.events.fn += len(expected) - len(pairs)
    matched_e = {id(e) for e, _ in pairs}
    matched_p = {id(p) for _, p in pairs}
    for exp in expected:
        t = score.by_type[exp["type"]]
        if id(exp) in matched_e:
            t.tp += 1
        else:
            t.fn += 1
            score.misses.append(f"{doc['id']}: missed {exp['type']} {exp.get('actors')}")
    for pred in predicted:
        if id(pred) not in matched_p:
            score.by_type[pred.type].fp += 1
            score.misses.append(f"{doc['id']}: extra {pred.type} {sorted(_role_keys(pred))}")
    for exp, pred in pairs:
        _score_pair(score, exp, pred)
        if exp.get("status") and not status_ok(exp["status"], pred):
            score.misses.append(f"{doc['id']}: {exp['type']} status {pred.status} "
                                f"(want {exp['status']})")
        if exp.get("quantity") and not _qty_ok(exp, pred):
            score.misses.append(f"{doc['id']}: {exp['type']} quantity {pred.quantity}")


def _score_pair(score: Score, exp: dict[str, Any], pred: Event) -> None:
    want = {(a["role"], a.get("code") or a["name"]) for a in exp.get("actors", [])}
    got = _role_keys(pred)
    hit = len(want & got)
    score.roles.tp += hit
    score.roles.fn += len(want) - hit
    score.roles.fp += len({k for k in got if k[1] in {w[1] for w in want}} - want)
    if exp.get("status"):
        ok = status_ok(exp["status"], pred)
        score.status.tp += ok
        score.status.fp += not ok
        score.status.fn += not ok
    if exp.get("quantity"):
        ok = _qty_ok(exp, pred)
        score.quantity.tp += ok
        score.quantity.fn += not ok
        score.quantity.fp += (not ok) and pred.quantity is not None
