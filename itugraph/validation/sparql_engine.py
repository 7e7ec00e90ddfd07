"""The fast validation engine: the shapes compiled to SPARQL, evaluated by pyoxigraph.

pyshacl walks the graph in Python node by node (and runs each SHACL-SPARQL query once
per focus node), which grows superlinearly: 22 s on a 19k-triple ITU-shaped graph,
minutes at 100k. Here each top shape's focus nodes are computed once into a private
named graph of an in-memory pyoxigraph store, and every constraint is one query joined
with them (see :mod:`~itugraph.validation.compiler` and
:mod:`~itugraph.validation.batching`). The results are the ones pyshacl gives, term for
term; ``tests/validation/test_engine_equality.py`` proves it on every fixture, the real
graph (asserted and inferred), every mutation and a synthetic graph.

Top shapes the compiler cannot express are returned as ``fallback`` with the reason;
the caller validates those with pyshacl (never skipped in silence).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import Graph, Literal
from rdflib.namespace import SH
from rdflib.term import Node

from itugraph import sparql_text
from itugraph.errors import ShapesError
from itugraph.load import Triple
from itugraph.validation.compiler import FOCUS_GRAPH, SHAPES_GRAPH, Check, Plan, TopShape, compile_shapes
from itugraph.validation.graphs import to_rdflib
from itugraph.validation.terms import node_text, path_text, value_text

OxTerm = ox.NamedNode | ox.BlankNode | ox.Literal


@dataclass(frozen=True)
class RawResult:
    """One result before it is located in a file: terms already in report form."""

    shape: Node
    severity: str
    focus_node: str
    path: str | None
    value: str | None
    message: str
    constraint: str


@dataclass
class SparqlRun:
    """What the SPARQL engine found, and what it left to pyshacl."""

    results: list[RawResult]
    triple_count: int
    fallback: dict[Node, str]
    per_node: dict[Node, str]


def store_of(triples: Iterable[Triple]) -> ox.Store:
    """An in-memory store holding ``triples`` in its default graph."""
    store = ox.Store()
    store.bulk_extend(ox.Quad(s, p, o) for s, p, o in triples)
    return store


def run(store: ox.Store, shapes: Graph, plan: Plan | None = None) -> SparqlRun:
    """Validate the default graph of ``store`` against ``shapes`` (compiled unless given)."""
    plan = compile_shapes(shapes) if plan is None else plan
    triple_count = len(store)
    results: list[RawResult] = []
    per_node: dict[Node, str] = {}
    if _reads_shapes_graph(plan):
        _load_shapes_graph(store, shapes)
    try:
        for top in plan.shapes:
            _fill_focus(store, top)
            for check in top.checks:
                results.extend(_CheckRunner(store, shapes, top, check).results())
                if check.sparql is not None and not check.sparql.batched:
                    per_node[check.sparql.node] = check.sparql.why_not_batched or ""
    except (SyntaxError, OSError) as exc:
        raise ShapesError(
            f"a compiled shape query failed in pyoxigraph: {exc}",
            hint="run with --engine pyshacl and report the shape",
        ) from None
    finally:  # leave the caller's store as it was
        for graph in (ox.NamedNode(FOCUS_GRAPH), ox.NamedNode(SHAPES_GRAPH)):
            if graph in store.named_graphs():
                store.remove_graph(graph)
    return SparqlRun(results, triple_count, dict(plan.fallback), per_node)


def _reads_shapes_graph(plan: Plan) -> bool:
    return any(c.sparql is not None and c.sparql.shapes_graph for top in plan.shapes for c in top.checks)


def _load_shapes_graph(store: ox.Store, shapes: Graph) -> None:
    """The shapes graph as the named graph ``$shapesGraph`` names (SHACL §5.3.1)."""
    data = shapes.serialize(format="nt", encoding="utf-8")
    store.load(data, format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(SHAPES_GRAPH))


def _fill_focus(store: ox.Store, top: TopShape) -> None:
    for target in top.targets:
        store.update(target.update, prefixes=target.prefixes or None)


class _CheckRunner:
    """Turns the rows of one check's query into results, the way pyshacl words them."""

    def __init__(self, store: ox.Store, shapes: Graph, top: TopShape, check: Check) -> None:
        self.store = store
        self.shapes = shapes
        self.top = top
        self.check = check
        self.shape_path = shapes.value(check.shape, SH.path)
        severity = shapes.value(check.shape, SH.severity)
        self.severity = str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation"

    def results(self) -> Iterator[RawResult]:
        if self.check.sparql is None:
            for row in select(self.store, self.check.query):
                yield self._core(row)
        else:
            yield from self._sparql()

    # --- core constraints -------------------------------------------------------------

    def _core(self, row: ox.QuerySolution) -> RawResult:
        focus, value, path = row["this"], _get(row, "value"), _get(row, "path")
        return RawResult(
            self.check.shape,
            self.severity,
            _node(focus),
            self._path_shown(path),
            _value(value),
            self._core_message,
            self.check.component,
        )

    def _path_shown(self, path: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> str | None:
        """The result path: the one a row binds, else the shape's own (as pyshacl shows it)."""
        if path is not None:
            return str(path.value)
        return path_text(self.shapes, self.shape_path) if self.shape_path is not None else None

    @functools.cached_property
    def _core_message(self) -> str:
        """The shape's message (English first): the same for every result of the check."""
        messages = [m for m in self.shapes.objects(self.check.shape, SH.message) if isinstance(m, Literal)]
        for wanted in ("en", None):
            for message in messages:
                if message.language == wanted:
                    return str(message)
        if messages:
            return str(messages[0])
        return f"{self.check.component.removesuffix('ConstraintComponent')} constraint not satisfied"

    # --- SPARQL constraints -----------------------------------------------------------

    def _sparql(self) -> Iterator[RawResult]:
        sparql = self.check.sparql
        assert sparql is not None
        seen: set[tuple[object, ...]] = set()
        for focus, names, row in self._sparql_rows():
            bound = {name: term for name, term in zip(names, row, strict=True) if term is not None}
            this = bound.pop("this", focus)
            path = bound.pop("path", None)
            value = bound.pop("value", None)
            key = (this, path, value, frozenset(bound.items()))
            if key in seen:  # pyshacl drops repeated rows of one focus node
                continue
            seen.add(key)
            if value is None and self.check.value_is_focus:
                value = this
            variables = {"this": this, "path": path, "value": value, **bound}
            yield RawResult(
                self.check.shape,
                self.severity,
                _node(this),
                self._path_shown(path),
                _value(value),
                self._sparql_message(variables),
                self.check.component,
            )

    def _sparql_rows(self) -> Iterator[tuple[OxTerm | None, list[str], ox.QuerySolution]]:
        """(focus node if evaluated per node, variable names, row) for each solution."""
        sparql = self.check.sparql
        assert sparql is not None
        if sparql.batched:
            solutions = select(self.store, sparql.query, prefixes=sparql.prefixes)
            names = [v.value for v in solutions.variables]
            for row in solutions:
                yield None, names, row
            return
        for focus in self._focus_nodes():
            solutions = self._prebound(sparql.query, sparql.prefixes, focus)
            names = [v.value for v in solutions.variables]
            for row in solutions:
                yield focus, names, row

    def _prebound(self, query: str, prefixes: dict[str, str], focus: OxTerm) -> ox.QuerySolutions:
        """The solutions with ``$this`` pre-bound to ``focus`` as SHACL defines it (textually).

        A blank node has no SPARQL constant: it is joined in with pyoxigraph's
        ``substitutions`` instead, which differs only for a ``$this`` in a nested group's
        ``FILTER`` or a sub-``SELECT`` that does not project it.
        """
        if isinstance(focus, ox.BlankNode):
            return select(self.store, query, prefixes=prefixes, substitutions={ox.Variable("this"): focus})
        return select(self.store, sparql_text.prebind(query, "this", str(focus)), prefixes=prefixes)

    def _focus_nodes(self) -> list[OxTerm]:
        query = f"SELECT ?this WHERE {{ GRAPH <{FOCUS_GRAPH}> {{ <{self.top.key}> ?p ?this }} }}"
        return [row["this"] for row in select(self.store, query)]

    def _sparql_message(self, variables: dict[str, OxTerm | None]) -> str:
        """pyshacl: the constraint's message (else the shape's), with ``{?var}`` filled in."""
        sparql = self.check.sparql
        assert sparql is not None
        candidates = list(sparql.messages) or [
            m for m in self.shapes.objects(self.check.shape, SH.message) if isinstance(m, Literal)
        ]
        if not candidates:
            return "SPARQL constraint not satisfied"
        english = [m for m in candidates if m.language == "en"]
        message = str((english or candidates)[0])
        for name, term in variables.items():
            if term is not None:
                message = re.sub("{[?$]" + name + "}", str(term.value), message)
        return message


def select(store: ox.Store, query: str, **options: object) -> ox.QuerySolutions:
    """The solutions of a SELECT query (the compiler only writes SELECTs)."""
    solutions = store.query(query, **options)  # type: ignore[arg-type]
    assert isinstance(solutions, ox.QuerySolutions)
    return solutions


def _get(row: ox.QuerySolution, name: str) -> OxTerm | None:
    try:
        return row[name]
    except (KeyError, IndexError, TypeError):
        return None


def _node(term: OxTerm | None) -> str:
    return node_text(to_rdflib(term)) if term is not None else ""


def _value(term: OxTerm | None) -> str | None:
    return value_text(to_rdflib(term)) if term is not None else None
