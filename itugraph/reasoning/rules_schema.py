"""Table 9 of OWL 2 Profiles §4.3: the semantics of schema vocabulary (scm-*).

owlrl's choices are kept where they change what is derived: the reflexive triples of
scm-cls and scm-op/scm-dp are materialised (later filtered as junk), while scm-sco,
scm-spo, scm-dom1/2 and scm-rng1/2 skip the reflexive cases, and ``rdf:Property`` counts
like ``owl:ObjectProperty`` for scm-op.
"""

from __future__ import annotations

from itugraph.reasoning import vocab as v
from itugraph.reasoning.engine import Engine, Fact
from itugraph.reasoning.rules_properties import on_domain, on_range, on_sub_property


def on_class(e: Engine, t: Fact) -> None:
    # RULE scm-cls
    c = t[0]
    e.emit((c, v.SCO, c), "scm-cls", (t,))
    e.emit((c, v.EQC, c), "scm-cls", (t,))
    e.emit((c, v.SCO, v.THING), "scm-cls", (t,))
    e.emit((v.NOTHING, v.SCO, c), "scm-cls", (t,))


def on_property_declaration(e: Engine, t: Fact) -> None:
    # RULE scm-op
    # RULE scm-dp
    p = t[0]
    e.emit((p, v.SPO, p), "scm-op" if t[2] != v.DATATYPE_PROPERTY else "scm-dp", (t,))
    e.emit((p, v.EQP, p), "scm-op" if t[2] != v.DATATYPE_PROPERTY else "scm-dp", (t,))


def on_sub_class(e: Engine, t: Fact) -> None:
    """``c1 rdfs:subClassOf c2``: cax-sco, scm-sco, scm-eqc2, scm-dom1/rng1, scm-svf1/avf1."""
    c1, _, c2 = t
    if c1 != c2:
        # RULE cax-sco
        for x in e.subjects(v.TYPE, c1):
            e.emit((x, v.TYPE, c2), "cax-sco", (t, (x, v.TYPE, c1)))
        # RULE scm-sco
        for c3 in e.objects(c2, v.SCO):
            if c3 != c1:
                e.emit((c1, v.SCO, c3), "scm-sco", (t, (c2, v.SCO, c3)))
        _domain_range_up(e, t)
    for c0 in e.subjects(v.SCO, c1):
        if c0 not in (c1, c2):
            e.emit((c0, v.SCO, c2), "scm-sco", ((c0, v.SCO, c1), t))
    # RULE scm-eqc2
    if (c2, v.SCO, c1) in e.facts:
        e.emit((c1, v.EQC, c2), "scm-eqc2", (t, (c2, v.SCO, c1)))
        e.emit((c2, v.EQC, c1), "scm-eqc2", ((c2, v.SCO, c1), t))
    _filler_subsumption(e, c1, c2)


def _domain_range_up(e: Engine, t: Fact) -> None:
    c1, _, c2 = t
    # RULE scm-dom1
    for p in e.subjects(v.DOMAIN, c1):
        e.emit((p, v.DOMAIN, c2), "scm-dom1", ((p, v.DOMAIN, c1), t))
    # RULE scm-rng1
    for p in e.subjects(v.RANGE, c1):
        e.emit((p, v.RANGE, c2), "scm-rng1", ((p, v.RANGE, c1), t))


def _filler_subsumption(e: Engine, y1: int, y2: int) -> None:
    """scm-svf1/scm-avf1 triggered by ``y1 rdfs:subClassOf y2`` between fillers."""
    for pred in (v.SOME_VALUES_FROM, v.ALL_VALUES_FROM):
        for c1 in e.subjects(pred, y1):
            for c2 in e.subjects(pred, y2):
                scm_pair(e, c1, c2)


def on_equivalent_class(e: Engine, t: Fact) -> None:
    c1, _, c2 = t
    if c1 == c2:
        return
    # RULE scm-eqc1
    e.emit((c1, v.SCO, c2), "scm-eqc1", (t,))
    e.emit((c2, v.SCO, c1), "scm-eqc1", (t,))
    # RULE cax-eqc1
    for x in e.subjects(v.TYPE, c1):
        e.emit((x, v.TYPE, c2), "cax-eqc1", (t, (x, v.TYPE, c1)))
    # RULE cax-eqc2
    for x in e.subjects(v.TYPE, c2):
        e.emit((x, v.TYPE, c1), "cax-eqc2", (t, (x, v.TYPE, c2)))


def on_sub_property_schema(e: Engine, t: Fact) -> None:
    """``p1 rdfs:subPropertyOf p2``: prp-spo1, scm-spo, scm-eqp2, scm-dom2/rng2, scm-hv/svf2/avf2."""
    on_sub_property(e, t)
    p1, _, p2 = t
    if p1 == p2:
        return
    # RULE scm-spo
    for p3 in e.objects(p2, v.SPO):
        if p3 != p1:
            e.emit((p1, v.SPO, p3), "scm-spo", (t, (p2, v.SPO, p3)))
    for p0 in e.subjects(v.SPO, p1):
        if p0 not in (p1, p2):
            e.emit((p0, v.SPO, p2), "scm-spo", ((p0, v.SPO, p1), t))
    # RULE scm-eqp2
    if (p2, v.SPO, p1) in e.facts:
        e.emit((p1, v.EQP, p2), "scm-eqp2", (t, (p2, v.SPO, p1)))
        e.emit((p2, v.EQP, p1), "scm-eqp2", ((p2, v.SPO, p1), t))
    _domain_range_down(e, t)
    for c1 in e.subjects(v.ON_PROPERTY, p1):
        for c2 in e.subjects(v.ON_PROPERTY, p2):
            scm_pair(e, c1, c2)


