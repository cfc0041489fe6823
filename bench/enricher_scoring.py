"""Scoring enricher output against a labelled corpus (docs/annotation.md).

Per document, current events are matched with current labels and background events with
background labels. A predicted event can match a label of the same type when they share an
actor key (ISO code, else canonical name, compared without diacritics; label names are
resolved through the gazetteer's aliases, so "Ansar Allah" is "Houthis") or the label names
no actor; pairs are chosen greedily by (shared keys, quantity agreement, status agreement).
Then:
- events: precision/recall/F1 over matched pairs, overall and per type;
- strict: a matched pair whose every labelled (role, actor) is among the prediction's and
  whose prediction puts no labelled actor in another role;
- status: exact, except that "disputed" is also satisfied by "denied" or a non-empty
  ``disputed_by``, and "completed" by "confirmed";
- quantity: min and max within 1% of the label (and, for casualties, the same unit);
- direction: troop deployments' direction equals the label's;
- hard negatives: current events predicted on documents without current labels;
- duplicates: unmatched predictions that would have matched an already matched label;
- alerts: the default rule pack's matches, usable when their event is a strict match with
  the right status and (where labelled) the right quantity.
"""

from __future__ import annotations

import json
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shared.records import EnrichedArticle, Event

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "enricher"
CORPUS = DATA / "corpus.jsonl"


def load_corpus(*paths: Path) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in paths or (CORPUS,):
        with path.open(encoding="utf-8") as fh:
            docs += [json.loads(line) for line in fh if line.strip()]
    return docs


Normalise = Callable[[dict[str, Any]], str]


def plain_key(actor: dict[str, Any]) -> str:
    return str(actor.get("code") or actor["name"])


# Letters NFKD does not decompose into a base letter and a mark.
_LETTERS = str.maketrans({"ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
                          "ı": "i", "ß": "ss"})


def fold(name: str) -> str:
    """A name as compared: with or without its diacritics it names the same party (an
    outlet may print "Yasar Guler" for "Yaşar Güler")."""
    decomposed = unicodedata.normalize("NFKD", name.translate(_LETTERS))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _keys(event: Event) -> set[str]:
    return {fold(a.code or a.name) for a in event.actors}


def _role_keys(event: Event) -> set[tuple[str, str]]:
    return {(a.role, fold(a.code or a.name)) for a in event.actors}


def qty_ok(exp: dict[str, Any], pred: Event) -> bool:
    want, got = exp.get("quantity"), pred.quantity
    if want is None or got is None:
        return False
    if exp["type"] == "casualties" and want.get("unit") and want["unit"] != got.unit:
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
class Ratio:
    ok: int = 0
    n: int = 0

    def add(self, ok: bool) -> None:
        self.ok += ok
        self.n += 1

    @property
    def value(self) -> float:
        return self.ok / self.n if self.n else 1.0


@dataclass
class Score:
    events: Tally = field(default_factory=Tally)
    strict: Tally = field(default_factory=Tally)
    by_type: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    background: Tally = field(default_factory=Tally)
    roles: Tally = field(default_factory=Tally)
    status: Ratio = field(default_factory=Ratio)
    quantity: Ratio = field(default_factory=Ratio)
    direction: Ratio = field(default_factory=Ratio)
    alerts: Ratio = field(default_factory=Ratio)
    negatives: int = 0  # documents without current labels
    negative_events: int = 0  # current events predicted on them
    negative_docs_hit: int = 0
    duplicates: int = 0
    n_docs: int = 0
    misses: list[str] = field(default_factory=list)


