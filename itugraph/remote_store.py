"""The store interface over an external SPARQL endpoint that ``itugraph publish`` loaded.

The store holds each published version under versioned graph names and a pointer graph
naming the live one (:mod:`itugraph.publication`). This store reads the pointer (again
after ``pointer_ttl`` seconds) and answers every query over exactly that version:

* the stable graph IRIs in the query text (``GRAPH <…/graph/asserted>``, ``FROM
  g:inferred``: in full or as prefixed names) are rewritten to the live versioned ones,
  and the versioned ones in the answer back to the stable ones, so clients never see a
  version suffix;
* without a dataset in the query or the request, the default graph is the union of the
  live graphs and they are the named graphs (the embedded store's default dataset);
* parameters (``substitutions``) become a ``VALUES`` block opening the WHERE group.

Answers come back as the engine's own result objects (SPARQL JSON results parsed by
pyoxigraph; graphs through a small in-memory store), so the serialisers, formats, size
limit and streaming of the embedded backend apply unchanged.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import pyoxigraph as ox

from itugraph.errors import QueryError, QuerySyntaxError, StoreError
from itugraph.publication import Publication, read_publication
from itugraph.results import QueryOutcome, Term
from itugraph.sparql_client import N_TRIPLES, SPARQL_JSON, Credentials, ProtocolClient, Retry
from itugraph.sparql_text import QueryText, rename_iris, where_brace
from itugraph.store import collect_outcome

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples

#: Seconds the pointer graph may take to read (it is a few triples).
POINTER_TIMEOUT = 5.0
#: Seconds a read of a whole publication may take (every label for the site index, every
#: triple of a graph for the dumps): far beyond a query's time limit at 1M triples.
BULK_TIMEOUT = 900.0


@dataclass(frozen=True)
class RemoteStoreConfig:
    """What a process needs to open the remote store (picklable: query workers get it)."""

    query_url: str
    credentials: Credentials | None = field(default=None, repr=False)
    #: Seconds a request to the store may take (the query time limit).
    timeout: float = 30.0
    #: Seconds the live publication is trusted before the pointer is read again.
    pointer_ttl: float = 1.0

    def open(self) -> RemoteSparqlStore:
        return RemoteSparqlStore(self)


class RemoteSparqlStore:
    """A published dataset in an external SPARQL 1.1 store (see the module)."""

    blank_nodes_persist = False  # blank-node labels are local to each answer (SPARQL 1.1)

    def __init__(self, config: RemoteStoreConfig) -> None:
        self._config = config
        # One attempt: a reader's query is not retried behind its back (the balancer may).
        self._client = ProtocolClient(
            query_url=config.query_url,
            credentials=config.credentials,
            retry=Retry(attempts=1, timeout=config.timeout),
        )
        # The pointer is read under a short time-out of its own: a store that hangs must
        # not hold every request behind the lock for a whole query time limit.
        self._pointer_client = ProtocolClient(
            query_url=config.query_url,
            credentials=config.credentials,
            retry=Retry(attempts=1, timeout=min(POINTER_TIMEOUT, config.timeout)),
        )
        self._lock = threading.Lock()
        self._live: Publication | None = None
        self._read_at = 0.0
        self._pinned = False

    @property
    def config(self) -> RemoteStoreConfig:
        return self._config

    def pinned(self, live: Publication, *, bulk: bool = False) -> RemoteSparqlStore:
        """This store fixed to one publication, whatever the pointer says meanwhile: what
        is derived from many queries (the site index, the dumps, the dataset description)
        must come from one version. ``bulk``: under :data:`BULK_TIMEOUT`, for reads of the
        whole publication rather than a reader's query."""
        config = self._config
        if bulk:
            config = dataclasses.replace(config, timeout=max(config.timeout, BULK_TIMEOUT))
        store = RemoteSparqlStore(config)
        store._live, store._pinned = live, True
        return store

    @property
    def version(self) -> str:
        """The live publication's id: answers and their cache keys change with it."""
        return self.publication().id

    def publication(self) -> Publication:
        """The live publication, read from the pointer graph at most every ``pointer_ttl`` s."""
        with self._lock:
            now = time.monotonic()
            if self._pinned and self._live is not None:
                return self._live
            if self._live is None or now - self._read_at >= self._config.pointer_ttl:
                live = read_publication(self._pointer_client)
                if live is None:
                    raise StoreError(
                        f"nothing is published at {self._config.query_url}",
                        hint="run `itugraph publish --to GSP_URL --query-url QUERY_URL` first",
                    )
                self._live, self._read_at = live, now
            return self._live

    def query(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
        limit: int | None = None,
    ) -> QueryOutcome:
        """Like :meth:`itugraph.store.OxigraphStore.query`."""
        result = self.evaluate(
            sparql, default_graphs=default_graphs, named_graphs=named_graphs, substitutions=substitutions
        )
        return collect_outcome(result, limit)

    def evaluate(
        self,
        sparql: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        substitutions: Mapping[str, Term] | None = None,
    ) -> Result:
        """The answer over the live publication, with the embedded store's dataset rules."""
        lexed = QueryText(sparql)
        _check_syntax(sparql, lexed)
        live = self.publication()
        text = _with_values(_to_versioned(sparql, live), substitutions or {})
        protocol_graphs = _dataset(live, lexed, default_graphs, named_graphs)
        graph_form = lexed.form in {"construct", "describe"}
        body = self._send(text, N_TRIPLES if graph_form else SPARQL_JSON, protocol_graphs)
        body = _to_stable(body, live)
        try:
            if graph_form:
                return _as_query_triples(body)
            result = ox.parse_query_results(_plain_blank_nodes(body), format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise QueryError(f"the store sent an answer that does not parse: {exc}") from None
        if lexed.form == "ask" and isinstance(result, ox.QuerySolutions):
            return _ask_from_row(result)
        return result

    def _send(self, text: str, accept: str, graphs: tuple[list[str] | None, list[str] | None]) -> bytes:
        try:
            return self._client.query_bytes(
                text, accept, default_graphs=graphs[0], named_graphs=graphs[1], timeout=self._config.timeout
            )
        except StoreError as exc:
            if "HTTP 400" in exc.message:  # the store refused what our parser accepted
                detail = exc.message.split("HTTP 400", 1)[1].split(": ", 1)[-1]
                raise QueryError(f"the store refused the query: {detail}") from None
            raise

    def triples(self, graph: str | None = None) -> Iterator[ox.Triple]:
        """Triples of one named graph (a stable name), or of the union."""
        where = f"GRAPH <{graph}> {{ ?s ?p ?o }}" if graph else "?s ?p ?o"
        result = self.evaluate(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {where} }}")
        assert isinstance(result, ox.QueryTriples)
        yield from result

    def graph_names(self) -> list[str]:
        return sorted(self.publication().graphs)

    def ping(self) -> str:
        """The live publication id, read from the store now (for the readiness check)."""
        with self._lock:
            self._live = None
        return self.version


