"""owlrl as the reference engine: pyoxigraph triples in, the same triples out.

Terms round-trip exactly: blank nodes keep their ids, literals keep their lexical form
(rdflib would otherwise normalise ``"01"^^xsd:integer`` to ``"1"``), simple and
language-tagged strings become rdflib literals without a datatype, as rdflib parses them.
owlrl reports inconsistencies as error triples; they are turned into
:class:`~itugraph.errors.Inconsistency` objects with the OWL 2 RL rule id recognised
from owlrl's message.
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox

from itugraph.errors import Inconsistency
from itugraph.load import Triple
from itugraph.reasoning.datatypes import typed_datatype
from itugraph.reasoning.junk import is_junk

#: Fragments of owlrl's messages → the rule that produced them.
OWLRL_MESSAGES: tuple[tuple[str, str], ...] = (
    ("'sameAs' and 'differentFrom'", "eq-diff1"),
    ("'sameAs' and 'AllDifferent'", "eq-diff2"),
    ("Irreflexive property", "prp-irp"),
    ("Erroneous usage of asymmetric", "prp-asyp"),
    ("Disjoint properties in an 'AllDisjointProperties'", "prp-adp"),
    ("Erroneous usage of disjoint properties", "prp-pdw"),
    ("Negative (object)", "prp-npa1"),
    ("Negative (datatype)", "prp-npa2"),
    ("Violation of complementarity", "cls-com"),
    ("Violation of type restriction", "cls-avf"),
    ("Erroneous usage of maximum cardinality", "cls-maxc1"),
    ("Erroneous usage of maximum qualified cardinality", "cls-maxqc1"),
    ("Disjoint classes", "cax-dw"),
    ("Lexical value of the literal", "dt-not-type"),
    ("is defined of type 'Nothing'", "cls-nothing2"),
)


def to_rdflib(term: object) -> object:
    """The rdflib term for a pyoxigraph term (lexical forms kept as they are)."""
    import rdflib

    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    assert isinstance(term, ox.Literal)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language, normalize=False)
    dt = typed_datatype(term)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(dt) if dt else None, normalize=False)


def from_rdflib(term: object) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    import rdflib

    if isinstance(term, rdflib.URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, rdflib.BNode):
        return ox.BlankNode(str(term))
    assert isinstance(term, rdflib.Literal)
    if term.language:
        return ox.Literal(str(term), language=term.language)
    if term.datatype is not None:
        return ox.Literal(str(term), datatype=ox.NamedNode(str(term.datatype)))
    return ox.Literal(str(term))


def closure(asserted: Iterable[Triple]) -> tuple[set[Triple], list[Inconsistency]]:
    """owlrl's OWL 2 RL closure: (inferred-only triples, junk filtered; inconsistencies)."""
    import rdflib
    from owlrl import DeductiveClosure, OWLRL_Semantics

    given = set(asserted)
    graph = rdflib.Graph()
    for s, p, o in given:
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))  # type: ignore[arg-type]
    DeductiveClosure(OWLRL_Semantics, axiomatic_triples=False, datatype_axioms=False).expand(graph)
    errors = _take_errors(graph)
    inferred: set[Triple] = set()
    for rs, rp, ro in graph:
        if isinstance(rs, rdflib.Literal) or not isinstance(rp, rdflib.URIRef):
            continue  # generalised triples: junk by definition
        triple = (from_rdflib(rs), from_rdflib(rp), from_rdflib(ro))
        if triple not in given and not is_junk(triple):
            inferred.add(triple)  # type: ignore[arg-type]
    return inferred, errors


def _take_errors(graph: object) -> list[Inconsistency]:
    """Remove owlrl's error-message nodes from ``graph`` and return them as objects."""
    from owlrl.Namespaces import ERRNS
    from rdflib.namespace import RDF

    out = []
    for node in list(graph.subjects(RDF.type, ERRNS.ErrorMessage)):  # type: ignore[attr-defined]
        for message in graph.objects(node, ERRNS.error):  # type: ignore[attr-defined]
            out.append(Inconsistency(rule_of_message(str(message)), str(message)))
        graph.remove((node, None, None))  # type: ignore[attr-defined]
    return out


def rule_of_message(message: str) -> str:
    """The OWL 2 RL rule id an owlrl error message stands for ("owlrl" if unknown)."""
    return next((rule for part, rule in OWLRL_MESSAGES if part in message), "owlrl")
