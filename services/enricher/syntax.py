"""Reading a dependency parse (spaCy's English labels, ClearNLP style): who is the subject,
the objects and the prepositional phrases of a word, through passives, control verbs,
coordination and relative clauses.

``slots(token)`` returns syntactic positions as ``{"subj": [...], "obj": [...], "iobj":
[...], "<preposition>": [...]}``. A passive subject is an ``obj``; a passive by-agent is a
``subj``. A verb without a subject of its own takes it from the verb that controls it ("plans
to send": the planner sends), from its first conjunct ("struck X and killed Y"), or from the
noun a participle or relative clause modifies ("drones launched by Russia": the drones are
launched).
"""

from __future__ import annotations

from collections.abc import Iterator

from spacy.tokens import Token

SUBJ = frozenset({"nsubj", "csubj", "expl"})
PASSIVE_SUBJ = frozenset({"nsubjpass", "csubjpass"})
OBJ = frozenset({"dobj", "obj", "attr", "oprd"})
RELATIVE = frozenset({"who", "which", "that", "whom", "whose"})
# verbs whose object, not their subject, does what the infinitive says ("urged X to send")
OBJECT_CONTROL = frozenset({"urge", "ask", "order", "allow", "authorize", "authorise",
                            "force", "help", "enable", "invite", "persuade", "tell", "instruct",
                            "permit", "encourage", "push", "pressure", "call"})
CLAUSE_LINKS = frozenset({"xcomp", "ccomp", "advcl", "conj", "acl", "relcl", "pcomp",
                          "parataxis", "csubj"})


def is_verb(t: Token) -> bool:
    """A verb, or a word the tagger took for a noun but the parser gave an object ("The
    United States stations 28,500 troops": stations/NNS with a dobj)."""
    return t.tag_.startswith("VB") or t.tag_ == "MD" or (
        t.tag_ in ("NNS", "NN") and any(c.dep_ == "dobj" for c in t.children))


def is_noun(t: Token) -> bool:
    return t.tag_.startswith("NN") or (t.tag_ in ("PRP", "CD", "DT") and t.dep_ != "det")


def passive(verb: Token) -> bool:
    return any(c.dep_ in PASSIVE_SUBJ or c.dep_ == "auxpass" for c in verb.children)


def conjuncts(t: Token) -> list[Token]:
    """``t`` and the words coordinated with it ("Russia and Belarus")."""
    out = [t]
    for c in t.children:
        if c.dep_ == "conj" and c.tag_[:2] == t.tag_[:2]:
            out.extend(conjuncts(c))
        elif c.dep_ == "appos" and c.tag_ == t.tag_ == "NNP" and any(
                g.dep_ == "conj" and g.tag_ == "NNP" for g in c.children):
            # "A, B and C" parsed as A with the apposition "B and C": a list, not a second
            # name for A ("Turkey's minister, Yasar Guler," has no "and")
            out.extend(conjuncts(c))
    return out


def subjects(verb: Token, lemma_of: dict[str, str] | None = None) -> list[Token]:
    """The active subjects (or passive by-agents) of ``verb``, inherited when it has none."""
    own = [c for c in verb.children if c.dep_ in SUBJ]
    for c in verb.children:
        if c.dep_ == "agent":
            own += [g for g in c.children if g.dep_ == "pobj"]
    if not own and verb.tag_.startswith("NN"):  # a mistagged verb: its subject hangs left
        own = [c for c in verb.lefts if c.dep_ in ("compound", "nmod", "amod")
               and c.tag_ in ("NNP", "NNPS")][-1:]
    if own:
        return [x for s in own for x in conjuncts(_relative(s))]
    if passive(verb):
        return []
    return _inherited(verb, lemma_of or {}, "subj")


def objects(verb: Token) -> list[Token]:
    """Direct objects, or the passive subject; inherited through a conjunct verb; the noun
    a relative clause modifies when the object is the clause's gap ("the 6,000 personnel
    Shoigu said North Korea had pledged")."""
    own = [c for c in verb.children if c.dep_ in OBJ or c.dep_ in PASSIVE_SUBJ]
    if own:
        return [x for o in own for x in conjuncts(_relative(o))]
    gap = _relative_gap(verb)
    if gap is not None:
        return [gap]
    if verb.dep_ in ("acl",) and verb.tag_ == "VBN":
        return conjuncts(verb.head)  # "drones launched by Russia": the drones
    if verb.dep_ == "relcl" and passive(verb):
        return [verb.head]
    if verb.dep_ == "conj" and verb.head.tag_.startswith("VB") and passive(verb):
        return objects(verb.head)
    return []


