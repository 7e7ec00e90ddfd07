"""The SPARQL 1.1 Protocol endpoint over real HTTP (granian + worker processes), over each
backend: the embedded store, and the project published to Oxigraph server and to
Virtuoso 7 (``serve --backend sparql``): the protocol behaves the same over all three."""

from __future__ import annotations

import csv
import gzip
import http.client as httpclient
import io
import json
import socket
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from rdflib import Graph

from tests.conftest import TINY_SETTINGS
from tests.helpers import LiveServer, copy_fixture, http
from tests.stores import STORE_KINDS, server_over_store

SELECT = (
    "PREFIX ex: <http://example.org/tiny#> "
    "SELECT ?unit WHERE { ?unit ex:partOf <http://example.org/id/org> } ORDER BY ?unit"
)
UNITS = ["http://example.org/id/group", "http://example.org/id/sector"]
CONSTRUCT = (
    "CONSTRUCT { ?u <http://example.org/tiny#partOf> ?o } WHERE { ?u <http://example.org/tiny#partOf> ?o }"
)
FORM = {"Content-Type": "application/x-www-form-urlencoded"}

#: Every test here talks to the session's one live tiny server: under xdist they share a
#: worker (``--dist loadgroup``), so one server is started, not one per worker.
pytestmark = pytest.mark.xdist_group("tiny_server")


@pytest.fixture(scope="module", params=["embedded", *STORE_KINDS])
def tiny_server(
    request: pytest.FixtureRequest, tiny_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    """The session's tiny server (embedded backend), or a front end over a store the tiny
    project was published to."""
    if request.param == "embedded":
        yield tiny_server
        return
    tmp = tmp_path_factory.mktemp(f"tiny-{request.param}")
    root = copy_fixture("tiny", tmp)
    with server_over_store(request.param, root, tmp, TINY_SETTINGS) as (server, _store):
        yield server


def _get(server: LiveServer, query: str, **params: str) -> str:
    return f"{server.url}/sparql?" + urllib.parse.urlencode({"query": query, **params})


def _units(reply_json: object) -> list[str]:
    return [b["unit"]["value"] for b in reply_json["results"]["bindings"]]  # type: ignore[index]


# --- the three protocol forms --------------------------------------------------------------


def test_get_query_defaults_to_sparql_json(tiny_server: LiveServer) -> None:
    reply = http("GET", _get(tiny_server, SELECT))
    assert reply.status == 200
    assert reply.headers["content-type"].startswith("application/sparql-results+json")
    assert _units(reply.json()) == UNITS


def test_post_form_encoded(tiny_server: LiveServer) -> None:
    body = urllib.parse.urlencode({"query": SELECT}).encode()
    reply = http("POST", tiny_server.url + "/sparql", body=body, headers=FORM)
    assert reply.status == 200 and _units(reply.json()) == UNITS


def test_post_sparql_query_body(tiny_server: LiveServer) -> None:
    reply = http(
        "POST",
        tiny_server.url + "/sparql",
        body=SELECT.encode(),
        headers={"Content-Type": "application/sparql-query"},
    )
    assert reply.status == 200 and _units(reply.json()) == UNITS


def test_ask_query(tiny_server: LiveServer) -> None:
    reply = http("GET", _get(tiny_server, "ASK { ?s ?p ?o }"))
    assert reply.status == 200 and reply.json() == {"head": {}, "boolean": True}


def test_unknown_parameters_are_tolerated(tiny_server: LiveServer) -> None:
    reply = http("GET", _get(tiny_server, SELECT, foo="bar", timeout="9"))
    assert reply.status == 200


def test_named_and_default_graph_uris_are_honoured(tiny_server: LiveServer) -> None:
    asserted = "https://w3id.org/itugraph/graph/asserted"
    inferred = "https://w3id.org/itugraph/graph/inferred"
    only_asserted = http("GET", _get(tiny_server, SELECT, **{"default-graph-uri": asserted}))
    assert _units(only_asserted.json()) == []
    only_inferred = http("GET", _get(tiny_server, SELECT, **{"default-graph-uri": inferred}))
    assert _units(only_inferred.json()) == UNITS
    named = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    reply = http("GET", _get(tiny_server, named, **{"named-graph-uri": inferred}))
    assert [b["g"]["value"] for b in reply.json()["results"]["bindings"]] == [inferred]
    bad = http("GET", _get(tiny_server, SELECT, **{"default-graph-uri": "not an iri"}))
    assert bad.status == 400


# --- content negotiation -------------------------------------------------------------------


@pytest.mark.parametrize(
    "accept,content_type",
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
        ("*/*", "application/sparql-results+json"),
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "application/xml"),
    ],
)
def test_select_negotiation(tiny_server: LiveServer, accept: str, content_type: str) -> None:
    reply = http("GET", _get(tiny_server, SELECT), headers={"Accept": accept})
    assert reply.status == 200
    assert reply.headers["content-type"].startswith(content_type)


