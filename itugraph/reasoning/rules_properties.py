"""Table 5 of OWL 2 Profiles §4.3: the semantics of axioms about properties (prp-*).

Each rule appears twice when it joins a schema triple with instance triples: once in
``instance`` (a new ``x p y`` meets the known schema of ``p``) and once in the handler
of the schema triple (a new axiom meets the known ``x p y``).
"""

from __future__ import annotations

from itugraph.reasoning import vocab as v
from itugraph.reasoning.engine import Engine, Fact, PropertyProfile


def instance(e: Engine, t: Fact, prof: PropertyProfile) -> None:
    """Every prp-* rule with ``t = (x p y)`` as the instance premise."""
    x, p, y = t
    emit = e.emit
    # RULE prp-dom
    for c in prof.domains:
        emit((x, v.TYPE, c), "prp-dom", ((p, v.DOMAIN, c), t))
    # RULE prp-rng
    for c in prof.ranges:
        emit((y, v.TYPE, c), "prp-rng", ((p, v.RANGE, c), t))
    # RULE prp-spo1
    for q in prof.supers:
        emit((x, q, y), "prp-spo1", ((p, v.SPO, q), t))
    if prof.equivalent_out or prof.equivalent_in or prof.inverse_out or prof.inverse_in:
        _equivalent_and_inverse(e, t, prof)
    if prof.characteristics:
        _characteristics(e, t, prof.characteristics)
    if prof.disjoint:
        _disjoint(e, t, prof.disjoint)


def _equivalent_and_inverse(e: Engine, t: Fact, prof: PropertyProfile) -> None:
    x, p, y = t
    # RULE prp-eqp1
    for q in prof.equivalent_out:
        e.emit((x, q, y), "prp-eqp1", ((p, v.EQP, q), t))
    # RULE prp-eqp2
    for q in prof.equivalent_in:
        e.emit((x, q, y), "prp-eqp2", ((q, v.EQP, p), t))
    # RULE prp-inv1
    for q in prof.inverse_out:
        e.emit((y, q, x), "prp-inv1", ((p, v.INVERSE_OF, q), t))
    # RULE prp-inv2
    for q in prof.inverse_in:
        e.emit((y, q, x), "prp-inv2", ((q, v.INVERSE_OF, p), t))


def _characteristics(e: Engine, t: Fact, types: set[int] | frozenset[int]) -> None:
    x, p, y = t
    if v.FUNCTIONAL in types:
        # RULE prp-fp
        for y2 in e.objects(x, p):
            if y2 != y:
                e.emit((y, v.SAME_AS, y2), "prp-fp", ((p, v.TYPE, v.FUNCTIONAL), t, (x, p, y2)))
    if v.INVERSE_FUNCTIONAL in types:
        # RULE prp-ifp
        for x2 in e.subjects(p, y):
            if x2 != x:
                e.emit((x, v.SAME_AS, x2), "prp-ifp", ((p, v.TYPE, v.INVERSE_FUNCTIONAL), t, (x2, p, y)))
    if v.SYMMETRIC in types:
        # RULE prp-symp
        e.emit((y, p, x), "prp-symp", ((p, v.TYPE, v.SYMMETRIC), t))
    if v.TRANSITIVE in types:
        _transitive(e, t)
    # RULE prp-irp
    if v.IRREFLEXIVE in types and x == y:
        e.inconsistent("prp-irp", "irreflexive property {1} relates {0} to itself", x, p)
    # RULE prp-asyp
    if v.ASYMMETRIC in types and (y, p, x) in e.facts:
        e.inconsistent(
            "prp-asyp", "asymmetric property {1} holds both ways between {0} and {2}", *_ordered_pair(x, p, y)
        )


def _ordered_pair(x: int, p: int, y: int) -> tuple[int, int, int]:
    return (x, p, y) if x <= y else (y, p, x)


def _transitive(e: Engine, t: Fact) -> None:
    # RULE prp-trp
    x, p, y = t
    axiom = (p, v.TYPE, v.TRANSITIVE)
    for z in e.objects(y, p):
        e.emit((x, p, z), "prp-trp", (axiom, t, (y, p, z)))
    for w in e.subjects(p, x):
        e.emit((w, p, y), "prp-trp", (axiom, (w, p, x), t))


def _disjoint(e: Engine, t: Fact, others: tuple[int, ...]) -> None:
    x, p, y = t
    # RULE prp-pdw
    for q in others:
        if (x, q, y) in e.facts:
            e.inconsistent(
                "prp-pdw", "disjoint properties {1} and {2} both relate {0} to {3}", x, *sorted((p, q)), y
            )


