"""Tables 6 and 7 of OWL 2 Profiles §4.3: classes (cls-*) and class axioms (cax-*).

Restrictions (``owl:onProperty`` plus a filler) are re-evaluated as a whole whenever one
of their defining triples arrives; instance triples meet them through
``restriction_instance`` (the triple ``u p v``), ``restriction_member`` (``u rdf:type R``)
and ``filler_typed`` (``v rdf:type Y`` where Y is a filler).
"""

from __future__ import annotations

from itugraph.reasoning import vocab as v
from itugraph.reasoning.datatypes import cardinality
from itugraph.reasoning.engine import ClassProfile, Engine, Fact
from itugraph.reasoning.rules_lists import key_check, type_in_lists, type_of_constructed


def on_type(e: Engine, t: Fact) -> None:
    """Every cls-*/cax-* rule with ``t = (x rdf:type C)`` as the typing premise."""
    x, _, c = t
    prof = e.class_profile(c)
    emit = e.emit
    # RULE cax-sco
    for d in prof.supers:
        emit((x, v.TYPE, d), "cax-sco", ((c, v.SCO, d), t))
    # RULE cax-eqc1
    for d in prof.equivalent_out:
        emit((x, v.TYPE, d), "cax-eqc1", ((c, v.EQC, d), t))
    # RULE cax-eqc2
    for d in prof.equivalent_in:
        emit((x, v.TYPE, d), "cax-eqc2", ((d, v.EQC, c), t))
    if prof.disjoint or prof.complement or c == v.NOTHING:
        _clashes(e, x, c)
    if prof.is_restriction or prof.is_filler or prof.is_intersection or prof.in_lists or prof.keys:
        _constructed(e, t, prof)


def _constructed(e: Engine, t: Fact, prof: ClassProfile) -> None:
    x, _, c = t
    if prof.is_restriction:
        restriction_member(e, t)
    if prof.is_filler:
        filler_typed(e, t)
    if prof.is_intersection:
        type_of_constructed(e, t)
    if prof.in_lists:
        type_in_lists(e, t)
    for head in prof.keys:
        key_check(e, (c, v.HAS_KEY, head), x)


def _clashes(e: Engine, x: int, c: int) -> None:
    # RULE cls-nothing2
    if c == v.NOTHING:
        e.inconsistent("cls-nothing2", "{0} is an instance of owl:Nothing", x)
    # RULE cax-dw
    for d in e.objects(c, v.DISJOINT_WITH) | e.subjects(v.DISJOINT_WITH, c):
        if (x, v.TYPE, d) in e.facts:
            e.inconsistent(
                "cax-dw", "{0} is an instance of the disjoint classes {1} and {2}", x, *sorted((c, d))
            )
    # RULE cls-com
    for d in e.objects(c, v.COMPLEMENT_OF) | e.subjects(v.COMPLEMENT_OF, c):
        if (x, v.TYPE, d) in e.facts:
            e.inconsistent(
                "cls-com", "{0} is an instance of {1} and of its complement {2}", x, *sorted((c, d))
            )


def on_disjoint_with(e: Engine, t: Fact) -> None:
    for x in list(e.subjects(v.TYPE, t[0])):
        _clashes(e, x, t[0])


def on_complement(e: Engine, t: Fact) -> None:
    for x in list(e.subjects(v.TYPE, t[0])):
        _clashes(e, x, t[0])


# --- restrictions --------------------------------------------------------------------------


def on_restriction_part(e: Engine, t: Fact) -> None:
    """A defining triple of restriction R: re-evaluate every cls-* rule of R."""
    from itugraph.reasoning.rules_schema import scm_restriction

    r = t[0]
    for p in list(e.objects(r, v.ON_PROPERTY)):
        for u, w in list(e.pairs(p)):
            _restriction_pair(e, r, p, (u, p, w))
    for u in list(e.subjects(v.TYPE, r)):
        _has_value_member(e, r, (u, v.TYPE, r))
    scm_restriction(e, r)


def restriction_instance(e: Engine, t: Fact) -> None:
    """``u p v`` meets every restriction on ``p``."""
    for r in e.subjects(v.ON_PROPERTY, t[1]):
        _restriction_pair(e, r, t[1], t)