def test_select_formats_carry_the_same_rows(tiny_server: LiveServer) -> None:
    xml_reply = http("GET", _get(tiny_server, SELECT, format="xml"))
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [u.text for u in ET.fromstring(xml_reply.body).iterfind(".//r:uri", ns)] == UNITS
    rows = list(csv.reader(io.StringIO(http("GET", _get(tiny_server, SELECT, format="csv")).text)))
    assert rows == [["unit"], *([u] for u in UNITS)]
    tsv = http("GET", _get(tiny_server, SELECT, format="tsv")).text.splitlines()
    assert tsv == ["?unit", *(f"<{u}>" for u in UNITS)]


@pytest.mark.parametrize(
    "accept,rdflib_format",
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
        (None, "turtle"),
    ],
)
def test_construct_negotiation(tiny_server: LiveServer, accept: str | None, rdflib_format: str) -> None:
    reply = http("GET", _get(tiny_server, CONSTRUCT), headers={"Accept": accept} if accept else {})
    assert reply.status == 200
    graph = Graph().parse(data=reply.body, format=rdflib_format)
    assert len(graph) == 3  # sector→org, group→sector, group→org


def test_format_parameter_overrides_accept(tiny_server: LiveServer) -> None:
    reply = http("GET", _get(tiny_server, CONSTRUCT, format="nt"), headers={"Accept": "text/turtle"})
    assert reply.headers["content-type"].startswith("application/n-triples")


def test_unservable_accept_is_406(tiny_server: LiveServer) -> None:
    reply = http("GET", _get(tiny_server, SELECT), headers={"Accept": "image/png"})
    assert reply.status == 406
    assert http("GET", _get(tiny_server, CONSTRUCT, format="csv")).status == 406


# --- read-only, federation, errors ---------------------------------------------------------


@pytest.mark.parametrize("send", ["query-get", "update-form", "update-body", "query-body"])
def test_updates_are_refused_and_change_nothing(tiny_server: LiveServer, send: str) -> None:
    update = "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"
    url = tiny_server.url + "/sparql"
    if send == "query-get":
        reply = http("GET", _get(tiny_server, update))
    elif send == "update-form":
        reply = http("POST", url, body=urllib.parse.urlencode({"update": update}).encode(), headers=FORM)
    elif send == "update-body":
        reply = http("POST", url, body=update.encode(), headers={"Content-Type": "application/sparql-update"})
    else:
        reply = http("POST", url, body=update.encode(), headers={"Content-Type": "application/sparql-query"})
    assert reply.status == 403 and b"read-only" in reply.body
    assert http("GET", _get(tiny_server, "ASK { <http://x/a> ?p ?o }")).json()["boolean"] is False


def test_service_is_refused_and_never_contacted(tiny_server: LiveServer) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    listener.settimeout(1.5)
    port = listener.getsockname()[1]
    query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/sparql> {{ ?s ?p ?o }} }}"
    reply = http("GET", _get(tiny_server, query))
    assert reply.status == 403 and b"SERVICE" in reply.body
    with pytest.raises(TimeoutError):
        listener.accept()  # nobody connected
    listener.close()


def test_malformed_query_is_400_with_position_as_text_or_json(tiny_server: LiveServer) -> None:
    text = http("GET", _get(tiny_server, "SELECT * WHERE { ?s ?p }"), headers={"Accept": "text/plain"})
    assert text.status == 400 and text.headers["content-type"].startswith("text/plain")
    assert b"QUERY_SYNTAX" in text.body and b"1:" in text.body
    as_json = http(
        "GET", _get(tiny_server, "SELECT * WHERE { ?s ?p }"), headers={"Accept": "application/json"}
    )
    assert as_json.status == 400 and as_json.json()["code"] == "QUERY_SYNTAX"


def test_wrong_method_is_405_with_allow(tiny_server: LiveServer) -> None:
    reply = http("PUT", tiny_server.url + "/sparql", body=b"x")
    assert reply.status == 405
    assert "GET" in reply.headers["allow"] and "POST" in reply.headers["allow"]


