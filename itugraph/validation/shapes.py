"""Loading the shapes graph and refusing a malformed one, naming the broken shape.

A malformed shape is worse than none: pyshacl may silently skip a constraint with a
misspelt ``sh:minCount`` or a literal where an IRI belongs, so the data "conforms"
while nothing was checked. We therefore validate the shapes against SHACL-for-SHACL
(the shapes graph in the SHACL spec, appendix C, shipped with pyshacl) before use.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from pyparsing import ParseException
from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
from pyshacl.entrypoints import meta_validate
from pyshacl.errors import ConstraintLoadWarning, ReportableRuntimeError
from pyshacl.shapes_graph import ShapesGraph
from rdflib import RDF, BNode, Graph, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from itugraph.errors import InputError, ShapesError
from itugraph.validation.compiler import declared_prefixes
from itugraph.validation.graphs import load_graph
from itugraph.validation.prebinding import prebinding_problems
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
        raise InputError(
            "no shapes files found",
            hint="add SHACL shapes under shapes/ (or point --shapes at the folder holding them)",
        )
    graph = load_graph(paths)
    check_shapes(graph, SourceIndex.build(paths))
    return graph


def check_shapes(graph: Graph, index: SourceIndex | None = None) -> None:
    """Raise :class:`ShapesError` if a shape in ``graph`` is malformed, naming each one.

    Three checks, because each sees what the others cannot: SHACL-for-SHACL (structure
    and value types), building every constraint the way pyshacl will (``sh:minCount -1``
    passes SHACL-for-SHACL), and parsing every ``sh:select``/``sh:ask`` query.
    """
    conforms, report, _text = meta_validate(_sequence_paths_only(graph), inference="none")
    problems = (
        []
        if conforms
        else sorted(
            {_problem(graph, report, result, index) for result in report.subjects(SH.resultSeverity, None)}
        )
    )
    if not problems:
        problems = (
            _constraint_problems(graph, index)
            + _sparql_problems(graph, index)
            + _prebinding_problems(graph, index)
        )
    if not problems:
        return
    raise ShapesError(
        "the SHACL shapes are malformed:\n" + "\n".join(f"  - {p}" for p in problems),
        hint="fix the shape named above; see https://www.w3.org/TR/shacl/#shacl-shacl",
    )


def count_shapes(graph: Graph) -> int:
    """How many shapes have an IRI (the ones with an ID in ``shapes/README.md``)."""
    return len({s for t in _SHAPE_TYPES for s in graph.subjects(RDF.type, t) if isinstance(s, URIRef)})


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


def _constraint_problems(graph: Graph, index: SourceIndex | None) -> list[str]:
    """Build each shape's constraint components as pyshacl will, collecting load errors."""
    try:
        shapes = list(ShapesGraph(graph).shapes)
    except ReportableRuntimeError as exc:
        return [str(exc).splitlines()[0]]
    problems = []
    for shape in shapes:
        for parameter, _value in graph.predicate_objects(shape.node):
            component = CONSTRAINT_PARAMETERS_MAP.get(parameter)
            if component is None:
                continue
            try:
                component(shape)
            except ConstraintLoadWarning:  # pyshacl skips such a component, as SHACL does: e.g.
                continue  # sh:qualifiedMinCount without sh:qualifiedValueShape (qualified-001)
            except ReportableRuntimeError as exc:
                problems.append(f"{_where_and_name(graph, shape.node, index)}: {str(exc).splitlines()[0]}")
    return sorted(set(problems))


def _sparql_problems(graph: Graph, index: SourceIndex | None) -> list[str]:
    """Parse every SHACL-SPARQL query with its declared prefixes (pyshacl parses late)."""
    problems = []
    for predicate in (SH.select, SH.ask):
        for holder, query in graph.subject_objects(predicate):
            try:
                prepareQuery(str(query), initNs=declared_prefixes(graph, holder))
            except ParseException as exc:
                problems.append(
                    f"{_where_and_name(graph, holder, index)}: SPARQL syntax error "
                    f"in {compact(str(predicate))}: {exc}"
                )
            except Exception as exc:  # rdflib raises a plain Exception for
                # unknown prefixes ("Unknown namespace prefix : x"), nothing narrower
                problems.append(f"{_where_and_name(graph, holder, index)}: {exc}")
    return sorted(problems)


def _prebinding_problems(graph: Graph, index: SourceIndex | None) -> list[str]:
    """SHACL appendix A (pre-binding): what SPARQL constraints and validators may not contain."""
    problems = []
    for holder, query, prebound in _prebinding_queries(graph):
        for problem in prebinding_problems(str(query), prebound):
            problems.append(f"{_where_and_name(graph, holder, index)}: {problem}")
    return sorted(set(problems))


def _prebinding_queries(graph: Graph) -> Iterator[tuple[Node, Node, frozenset[str]]]:
    """(holder, query, its potentially pre-bound variables) of every constraint and validator."""
    shape_variables = frozenset({"this", "shapesGraph", "currentShape"})
    for constraint in set(graph.objects(None, SH.sparql)):
        for query in graph.objects(constraint, SH.select):
            yield constraint, query, shape_variables
    for component in set(graph.subjects(SH.parameter, None)):
        parameters = frozenset(_parameter_name(graph, p) for p in graph.objects(component, SH.parameter))
        for kind in (SH.validator, SH.nodeValidator, SH.propertyValidator):
            for validator in graph.objects(component, kind):
                for query in graph.objects(validator, SH.select):
                    yield validator, query, shape_variables | parameters
                for query in graph.objects(validator, SH.ask):
                    yield validator, query, shape_variables | parameters | {"value"}


def _parameter_name(graph: Graph, parameter: Node) -> str:
    """A parameter's variable: the local name of its ``sh:path`` (SHACL §6.2)."""
    path = str(graph.value(parameter, SH.path) or "")
    return re.split(r"[#/:]", path)[-1]


def _sequence_paths_only(graph: Graph) -> Graph:
    """``graph`` for SHACL-for-SHACL, each path node that is a list seen only as a sequence path.

    A blank node that is a SHACL list *is* a sequence path (§2.3.1.1), whatever else it
    carries; SHACL-for-SHACL's ``shsh:PathShape`` wants exactly one path form and refuses
    it. The W3C suite's ``path-strange-002`` validates such a shape as a sequence path.
    """
    strange = [
        (node, operator, value)
        for node in set(graph.objects(None, SH.path))
        if (node, RDF.first, None) in graph
        for operator in _PATH_OPERATORS
        for value in graph.objects(node, operator)
    ]
    if not strange:
        return graph
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    for triple in strange:
        copy.remove(triple)
    return copy


_PATH_OPERATORS = (SH.inversePath, SH.alternativePath, SH.zeroOrMorePath, SH.oneOrMorePath, SH.zeroOrOnePath)


def _where_and_name(graph: Graph, node: Node, index: SourceIndex | None) -> str:
    shape = named_shape(graph, node)
    where = index.locate(str(shape)) if index is not None else None
    name = compact(str(shape)) if isinstance(shape, URIRef) else "a blank-node shape"
    return f"{where}: shape {name}" if where else f"shape {name}"


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
