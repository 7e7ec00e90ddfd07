"""Hostile requests and stored injection against the real server over HTTP.

The server runs over ``tests/fixtures/hostile-labels``: labels, definitions, notes, shape
messages and named-query titles that are script, HTML, Markdown, ``javascript:`` links and
spreadsheet formulas. Every page kind must show them as text (no executable markup, no
``javascript:`` in a link), carry the security headers, and refuse path traversal; named-query
parameters must stay values.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from http.client import HTTPConnection
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests.helpers import Listener, LiveServer, copy_fixture, http, live_server, run_cli

pytestmark = pytest.mark.slow  # one server start, then many quick requests

ID = "https://w3id.org/itugraph/id/unit/"
CANARY = "itugraph-traversal-canary-5e1b"


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp = tmp_path_factory.mktemp("hostile-labels")
    root = copy_fixture("hostile-labels", tmp)
    (root / "secret.txt").write_text(CANARY, encoding="utf-8")  # next to the served folders
    with live_server(root, tmp, env={"ITUGRAPH_WORKERS": "1"}) as server:
        yield server


@dataclass
class PageScan(HTMLParser):
    """What a browser would run or follow in a page: scripts, handlers, link targets, text."""

    problems: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    _script: str | None = None

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag in {"iframe", "object", "embed", "frame", "base"}:
            self.problems.append(f"<{tag}> element")
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}=…> event handler")
            if name in {"href", "src", "action", "formaction", "xlink:href"} and _runnable(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            if values.get("type") == "application/json":
                self._script = ""
            elif not values.get("src", "").startswith("/static/"):
                self.problems.append(f"<script> not from /static/: {values}")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            json.loads(self._script)  # a data block stays one JSON value: no </script> breakout
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            self._script += data
        else:
            self.text.append(data)


def _runnable(url: str) -> bool:
    scheme = urlsplit(url.strip().lower().replace("\t", "").replace("\n", "")).scheme
    return scheme in {"javascript", "vbscript"} or (scheme == "data" and url != "data:,")


def _scan(server: LiveServer, path: str) -> tuple[int, PageScan, dict[str, str]]:
    reply = http("GET", server.url + path, headers={"Accept": "text/html"})
    scan = PageScan()
    scan.feed(reply.text)
    scan.close()
    return reply.status, scan, reply.headers


#: Every kind of HTML page, with a hostile string that must be on it as text.
PAGES = [
    ("/query", "</script><script>alert('title')</script>"),
    ("/", "itugraph"),
    ("/id/", "unit"),
    ("/id/unit/", "<script>alert('label')</script>"),
    ("/id/unit/xss", "<script>alert('label')</script>"),
    ("/id/unit/xss", "<a href=\"javascript:alert('comment')\">click</a>"),
    ("/id/unit/xss", "=cmd|' /C calc'!A0"),
    ("/id/unit/xss", "<script>alert('message')</script> label too long"),
    ("/id/unit/a'onmouseover='alert(1)", "quote in the IRI"),
    ("/resource?iri=" + quote("javascript:alert('link')"), "javascript:alert('link')"),
    ("/resource?iri=" + quote("javascript:alert(1)"), "javascript:alert(1)"),
    ("/search?q=script", "<script>alert('label')</script>"),
    ("/search?q=" + quote("<script>alert('q')</script>"), "<script>alert('q')</script>"),
    ("/def/itu", "<img src=x onerror=alert('class')>"),
    ("/def/itu", "[click](javascript:alert('markdown'))"),
    ("/def/shapes", "<script>alert('message')</script> label too long"),
    ("/dumps/", "SHA256SUMS"),
    ("/graph/asserted", "asserted"),
    ("/id/nope/" + quote("<script>"), "<script>"),
    ("/sparql?query=" + quote("SELECT * WHERE {"), ""),
]


@pytest.mark.parametrize(("path", "shown"), PAGES, ids=[f"{p} {s[:20]}" for p, s in PAGES])
def test_hostile_labels_are_text_on_every_page(hostile_server: LiveServer, path: str, shown: str) -> None:
    status, scan, headers = _scan(hostile_server, path)
    assert status in {200, 400, 404}, path
    assert scan.problems == []
    assert shown in "".join(scan.text)
    if headers["content-type"].startswith("text/html"):
        _assert_page_headers(headers)


def _assert_page_headers(headers: dict[str, str]) -> None:
    policy = dict(d.split(" ", 1) for d in headers["content-security-policy"].split("; "))
    assert policy["script-src"] == "'self'" and policy["default-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert "access-control-allow-origin" not in headers  # pages are for people, not scripts


@pytest.mark.parametrize(
    ("path", "accept"),
    [
        ("/sparql?query=" + quote("ASK {}"), "application/sparql-results+json"),
        ("/api/queries", "application/json"),
        ("/id/unit/xss", "text/turtle"),
        ("/dumps/index.json", "application/json"),
        ("/.well-known/void", "text/turtle"),
    ],
)
def test_data_is_open_to_scripts_of_any_origin_but_never_rendered(
    hostile_server: LiveServer, path: str, accept: str
) -> None:
    reply = http(
        "GET", hostile_server.url + path, headers={"Accept": accept, "Origin": "https://example.org"}
    )
    assert reply.status == 200
    assert reply.headers["access-control-allow-origin"] == "*"
    assert reply.headers["x-content-type-options"] == "nosniff"
    assert reply.headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'; sandbox"


def test_a_literal_reaches_a_data_format_unchanged(hostile_server: LiveServer) -> None:
    """SPARQL CSV and JSON are data formats (W3C): the engine writes each value exactly, formula
    or not, and the client's spreadsheet decides what a cell means (docs/threat-model.md)."""
    csv = http("GET", hostile_server.url + "/api/queries/01-units?format=csv")
    assert csv.status == 200 and csv.headers["content-type"].startswith("text/csv")
    assert "=cmd|' /C calc'!A0" in csv.text and "\t=1+1" in csv.text
    assert csv.headers["x-content-type-options"] == "nosniff"