def _check_syntax(sparql: str, lexed: QueryText) -> None:
    """Parse with our own engine first, so a malformed query gets the embedded backend's
    message and position whatever the store (evaluated over an empty store: instant). A
    query calling SERVICE is left to the store: evaluating it here would call the service."""
    if lexed.service_iris:
        return
    try:
        ox.Store().query(sparql)
    except SyntaxError as exc:
        raise QuerySyntaxError(
            f"malformed query: {exc}", hint="check the SPARQL syntax at the position given"
        ) from None
    except (RuntimeError, OSError, ValueError, TypeError):
        return


def _ask_from_row(result: ox.QuerySolutions) -> ox.QueryBoolean:
    """An ASK answered as one row of one value (Virtuoso's JSON: ``__ASK_RETVAL`` = 1)."""
    row = next(iter(result), None)
    value = row[0] if row is not None else None
    truth = isinstance(value, ox.Literal) and value.value in {"1", "true"}
    answer = ox.parse_query_results(
        b'{"head":{},"boolean":' + (b"true" if truth else b"false") + b"}", format=ox.QueryResultsFormat.JSON
    )
    assert isinstance(answer, ox.QueryBoolean)
    return answer


def _dataset(
    live: Publication, lexed: QueryText, default_graphs: list[str] | None, named_graphs: list[str] | None
) -> tuple[list[str] | None, list[str] | None]:
    """The protocol's ``default-graph-uri``/``named-graph-uri`` for this query."""
    mapping = live.graphs
    if default_graphs is not None or named_graphs is not None:
        return [mapping.get(g, g) for g in default_graphs or []], [
            mapping.get(g, g) for g in named_graphs or []
        ]
    if lexed.has_dataset:
        return None, None
    versioned = sorted(mapping.values())
    return versioned, versioned


def _to_versioned(sparql: str, live: Publication) -> str:
    """The stable graph IRIs of the query written as the live versioned ones, however the
    query names them: ``<…/graph/asserted>``, ``g:asserted`` after ``PREFIX g:
    <…/graph/>``, or relative to its ``BASE`` (by the one lexer: never inside a string)."""
    return rename_iris(sparql, live.graphs)


def _to_stable(body: bytes, live: Publication) -> bytes:
    """The versioned graph IRIs in an answer back to their stable names (exact: the
    versioned names hold a unique publication id)."""
    for stable, versioned in live.graphs.items():
        body = body.replace(versioned.encode(), stable.encode())
    return body


def _plain_blank_nodes(body: bytes) -> bytes:
    """Blank-node labels as SPARQL JSON allows them: Virtuoso writes ``nodeID://b10007``,
    which is no blank-node label (labels are local to the answer: any will do)."""
    return _VIRTUOSO_BNODE.sub(rb'"\1"', body) if b"nodeID://" in body else body


_VIRTUOSO_BNODE = re.compile(rb'"nodeID://([A-Za-z0-9_]+)"')


def _with_values(sparql: str, substitutions: Mapping[str, Term]) -> str:
    """The query with its parameters bound by a ``VALUES`` block opening its WHERE group
    (bound before the pattern, as the embedded engine's substitution binds them; a
    trailing VALUES clause is not accepted after ASK by every store)."""
    if not substitutions:
        return sparql
    names = " ".join(f"?{name}" for name in substitutions)
    values = " ".join(str(term) for term in substitutions.values())
    block = f"VALUES ({names}) {{ ({values}) }}"
    brace = where_brace(sparql)
    if brace is None:
        return f"{sparql}\n{block}"
    return f"{sparql[: brace + 1]} {block} {sparql[brace + 1 :]}"


def _as_query_triples(ntriples: bytes) -> ox.QueryTriples:
    """N-Triples as the engine's CONSTRUCT result, so the same serialisers write it."""
    scratch = ox.Store()
    scratch.load(ntriples, format=ox.RdfFormat.N_TRIPLES)
    result = scratch.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QueryTriples)
    return result
