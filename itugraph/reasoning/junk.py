"""What the closure must not show users: axiomatic and trivial triples.

Both engines' output goes through :func:`is_junk`, so they are compared on the same
terms and the inferred named graph never floods a query with noise. The policy (see
``docs/reasoning.md``) drops a triple when:

* it is not RDF: a literal subject or a non-IRI predicate (generalised triples owlrl
  uses internally, e.g. ``"5"^^xsd:int rdf:type xsd:int``);
* its subject is a term of the RDF, RDFS, OWL or XSD vocabularies (axioms about the
  vocabulary itself: ``owl:Nothing rdfs:subClassOf C``, datatype disjointness, …);
* it is reflexive ``owl:sameAs``, ``rdfs:subClassOf``, ``owl:equivalentClass``,
  ``rdfs:subPropertyOf`` or ``owl:equivalentProperty``;
* it types something as ``owl:Thing``, ``rdfs:Resource``, ``rdfs:Datatype`` or an XSD
  datatype, or says ``C rdfs:subClassOf owl:Thing``.
"""

from __future__ import annotations

from typing import Final

import pyoxigraph as ox

from itugraph.reasoning import vocab as v

_REFLEXIVE: Final = frozenset(v.VOCAB[i] for i in (v.SAME_AS, v.SCO, v.EQC, v.SPO, v.EQP))
_TRIVIAL_TYPES: Final = frozenset(v.VOCAB[i] for i in (v.THING, v.RESOURCE, v.DATATYPE))
_TYPE: Final = v.VOCAB[v.TYPE]
_SCO: Final = v.VOCAB[v.SCO]
_THING: Final = v.VOCAB[v.THING]


def is_junk(triple: tuple[object, object, object]) -> bool:
    """True when ``triple`` is axiomatic or trivial noise (see the module docstring).

    >>> t = ox.NamedNode("https://ex.org/a"); c = ox.NamedNode("https://ex.org/C")
    >>> is_junk((t, ox.NamedNode(_TYPE), ox.NamedNode(_THING)))
    True
    >>> is_junk((t, ox.NamedNode(_TYPE), c))
    False
    """
    s, p, o = triple
    if isinstance(s, ox.Literal) or not isinstance(p, ox.NamedNode):
        return True
    if isinstance(s, ox.NamedNode) and s.value.startswith(v.RESERVED_NAMESPACES):
        return True
    pred = p.value
    if pred in _REFLEXIVE and s == o:
        return True
    if isinstance(o, ox.NamedNode):
        if pred == _TYPE and (o.value in _TRIVIAL_TYPES or o.value.startswith(v.XSD_NS)):
            return True
        if pred == _SCO and o.value == _THING:
            return True
    return False


class JunkIds:
    """:func:`is_junk` over interned term ids, for the native engine's hot path.

    ``tests/reasoning`` checks that it agrees with :func:`is_junk` on every derived triple.
    """

    def __init__(self, terms: list[object]) -> None:
        self.not_subject = {
            i
            for i, t in enumerate(terms)
            if isinstance(t, ox.Literal)
            or (isinstance(t, ox.NamedNode) and t.value.startswith(v.RESERVED_NAMESPACES))
        }
        self.iris = {i for i, t in enumerate(terms) if isinstance(t, ox.NamedNode)}
        self.trivial_types = {
            i
            for i, t in enumerate(terms)
            if isinstance(t, ox.NamedNode) and (t.value in _TRIVIAL_TYPES or t.value.startswith(v.XSD_NS))
        }
        self.reflexive = {v.SAME_AS, v.SCO, v.EQC, v.SPO, v.EQP}

    def __call__(self, fact: tuple[int, int, int]) -> bool:
        s, p, o = fact
        return (
            s in self.not_subject
            or p not in self.iris
            or (s == o and p in self.reflexive)
            or (p == v.TYPE and o in self.trivial_types)
            or (p == v.SCO and o == v.THING)
        )