# --- path traversal ---------------------------------------------------------------------------

TRAVERSALS = [
    "/static/../secret.txt",
    "/static/../../secret.txt",
    "/static/%2e%2e/%2e%2e/secret.txt",
    "/static/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/static/%252e%252e/%252e%252e/secret.txt",
    "/static/..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    "/static/..%5c..%5csecret.txt",
    "/static/..\\..\\secret.txt",
    "/static/%c0%ae%c0%ae/%c0%ae%c0%ae/secret.txt",
    "/static/query-ui.js%00.css",
    "/static/%00",
    "/static//etc/passwd",
    "/dumps/..%2f..%2fsecret.txt",
    "/dumps/%2e%2e%2f%2e%2e%2fsecret.txt",
    "/dumps/%252e%252e%252fsecret.txt",
    "/dumps/..%5c..%5csecret.txt",
    "/dumps/%2fetc%2fpasswd",
    "/dumps/SHA256SUMS%00",
    "/id/..%2f..%2fsecret.txt",
    "/id/%2e%2e/%2e%2e/secret.txt",
    "/id/unit/..%2f..%2f..%2fsecret.txt.ttl",
    "/def/..%2f..%2fsecret.txt",
    "/def/%2e%2e/%2e%2e/etc/passwd",
    "/graph/..%2fsecret.txt",
    "/graph/%2e%2e",
    "/resource?iri=file:///etc/passwd",
    "/resource?iri=" + quote("file://") + "SECRET",
]


def _raw_get(server: LiveServer, path: str) -> tuple[int, bytes, str | None]:
    """GET with the path sent byte for byte (no client-side normalisation of ``..``)."""
    host = urlsplit(server.url)
    conn = HTTPConnection(host.hostname or "127.0.0.1", host.port, timeout=30)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        conn.endheaders()
        reply = conn.getresponse()
        return reply.status, reply.read(), reply.getheader("Location")
    finally:
        conn.close()


@pytest.mark.parametrize("path", TRAVERSALS)
def test_path_traversal_is_refused(hostile_server: LiveServer, path: str) -> None:
    secret = Path(hostile_server.log_path).parent / "hostile-labels" / "secret.txt"
    status, body, location = _raw_get(hostile_server, path.replace("SECRET", quote(str(secret))))
    if status == 308:  # werkzeug merges doubled slashes: a redirect to the same route, same host
        assert location == hostile_server.url + "/static/etc/passwd"
        status, body, _ = _raw_get(hostile_server, urlsplit(location).path)
    assert status in {400, 404}, (status, body[:200])
    assert CANARY.encode() not in body and b"root:x:0:0" not in body


def test_an_iri_of_ours_never_redirects_to_another_host(hostile_server: LiveServer) -> None:
    status, _, _ = _raw_get(
        hostile_server, "/resource?iri=" + quote("https://w3id.org/itugraph//evil.example/x")
    )
    assert status == 404  # described as a foreign IRI (unknown here), not redirected to //evil.example
    status, _, location = _raw_get(hostile_server, "/resource?iri=" + quote(ID + "xss"))
    assert (status, location) == (301, "/id/unit/xss")


# --- named-query parameters ---------------------------------------------------------------------


def _rows(server: LiveServer, name: str, **params: str) -> tuple[int, str]:
    query = "&".join(f"{k}={quote(v)}" for k, v in params.items())
    reply = http("GET", f"{server.url}/api/queries/{name}?format=json&{query}")
    return reply.status, reply.text