class Scorer:
    def __init__(self, normalise: Normalise = plain_key,
                 alerts: Callable[[EnrichedArticle], list[Event]] | None = None) -> None:
        self.key = normalise
        self.alerts = alerts

    def exp_keys(self, exp: dict[str, Any]) -> set[str]:
        return {fold(self.key(a)) for a in exp.get("actors", [])}

    def exp_roles(self, exp: dict[str, Any]) -> set[tuple[str, str]]:
        return {(a["role"], fold(self.key(a))) for a in exp.get("actors", [])}

    def match(self, expected: list[dict[str, Any]], predicted: list[Event]
              ) -> list[tuple[dict[str, Any], Event]]:
        pairs = []
        for i, exp in enumerate(expected):
            for j, pred in enumerate(predicted):
                if exp["type"] != pred.type:
                    continue
                shared = len(self.exp_keys(exp) & _keys(pred))
                if shared or not exp.get("actors"):
                    status = bool(exp.get("status")) and status_ok(exp["status"], pred)
                    pairs.append((shared, qty_ok(exp, pred), status, -abs(i - j), i, j))
        pairs.sort(reverse=True)
        used_e: set[int] = set()
        used_p: set[int] = set()
        out = []
        for *_, i, j in pairs:
            if i not in used_e and j not in used_p:
                used_e.add(i)
                used_p.add(j)
                out.append((expected[i], predicted[j]))
        return out

    def strict_ok(self, exp: dict[str, Any], pred: Event) -> bool:
        want = self.exp_roles(exp)
        got = _role_keys(pred)
        if not want <= got:
            return False
        keys = {k for _, k in want}
        return not any(k in keys and (r, k) not in want for r, k in got)

    def score_doc(self, score: Score, doc: dict[str, Any], result: EnrichedArticle) -> None:
        labels = doc["events"]
        live = [e for e in labels if not e.get("background")]
        past = [e for e in labels if e.get("background")]
        predicted = list(result.events)
        score.n_docs += 1
        if not live:
            score.negatives += 1
            score.negative_events += len(predicted)
            score.negative_docs_hit += bool(predicted)
        pairs = self.match(live, predicted)
        self._tally(score, doc, live, predicted, pairs)
        bg_pairs = self.match(past, list(result.background))
        score.background.tp += len(bg_pairs)
        score.background.fp += len(result.background) - len(bg_pairs)
        score.background.fn += len(past) - len(bg_pairs)
        if self.alerts is not None:
            strict = {id(p) for e, p in pairs if self._usable(e, p)}
            for event in self.alerts(result):
                score.alerts.add(id(event) in strict)
                if id(event) not in strict:
                    score.misses.append(f"{doc['id']}: unusable alert {event.type} "
                                        f"{sorted(_role_keys(event))} {event.status}")

    def _usable(self, exp: dict[str, Any], pred: Event) -> bool:
        return (self.strict_ok(exp, pred) and status_ok(exp.get("status", ""), pred)
                and (not exp.get("quantity") or qty_ok(exp, pred)))

    def _tally(self, score: Score, doc: dict[str, Any], expected: list[dict[str, Any]],
               predicted: list[Event], pairs: list[tuple[dict[str, Any], Event]]) -> None:
        score.events.tp += len(pairs)
        score.events.fp += len(predicted) - len(pairs)
        score.events.fn += len(expected) - len(pairs)
        strict = sum(self.strict_ok(e, p) for e, p in pairs)
        score.strict.tp += strict
        score.strict.fp += len(predicted) - strict
        score.strict.fn += len(expected) - strict
        matched_e = {id(e) for e, _ in pairs}
        matched_p = {id(p) for _, p in pairs}
        for exp in expected:
            t = score.by_type[exp["type"]]
            if id(exp) in matched_e:
                t.tp += 1
            else:
                t.fn += 1
                score.misses.append(f"{doc['id']}: missed {exp['type']} "
                                    f"{sorted(self.exp_roles(exp))} {exp.get('status')}")
        for pred in predicted:
            if id(pred) in matched_p:
                continue
            score.by_type[pred.type].fp += 1
            dup = any(e["type"] == pred.type and (self.exp_keys(e) & _keys(pred) or not
                                                  e.get("actors")) for e, _ in pairs)
            score.duplicates += dup
            score.misses.append(f"{doc['id']}: {'duplicate' if dup else 'extra'} {pred.type} "
                                f"{sorted(_role_keys(pred))} {pred.status} | {pred.sentence[:90]}")
        for exp, pred in pairs:
            self._pair(score, doc, exp, pred)

    def _pair(self, score: Score, doc: dict[str, Any], exp: dict[str, Any], pred: Event) -> None:
        want = self.exp_roles(exp)
        got = _role_keys(pred)
        hit = len(want & got)
        score.roles.tp += hit
        score.roles.fn += len(want) - hit
        score.roles.fp += len({k for k in got if k[1] in {w[1] for w in want}} - want)
        if not self.strict_ok(exp, pred):
            score.misses.append(f"{doc['id']}: {exp['type']} roles {sorted(got)} "
                                f"(want {sorted(want)})")
        if exp.get("status"):
            ok = status_ok(exp["status"], pred)
            score.status.add(ok)
            if not ok:
                score.misses.append(f"{doc['id']}: {exp['type']} status {pred.status} "
                                    f"(want {exp['status']})")
        if exp.get("quantity"):
            ok = qty_ok(exp, pred)
            score.quantity.add(ok)
            if not ok:
                q = pred.quantity
                got_q = (q.min, q.max, q.unit) if q else None
                w = exp["quantity"]
                score.misses.append(f"{doc['id']}: {exp['type']} quantity {got_q} "
                                    f"(want {(w['min'], w['max'], w.get('unit'))})")
        if exp.get("direction"):
            ok = pred.direction == exp["direction"]
            score.direction.add(ok)
            if not ok:
                score.misses.append(f"{doc['id']}: direction {pred.direction} "
                                    f"(want {exp['direction']})")