def _relative_gap(verb: Token) -> Token | None:
    node = verb
    for _ in range(4):
        if node.dep_ == "relcl":
            has_obj = any(c.dep_ in OBJ for c in node.children) and node.i != verb.i
            return None if has_obj or not node.head.tag_.startswith("NN") else node.head
        if node.dep_ not in ("ccomp", "xcomp") or node.head.i == node.i:
            return None
        node = node.head
    return None


def indirect(verb: Token) -> list[Token]:
    """"sent Ukraine shells": Ukraine (spaCy: dative without a preposition)."""
    return [x for c in verb.children if c.dep_ in ("dative", "iobj") and c.tag_ != "IN"
            for x in conjuncts(c)]


def preps(t: Token) -> Iterator[tuple[str, Token]]:
    """(preposition, object) pairs of ``t``: "to Russia", "out of Mali" (as "from"), "according
    to" is left out (it is attribution); a dative "to" counts as a preposition."""
    for c in t.children:
        if c.dep_ in ("prep", "dative", "agent") and c.tag_ in ("IN", "TO", "RP", "RB"):
            word = c.lower_
            if word == "according":
                continue
            objs = [g for g in c.children if g.dep_ == "pobj"]
            if not objs:  # "out of Mali": out -> of -> Mali
                for g in c.children:
                    if g.dep_ == "prep":
                        objs = [h for h in g.children if h.dep_ == "pobj"]
                        word = "from" if word in ("out", "away") else f"{word} {g.lower_}"
            for o in objs:
                for x in conjuncts(o):
                    yield word, x
        elif c.dep_ == "prt" and c.lower_ in ("out", "off", "away"):
            for g in c.children:
                if g.dep_ == "prep" and g.lower_ == "of":
                    for h in g.children:
                        if h.dep_ == "pobj":
                            yield "from", h


def _relative(t: Token) -> Token:
    """A relative pronoun stands for the noun its clause modifies."""
    if t.lower_ in RELATIVE and t.head.dep_ == "relcl":
        return t.head.head
    return t


def _inherited(verb: Token, lemma_of: dict[str, str], what: str) -> list[Token]:
    head = verb.head
    if head.i == verb.i:
        return []
    if verb.dep_ == "xcomp" and head.dep_ == "acomp" and is_verb(head.head):
        return subjects(head.head, lemma_of)  # "he was willing to support"
    if verb.dep_ == "xcomp":
        lemma = lemma_of.get(head.lower_, head.lower_)
        raised = [c for c in head.children if c.dep_ in PASSIVE_SUBJ]
        if raised:  # "North Korea is estimated by Seoul to have supplied": North Korea did
            return conjuncts(_relative(raised[0]))
        objs = [c for c in head.children if c.dep_ in OBJ]
        if lemma in OBJECT_CONTROL and objs:
            return conjuncts(objs[0])
        return subjects(head, lemma_of)
    if verb.dep_ == "conj" and is_verb(head):
        return subjects(head, lemma_of)
    if verb.dep_ == "xcomp" and head.dep_ == "acomp" and is_verb(head.head):
        return subjects(head.head, lemma_of)  # "he was willing to support"
    if verb.dep_ in ("acl", "relcl") and verb.tag_ in ("VBG", "VBD", "VBZ", "VBP", "VB"):
        return [head]  # "troops fighting in Kursk", "the country that sent troops"
    if verb.dep_ == "advcl" and verb.tag_ == "VBG" and is_verb(head):
        return subjects(head, lemma_of)  # "..., killing five soldiers": the attackers
    if verb.dep_ == "pcomp" and head.head.i != head.i:
        return subjects(head.head, lemma_of) if is_verb(head.head) else []
    return []


def governors(t: Token) -> Iterator[tuple[Token, str]]:
    """The words above ``t`` up to the root, each with the link it was reached by."""
    node = t
    seen = 0
    while node.head.i != node.i and seen < 40:
        yield node.head, node.dep_
        node = node.head
        seen += 1


def noun_phrase(t: Token) -> list[Token]:
    """The tokens of ``t``'s noun phrase: its left modifiers and itself (no clauses)."""
    left = [c for c in t.lefts if c.dep_ in ("compound", "amod", "nmod", "poss", "det",
                                             "nummod", "quantmod", "advmod", "case", "punct")]
    toks: list[Token] = []
    for c in left:
        toks.extend(c.subtree)
    toks.append(t)
    return sorted(toks, key=lambda x: x.i)