def on_characteristic(e: Engine, t: Fact) -> None:
    """``p rdf:type owl:XProperty`` meets every known ``x p y``."""
    p, _, kind = t
    for x, y in list(e.pairs(p)):
        _characteristics(e, (x, p, y), {kind})


def on_domain(e: Engine, t: Fact) -> None:
    # RULE prp-dom
    p, _, c = t
    for x, objs in e.sp.get(p, {}).items():
        e.emit((x, v.TYPE, c), "prp-dom", (t, (x, p, next(iter(objs)))))


def on_range(e: Engine, t: Fact) -> None:
    # RULE prp-rng
    p, _, c = t
    for y, subs in e.po.get(p, {}).items():
        e.emit((y, v.TYPE, c), "prp-rng", (t, (next(iter(subs)), p, y)))


def on_sub_property(e: Engine, t: Fact) -> None:
    # RULE prp-spo1
    p1, _, p2 = t
    for x, y in e.pairs(p1):
        e.emit((x, p2, y), "prp-spo1", (t, (x, p1, y)))


def on_equivalent_property(e: Engine, t: Fact) -> None:
    p1, _, p2 = t
    if p1 == p2:
        return
    # RULE prp-eqp1
    for x, y in e.pairs(p1):
        e.emit((x, p2, y), "prp-eqp1", (t, (x, p1, y)))
    # RULE prp-eqp2
    for x, y in e.pairs(p2):
        e.emit((x, p1, y), "prp-eqp2", (t, (x, p2, y)))


def on_inverse(e: Engine, t: Fact) -> None:
    p1, _, p2 = t
    # RULE prp-inv1
    for x, y in e.pairs(p1):
        e.emit((y, p2, x), "prp-inv1", (t, (x, p1, y)))
    # RULE prp-inv2
    for x, y in e.pairs(p2):
        e.emit((y, p1, x), "prp-inv2", (t, (x, p2, y)))


def on_property_disjoint(e: Engine, t: Fact) -> None:
    p1, _, p2 = t
    for x, y in e.pairs(p1):
        _disjoint(e, (x, p1, y), (p2,))


def on_all_disjoint_properties(e: Engine, node: int) -> None:
    """prp-adp over every pair of members of an owl:AllDisjointProperties node."""
    for head in e.objects(node, v.MEMBERS):
        members = e.items(head)
        for i, pi in enumerate(members):
            for pj in members[i + 1 :]:
                _adp_pair(e, pi, pj)


def _adp_pair(e: Engine, pi: int, pj: int) -> None:
    # RULE prp-adp
    for x, y in e.pairs(pi):
        if pi != pj and (x, pj, y) in e.facts:
            e.inconsistent(
                "prp-adp",
                "properties {1} and {2} of an owl:AllDisjointProperties both relate {0} to {3}",
                x,
                *sorted((pi, pj)),
                y,
            )


def adp_instance(e: Engine, t: Fact, head: int) -> None:
    """prp-adp with ``t`` as an instance premise of list ``head``'s properties."""
    x, p, y = t
    for node in e.subjects(v.MEMBERS, head):
        if (node, v.TYPE, v.ALL_DISJOINT_PROPERTIES) in e.facts:
            for q in e.items(head):
                if q != p and (x, q, y) in e.facts:
                    e.inconsistent(
                        "prp-adp",
                        "properties {1} and {2} of an owl:AllDisjointProperties both relate {0} to {3}",
                        x,
                        *sorted((p, q)),
                        y,
                    )


def on_npa(e: Engine, node: int) -> None:
    """prp-npa1/prp-npa2 for a negative property assertion node."""
    for i1 in e.objects(node, v.SOURCE_INDIVIDUAL):
        for p in e.objects(node, v.ASSERTION_PROPERTY):
            for pred, rule in ((v.TARGET_INDIVIDUAL, "prp-npa1"), (v.TARGET_VALUE, "prp-npa2")):
                # RULE prp-npa1
                # RULE prp-npa2
                for i2 in e.objects(node, pred):
                    if (i1, p, i2) in e.facts:
                        e.inconsistent(rule, "negative property assertion {0} {1} {2} is violated", i1, p, i2)


def npa_instance(e: Engine, t: Fact) -> None:
    """prp-npa1/2 with ``t`` as the asserted-or-inferred triple the negation forbids."""
    for node in e.subjects(v.ASSERTION_PROPERTY, t[1]):
        if t[0] in e.objects(node, v.SOURCE_INDIVIDUAL):
            on_npa(e, node)
