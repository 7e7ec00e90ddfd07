"""Turning RDF terms from a SHACL report into the strings a reader sees.

>>> compact("https://w3id.org/itugraph/def/itu#StudyGroup")
'itu:StudyGroup'
>>> compact("http://example.org/x")
'<http://example.org/x>'
"""

from __future__ import annotations

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from itugraph.namespaces import ITUID, PREFIXES, RDF

#: Prefixes used for display, longest namespace first so ``ituid:`` beats shorter matches.
_DISPLAY = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))

_PATH_OPERATORS = {
    SH.inversePath: "^{}",
    SH.zeroOrMorePath: "{}*",
    SH.oneOrMorePath: "{}+",
    SH.zeroOrOnePath: "{}?",
}


def compact(iri: str) -> str:
    """``prefix:local`` when a known prefix gives a clean local name, else ``<iri>``."""
    for prefix, namespace in _DISPLAY:
        if iri.startswith(namespace):
            local = iri[len(namespace) :]
            if local and all(ch.isalnum() or ch in "-_." for ch in local) and prefix != "ituid":
                return f"{prefix}:{local}"
    if iri.startswith(ITUID):
        return f"<…/{iri[len(ITUID) :]}>"
    return f"<{iri}>"


def node_text(node: Node) -> str:
    """An IRI as itself, a blank node as ``_:label``, a literal as its N-Triples form."""
    if isinstance(node, URIRef):
        return str(node)
    if isinstance(node, BNode):
        return f"_:{node}"
    return value_text(node)


def value_text(node: Node) -> str:
    """The N-Triples form of a value, so IRIs and literals stay distinguishable."""
    if isinstance(node, Literal | URIRef | BNode):
        return node.n3()
    return str(node)


def display_value(value: str) -> str:
    """A value for humans: IRIs and datatypes compacted (``"x"^^xsd:integer``)."""
    if value.startswith("<") and value.endswith(">"):
        return compact(value[1:-1])
    if "^^<" in value and value.endswith(">"):
        lexical, _, datatype = value.rpartition("^^<")
        return f"{lexical}^^{compact(datatype[:-1])}"
    return value


def path_text(graph: Graph, path: Node) -> str:
    """A SHACL path as text: the IRI of a predicate path, SPARQL syntax for others."""
    if isinstance(path, URIRef):
        return str(path)
    if (path, RDF_FIRST, None) in graph:
        return "/".join(_path_part(graph, p) for p in Collection(graph, path))
    for operator, template in _PATH_OPERATORS.items():
        inner = graph.value(path, operator)
        if inner is not None:
            return template.format(_path_part(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_path_part(graph, p) for p in Collection(graph, alternatives)) + ")"
    return str(path)


def _path_part(graph: Graph, path: Node) -> str:
    text = path_text(graph, path)
    return f"<{text}>" if isinstance(path, URIRef) else text


RDF_FIRST = URIRef(RDF + "first")