def _bindings(body: str) -> list[object]:
    answer = json.loads(body)
    assert isinstance(answer, dict)
    return list(answer["results"]["bindings"])


@pytest.mark.parametrize(
    "value",
    [
        ID + "xss> ?p ?o } UNION { ?unit ?p ?note",
        ID + "xss>} ; DROP ALL ; SELECT * {?unit ?p ?note",
        "<" + ID + "xss>",
        ID + "x y",
        ID + "xss\n} UNION {",
        '"x" } UNION { ?unit ?p ?note }',
    ],
)
def test_an_iri_parameter_that_is_not_one_iri_is_refused(hostile_server: LiveServer, value: str) -> None:
    status, body = _rows(hostile_server, "01-units", unit=value)
    assert status == 400
    assert "BAD_PARAMETER: parameter 'unit' must be an iri" in body


@pytest.mark.parametrize(
    "value",
    [
        '" } UNION { ?unit ?p ?note } #',
        "x' } UNION { ?unit ?p ?note } #",
        'Root note" . ?unit ?p ?note . FILTER("1',
        "\\u0022 } UNION { ?unit ?p ?note }",
    ],
)
def test_a_string_parameter_stays_one_literal(hostile_server: LiveServer, value: str) -> None:
    status, body = _rows(hostile_server, "02-by-note", note=value)
    assert status == 200
    assert _bindings(body) == []  # matched as one value: there is no such note
    _, legit = _rows(hostile_server, "02-by-note", note="Root note")
    assert len(_bindings(legit)) == 1


# --- request bodies and outbound requests --------------------------------------------------------


def _post_status(url: str, length: int, body: bytes) -> int:
    """The status of a POST announcing ``length`` bytes and sending ``body``: the server may
    answer and close before the body is all sent (a broken pipe is not a failure then)."""
    address = urlsplit(url)
    conn = HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=30)
    try:
        conn.putrequest("POST", "/sparql")
        conn.putheader("Content-Type", "application/sparql-query")
        conn.putheader("Content-Length", str(length))
        conn.endheaders()
        with contextlib.suppress(ConnectionError):
            conn.send(body)
        return conn.getresponse().status
    finally:
        conn.close()


def test_a_body_over_the_limit_is_refused_before_it_is_read(hostile_server: LiveServer) -> None:
    """A client announcing 2 GiB gets 413 at once: the server neither waits for nor buffers it."""
    assert _post_status(hostile_server.url, 2 * 2**30, b"SELECT * WHERE { ?s ?p ?o }") == 413
    over = b"#" * (4 * 256 * 1024 + 1)  # the default limit: 4 x ITUGRAPH_MAX_QUERY_BYTES
    assert _post_status(hostile_server.url, len(over), over) == 413


SPARQL_BODY = {"Content-Type": "application/sparql-query", "Accept": "application/json"}


def test_no_route_fetches_a_url_the_client_chose(hostile_server: LiveServer) -> None:
    with Listener() as listener:
        url = listener.url + "/data.ttl"
        requests = [
            "/resource?iri=" + quote(url),
            "/resource.ttl?iri=" + quote(url),
            "/id/unit/xss?iri=" + quote(url),
            "/api/explain?"
            + f"s={quote('<' + url + '>')}&p={quote('<' + url + '>')}&o={quote('<' + url + '>')}",
            "/sparql?query=" + quote(f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}"),
            "/sparql?query=" + quote(f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}"),
            "/sparql?query=" + quote(f"DESCRIBE <{url}>"),
            "/sparql?query=" + quote(f"LOAD <{url}>"),
            "/sparql?query=" + quote("ASK {}") + "&default-graph-uri=" + quote(url),
            "/sparql?query=" + quote("ASK {}") + "&named-graph-uri=" + quote(url),
            "/api/queries/01-units?unit=" + quote(url),
        ]
        for path in requests:
            status = http("GET", hostile_server.url + path, headers={"Accept": "application/json"}).status
            assert status < 500, path
        assert listener.connections == 0


# --- hostile queries ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "query",
    [
        "SELECT * WHERE " + "{" * 3000 + "}" * 3000,  # crashed the query worker (stack overflow)
        "SELECT * WHERE { FILTER(" + "(" * 5000 + "1" + ")" * 5000 + ") }",
        "SELECT * WHERE { ?s <http://e/p> " + "( " * 300 + "?o" + " )" * 300 + " }",  # 48 s to parse
    ],
    ids=["braces", "parentheses", "collections"],
)
def test_a_query_nested_too_deep_is_refused_before_it_reaches_a_worker(
    hostile_server: LiveServer, query: str
) -> None:
    reply = http("POST", hostile_server.url + "/sparql", body=query.encode(), headers=SPARQL_BODY)
    assert reply.status == 400
    assert "QUERY_TOO_DEEP" in reply.text and "the limit is 64" in reply.text
    nested_64 = "SELECT * WHERE " + "{" * 64 + "}" * 64
    assert (
        http("POST", hostile_server.url + "/sparql", body=nested_64.encode(), headers=SPARQL_BODY).status
        == 200
    )


