"""The rules whose axioms hold an RDF list: prp-spo2, prp-key, cls-int*, cls-uni, cls-oo,
scm-int, scm-uni, cax-adc.

A list member learns of its axioms through ``Engine.heads_containing`` (a reverse walk
from ``rdf:first``), so a new ``x p y`` or ``x rdf:type C`` only pays for the lists that
actually mention ``p`` or ``C``.
"""

from __future__ import annotations

from itugraph.reasoning import vocab as v
from itugraph.reasoning.engine import Engine, Fact

Path = tuple[int, tuple[Fact, ...]]


# --- prp-spo2: property chains of any length ------------------------------------------------


def on_chain(e: Engine, t: Fact) -> None:
    """``p owl:propertyChainAxiom (p1 … pn)`` meets every known path."""
    chain = e.items(t[2])
    if not chain:
        return
    for x, y in list(e.pairs(chain[0])):
        _chain_from(e, t, chain, 0, (x, chain[0], y))


def chain_instance(e: Engine, t: Fact, head: int) -> None:
    """prp-spo2 with ``t`` at each position its predicate has in the chain ``head``."""
    axioms = [(p, v.CHAIN, head) for p in e.subjects(v.CHAIN, head)]
    if not axioms:
        return
    chain = e.items(head)
    for i, q in enumerate(chain):
        if q == t[1]:
            for axiom in axioms:
                _chain_from(e, axiom, chain, i, t)


def _chain_from(e: Engine, axiom: Fact, chain: list[int], i: int, t: Fact) -> None:
    # RULE prp-spo2
    lefts = _walk_back(e, t[0], chain[:i])
    rights = _walk_forward(e, t[2], chain[i + 1 :])
    for start, before in lefts:
        for end, after in rights:
            e.emit((start, axiom[0], end), "prp-spo2", (axiom, *before, t, *after))


def _walk_forward(e: Engine, node: int, props: list[int]) -> list[Path]:
    paths: list[Path] = [(node, ())]
    for q in props:
        paths = [(z, (*path, (n, q, z))) for n, path in paths for z in e.objects(n, q)]
        if not paths:
            break
    return paths


def _walk_back(e: Engine, node: int, props: list[int]) -> list[Path]:
    paths: list[Path] = [(node, ())]
    for q in reversed(props):
        paths = [(w, ((w, q, n), *path)) for n, path in paths for w in e.subjects(q, n)]
        if not paths:
            break
    return paths


# --- prp-key ------------------------------------------------------------------------------------


def on_key(e: Engine, t: Fact) -> None:
    """``C owl:hasKey (p1 … pn)`` meets every known instance of C."""
    for x in list(e.subjects(v.TYPE, t[0])):
        key_check(e, t, x)


def key_instance(e: Engine, x: int, head: int) -> None:
    """prp-key for ``x`` after one of its key values or types changed."""
    for c in e.subjects(v.HAS_KEY, head):
        key_check(e, (c, v.HAS_KEY, head), x)


def key_check(e: Engine, axiom: Fact, x: int) -> None:
    # RULE prp-key
    c, _, head = axiom
    keys = e.items(head)
    if not keys or (x, v.TYPE, c) not in e.facts:
        return
    candidates: set[int] | None = None
    for p in keys:
        found = {y for z in e.objects(x, p) for y in e.subjects(p, z)}
        candidates = found if candidates is None else candidates & found
        if not candidates:
            return
    for y in candidates or ():
        if y != x and (y, v.TYPE, c) in e.facts:
            e.emit(
                (x, v.SAME_AS, y),
                "prp-key",
                (axiom, (x, v.TYPE, c), (y, v.TYPE, c), *_key_witness(e, keys, x, y)),
            )


def _key_witness(e: Engine, keys: list[int], x: int, y: int) -> list[Fact]:
    out: list[Fact] = []
    for p in keys:
        z = next(z for z in e.objects(x, p) if (y, p, z) in e.facts)
        out += [(x, p, z), (y, p, z)]
    return out


# --- class constructors ---------------------------------------------------------------------


def on_intersection(e: Engine, t: Fact) -> None:
    c, _, head = t
    members = e.items(head)
    for ci in members:
        # RULE scm-int
        e.emit((c, v.SCO, ci), "scm-int", (t,))
    if members:
        for y in list(e.subjects(v.TYPE, members[0])):
            _int1(e, t, members, y)
    for y in list(e.subjects(v.TYPE, c)):
        _int2(e, t, members, y)


def _int1(e: Engine, axiom: Fact, members: list[int], y: int) -> None:
    # RULE cls-int1
    if members and all((y, v.TYPE, ci) in e.facts for ci in members):
        e.emit((y, v.TYPE, axiom[0]), "cls-int1", (axiom, *((y, v.TYPE, ci) for ci in members)))


def _int2(e: Engine, axiom: Fact, members: list[int], y: int) -> None:
    # RULE cls-int2
    for ci in members:
        e.emit((y, v.TYPE, ci), "cls-int2", (axiom, (y, v.TYPE, axiom[0])))


def on_union(e: Engine, t: Fact) -> None:
    c, _, head = t
    for ci in e.items(head):
        # RULE scm-uni
        e.emit((ci, v.SCO, c), "scm-uni", (t,))
        # RULE cls-uni
        for y in list(e.subjects(v.TYPE, ci)):
            e.emit((y, v.TYPE, c), "cls-uni", (t, (y, v.TYPE, ci)))


def on_one_of(e: Engine, t: Fact) -> None:
    # RULE cls-oo
    for y in e.items(t[2]):
        e.emit((y, v.TYPE, t[0]), "cls-oo", (t,))


def type_in_lists(e: Engine, t: Fact) -> None:
    """``y rdf:type C`` where C is a member of some list: cls-int1, cls-uni, cax-adc."""
    y, _, ci = t
    for head in e.heads_containing(ci):
        for c in e.subjects(v.INTERSECTION_OF, head):
            _int1(e, (c, v.INTERSECTION_OF, head), e.items(head), y)
        for c in e.subjects(v.UNION_OF, head):
            # RULE cls-uni
            e.emit((y, v.TYPE, c), "cls-uni", ((c, v.UNION_OF, head), t))
        for node in e.subjects(v.MEMBERS, head):
            if (node, v.TYPE, v.ALL_DISJOINT_CLASSES) in e.facts:
                _adc(e, e.items(head), y)


def type_of_constructed(e: Engine, t: Fact) -> None:
    """``y rdf:type C`` where C is itself an intersection: cls-int2."""
    for head in e.objects(t[2], v.INTERSECTION_OF):
        _int2(e, (t[2], v.INTERSECTION_OF, head), e.items(head), t[0])


def _adc(e: Engine, classes: list[int], z: int) -> None:
    # RULE cax-adc
    types = e.objects(z, v.TYPE)
    inside = [c for c in classes if c in types]
    for i, c1 in enumerate(inside):
        for c2 in inside[i + 1 :]:
            if c1 != c2:
                e.inconsistent(
                    "cax-adc",
                    "{0} is in both {1} and {2}, members of an owl:AllDisjointClasses",
                    z,
                    *sorted((c1, c2)),
                )


def on_all_disjoint_classes(e: Engine, node: int) -> None:
    for head in e.objects(node, v.MEMBERS):
        classes = e.items(head)
        for c in classes:
            for z in list(e.subjects(v.TYPE, c)):
                _adc(e, classes, z)
