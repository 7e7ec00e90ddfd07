"""The request mix of the soak (``bench.soak``): what its clients ask, and what counts as right.

A public itugraph server sees mostly reads of finished things: named catalogue queries
(answered from the result cache after the first time), SPARQL queries people edit (each
text new, so each one evaluated and cached, filling the result cache to its bound),
linked-data pages in HTML and RDF (filling the replay and document caches), listings,
search and views, and dump downloads. Beside them, a few requests the server must refuse
by its documented limits: a query text over ``ITUGRAPH_MAX_QUERY_BYTES`` (413), an answer
over ``ITUGRAPH_MAX_ROWS`` (422), and runaway queries that run into the time limit (503
``QUERY_TIMEOUT``; 429 ``CLIENT_BUSY`` when the same client already has one running).

A request's outcome is ``ok`` (the answer expected), ``limit`` (the documented refusal its
kind asks for, recognised by status *and* error code) or ``error`` (anything else,
including a 200 where a limit should have refused: a limit not enforced is a failure).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from urllib.parse import quote

from bench.queries import BenchQuery

#: The weights of the kinds a normal client draws from (per 100 requests).
WEIGHTS: dict[str, int] = {
    "catalogue": 20,  # GET /api/queries/NAME: a named query, as the catalogue page runs it
    "sparql": 10,  # POST /sparql: a query a person edits (a new text each time: no cache hit)
    "page": 25,  # GET /id/…: a resource's HTML page
    "data": 15,  # GET /id/…: the same resource as Turtle or JSON-LD
    "browse": 18,  # listings, search, views, the ontology's page, VoID
    "dump": 10,  # GET /dumps/…: a whole dump
    "too-large": 1,  # a query text over the size limit
    "too-many-rows": 1,  # an answer over the row limit
}
#: What a runaway client sends, back to back (with a pause): a three-way cross product.
RUNAWAY = "runaway"
RUNAWAY_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
#: An answer with every triple: over any row limit the soak sets below the graph's size.
ALL_ROWS_QUERY = "SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }"

#: The documented answers of the time limit: the query ran over it, or it waited that long
#: for a query worker (``docs/decisions.md``: 503 ``SERVER_BUSY``).
TIME_LIMIT = ("QUERY_TIMEOUT", "SERVER_BUSY")
#: The documented refusals a query kind may get: status -> the error codes of its body.
LIMIT_ANSWERS: dict[str, dict[int, tuple[str, ...]]] = {
    "catalogue": {503: TIME_LIMIT},
    "sparql": {503: TIME_LIMIT},
    "too-large": {413: ("QUERY_TOO_LARGE",)},
    "too-many-rows": {422: ("RESULT_TOO_LARGE",), 503: TIME_LIMIT},
    RUNAWAY: {503: TIME_LIMIT, 429: ("CLIENT_BUSY",)},
}
#: Kinds whose every answer must be a refusal: a 200 means the limit was not enforced.
MUST_REFUSE = frozenset({"too-large", "too-many-rows", RUNAWAY})

SPARQL_QUERY = "application/sparql-query"
RESULTS_JSON = "application/sparql-results+json"
#: Pages that are not one resource: listings, search, views and documentation.
BROWSE_PATHS = (
    "/",
    "/id/",
    "/search?q=telecommunication",
    "/search?q=radio",
    "/search?q=development",
    "/views/org-chart",
    "/views/wsis-sdg",
    "/views/timeline",
    "/def/itu",
    "/.well-known/void",
    "/dumps/",
)
DATA_TYPES = ("text/turtle", "application/ld+json", "application/n-triples")


@dataclass(frozen=True)
class SoakRequest:
    """One HTTP request of the mix, ready to send."""

    kind: str
    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = b""
    #: What the report names it by: the named query's name, else the path.
    label: str = ""


@dataclass(frozen=True)
class Catalogue:
    """What the server offers, read from it before the run (``bench.soak.discover``)."""

    #: Names of the named queries the API answers with their defaults.
    named: list[str]
    #: Query texts as a person edits them: the catalogue as the query page shows it
    #: (parameters bound by ``VALUES``) and the bench's other shapes (``bench.queries``).
    edits: list[BenchQuery]
    #: Resource IRIs' paths (``/id/…``), spread over the graph.
    resources: list[str]
    #: Dump paths (``/dumps/…``).
    dumps: list[str]
    #: The query size limit in bytes (the too-large request is just over it).
    max_query_bytes: int = 256 * 1024


class Mix:
    """Draws the next request of a normal client; ``counter`` makes each edited query new."""

    def __init__(self, catalogue: Catalogue) -> None:
        if not catalogue.named or not catalogue.edits or not catalogue.resources or not catalogue.dumps:
            raise ValueError("the soak needs named queries, resources and dumps to draw from")
        self._cat = catalogue
        self._kinds = list(WEIGHTS)
        self._weights = [WEIGHTS[k] for k in self._kinds]
        self._counter = 0

    def draw(self, rng: random.Random) -> SoakRequest:
        kind = rng.choices(self._kinds, self._weights)[0]
        return self.build(kind, rng)

    def build(self, kind: str, rng: random.Random) -> SoakRequest:
        """A request of ``kind``, its particulars drawn with ``rng``."""
        if kind == "catalogue":
            name = rng.choice(self._cat.named)
            return SoakRequest(kind, "GET", query_link(name), _accept(RESULTS_JSON), label=name)
        if kind == "sparql":
            self._counter += 1  # thread-safety is not needed: a repeated text is only a cache hit
            query = rng.choice(self._cat.edits)
            return _sparql(kind, query.render(self._counter), query.name, query.accept)
        if kind == "page":
            return SoakRequest(kind, "GET", rng.choice(self._cat.resources), _accept("text/html"))
        if kind == "data":
            return SoakRequest(kind, "GET", rng.choice(self._cat.resources), _accept(rng.choice(DATA_TYPES)))
        if kind == "browse":
            return SoakRequest(kind, "GET", rng.choice(BROWSE_PATHS), _accept("text/html"))
        if kind == "dump":
            return SoakRequest(kind, "GET", rng.choice(self._cat.dumps), _accept("*/*"))
        if kind == "too-large":
            padding = "#" + "x" * self._cat.max_query_bytes + "\n"
            return _sparql(kind, padding + "ASK { ?s ?p ?o }")
        if kind == "too-many-rows":
            return _sparql(kind, ALL_ROWS_QUERY)
        if kind == RUNAWAY:
            return _sparql(kind, RUNAWAY_QUERY)
        raise ValueError(f"unknown request kind {kind!r}")


def _accept(media_type: str) -> tuple[tuple[str, str], ...]:
    return (("Accept", media_type),)


def _sparql(kind: str, text: str, label: str = "", accept: str = RESULTS_JSON) -> SoakRequest:
    headers = (("Content-Type", SPARQL_QUERY), ("Accept", accept))
    return SoakRequest(kind, "POST", "/sparql", headers, text.encode(), label)


def outcome(kind: str, status: int, head: bytes) -> str:
    """``ok``, ``limit`` or ``error`` for an answer of ``status`` whose body starts with ``head``.

    >>> outcome("page", 200, b"<!doctype html>")
    'ok'
    >>> outcome("runaway", 503, b"503 QUERY_TIMEOUT: the query ran longer")
    'limit'
    >>> outcome("page", 503, b"503 QUERY_TIMEOUT: the query ran longer")
    'error'
    >>> outcome("too-large", 200, b"{}")
    'error'
    """
    if status == 200:
        return "error" if kind in MUST_REFUSE else "ok"
    codes = LIMIT_ANSWERS.get(kind, {}).get(status, ())
    return "limit" if any(code.encode() in head for code in codes) else "error"


def answer_code(status: int, head: bytes) -> str:
    """The status and error code of an error answer, as its body's first line names them.

    >>> answer_code(503, b"503 QUERY_TIMEOUT: the query ran longer than the 10 s limit")
    '503 QUERY_TIMEOUT'
    >>> answer_code(0, b"")
    '0'
    """
    first = head.split(b"\n", 1)[0].split(b":", 1)[0].decode("utf-8", "replace")
    words = first.split()
    if len(words) == 2 and words[0] == str(status) and words[1].replace("_", "").isalnum():
        return first
    return str(status)


def query_link(name: str) -> str:
    """The catalogue API path of a named query (names are URL-safe, quoted all the same)."""
    return f"/api/queries/{quote(name, safe='')}"