def _domain_range_down(e: Engine, t: Fact) -> None:
    p1, _, p2 = t
    # RULE scm-dom2
    for c in e.objects(p2, v.DOMAIN):
        e.emit((p1, v.DOMAIN, c), "scm-dom2", ((p2, v.DOMAIN, c), t))
    # RULE scm-rng2
    for c in e.objects(p2, v.RANGE):
        e.emit((p1, v.RANGE, c), "scm-rng2", ((p2, v.RANGE, c), t))


def on_equivalent_property_schema(e: Engine, t: Fact) -> None:
    from itugraph.reasoning.rules_properties import on_equivalent_property

    on_equivalent_property(e, t)
    p1, _, p2 = t
    if p1 != p2:
        # RULE scm-eqp1
        e.emit((p1, v.SPO, p2), "scm-eqp1", (t,))
        e.emit((p2, v.SPO, p1), "scm-eqp1", (t,))


def on_domain_schema(e: Engine, t: Fact) -> None:
    on_domain(e, t)
    p, _, c1 = t
    # RULE scm-dom1
    for c2 in e.objects(c1, v.SCO):
        if c2 != c1:
            e.emit((p, v.DOMAIN, c2), "scm-dom1", (t, (c1, v.SCO, c2)))
    # RULE scm-dom2
    for p1 in e.subjects(v.SPO, p):
        if p1 != p:
            e.emit((p1, v.DOMAIN, c1), "scm-dom2", (t, (p1, v.SPO, p)))


def on_range_schema(e: Engine, t: Fact) -> None:
    on_range(e, t)
    p, _, c1 = t
    # RULE scm-rng1
    for c2 in e.objects(c1, v.SCO):
        if c2 != c1:
            e.emit((p, v.RANGE, c2), "scm-rng1", (t, (c1, v.SCO, c2)))
    # RULE scm-rng2
    for p1 in e.subjects(v.SPO, p):
        if p1 != p:
            e.emit((p1, v.RANGE, c1), "scm-rng2", (t, (p1, v.SPO, p)))


# --- scm-hv, scm-svf1/2, scm-avf1/2 ------------------------------------------------------------


def scm_restriction(e: Engine, r: int) -> None:
    """Every scm rule with restriction ``r`` in either role, against related restrictions."""
    others: set[int] = set()
    for p in e.objects(r, v.ON_PROPERTY):
        others |= e.subjects(v.ON_PROPERTY, p)
    for pred in (v.HAS_VALUE, v.SOME_VALUES_FROM, v.ALL_VALUES_FROM):
        for y in e.objects(r, pred):
            others |= e.subjects(pred, y)
    for q in others:
        scm_pair(e, r, q)
        scm_pair(e, q, r)


def scm_pair(e: Engine, c1: int, c2: int) -> None:
    """scm-hv, scm-svf1/2 and scm-avf1/2 for the ordered pair of restrictions (c1, c2)."""
    p1s, p2s = e.objects(c1, v.ON_PROPERTY), e.objects(c2, v.ON_PROPERTY)
    if not p1s or not p2s:
        return
    sub = [(p1, p2) for p1 in p1s for p2 in p2s if (p1, v.SPO, p2) in e.facts]
    same_p = p1s & p2s
    for pred, through_sub, through_filler in (
        (v.HAS_VALUE, "scm-hv", None),
        (v.SOME_VALUES_FROM, "scm-svf2", "scm-svf1"),
        (v.ALL_VALUES_FROM, "scm-avf2", "scm-avf1"),
    ):
        _scm_filler(e, c1, c2, pred, sub, same_p, through_sub, through_filler)


def _scm_filler(
    e: Engine,
    c1: int,
    c2: int,
    pred: int,
    sub: list[tuple[int, int]],
    same_p: set[int] | frozenset[int],
    through_sub: str,
    through_filler: str | None,
) -> None:
    f1, f2 = e.objects(c1, pred), e.objects(c2, pred)
    # RULE scm-hv
    # RULE scm-svf2
    # RULE scm-avf2
    for y in f1 & f2:
        for p1, p2 in sub:
            conclusion = (c2, v.SCO, c1) if through_sub == "scm-avf2" else (c1, v.SCO, c2)
            e.emit(
                conclusion,
                through_sub,
                (
                    (c1, pred, y),
                    (c1, v.ON_PROPERTY, p1),
                    (c2, pred, y),
                    (c2, v.ON_PROPERTY, p2),
                    (p1, v.SPO, p2),
                ),
            )
    if through_filler is None:
        return
    # RULE scm-svf1
    # RULE scm-avf1
    for y1 in f1:
        for y2 in f2:
            if (y1, v.SCO, y2) in e.facts:
                for p in same_p:
                    e.emit(
                        (c1, v.SCO, c2),
                        through_filler,
                        (
                            (c1, pred, y1),
                            (c1, v.ON_PROPERTY, p),
                            (c2, pred, y2),
                            (c2, v.ON_PROPERTY, p),
                            (y1, v.SCO, y2),
                        ),
                    )