def _restriction_pair(e: Engine, r: int, p: int, t: Fact) -> None:
    u, _, w = t
    on_p = (r, v.ON_PROPERTY, p)
    # RULE cls-hv2
    if w in e.objects(r, v.HAS_VALUE):
        e.emit((u, v.TYPE, r), "cls-hv2", ((r, v.HAS_VALUE, w), on_p, t))
    for y in e.objects(r, v.SOME_VALUES_FROM):
        # RULE cls-svf1
        if (w, v.TYPE, y) in e.facts:
            e.emit((u, v.TYPE, r), "cls-svf1", ((r, v.SOME_VALUES_FROM, y), on_p, t, (w, v.TYPE, y)))
        # RULE cls-svf2
        elif y == v.THING:
            e.emit((u, v.TYPE, r), "cls-svf2", ((r, v.SOME_VALUES_FROM, y), on_p, t))
    if (u, v.TYPE, r) in e.facts:
        _typed_value(e, r, p, t)


def _typed_value(e: Engine, r: int, p: int, t: Fact) -> None:
    """Rules for ``u p w`` where ``u rdf:type R`` holds: cls-avf, cls-maxc*, cls-maxqc*."""
    u, _, w = t
    member = (u, v.TYPE, r)
    on_p = (r, v.ON_PROPERTY, p)
    # RULE cls-avf
    for y in e.objects(r, v.ALL_VALUES_FROM):
        e.emit((w, v.TYPE, y), "cls-avf", ((r, v.ALL_VALUES_FROM, y), on_p, member, t))
    for n in e.objects(r, v.MAX_CARDINALITY):
        _max_card(e, (r, v.MAX_CARDINALITY, n), cardinality(e.terms[n]), member, t, None)
    for n in e.objects(r, v.MAX_QUALIFIED_CARDINALITY):
        for cc in e.objects(r, v.ON_CLASS):
            _max_card(e, (r, v.MAX_QUALIFIED_CARDINALITY, n), cardinality(e.terms[n]), member, t, cc)


def _max_card(e: Engine, axiom: Fact, n: int | None, member: Fact, t: Fact, cc: int | None) -> None:
    u, p, w = t
    fits = cc is None or cc == v.THING or (w, v.TYPE, cc) in e.facts
    if n == 0 and fits:
        # RULE cls-maxc1
        # RULE cls-maxqc1
        # RULE cls-maxqc2
        rule = "cls-maxc1" if cc is None else "cls-maxqc1"
        e.inconsistent(rule, "{0} has a value of {1} although {2} allows none", u, p, axiom[0])
    elif n == 1 and fits:
        # RULE cls-maxc2
        # RULE cls-maxqc3
        # RULE cls-maxqc4
        rule = "cls-maxc2" if cc is None else ("cls-maxqc4" if cc == v.THING else "cls-maxqc3")
        for w2 in e.objects(u, p):
            if w2 != w and (cc is None or cc == v.THING or (w2, v.TYPE, cc) in e.facts):
                e.emit((w, v.SAME_AS, w2), rule, (axiom, member, t, (u, p, w2)))


def restriction_member(e: Engine, t: Fact) -> None:
    """``u rdf:type R`` for a restriction R: cls-hv1, and cls-avf/maxc on u's values."""
    u, _, r = t
    _has_value_member(e, r, t)
    for p in e.objects(r, v.ON_PROPERTY):
        for w in list(e.objects(u, p)):
            _typed_value(e, r, p, (u, p, w))


def _has_value_member(e: Engine, r: int, t: Fact) -> None:
    # RULE cls-hv1
    for w in e.objects(r, v.HAS_VALUE):
        for p in e.objects(r, v.ON_PROPERTY):
            e.emit((t[0], p, w), "cls-hv1", ((r, v.HAS_VALUE, w), (r, v.ON_PROPERTY, p), t))


def filler_typed(e: Engine, t: Fact) -> None:
    """``w rdf:type Y`` where Y fills a someValuesFrom or onClass: cls-svf1, cls-maxqc*."""
    w, _, y = t
    for r in e.subjects(v.SOME_VALUES_FROM, y):
        for p in e.objects(r, v.ON_PROPERTY):
            for u in e.subjects(p, w):
                # RULE cls-svf1
                e.emit(
                    (u, v.TYPE, r),
                    "cls-svf1",
                    ((r, v.SOME_VALUES_FROM, y), (r, v.ON_PROPERTY, p), (u, p, w), t),
                )
    for r in e.subjects(v.ON_CLASS, y):
        for p in e.objects(r, v.ON_PROPERTY):
            for u in e.subjects(p, w):
                if (u, v.TYPE, r) in e.facts:
                    _typed_value(e, r, p, (u, p, w))
