"""Loading the shapes graph and refusing a malformed one, naming the broken shape.

A malformed shape is worse than none: pyshacl may silently skip a constraint with a
misspelt ``sh:minCount`` or a literal where an IRI belongs, so the data "conforms"
while nothing was checked. We therefore validate the shapes against SHACL-for-SHACL
(the shapes graph in the SHACL spec, appendix C, shipped with pyshacl) before use.
"""

from __future__ import annotations

from pathlib import Path

from pyshacl.entrypoints import meta_validate
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from itugraph.errors import InputError, ShapesError
from itugraph.validation.graphs import load_graph
from itugraph.validation.source_index import SourceIndex
from itugraph.validation.terms import compact, node_text, path_text

#: Shape types counted in reports (node and property shapes with an IRI or not).
_SHAPE_TYPES = (SH.NodeShape, SH.PropertyShape)


def load_shapes(paths: list[Path]) -> Graph:
    """The shapes graph of ``paths``, checked against SHACL-for-SHACL.

    Raises :class:`InputError` when there is no shapes file (validating against nothing
    would pass vacuously) and :class:`ShapesError` naming each malformed shape.
    """
    if not paths:
        raise InputError("no shapes files found", hint="add SHACL shapes under shapes/ "
                         "(or point --shapes at the folder holding them)")
    graph = load_graph(paths)
    check_shapes(graph, SourceIndex.build(paths))
    return graph


def check_shapes(graph: Graph, index: SourceIndex | None = None) -> None:
    """Raise :class:`ShapesError` if ``graph`` does not conform to SHACL-for-SHACL."""
    conforms, report, _text = meta_validate(graph, inference="none")
    if conforms:
        return
    problems = sorted({_problem(graph, report, result, index) for result in
                       report.subjects(SH.resultSeverity, None)})
    raise ShapesError(
        "the SHACL shapes are malformed (they fail SHACL-for-SHACL):\n"
        + "\n".join(f"  - {p}" for p in problems),
        hint="fix the shape named above; see https://www.w3.org/TR/shacl/#shacl-shacl",
    )


def count_shapes(graph: Graph) -> int:
    """How many shapes have an IRI (the ones with an ID in ``shapes/README.md``)."""
    return len({s for t in _SHAPE_TYPES for s in graph.subjects(RDF.type, t)
                if isinstance(s, URIRef)})


def named_shape(graph: Graph, node: Node) -> Node:
    """The nearest shape with an IRI that contains ``node`` (via ``sh:property`` etc.).

    Property shapes are often blank nodes; a reader needs the ID of the shape that
    holds them. Follows ``sh:property``/``sh:node``/logical lists upward.
    """
    seen: set[Node] = set()
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parent = next(iter(graph.subjects(None, node)), None)
        if parent is None:
            break
        node = parent
    return node


def shape_id(node: Node) -> str:
    """The ID of a shape: the part of its IRI after ``#`` (``S07-StudyQuestion-…``)."""
    if isinstance(node, URIRef):
        text = str(node)
        return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]
    return "anonymous-shape"


def _problem(graph: Graph, report: Graph, result: Node, index: SourceIndex | None) -> str:
    focus = report.value(result, SH.focusNode)
    shape = named_shape(graph, focus) if focus is not None else None
    where = index.locate(str(shape)) if index is not None and shape is not None else None
    name = compact(str(shape)) if isinstance(shape, URIRef) else "a blank-node shape"
    path = report.value(result, SH.resultPath)
    message = report.value(result, SH.resultMessage)
    parts = [f"{where}: " if where else "", f"shape {name}"]
    if path is not None:
        parts.append(f", {compact(path_text(report, path))}")
    parts.append(f": {message}" if message is not None else "")
    value = report.value(result, SH.value)
    if value is not None:
        parts.append(f" (value: {node_text(value)})")
    return "".join(parts)
