"""The SPARQL 1.1 Protocol endpoint at ``/sparql`` and the service description.

Protocol: https://www.w3.org/TR/sparql11-protocol/ — query via GET, POST form, or POST
``application/sparql-query``; ``default-graph-uri``/``named-graph-uri`` honoured; updates
refused (read-only); answers negotiated from ``Accept`` or ``format=``.
"""

from __future__ import annotations

import calendar
import functools
import hashlib
import time
from collections.abc import Iterator, Mapping

import pyoxigraph as ox
from flask import Blueprint, Response, request

from itugraph import formats
from itugraph.answers import ResultTooLargeError
from itugraph.errors import (
    QueryError,
    QuerySyntaxError,
    QueryTimeoutError,
    QueryTooDeepError,
    QueryWorkerCrashedError,
    ServiceRefusedError,
    StoreError,
    UpdateRefusedError,
)
from itugraph.executor import AnswerStream, QueryRequest, QueryResponse, ServerBusyError
from itugraph.results import Term
from itugraph.sparql_text import QueryText, check_query_text
from itugraph.web.client_address import client_address, client_key
from itugraph.web.config import Settings
from itugraph.web.errors import ApiError, store_unavailable
from itugraph.web.result_cache import ResultCache
from itugraph.web.service_description import service_description
from itugraph.web.state import state

bp = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    """Answer a query, or describe the service when no query is given."""
    text = _query_text()
    if text is None:
        return service_description()
    graphs = _param_list("default-graph-uri"), _param_list("named-graph-uri")
    return answer_query(text, default_graphs=graphs[0] or None, named_graphs=graphs[1] or None)


def answer_query(
    text: str,
    *,
    default_graphs: list[str] | None = None,
    named_graphs: list[str] | None = None,
    substitutions: Mapping[str, Term] | None = None,
) -> Response:
    """Check, negotiate and answer a query: from the cache, or streamed from a worker.

    Every error (syntax, time limit, the optional size limit) is raised before the first
    byte of the answer: the worker evaluates the query and checks its size before it
    writes. The answer itself is never cut; a small one is also kept in the result cache.
    """
    serving = state()
    settings = serving.settings
    _check_size(text, settings)
    lexed = QueryText(text)
    _check_text(lexed, settings)
    form = lexed.form
    kind: formats.Kind = "rdf" if form in {"construct", "describe"} else "results"
    choice = formats.choose(request.headers.get("Accept"), _param("format"), kind)
    if choice is None:
        _raise_if_malformed(text)
        raise ApiError(
            406,
            "NOT_ACCEPTABLE",
            f"cannot answer a {form or 'this'} query in the requested format",
            hint="accept one of: " + ", ".join(formats.media_types(kind)),
        )
    fmt = choice.format
    max_rows = settings.max_rows or None
    query = QueryRequest(
        text,
        results_format=fmt.name if kind == "results" else "json",
        rdf_format=fmt.name if kind == "rdf" else "ttl",
        default_graphs=default_graphs,
        named_graphs=named_graphs,
        substitutions=dict(substitutions or {}),
        max_rows=max_rows,
    )
    key = _cache_key(_dataset_version(), lexed.normalised, query)
    etag = hashlib.sha256(repr(key).encode()).hexdigest()[:20]
    if request.if_none_match.contains_weak(etag):
        return _with_caching(Response(status=304), etag, settings)
    cached = serving.cache.get(key)
    serving.metrics.count("cache_hits" if cached else "cache_misses")
    if cached is not None:
        out = Response(cached.body, status=200, content_type=choice.content_type)
        out.headers["X-Itugraph-Cache"] = "hit"
        return _with_caching(out, etag, settings)
    answer = _start(query, settings)
    if answer.whole is not None:  # came in one piece: a plain body, with a Content-Length
        serving.cache.put(key, QueryResponse(answer.kind, answer.whole))
        out = Response(answer.whole, status=200, content_type=choice.content_type)
        out.headers["X-Itugraph-Cache"] = "miss"
        return _with_caching(out, etag, settings)
    out = Response(
        _cached_while_streaming(answer, key, serving.cache), status=200, content_type=choice.content_type
    )
    out.implicit_sequence_conversion = False  # anything that would buffer it fails loudly
    out.call_on_close(answer.close)
    out.headers["X-Itugraph-Cache"] = "miss"
    return _with_caching(out, etag, settings)


