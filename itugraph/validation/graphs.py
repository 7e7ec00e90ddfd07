"""Building the rdflib graphs pyshacl needs from files parsed by ``itugraph.load``.

Parsing goes through pyoxigraph (fast, and its syntax errors carry file:line:col as
:class:`~itugraph.errors.RdfSyntaxError`); pyshacl needs rdflib graphs, so the triples
are converted term by term. That is cheaper than re-parsing with rdflib and keeps a
single parser, and so a single notion of "valid syntax", in the project.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from itugraph.load import Triple, load_triples
from itugraph.namespaces import RDF, XSD

_XSD_STRING = XSD + "string"
_RDF_LANG_STRING = RDF + "langString"


def to_rdflib(term: ox.NamedNode | ox.BlankNode | ox.Literal, *, exact: bool = False) -> Node:
    """The rdflib term equal to a pyoxigraph term.

    ``xsd:string`` literals become plain literals (the same term in RDF 1.1), so shapes
    written either way match. rdflib rewrites the lexical form of a typed literal it
    understands (``"1"^^xsd:boolean`` becomes ``"true"``) unless ``exact``.
    """
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    datatype = term.datatype.value
    if term.language:
        return Literal(term.value, lang=term.language)
    if datatype in (_XSD_STRING, _RDF_LANG_STRING):
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(datatype), normalize=False if exact else None)


@contextmanager
def quiet_rdflib_literals() -> Iterator[None]:
    """Silence rdflib's log line (or warning) for each ill-typed literal: SHACL reports those."""
    logger = logging.getLogger("rdflib.term")
    previous = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Parsing weird boolean")
            yield
    finally:
        logger.setLevel(previous)


def graph_of(triples: Iterable[Triple], graph: Graph | None = None, *, exact: bool = False) -> Graph:
    """Add ``triples`` to ``graph`` (a new one by default) and return it (``exact``: see
    :func:`to_rdflib`)."""
    target = Graph() if graph is None else graph
    with quiet_rdflib_literals():
        for s, p, o in triples:
            target.add((to_rdflib(s), to_rdflib(p), to_rdflib(o, exact=exact)))
    return target


def load_graph(paths: Iterable[Path]) -> Graph:
    """The merged rdflib graph of ``paths``, literals as written (a shapes graph's
    ``"1"^^xsd:boolean`` is not ``true``); raises ``RdfSyntaxError`` with the location."""
    return graph_of(load_triples(paths), exact=True)
