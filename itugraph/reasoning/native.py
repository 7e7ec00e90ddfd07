"""The native engine's entry point: which rules a new triple wakes up, and the run.

``dispatch`` routes a triple by its predicate (schema axioms), by its class when it is
an ``rdf:type`` triple, and through the ``watched`` set when its predicate has property
axioms; equality replacement runs only once any ``owl:sameAs`` exists.
"""

from __future__ import annotations

from collections.abc import Iterable

from itugraph.load import Triple
from itugraph.reasoning import datatypes
from itugraph.reasoning import rules_classes as cls
from itugraph.reasoning import rules_equality as eq
from itugraph.reasoning import rules_lists as lists
from itugraph.reasoning import rules_properties as prp
from itugraph.reasoning import rules_schema as scm
from itugraph.reasoning import vocab as v
from itugraph.reasoning.engine import Engine, Fact, Handler


def _node(handler: object) -> Handler:
    """Adapt a handler of a node (``on_npa(e, node)``) to a handler of a triple."""

    def run(e: Engine, t: Fact) -> None:
        handler(e, t[0])  # type: ignore[operator]

    return run


def _members(e: Engine, t: Fact) -> None:
    """``n owl:members L``: the group is checked once the node's type is known too."""
    _group(e, t[0])


def _group(e: Engine, node: int) -> None:
    kinds = e.objects(node, v.TYPE)
    if v.ALL_DIFFERENT in kinds:
        eq.on_all_different(e, node)
    if v.ALL_DISJOINT_PROPERTIES in kinds:
        prp.on_all_disjoint_properties(e, node)
    if v.ALL_DISJOINT_CLASSES in kinds:
        lists.on_all_disjoint_classes(e, node)


BY_PREDICATE: dict[int, Handler] = {
    v.SCO: scm.on_sub_class,
    v.EQC: scm.on_equivalent_class,
    v.SPO: scm.on_sub_property_schema,
    v.EQP: scm.on_equivalent_property_schema,
    v.DOMAIN: scm.on_domain_schema,
    v.RANGE: scm.on_range_schema,
    v.INVERSE_OF: prp.on_inverse,
    v.PROPERTY_DISJOINT: prp.on_property_disjoint,
    v.CHAIN: lists.on_chain,
    v.HAS_KEY: lists.on_key,
    v.INTERSECTION_OF: lists.on_intersection,
    v.UNION_OF: lists.on_union,
    v.ONE_OF: lists.on_one_of,
    v.DISJOINT_WITH: cls.on_disjoint_with,
    v.COMPLEMENT_OF: cls.on_complement,
    v.SAME_AS: eq.on_same_as,
    v.DIFFERENT_FROM: eq.on_different_from,
    v.SOURCE_INDIVIDUAL: _node(prp.on_npa),
    v.ASSERTION_PROPERTY: _node(prp.on_npa),
    v.TARGET_INDIVIDUAL: _node(prp.on_npa),
    v.TARGET_VALUE: _node(prp.on_npa),
    v.MEMBERS: _members,
    v.DISTINCT_MEMBERS: _members,
    **{part: cls.on_restriction_part for part in v.RESTRICTION_PARTS},
}

BY_CLASS: dict[int, Handler] = {
    v.CLASS: scm.on_class,
    v.OBJECT_PROPERTY: scm.on_property_declaration,
    v.DATATYPE_PROPERTY: scm.on_property_declaration,
    v.RDF_PROPERTY: scm.on_property_declaration,
    v.ALL_DIFFERENT: _members,
    v.ALL_DISJOINT_PROPERTIES: _members,
    v.ALL_DISJOINT_CLASSES: _members,
    **{kind: prp.on_characteristic for kind in v.CHARACTERISTICS},
}


def dispatch(e: Engine, t: Fact) -> None:
    """Run every rule that has a premise matching the new triple ``t``."""
    _, p, o = t
    handler = BY_PREDICATE.get(p)
    if handler is not None:
        handler(e, t)
    if p == v.TYPE:
        cls.on_type(e, t)
        handler = BY_CLASS.get(o)
        if handler is not None:
            handler(e, t)
    if p in e.watched:
        _property_instance(e, t)
    same = e.sp.get(v.SAME_AS)
    if same:
        eq.replace_in(e, t, same)


def _property_instance(e: Engine, t: Fact) -> None:
    prof = e.property_profile(t[1])
    prp.instance(e, t, prof)
    if prof.restrictions:
        cls.restriction_instance(e, t)
    if prof.negated:
        prp.npa_instance(e, t)
    for head in prof.list_heads:
        lists.chain_instance(e, t, head)
        prp.adp_instance(e, t, head)
        lists.key_instance(e, t[0], head)


def run(asserted: Iterable[Triple]) -> Engine:
    """The closure of ``asserted``: an engine holding every fact and its derivation."""
    e = Engine()
    e.load(asserted)
    e.freeze_lists()
    base = list(e.agenda)
    # RULE cls-thing
    e.emit((v.THING, v.TYPE, v.CLASS), "cls-thing", ())
    # RULE cls-nothing1
    e.emit((v.NOTHING, v.TYPE, v.CLASS), "cls-nothing1", ())
    datatypes.one_time(e, base)
    e.run(dispatch)
    eq.check_same_as_vocabulary(e)
    return e