def _cached_while_streaming(
    answer: AnswerStream, key: tuple[object, ...], cache: ResultCache
) -> Iterator[bytes]:
    """The answer's chunks; a complete answer small enough for the cache is kept there.

    It runs after the view has returned, outside the request context: what it needs is
    passed in, not looked up.
    """
    kept: list[bytes] | None = []
    size = 0
    for chunk in answer:
        if kept is not None:
            size += len(chunk)
            if size <= cache.max_entry_bytes:
                kept.append(chunk)
            else:
                kept = None
        yield chunk
    if kept is not None:
        cache.put(key, QueryResponse(answer.kind, b"".join(kept)))


def _dataset_version() -> str:
    """The version answers come from: the build's, or the external store's live publication."""
    try:
        return state().backend.version
    except StoreError as exc:
        raise store_unavailable(exc) from None


def _start(query: QueryRequest, settings: Settings) -> AnswerStream:
    serving = state()
    client = client_key(client_address(request.environ, settings.trusted_proxies))
    with serving.clients.slot(client) as free:
        if not free:
            raise ApiError(
                429,
                "CLIENT_BUSY",
                f"this client already has {settings.max_queries_per_client} queries running",
                "wait for them to finish (ITUGRAPH_MAX_QUERIES_PER_CLIENT)",
                {"Retry-After": "5"},
            )
        return _evaluate(query, settings)


def _evaluate(query: QueryRequest, settings: Settings) -> AnswerStream:
    """Evaluate in a worker (the slot is held meanwhile: runaway queries spend their time here)."""
    serving = state()
    timeout = settings.query_timeout
    try:
        return serving.executor.stream(query, timeout=timeout)
    except StoreError as exc:
        raise store_unavailable(exc) from None
    except QueryTimeoutError as exc:
        serving.metrics.count("timeouts")
        raise ApiError(503, exc.code, exc.message, exc.hint) from None
    except ServerBusyError as exc:
        raise ApiError(503, exc.code, exc.message, exc.hint, {"Retry-After": "5"}) from None
    except QueryWorkerCrashedError as exc:
        raise ApiError(503, exc.code, exc.message, exc.hint) from None
    except ResultTooLargeError as exc:
        raise ApiError(422, exc.code, exc.message, exc.hint) from None
    except QuerySyntaxError as exc:
        raise ApiError(400, exc.code, exc.message, exc.hint) from None
    except QueryError as exc:
        raise ApiError(400, exc.code, exc.message, exc.hint) from None


def _raise_if_malformed(text: str) -> None:
    """A syntax error beats a 406: parse (without evaluating) against an empty store."""
    try:
        ox.Store().query(text)
    except SyntaxError as exc:
        raise ApiError(400, "QUERY_SYNTAX", f"malformed query: {exc}") from None
    except (RuntimeError, OSError, ValueError):
        return


def _check_size(text: str, settings: Settings) -> None:
    """Checked before anything reads the text, so a huge body costs nothing more."""
    limit = settings.max_query_bytes
    if len(text.encode("utf-8", "surrogatepass")) > limit:
        raise ApiError(
            413,
            "QUERY_TOO_LARGE",
            f"the query is longer than {limit} bytes",
            hint="shorten the query (large VALUES blocks belong in a file)",
        )


def _check_text(lexed: QueryText, settings: Settings) -> None:
    allow = settings.service_allow
    try:
        check_query_text(lexed, service_allow=allow, max_depth=settings.max_query_depth)
    except (UpdateRefusedError, ServiceRefusedError) as exc:
        raise ApiError(403, exc.code, exc.message, exc.hint) from None
    except QueryTooDeepError as exc:
        raise ApiError(400, exc.code, exc.message, exc.hint) from None


