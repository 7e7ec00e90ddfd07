"""Route fuzzing: hypothesis-generated requests against the real server over HTTP.

Methods, paths (every route, with junk and encoded segments), query strings, headers, bodies
and SPARQL texts (valid, broken and heavy) are sent to the live tiny server. Whatever the
request, the answer comes within the client's timeout (no hang), is never a 5xx but the
documented ones (503 ``QUERY_TIMEOUT``: the time limit; 503 ``SERVER_BUSY``), and no body
shows a stack trace or a path of the machine.
"""

from __future__ import annotations

import re
from http.client import HTTPConnection
from urllib.parse import quote, urlencode, urlsplit

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import LiveServer

pytestmark = pytest.mark.xdist_group("tiny_server")  # the one live tiny server under xdist

FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
TIMEOUT_S = 20

ROUTES = [
    "/",
    "/sparql",
    "/api/queries",
    "/api/queries/01-units",
    "/api/queries/02-goals-served",
    "/explain",
    "/healthz",
    "/readyz",
    "/metrics",
    "/id/",
    "/id/unit/",
    "/id/unit/x",
    "/graph/asserted",
    "/resource",
    "/search",
    "/def/itu",
    "/def/shapes",
    "/dumps/",
    "/dumps/index.json",
    "/dumps/union.nt.gz",
    "/.well-known/void",
    "/static/query-ui.js",
]
#: What a body may never show: a traceback, a Python frame, a path of the server's machine.
LEAKS = re.compile(
    rb"Traceback|File \"|\.py\", line|\.py:\d|site-packages|/work/|/tmp/|/root/|/home/|/usr/lib/"
)

_SEGMENT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12).map(lambda s: quote(s, safe=""))
_PATHS = st.one_of(
    st.sampled_from(ROUTES),
    st.builds(lambda route, seg: route.rstrip("/") + "/" + seg, st.sampled_from(ROUTES), _SEGMENT),
    st.builds(
        lambda seg, suffix: f"/id/{seg}.{suffix}", _SEGMENT, st.sampled_from(["ttl", "nt", "x", "html", ""])
    ),
    st.sampled_from(["/%00", "/..%2f", "/%ff%fe", "/sparql/../sparql", "//sparql", "/id/%252e%252e/"]),
)
_SPARQL = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "SELECT * WHERE { ?s ?p ?o }",
            "ASK {}",
            "CONSTRUCT WHERE { ?s ?p ?o }",
            "DESCRIBE <http://example.org/id/org>",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }",
            "INSERT DATA { <http://e/s> <http://e/p> <http://e/o> }",
            "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
            "SELECT * WHERE { " + "{ " * 300 + "?s ?p ?o" + " }" * 300 + " }",
            'SELECT * WHERE { ?s ?p ?o FILTER(REGEX(STR(?o), "(a+)+$")) }',
            "SELECT * WHERE { BIND(<file:///etc/passwd> AS ?x) }",
        ]
    ),
    st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(["SELECT * WHERE { ", "ASK { ", "PREFIX x: <"]),
        st.text(max_size=30),
    ),
)
_PARAMS = st.dictionaries(
    st.sampled_from(
        [
            "query",
            "format",
            "q",
            "iri",
            "page",
            "org",
            "default-graph-uri",
            "named-graph-uri",
            "s",
            "p",
            "o",
            "x",
        ]
    ),
    st.one_of(_SPARQL, st.text(max_size=20)),
    max_size=4,
)
_HEADER_TEXT = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=40)
_HEADERS = st.fixed_dictionaries(
    {},
    optional={
        "Accept": st.one_of(
            st.sampled_from(
                [
                    "text/html",
                    "application/sparql-results+json",
                    "text/csv",
                    "application/n-triples",
                    "*/*",
                    "text/turtle;q=0.1, application/ld+json;q=0.9",
                    "application/x-unknown",
                ]
            ),
            _HEADER_TEXT,
        ),
        "Content-Type": st.one_of(
            st.sampled_from(
                [
                    "application/sparql-query",
                    "application/x-www-form-urlencoded",
                    "multipart/form-data; boundary=x",
                    "application/json",
                ]
            ),
            _HEADER_TEXT,
        ),
        "Accept-Language": _HEADER_TEXT,
        "Accept-Encoding": st.sampled_from(["gzip", "deflate", "br", "identity", "*", "gzip;q=0"]),
        "If-None-Match": _HEADER_TEXT,
        "Range": st.sampled_from(["bytes=0-10", "bytes=-5", "bytes=9999999-", "bytes=x"]),
        "Origin": st.sampled_from(["https://example.org", "null"]),
    },
)
_BODIES = st.one_of(
    st.none(), st.binary(max_size=200), _SPARQL.map(str.encode), _PARAMS.map(lambda p: urlencode(p).encode())
)
_METHODS = st.sampled_from(["GET", "POST", "HEAD", "OPTIONS", "PUT", "DELETE", "PATCH", "TRACE"])


def _send(
    server: LiveServer, method: str, target: str, headers: dict[str, str], body: bytes | None
) -> tuple[int, bytes]:
    address = urlsplit(server.url)
    conn = HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=TIMEOUT_S)
    try:
        conn.request(method, target, body=body, headers=headers)
        reply = conn.getresponse()
        return reply.status, reply.read()
    finally:
        conn.close()


def _allowed(status: int, body: bytes) -> bool:
    """Below 500, or a documented 503: the query time limit, every worker busy, a worker crashed."""
    documented = (b"QUERY_TIMEOUT", b"SERVER_BUSY", b"QUERY_WORKER_CRASHED")
    return status < 500 or (status == 503 and any(code in body for code in documented))


@FUZZ
@given(method=_METHODS, path=_PATHS, params=_PARAMS, headers=_HEADERS, body=_BODIES)
def test_no_request_breaks_the_server(
    tiny_server: LiveServer,
    method: str,
    path: str,
    params: dict[str, str],
    headers: dict[str, str],
    body: bytes | None,
) -> None:
    target = path + ("?" + urlencode(params) if params else "")
    status, reply = _send(
        tiny_server, method, target, headers, body if method not in {"GET", "HEAD"} else None
    )
    assert _allowed(status, reply), (status, reply[:300])
    assert not LEAKS.search(reply), reply[:500]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=_SPARQL, accept=_HEADERS)
def test_no_query_breaks_the_endpoint(tiny_server: LiveServer, query: str, accept: dict[str, str]) -> None:
    status, reply = _send(
        tiny_server,
        "POST",
        "/sparql",
        {**accept, "Content-Type": "application/sparql-query"},
        query.encode("utf-8", errors="surrogatepass"),
    )
    assert _allowed(status, reply), (status, reply[:300])
    assert not LEAKS.search(reply), reply[:500]