def test_unsupported_body_type_is_415(tiny_server: LiveServer) -> None:
    reply = http(
        "POST", tiny_server.url + "/sparql", body=b"{}", headers={"Content-Type": "application/json"}
    )
    assert reply.status == 415


# --- service description, CORS, compression, caching --------------------------------------


@pytest.mark.parametrize("accept,fmt", [("text/turtle", "turtle"), ("application/ld+json", "json-ld")])
def test_service_description(tiny_server: LiveServer, accept: str, fmt: str) -> None:
    reply = http("GET", tiny_server.url + "/sparql", headers={"Accept": accept})
    assert reply.status == 200
    graph = Graph().parse(data=reply.body, format=fmt)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    result = graph.query(f"""PREFIX sd: <{sd}>
        SELECT ?name ?regime WHERE {{ ?s a sd:Service ; sd:endpoint ?e ;
            sd:supportedLanguage sd:SPARQL11Query ; sd:resultFormat ?f ;
            sd:defaultDataset/sd:namedGraph [ sd:name ?name ; sd:entailmentRegime ?regime ] }}""")
    regimes = {str(n): str(r) for n, r in result}
    assert regimes == {
        "https://w3id.org/itugraph/graph/asserted": "http://www.w3.org/ns/entailment/Simple",
        "https://w3id.org/itugraph/graph/inferred": "http://www.w3.org/ns/entailment/OWL-RDF-Based",
    }