def _query_text() -> str | None:
    """The query of a protocol request; None only for a GET without one (the service
    description). A form POST without ``query``, or a request with two, is a client error
    (SPARQL 1.1 Protocol §2.1: exactly one query string)."""
    mimetype = request.mimetype if request.method == "POST" else ""
    # request.form is parsed only for form posts: touching it costs ~50 µs on every query.
    form = request.form if mimetype == FORM else None
    if "update" in request.args or (form is not None and "update" in form):
        raise ApiError(
            403, UpdateRefusedError.code, "SPARQL Update is not accepted: this endpoint is read-only"
        )
    if request.method == "POST" and mimetype == SPARQL_UPDATE:
        raise ApiError(
            403, UpdateRefusedError.code, "SPARQL Update is not accepted: this endpoint is read-only"
        )
    given = request.args.getlist("query") + (form.getlist("query") if form is not None else [])
    if request.method == "POST" and mimetype == SPARQL_QUERY:
        if given:
            raise ApiError(
                400,
                "MULTIPLE_QUERIES",
                "the request has a query in its body and another in its URL",
                hint="send the query once: in the body, or as query=… in the URL",
            )
        return _utf8_body()
    if len(given) > 1:
        raise ApiError(
            400,
            "MULTIPLE_QUERIES",
            f"the request has {len(given)} query parameters; the protocol allows one",
            hint="send exactly one query=…",
        )
    if request.method != "POST":
        return given[0] if given else None
    if form is not None:
        if not given:
            raise ApiError(
                400,
                "MISSING_QUERY",
                "the form has no query parameter",
                hint=f"POST {FORM} with query=… (URL-encoded), or the query itself as {SPARQL_QUERY}",
            )
        return given[0]
    raise ApiError(
        415,
        "UNSUPPORTED_MEDIA_TYPE",
        f"cannot read a query from a {mimetype or 'body without Content-Type'}",
        hint=f"POST the query as {SPARQL_QUERY} or as {FORM} with query=…",
    )


def _utf8_body() -> str:
    try:
        return request.get_data(cache=False).decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ApiError(
            400,
            "INVALID_ENCODING",
            f"the query is not valid UTF-8 (byte {exc.start})",
            hint="send the query encoded as UTF-8",
        ) from None


def _param(name: str) -> str | None:
    """A protocol parameter from the URL, or from the body of a form post."""
    value = request.args.get(name)
    if value is None and request.method == "POST" and request.mimetype == FORM:
        value = request.form.get(name)
    return value


def _param_list(name: str) -> list[str]:
    values = request.args.getlist(name) + (request.form.getlist(name) if request.mimetype == FORM else [])
    for value in values:
        if not value or any(c in value for c in ' <>"{}|^`\\') or ":" not in value:
            raise ApiError(400, "BAD_GRAPH_URI", f"{name} {value!r} is not an absolute IRI")
    return values


def _cache_key(version: str, normalised: str, query: QueryRequest) -> tuple[object, ...]:
    graphs = (
        None if query.default_graphs is None else tuple(query.default_graphs),
        None if query.named_graphs is None else tuple(query.named_graphs),
    )
    return (
        version,
        normalised,
        query.results_format,
        query.rdf_format,
        graphs,
        tuple(sorted((k, str(v)) for k, v in query.substitutions.items())),
        query.max_rows,
    )


def _with_caching(response: Response, etag: str, settings: Settings) -> Response:
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = f"public, max-age={settings.max_age}"
    response.headers["Last-Modified"] = _last_modified(state().built.manifest.built_at)
    return response


@functools.lru_cache(maxsize=4)
def _last_modified(built_at: str) -> str:
    """The build time as an HTTP date (computed once per build, not per request)."""
    try:
        when = calendar.timegm(time.strptime(built_at, "%Y-%m-%dT%H:%M:%SZ"))
    except ValueError:
        when = int(time.time())
    return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(when))
