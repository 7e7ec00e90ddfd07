"""Writing shapes-graph terms, paths and patterns as SPARQL text for the SPARQL engine.

Everything here turns one piece of a shape into text a pyoxigraph query can embed, or
raises :class:`Unsupported` when the text would not mean what pyshacl computes, so the
caller can hand the shape to pyshacl instead of guessing.
"""

from __future__ import annotations

import re

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, SH
from rdflib.term import Node


class Unsupported(Exception):  # noqa: N818 - a reason, not an error: the shape falls back
    """A construct the SPARQL engine does not compile; pyshacl validates the shape instead."""


def iri(value: str) -> str:
    """``<value>``, refusing characters an IRIREF cannot hold."""
    if re.search(r'[\x00-\x20<>"{}|^`\\]', value):
        raise Unsupported(f"IRI {value!r} cannot be written in SPARQL")
    return f"<{value}>"


def string(value: str) -> str:
    """A SPARQL string literal holding ``value`` exactly."""
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )
    return f'"{escaped}"'


def term(node: Node) -> str:
    """An IRI or literal of the shapes graph as SPARQL; blank nodes have no SPARQL constant."""
    if isinstance(node, URIRef):
        return iri(str(node))
    if isinstance(node, Literal):
        if node.language:
            return f"{string(str(node))}@{node.language}"
        if node.datatype is not None:
            return f"{string(str(node))}^^{iri(str(node.datatype))}"
        return string(str(node))
    raise Unsupported(f"blank node {node} used as a constant")


def rdf_list(graph: Graph, head: Node) -> list[Node]:
    """The members of an RDF list (``( a b c )``) of the shapes graph."""
    return list(Collection(graph, head))


def path(graph: Graph, node: Node) -> str:
    """A SHACL path as a SPARQL property path (SHACL §2.3.1 maps one to one)."""
    if isinstance(node, URIRef):
        return iri(str(node))
    if not isinstance(node, BNode):
        raise Unsupported(f"path {node!r} is neither an IRI nor a path node")
    if graph.value(node, RDF.first) is not None:
        return "(" + "/".join(path(graph, p) for p in rdf_list(graph, node)) + ")"
    alternatives = graph.value(node, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path(graph, p) for p in rdf_list(graph, alternatives)) + ")"
    for operator, template in (
        (SH.inversePath, "^({})"),
        (SH.zeroOrMorePath, "({})*"),
        (SH.oneOrMorePath, "({})+"),
        (SH.zeroOrOnePath, "({})?"),
    ):
        inner = graph.value(node, operator)
        if inner is not None:
            return template.format(path(graph, inner))
    raise Unsupported(f"path node {node} has no known path operator")


#: Python-only regex syntax the Rust regex engine behind oxigraph's REGEX does not know.
_PYTHON_ONLY = re.compile(r"\(\?[=!<]|\(\?P=|\\[1-9]|\(\?\(|\\Z")


def pattern_regex(pattern: str, flags: str | None) -> tuple[str, str]:
    """(regex, flags) for oxigraph's ``REGEX``: ``sh:pattern`` *is* SPARQL ``REGEX`` (SHACL §4.4.2).

    So the pattern matches anywhere in the string unless it anchors itself, and
    ``sh:flags`` are XPath's (``s``, ``m``, ``i``, ``x``, ``q``), passed as given.
    Lookarounds and back-references exist neither in XPath nor in Rust's regex engine:
    such a shape goes to pyshacl.
    """
    if _PYTHON_ONLY.search(pattern):
        raise Unsupported(f"sh:pattern {pattern!r} uses Python-only regex syntax")
    kept = flags or ""
    if set(kept) - set("smixq"):
        raise Unsupported(f"sh:flags {kept!r} holds a flag XPath does not define")
    return pattern, kept