def test_the_cli_refuses_a_query_nested_too_deep(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    done = run_cli("--root", root, "query", "SELECT * WHERE " + "{" * 3000 + "}" * 3000, timeout=120)
    assert done.returncode == 2, done.stderr  # was a segmentation fault (exit -11)
    assert "the query nests brackets 3000 levels deep; the limit is 64" in done.stderr


# --- crashed query workers -------------------------------------------------------------------------


def _query_workers(root_pid: int) -> list[int]:
    """The query worker processes under the server started by this test (``spawn_main`` children)."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text(encoding="utf-8").rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(status.parent.name))
    found, todo = [], [root_pid]
    while todo:
        for child in children.get(todo.pop(), []):
            todo.append(child)
            with contextlib.suppress(OSError):
                if b"spawn_main" in (Path("/proc") / str(child) / "cmdline").read_bytes():
                    found.append(child)
    return found


def test_a_crashed_query_worker_is_an_error_then_replaced(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    settings = {"ITUGRAPH_WORKERS": "1", "ITUGRAPH_HTTP_WORKERS": "1"}
    with live_server(root, tmp_path, env=settings) as server:
        workers = _query_workers(server.process.pid)
        assert len(workers) == 1
        os.kill(workers[0], signal.SIGKILL)  # a worker this test's server started
        ask = server.url + "/sparql?query=" + quote("ASK {}")
        crashed = http("GET", ask, headers={"Accept": "application/json"}, timeout=30)
        assert crashed.status == 503
        assert json.loads(crashed.body)["code"] == "QUERY_WORKER_CRASHED"
        assert http("GET", ask, headers={"Accept": "application/json"}, timeout=30).status == 200
        assert "Traceback" not in server.log()


# --- slow and idle clients ---------------------------------------------------------------------------


def test_slow_and_idle_clients_do_not_starve_others(hostile_server: LiveServer) -> None:
    """200 connections that never finish their headers (slowloris) and 200 that send nothing:
    a normal request is still answered (HTTP parsing is granian's, in Rust, not a Python thread)."""
    address = urlsplit(hostile_server.url)
    held = []
    try:
        for index in range(400):
            sock = socket.create_connection((address.hostname or "127.0.0.1", address.port or 80), timeout=10)
            if index % 2 == 0:
                sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            held.append(sock)
        reply = http("GET", hostile_server.url + "/sparql?query=" + quote("ASK {}"), timeout=20)
        assert reply.status == 200
    finally:
        for sock in held:
            sock.close()


# --- fairness: runaway queries of one client ---------------------------------------------------------

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?p ?q ?r }"


def _post_from(server: LiveServer, source: str, query: str, timeout: float = 60) -> tuple[int, str]:
    """POST ``query`` from the local address ``source`` (127.0.0.x: another client)."""
    address = urlsplit(server.url)
    host = address.hostname or "127.0.0.1"
    conn = HTTPConnection(host, address.port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request("POST", "/sparql", body=query.encode(), headers=SPARQL_BODY)
        reply = conn.getresponse()
        return reply.status, reply.read().decode()
    finally:
        conn.close()


def test_runaway_queries_of_one_client_do_not_starve_another(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    settings = {
        "ITUGRAPH_WORKERS": "2",
        "ITUGRAPH_HTTP_WORKERS": "1",
        "ITUGRAPH_QUERY_TIMEOUT": "8",
        "ITUGRAPH_MAX_QUERIES_PER_CLIENT": "1",
    }
    with live_server(root, tmp_path, env=settings) as server, ThreadPoolExecutor(10) as pool:
        runaways = [pool.submit(_post_from, server, "127.0.0.1", RUNAWAY) for _ in range(10)]
        time.sleep(0.5)  # the first runaway holds a worker
        # Starved, it would wait for a worker until the runaways' time limit (8 s): its own
        # timeout, half that, would fail the test.
        status, body = _post_from(server, "127.0.0.2", "ASK {}", timeout=4)
        assert status == 200 and "true" in body
        answers = [future.result() for future in runaways]
    statuses = sorted(status for status, _ in answers)
    assert statuses.count(429) >= 8, statuses  # refused at once: the client had its one slot
    assert all(status in {429, 503, 200} for status in statuses)
    assert all("CLIENT_BUSY" in body for status, body in answers if status == 429)