def test_cors_simple_and_preflight(tiny_server: LiveServer) -> None:
    reply = http("GET", _get(tiny_server, SELECT), headers={"Origin": "https://example.org"})
    assert reply.headers["access-control-allow-origin"] == "*"
    preflight = http(
        "OPTIONS",
        tiny_server.url + "/sparql",
        headers={
            "Origin": "https://example.org",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert preflight.status == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "content-type" in preflight.headers["access-control-allow-headers"]


def test_gzip_and_deflate_for_large_results(tiny_server: LiveServer) -> None:
    """Answers stream; compression streams with them (chunk by chunk)."""
    query = "SELECT * WHERE { ?s ?p ?o } LIMIT 20"
    reply = http("GET", _get(tiny_server, query), headers={"Accept-Encoding": "gzip"})
    assert reply.headers["content-encoding"] == "gzip"
    assert "bindings" in json.loads(gzip.decompress(reply.body))["results"]
    deflated = http("GET", _get(tiny_server, query), headers={"Accept-Encoding": "deflate"})
    assert deflated.headers["content-encoding"] == "deflate"
    assert json.loads(zlib.decompress(deflated.body)) == json.loads(gzip.decompress(reply.body))


def test_etag_cache_control_and_304(tiny_server: LiveServer) -> None:
    first = http("GET", _get(tiny_server, SELECT))
    etag = first.headers["etag"]
    assert etag and "max-age" in first.headers["cache-control"]
    again = http("GET", _get(tiny_server, SELECT), headers={"If-None-Match": etag})
    assert again.status == 304 and again.body == b""
    other = http("GET", _get(tiny_server, SELECT, format="csv"))
    assert other.headers["etag"] != etag


def test_result_cache_hit_for_the_same_normalised_query(tiny_server: LiveServer) -> None:
    # One keep-alive connection: its requests reach one HTTP worker process, whose cache
    # holds the answer (each process has its own cache).
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"
    connection = httpclient.HTTPConnection(urllib.parse.urlsplit(tiny_server.url).netloc)
    try:
        seen = []
        for text in (query, "# a comment\n" + query.replace(" ", "  ")):
            connection.request("GET", _get(tiny_server, text).removeprefix(tiny_server.url))
            reply = connection.getresponse()
            reply.read()
            seen.append(reply.headers["x-itugraph-cache"])
    finally:
        connection.close()
    assert seen[1] == "hit"


def test_head_works(tiny_server: LiveServer) -> None:
    reply = http("HEAD", _get(tiny_server, SELECT))
    assert reply.status == 200 and reply.body == b""
    assert reply.headers["content-type"].startswith("application/sparql-results+json")


def test_a_configured_size_limit_refuses_the_whole_answer(tiny_server: LiveServer) -> None:
    """Issue 13: an answer over ITUGRAPH_MAX_ROWS (20 here) is a 422 error saying how to
    narrow the query, sent before any byte of the answer; never a cut answer with 200."""
    reply = http(
        "GET", _get(tiny_server, "SELECT * WHERE { ?s ?p ?o }"), headers={"Accept": "application/json"}
    )
    assert reply.status == 422
    error = reply.json()
    assert error["code"] == "RESULT_TOO_LARGE" and "LIMIT" in error["hint"]
    assert "bindings" not in reply.body.decode()
    small = http("GET", _get(tiny_server, "SELECT * WHERE { ?s ?p ?o } LIMIT 20"))
    assert small.status == 200 and len(small.json()["results"]["bindings"]) == 20
    assert "x-itugraph-truncated" not in small.headers


# --- safety ---------------------------------------------------------------------------------

RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?q ?r ?t }"


@pytest.mark.slow
def test_runaway_query_is_stopped_and_others_are_served(tiny_server: LiveServer) -> None:
    results: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        results["reply"] = http("GET", _get(tiny_server, RUNAWAY), timeout=120)
        results["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.5)
    during = http("GET", _get(tiny_server, SELECT + " # during"))
    assert during.status == 200  # another worker answers meanwhile
    thread.join(timeout=60)
    reply = results["reply"]
    assert reply.status == 503 and b"QUERY_TIMEOUT" in reply.body  # type: ignore[attr-defined]
    assert results["seconds"] < 15  # type: ignore[operator]
    after = [http("GET", _get(tiny_server, SELECT + f" # after {i}")) for i in range(4)]
    assert all(r.status == 200 for r in after)
    metrics = http("GET", tiny_server.url + "/metrics").text
    assert "itugraph_query_timeouts_total 1" in metrics or "itugraph_query_timeouts_total 2" in metrics


def test_eight_concurrent_clients_get_no_errors(tiny_server: LiveServer) -> None:
    def client(n: int) -> list[int]:
        return [
            http("GET", _get(tiny_server, SELECT + f" # client {n} request {i}")).status for i in range(10)
        ]

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = [s for batch in pool.map(client, range(8)) for s in batch]
    assert statuses == [200] * 80


def test_hostile_inputs_get_clear_4xx(tiny_server: LiveServer) -> None:
    url = tiny_server.url + "/sparql"
    sparql = {"Content-Type": "application/sparql-query"}
    huge = ("SELECT * WHERE { ?s ?p ?o } #" + "x" * (1024 * 1024)).encode()
    assert http("POST", url, body=huge, headers=sparql).status == 413
    assert http("POST", url, body=b"SELECT * WHERE { ?s ?p \xff\xfe }", headers=sparql).status == 400
    nested = ("SELECT * WHERE " + "{" * 10_000 + " ?s ?p ?o " + "}" * 10_000).encode()
    reply = http("POST", url, body=nested, headers=sparql)
    assert 400 <= reply.status < 500
    assert http("GET", url + "?query=").status == 400
    assert http("GET", _get(tiny_server, SELECT)).status == 200  # still serving


def test_health_readiness_and_metrics(tiny_server: LiveServer) -> None:
    assert http("GET", tiny_server.url + "/healthz").json() == {"status": "ok"}
    ready = http("GET", tiny_server.url + "/readyz").json()
    assert ready["status"] == "ready" and ready["asserted_triples"] > 0  # type: ignore[index]
    metrics = http("GET", tiny_server.url + "/metrics").text
    assert 'itugraph_requests_total{endpoint="/sparql",status="200"}' in metrics
    assert "itugraph_request_seconds_bucket" in metrics
    assert "itugraph_result_cache_hits_total" in metrics


def test_one_structured_log_line_per_request(tiny_server: LiveServer) -> None:
    http("GET", _get(tiny_server, SELECT + " # logged"))
    lines = [json.loads(line) for line in tiny_server.log().splitlines() if line.startswith("{")]
    assert any(entry["endpoint"] == "/sparql" and "ms" in entry for entry in lines)


def test_failed_queries_do_not_use_up_the_workers(tiny_server: LiveServer) -> None:
    for i in range(6):  # more failures than workers
        assert http("GET", _get(tiny_server, f"SELECT * WHERE {{ ?s ?p }} # {i}")).status == 400
    assert http("GET", _get(tiny_server, SELECT + " # after failures")).status == 200


def test_static_assets_are_compressed(tiny_server: LiveServer) -> None:
    page = http("GET", tiny_server.url + "/query").text
    assets = [part.split('"')[0] for part in page.split('src="')[1:] if part.startswith("/static")]
    if not assets:
        pytest.skip("the query UI is not built (make ui)")
    reply = http("GET", tiny_server.url + assets[0], headers={"Accept-Encoding": "gzip"})
    assert reply.status == 200 and reply.headers["content-encoding"] == "gzip"
    assert len(gzip.decompress(reply.body)) > len(reply.body)
