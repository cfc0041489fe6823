"""Check labelled corpus files against docs/annotation.md: ``python -m bench.corpus_check F...``.

Prints one line per problem (``file:line: id: problem``) and a summary; exits 1 on any
problem. Checks structure only (fields, vocabularies, ISO codes, role sets per type), not
whether a label is right.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pycountry

TYPES: dict[str, set[str]] = {
    "troop_deployment": {"sender", "recipient"},
    "mobilisation": {"subject"},
    "arms_transfer": {"sender", "recipient"},
    "casualties": {"victim", "attacker"},
    "military_support": {"supporter", "recipient"},
    "diplomatic_contact": {"participant"},
    "attack": {"attacker", "target"},
}
STATUSES = {"planned", "pledged", "under_way", "completed", "reported", "estimated",
            "confirmed", "denied", "disputed"}
DIRECTIONS = {"send", "move", "station", "withdraw"}
GENRES = {"long", "wire", "flash", "note", "dump", "negative"}
NEGATIVES = {"sports", "finance", "labour", "figurative", "disaster", "crime", "history",
             "technology", "entertainment", "medical", "exercise", "denial_only",
             "hypothetical", "politics", "other"}
CODES = {c.alpha_2 for c in pycountry.countries} | {"XK"}
_EVENT_KEYS = {"type", "direction", "actors", "status", "quantity", "also", "breakdown",
               "location", "attribution", "disputed_by", "background", "note"}
_DOC_KEYS = {"id", "split", "genre", "title", "text", "published", "events", "negative", "note"}


def check_quantity(q: Any, where: str) -> list[str]:
    if not isinstance(q, dict):
        return [f"{where}: not an object"]
    out = []
    for key in ("min", "max"):
        if not isinstance(q.get(key), int | float):
            out.append(f"{where}.{key}: missing or not a number")
    if not out and q["min"] > q["max"]:
        out.append(f"{where}: min > max")
    if not isinstance(q.get("unit"), str) or not q.get("unit"):
        out.append(f"{where}.unit: missing")
    if "approximate" in q and not isinstance(q["approximate"], bool):
        out.append(f"{where}.approximate: not a boolean")
    return out


def check_event(e: Any, where: str) -> list[str]:
    if not isinstance(e, dict):
        return [f"{where}: not an object"]
    out = [f"{where}: unknown field {k!r}" for k in e if k not in _EVENT_KEYS]
    etype = e.get("type")
    if etype not in TYPES:
        return [*out, f"{where}.type: unknown {etype!r}"]
    if e.get("status") not in STATUSES:
        out.append(f"{where}.status: unknown {e.get('status')!r}")
    if etype == "troop_deployment" and e.get("direction") not in DIRECTIONS:
        out.append(f"{where}.direction: troop_deployment needs one of {sorted(DIRECTIONS)}")
    if etype != "troop_deployment" and "direction" in e:
        out.append(f"{where}.direction: only for troop_deployment")
    for i, a in enumerate(e.get("actors", [])):
        aw = f"{where}.actors[{i}]"
        if not isinstance(a, dict) or a.get("role") not in TYPES[etype]:
            out.append(f"{aw}: role must be one of {sorted(TYPES[etype])}")
            continue
        if "code" in a and a["code"] not in CODES:
            out.append(f"{aw}.code: {a['code']!r} is not ISO 3166-1 alpha-2")
        if not a.get("code") and not a.get("name"):
            out.append(f"{aw}: needs a code or a name")
    if "actors" not in e:
        out.append(f"{where}.actors: missing (use [] when no role can be filled)")
    if "quantity" in e:
        out += check_quantity(e["quantity"], f"{where}.quantity")
    for key in ("also", "breakdown"):
        for i, q in enumerate(e.get(key, [])):
            out += check_quantity(q, f"{where}.{key}[{i}]")
    loc = e.get("location")
    if loc is not None and (not isinstance(loc, dict) or not loc.get("name")):
        out.append(f"{where}.location: needs a name")
    elif loc and loc.get("country") not in (None, *CODES):
        out.append(f"{where}.location.country: {loc.get('country')!r} is not ISO")
    for key in ("attribution", "disputed_by"):
        if key in e and not (isinstance(e[key], list)
                             and all(isinstance(s, str) and s for s in e[key])):
            out.append(f"{where}.{key}: must be a list of names")
    if "background" in e and not isinstance(e["background"], bool):
        out.append(f"{where}.background: not a boolean")
    return out


def check_doc(doc: Any, seen: set[str]) -> list[str]:
    if not isinstance(doc, dict):
        return ["not an object"]
    out = [f"unknown field {k!r}" for k in doc if k not in _DOC_KEYS]
    for key in ("id", "split", "genre", "text"):
        if not isinstance(doc.get(key), str) or not doc.get(key):
            out.append(f"{key}: missing")
    if doc.get("id") in seen:
        out.append("duplicate id")
    seen.add(str(doc.get("id")))
    if doc.get("genre") not in GENRES:
        out.append(f"genre: unknown {doc.get('genre')!r}")
    events = doc.get("events")
    if not isinstance(events, list):
        return [*out, "events: missing"]
    live = [e for e in events if isinstance(e, dict) and not e.get("background")]
    if not live and doc.get("negative") not in NEGATIVES:
        out.append(f"negative: a document without events needs one of {sorted(NEGATIVES)}")
    if live and "negative" in doc:
        out.append("negative: set on a document with events")
    for i, e in enumerate(events):
        out += check_event(e, f"events[{i}]")
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("files", nargs="+", type=Path)
    args = ap.parse_args(argv)
    problems, docs, seen = 0, 0, set[str]()
    genres: Counter[str] = Counter()
    types: Counter[str] = Counter()
    for path in args.files:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                doc = json.loads(line)
            except json.JSONDecodeError as exc:
                print(f"{path}:{n}: not JSON: {exc}")
                problems += 1
                continue
            docs += 1
            genres[str(doc.get("genre"))] += 1
            types.update(str(e.get("type")) for e in doc.get("events", []) if isinstance(e, dict))
            for p in check_doc(doc, seen):
                print(f"{path}:{n}: {doc.get('id') if isinstance(doc, dict) else '?'}: {p}")
                problems += 1
    print(f"docs={docs} problems={problems} genres={dict(genres)} types={dict(types)}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
