"""What the ontology and shapes documentation pages share: a small index over parsed
triples, and terms shown as text and links.

A value on a page is a list of :class:`Shown` pieces (text, or a link made with
:func:`itugraph.linkeddata.urls.path_of`, so every link works on the server), which the
templates print with one macro. Class expressions, property paths and RDF lists are
written out in words (``org:Organization or foaf:Person``, ``org:unitOf|org:subOrganizationOf``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox

from itugraph.linkeddata.urls import path_of
from itugraph.namespaces import OWL, PREFIXES, RDF, RDFS, SKOS, XSD

#: Prefixes shown on the pages: ours, then vocabularies the ontology's imports use.
DISPLAY_PREFIXES: dict[str, str] = {
    **PREFIXES,
    "time": "http://www.w3.org/2006/time#",
}

Term = ox.NamedNode | ox.BlankNode | ox.Literal
Node = ox.NamedNode | ox.BlankNode
Triple = tuple[Node, ox.NamedNode, Term]

RDF_TYPE = ox.NamedNode(RDF + "type")
RDF_FIRST = ox.NamedNode(RDF + "first")
RDF_REST = ox.NamedNode(RDF + "rest")
RDF_NIL = ox.NamedNode(RDF + "nil")
_LABELS = (ox.NamedNode(RDFS + "label"), ox.NamedNode(SKOS + "prefLabel"))
_PLAIN = {XSD + "string", RDF + "langString"}


@dataclass(frozen=True)
class Shown:
    """One piece of a value: text, a link (``href``), with its IRI and language if any."""

    text: str
    href: str | None = None
    iri: str | None = None
    lang: str | None = None
    code: bool = False  # a prefixed name or a query: shown in <code>


Parts = list[Shown]


def curie(iri: str) -> str:
    """``iri`` as a prefixed name when a display prefix fits, else ``<iri>``.

    >>> curie("http://www.w3.org/ns/org#unitOf"), curie("http://example.org/x")
    ('org:unitOf', '<http://example.org/x>')
    """
    best = max((ns for ns in DISPLAY_PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return f"<{iri}>"
    name = next(p for p, ns in DISPLAY_PREFIXES.items() if ns == best)
    return f"{name}:{iri[len(best) :]}"


class Index:
    """Triples by subject and by object, with RDF lists and labels."""

    def __init__(self, triples: Iterable[Triple]) -> None:
        self.triples: list[Triple] = []
        self._out: dict[Term, list[tuple[ox.NamedNode, Term]]] = defaultdict(list)
        self._in: dict[Term, list[tuple[ox.NamedNode, Node]]] = defaultdict(list)
        seen: set[Triple] = set()
        for s, p, o in triples:
            if (s, p, o) in seen:
                continue
            seen.add((s, p, o))
            self.triples.append((s, p, o))
            self._out[s].append((p, o))
            self._in[o].append((p, s))

    def statements(self, subject: Term) -> list[tuple[ox.NamedNode, Term]]:
        return self._out.get(subject, [])

    def incoming(self, obj: Term) -> list[tuple[ox.NamedNode, Node]]:
        return self._in.get(obj, [])

    def objects(self, subject: Term, predicate: str) -> list[Term]:
        return [o for p, o in self._out.get(subject, []) if p.value == predicate]

    def subjects(self, predicate: str, obj: Term) -> list[Node]:
        return [s for p, s in self._in.get(obj, []) if p.value == predicate]

    def first(self, subject: Term, predicate: str) -> Term | None:
        values = self.objects(subject, predicate)
        return values[0] if values else None

    def items(self, node: Term) -> list[Term]:
        """The members of the RDF list at ``node`` (stops at a malformed list)."""
        members: list[Term] = []
        seen: set[Term] = set()
        while node != RDF_NIL and node not in seen:
            seen.add(node)
            first = self.first(node, RDF_FIRST.value)
            if first is None:
                break
            members.append(first)
            rest = self.first(node, RDF_REST.value)
            if rest is None:
                break
            node = rest
        return members

    def lists_containing(self, member: Term) -> list[Node]:
        """The heads of the RDF lists ``member`` is in."""
        heads = []
        for cell in self.subjects(RDF_FIRST.value, member):
            head: Node = cell
            while True:
                previous = self.subjects(RDF_REST.value, head)
                if not previous:
                    break
                head = previous[0]
            heads.append(head)
        return heads

    def label(self, node: Term) -> str | None:
        """The English (else untagged, else any) label of ``node``."""
        found = [o for p, o in self._out.get(node, []) if p in _LABELS and isinstance(o, ox.Literal)]
        for wanted in ("en", None):
            for literal in found:
                if (literal.language or None) == wanted or (
                    wanted == "en" and (literal.language or "").startswith("en-")
                ):
                    return literal.value
        return found[0].value if found else None

    def has_type(self, node: Term, *types: str) -> bool:
        return any(
            t.value in types for t in self.objects(node, RDF_TYPE.value) if isinstance(t, ox.NamedNode)
        )


def link(iri: str) -> Shown:
    """A link to ``iri`` (its local path), shown as its prefixed name."""
    return Shown(curie(iri), href=path_of(iri), iri=iri, code=True)


def literal(value: ox.Literal) -> Shown:
    """A literal as text in its language; a datatype other than string is named."""
    text = value.value
    if value.datatype.value not in _PLAIN:
        text = f"{text} ({curie(value.datatype.value)})"
    return Shown(text, lang=value.language or None)


def show(index: Index, term: Term) -> Parts:
    """``term`` in words: a link, a literal, or a class expression / list / restriction."""
    if isinstance(term, ox.NamedNode):
        return [link(term.value)]
    if isinstance(term, ox.Literal):
        return [literal(term)]
    return expression(index, term, depth=0)


def _joined(index: Index, members: list[Term], word: str, depth: int) -> Parts:
    parts: Parts = []
    for i, member in enumerate(members):
        if i:
            parts.append(Shown(f" {word} "))
        parts.extend(_nested(index, member, depth))
    return parts


def _nested(index: Index, term: Term, depth: int) -> Parts:
    if isinstance(term, ox.BlankNode):
        inner = expression(index, term, depth + 1)
        return [Shown("("), *inner, Shown(")")] if len(inner) > 1 else inner
    return show(index, term)


_RESTRICTIONS = (
    ("someValuesFrom", "some"),
    ("allValuesFrom", "only"),
    ("hasValue", "value"),
    ("minCardinality", "min"),
    ("maxCardinality", "max"),
    ("cardinality", "exactly"),
    ("minQualifiedCardinality", "min"),
    ("maxQualifiedCardinality", "max"),
    ("qualifiedCardinality", "exactly"),
)


def expression(index: Index, node: Node, depth: int = 0) -> Parts:
    """An OWL class expression or an RDF list at a blank node, in Manchester-like words.

    Unknown shapes of blank node are listed as their statements, never dropped.
    """
    if depth > 8:
        return [Shown("…")]
    for key, word in (("unionOf", "or"), ("intersectionOf", "and")):
        head = index.first(node, OWL + key)
        if head is not None:
            return _joined(index, index.items(head), word, depth)
    complement = index.first(node, OWL + "complementOf")
    if complement is not None:
        return [Shown("not "), *_nested(index, complement, depth)]
    one_of = index.first(node, OWL + "oneOf")
    if one_of is not None:
        return [Shown("one of {"), *_joined(index, index.items(one_of), ",", depth), Shown("}")]
    on_property = index.first(node, OWL + "onProperty")
    if on_property is not None:
        parts = [*_nested(index, on_property, depth)]
        for key, word in _RESTRICTIONS:
            value = index.first(node, OWL + key)
            if value is not None:
                parts += [Shown(f" {word} "), *_nested(index, value, depth)]
                qualifier = index.first(node, OWL + "onClass")
                if qualifier is not None and "Qualified" in key:
                    parts += [Shown(" "), *_nested(index, qualifier, depth)]
        return parts
    if index.first(node, RDF_FIRST.value) is not None:
        return [Shown("("), *_joined(index, index.items(node), "", depth), Shown(")")]
    statements = [(p, o) for p, o in index.statements(node) if p != RDF_TYPE]
    if not statements:
        return [Shown("(an anonymous node)")]
    parts = [Shown("[")]
    for i, (p, o) in enumerate(statements):
        if i:
            parts.append(Shown(" ; "))
        parts += [link(p.value), Shown(" "), *_nested(index, o, depth)]
    return [*parts, Shown("]")]
