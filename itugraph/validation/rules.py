"""SHACL-AF SPARQL rules: triples the shapes derive from the data, before validation.

A project can state derivations that OWL 2 RL cannot express as ``sh:rule`` values of
its shapes (SHACL Advanced Features §8, ``sh:SPARQLRule`` with a ``sh:construct``): the
ITU graph derives its direct ``dcterms:title``, dates and WSIS roles from sourced claims
by a precedence rule that needs aggregates (``shapes/itu.rules.ttl``). What they add
goes where pyshacl's ``advanced=True`` puts it: into the data graph, before validation,
and the build then reasons over asserted + derived and serves the derived triples in
the inferred graph.

Semantics (the ones pyshacl 0.40, our oracle, implements): rules of active shapes run
once each, in ``sh:order`` (then shape IRI), each seeing the data plus what earlier
rules added; a ``sh:construct`` is evaluated for every focus node of its shape with
``$this`` pre-bound. As with SPARQL constraints, a query that
:func:`~itugraph.validation.batching.pattern_refusal` accepts is evaluated once for all
focus nodes (focus pattern injected into its WHERE group), any other once per focus node.
``sh:TripleRule`` and ``sh:condition`` are refused with a :class:`ShapesError` rather
than ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import pyoxigraph as ox
from rdflib import RDF, Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

from itugraph import sparql_text
from itugraph.errors import ShapesError
from itugraph.load import Triple
from itugraph.validation import batching
from itugraph.validation.compiler import (
    FOCUS_GRAPH,
    FOCUS_OF,
    Target,
    declared_prefixes,
    target_updates,
    top_shapes,
)
from itugraph.validation.shapes import named_shape, shape_id
from itugraph.validation.sparql_terms import Unsupported, iri

_RULE_FOCUS_KEY = "urn:itugraph:rules:focus"


@dataclass(frozen=True)
class SparqlRule:
    """One ``sh:SPARQLRule``: how to find its focus nodes, its query, and its place in order."""

    shape_id: str
    order: Decimal
    construct: str
    prefixes: dict[str, str]
    targets: tuple[Target, ...]

    @property
    def name(self) -> str:
        """How explanations and reports name the rule: the id of the shape holding it."""
        return f"sh:rule {self.shape_id}"


def rules_of(shapes: Graph) -> list[SparqlRule]:
    """The active SPARQL rules of ``shapes`` in execution order; refuses what we do not run."""
    found: list[SparqlRule] = []
    for shape in top_shapes(shapes):
        for rule in shapes.objects(shape, SH.rule):
            if _deactivated(shapes, rule):
                continue
            found.append(_sparql_rule(shapes, shape, rule))
    return sorted(found, key=lambda r: (r.order, r.shape_id))


def _sparql_rule(shapes: Graph, shape: Node, rule: Node) -> SparqlRule:
    name = shape_id(named_shape(shapes, shape))
    where = f"rule of shape {name}"
    kinds = set(shapes.objects(rule, RDF.type))
    if SH.SPARQLRule not in kinds:
        raise ShapesError(
            f"{where}: only sh:SPARQLRule is supported",
            hint="write the rule as a sh:SPARQLRule with a sh:construct query",
        )
    if shapes.value(rule, SH.condition) is not None:
        raise ShapesError(
            f"{where}: sh:condition is not supported",
            hint="put the condition in the CONSTRUCT's WHERE clause",
        )
    construct = shapes.value(rule, SH.construct)
    if not isinstance(construct, Literal) or "CONSTRUCT" not in str(construct).upper():
        raise ShapesError(f"{where}: sh:construct must be a CONSTRUCT query string")
    try:
        prefixes = declared_prefixes(shapes, rule)
        targets = tuple(target_updates(shapes, shape, _RULE_FOCUS_KEY))
    except Unsupported as exc:
        raise ShapesError(f"{where}: {exc}") from None
    return SparqlRule(name, _order(shapes, rule, where), str(construct), prefixes, targets)


def _order(shapes: Graph, rule: Node, where: str) -> Decimal:
    value = shapes.value(rule, SH.order)
    if value is None:
        return Decimal(0)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        raise ShapesError(f"{where}: sh:order {value} is not a number") from None


def _deactivated(graph: Graph, node: Node) -> bool:
    return any(isinstance(v, Literal) and v.toPython() is True for v in graph.objects(node, SH.deactivated))


def apply_rules(store: ox.Store, shapes: Graph) -> dict[Triple, str]:
    """Run every rule over the default graph of ``store``, adding what it derives there.

    Returns each new triple with the name of the first rule that derived it (triples
    already in the store are not "derived").
    """
    derived: dict[Triple, str] = {}
    for rule in rules_of(shapes):
        for triple in _evaluate(store, rule):
            if triple in derived or ox.Quad(*triple) in store:
                continue
            derived[triple] = rule.name
            store.add(ox.Quad(*triple))
    return derived


def derive(triples: Iterable[Triple], shapes: Graph) -> dict[Triple, str]:
    """The triples ``shapes``' rules derive from ``triples`` (an in-memory store is built)."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(s, p, o) for s, p, o in triples)
    return apply_rules(store, shapes)


def _evaluate(store: ox.Store, rule: SparqlRule) -> list[Triple]:
    """The triples ``rule`` constructs for all its focus nodes."""
    focus = ox.NamedNode(FOCUS_GRAPH)
    try:
        for update in rule.targets:
            store.update(update.update, prefixes=update.prefixes or None)
        refusal = batching.pattern_refusal(rule.construct, rule.prefixes)
        if refusal is None:
            pattern = f"GRAPH {iri(FOCUS_GRAPH)} {{ {iri(_RULE_FOCUS_KEY)} {iri(FOCUS_OF)} ?this }}"
            query = sparql_text.inject_where(rule.construct, pattern)
            return _triples(store.query(query, prefixes=rule.prefixes or None))
        nodes = [q.object for q in store.quads_for_pattern(None, None, None, focus)]
        out: list[Triple] = []
        for node in nodes:
            if isinstance(node, ox.BlankNode):
                result = store.query(
                    rule.construct, prefixes=rule.prefixes or None, substitutions={ox.Variable("this"): node}
                )
            else:
                result = store.query(
                    sparql_text.substitute_this(rule.construct, str(node)), prefixes=rule.prefixes or None
                )
            out.extend(_triples(result))
        return out
    except SyntaxError as exc:
        raise ShapesError(
            f"{rule.shape_id}: its sh:construct does not parse: {exc}", hint="fix the SPARQL text of the rule"
        ) from None
    finally:
        if focus in store.named_graphs():
            store.remove_graph(focus)


def _triples(result: object) -> list[Triple]:
    assert isinstance(result, ox.QueryTriples)
    return [(t.subject, t.predicate, t.object) for t in result]
