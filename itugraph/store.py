"""The store interface every command and the web app query through, and its pyoxigraph implementation.

Keeping the engine behind :class:`GraphStore` is what lets the other backend
(:class:`itugraph.remote_store.RemoteSparqlStore`: an external Oxigraph server or Virtuoso
over the SPARQL protocol) replace the embedded store without touching the web app.
pyoxigraph is the embedded engine because it answers our queries 2-450x faster than
rdflib (``docs/engines.md``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

from itugraph.errors import InputError, QueryError, QueryParameterError, QuerySyntaxError
from itugraph.load import Triple
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED
from itugraph.results import QueryOutcome, Term
from itugraph.sparql_text import QueryText


class GraphStore(Protocol):
    """What itugraph needs from a triple store: SPARQL over a fixed, versioned dataset."""

    @property
    def version(self) -> str:
        """Changes whenever the data changes; used for ETags and result-cache keys."""
        ...

    @property
    def blank_nodes_persist(self) -> bool:
        """Whether a blank node of one answer may be bound in the next query (true of an
        embedded store; never of a store behind the SPARQL protocol, where labels are local
        to each answer)."""
        ...

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        limit: int | None = None,
    ) -> QueryOutcome: ...

    def evaluate(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples: ...

    def triples(self, graph: str | None = None) -> Iterator[ox.Triple]: ...

    def graph_names(self) -> list[str]: ...


class OxigraphStore:
    """A built dataset in a pyoxigraph store (on disk, opened read-only, or in memory)."""

    blank_nodes_persist = True

    def __init__(self, store: ox.Store, version: str) -> None:
        self._store = store
        self.version = version

    @classmethod
    def open_read_only(cls, path: Path, version: str) -> OxigraphStore:
        """Open a store directory written by :func:`write_store`; many processes may share it."""
        try:
            return cls(ox.Store.read_only(str(path)), version)
        except OSError as exc:
            raise InputError(
                f"cannot open the store at {path}: {exc}",
                hint="run `itugraph build` again (delete .itugraph/ if it persists)",
            ) from None

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        limit: int | None = None,
    ) -> QueryOutcome:
        """Run ``sparql`` and collect the answer (at most ``limit`` rows, flagged if cut).

        The dataset follows :meth:`evaluate`. For answers of any size, serialise
        :meth:`evaluate`'s result with :mod:`itugraph.answers` instead.
        """
        result = self.evaluate(
            sparql, default_graphs=default_graphs, named_graphs=named_graphs, substitutions=substitutions
        )
        try:
            return collect_outcome(result, limit)
        except (OSError, ValueError, TypeError, RuntimeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def evaluate(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
    ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """The engine's lazy result of ``sparql``, over the dataset the SPARQL 1.1 Protocol
        (§2.1.4) prescribes:

        * with ``default_graphs`` and/or ``named_graphs`` (the protocol's
          ``default-graph-uri``/``named-graph-uri``): exactly those graphs, overriding any
          FROM/FROM NAMED of the query; a list not given is empty;
        * else, with FROM/FROM NAMED in the query: the graphs it names;
        * else the service's default dataset: the union of all graphs as the default graph,
          every named graph available to GRAPH.
        """
        options: dict[str, object] = {}
        if default_graphs is not None or named_graphs is not None:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs or []]
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs or []]
        elif not QueryText(sparql).has_dataset:
            options["use_default_graph_as_union"] = True
        try:
            return self._store.query(
                sparql,
                substitutions={ox.Variable(k): v for k, v in (substitutions or {}).items()} or None,
                **options,  # type: ignore[arg-type]
            )
        except SyntaxError as exc:
            raise QuerySyntaxError(
                f"malformed query: {exc}", hint="check the SPARQL syntax at the position given"
            ) from None
        except RuntimeError as exc:
            if "projection" in str(exc):  # the engine's only signal (see QueryParameterError)
                raise QueryParameterError(
                    f"cannot bind a parameter: {exc}",
                    hint="a named query must list each parameter variable in its "
                    "SELECT clause (or use SELECT *)",
                ) from None
            raise QueryError(f"query failed: {exc}") from None
        except (OSError, ValueError, TypeError) as exc:
            raise QueryError(f"query failed: {exc}") from None

    def triples(self, graph: str | None = None) -> Iterator[ox.Triple]:
        """Triples of one named graph, or of all graphs (each triple once) when ``graph`` is None."""
        if graph is not None:
            for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(graph)):
                yield quad.triple
            return
        seen_asserted = set()
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_ASSERTED)):
            seen_asserted.add(quad.triple)
            yield quad.triple
        for quad in self._store.quads_for_pattern(None, None, None, ox.NamedNode(GRAPH_INFERRED)):
            if quad.triple not in seen_asserted:
                yield quad.triple

    def triple_tuples(self, graph: str | None = None) -> Iterator[Triple]:
        """Like :meth:`triples`, as ``(s, p, o)`` tuples (the reasoner's and validator's input)."""
        return (_as_tuple(t) for t in self.triples(graph))

    def graph_names(self) -> list[str]:
        return sorted(g.value for g in self._store.named_graphs() if isinstance(g, ox.NamedNode))


def _as_tuple(triple: ox.Triple) -> Triple:
    subject, obj = triple.subject, triple.object
    assert not isinstance(subject, ox.Triple) and not isinstance(obj, ox.Triple)
    return (subject, triple.predicate, obj)


def write_store(path: Path, asserted: Iterable[Triple], inferred: Iterable[Triple]) -> None:
    """Write the asserted and inferred triples to a new on-disk store at ``path``."""
    store = ox.Store(str(path))
    for graph, triples in ((GRAPH_ASSERTED, asserted), (GRAPH_INFERRED, inferred)):
        name = ox.NamedNode(graph)
        store.bulk_extend(ox.Quad(s, p, o, name) for s, p, o in triples)
    store.flush()
    store.optimize()
    del store


def collect_outcome(result: object, limit: int | None) -> QueryOutcome:
    """An engine result collected into a :class:`QueryOutcome` (at most ``limit`` rows or
    triples, flagged if cut); every :class:`GraphStore` implementation shares it."""
    if isinstance(result, ox.QueryBoolean):
        return QueryOutcome(kind="ask", boolean=bool(result))
    if isinstance(result, ox.QueryTriples):
        triples = list(islice(result, None if limit is None else limit + 1))
        cut = limit is not None and len(triples) > limit
        return QueryOutcome(kind="graph", triples=triples[:limit] if cut else triples, truncated=cut)
    assert isinstance(result, ox.QuerySolutions)
    variables = [v.value for v in result.variables]
    rows = [tuple(solution) for solution in islice(result, None if limit is None else limit + 1)]
    cut = limit is not None and len(rows) > limit
    return QueryOutcome(kind="select", variables=variables, rows=rows[:limit] if cut else rows, truncated=cut)
