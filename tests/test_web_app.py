"""The endpoint's decisions, in-process: how a request is read, refused, answered, cached,
compressed and counted, through the app's test client.

Over real HTTP (granian, worker processes) the protocol itself is tested in
``test_web_sparql.py`` and ``test_web_sparql_answers.py``; here each branch of the
application is reached directly (and measured by ``make unit``'s coverage).
"""

from __future__ import annotations

import gzip
import json
import logging
import urllib.parse
import zlib
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from itugraph.project import Project
from tests.helpers import HttpReply, call, copy_fixture, running_app

SELECT = (
    "PREFIX ex: <http://example.org/tiny#> "
    "SELECT ?unit WHERE { ?unit ex:partOf <http://example.org/id/org> } ORDER BY ?unit"
)
#: Every pair of triples of the tiny graph: an answer of several 64 KiB chunks.
PAIRS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"
JSON = {"Accept": "application/json"}
TEXT = {"Accept": "text/plain"}
FORM = "application/x-www-form-urlencoded"


def _get(client: FlaskClient, query: str, headers: dict[str, str] | None = None, **params: str) -> HttpReply:
    return call(
        client, "GET", "/sparql?" + urllib.parse.urlencode({"query": query, **params}), headers=headers
    )


def _post(
    client: FlaskClient, body: bytes, content_type: str | None, path: str = "/sparql", **headers: str
) -> HttpReply:
    return call(
        client,
        "POST",
        path,
        body=body,
        headers={**({"Content-Type": content_type} if content_type else {}), **JSON, **headers},
    )


def _code(reply: HttpReply) -> str:
    return str(json.loads(reply.body)["code"])


# --- how a request is read ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("send", "status", "code"),
    [
        ("update-in-url", 403, "UPDATE_FORBIDDEN"),
        ("update-in-form", 403, "UPDATE_FORBIDDEN"),
        ("update-body", 403, "UPDATE_FORBIDDEN"),
        ("body-and-url", 400, "MULTIPLE_QUERIES"),
        ("two-in-url", 400, "MULTIPLE_QUERIES"),
        ("form-without-query", 400, "MISSING_QUERY"),
        ("json-body", 415, "UNSUPPORTED_MEDIA_TYPE"),
        ("no-content-type", 415, "UNSUPPORTED_MEDIA_TYPE"),
        ("not-utf8", 400, "INVALID_ENCODING"),
        ("too-long", 413, "QUERY_TOO_LARGE"),
    ],
)
def test_a_request_that_is_not_one_readable_query_is_refused(
    client: FlaskClient, send: str, status: int, code: str
) -> None:
    update = "INSERT DATA { <http://x/a> <http://x/b> <http://x/c> }"
    if send == "update-in-url":
        reply = call(client, "GET", "/sparql?" + urllib.parse.urlencode({"update": update}), headers=JSON)
    elif send == "update-in-form":
        reply = _post(client, urllib.parse.urlencode({"update": update}).encode(), FORM)
    elif send == "update-body":
        reply = _post(client, update.encode(), "application/sparql-update")
    elif send == "body-and-url":
        reply = _post(
            client,
            b"ASK {}",
            "application/sparql-query",
            path="/sparql?" + urllib.parse.urlencode({"query": "ASK {}"}),
        )
    elif send == "two-in-url":
        reply = call(client, "GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", headers=JSON)
    elif send == "form-without-query":
        reply = _post(client, b"format=json", FORM)
    elif send == "json-body":
        reply = _post(client, b'{"query": "ASK {}"}', "application/json")
    elif send == "no-content-type":
        reply = _post(client, b"ASK {}", None)
    elif send == "not-utf8":
        reply = _post(client, b"ASK { ?s ?p \xff }", "application/sparql-query")
    else:
        reply = _post(client, b"ASK {} #" + b"x" * (256 * 1024), "application/sparql-query")
    assert (reply.status, _code(reply)) == (status, code)
    message = json.loads(reply.body)["message"]
    if send == "no-content-type":
        assert "body without Content-Type" in message
    if send == "not-utf8":
        assert "byte 12" in message


def test_the_query_of_a_form_post_and_its_format_parameter(client: FlaskClient) -> None:
    body = urllib.parse.urlencode({"query": SELECT, "format": "csv"}).encode()
    reply = call(client, "POST", "/sparql", body=body, headers={"Content-Type": FORM})
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/csv")
    assert reply.text.splitlines() == ["unit", "http://example.org/id/group", "http://example.org/id/sector"]


def test_graphs_named_in_a_form_post_are_the_dataset(client: FlaskClient) -> None:
    body = urllib.parse.urlencode(
        {
            "query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
            "default-graph-uri": "https://w3id.org/itugraph/graph/inferred",
        }
    ).encode()
    form = call(client, "POST", "/sparql", body=body, headers={"Content-Type": FORM})
    url = _get(
        client,
        "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
        **{"default-graph-uri": "https://w3id.org/itugraph/graph/inferred"},
    )
    assert form.status == url.status == 200 and form.json() == url.json()
    bad = _post(
        client, urllib.parse.urlencode({"query": "ASK {}", "named-graph-uri": "no iri"}).encode(), FORM
    )
    assert bad.status == 400


# --- what is answered -----------------------------------------------------------------------


def test_a_malformed_query_is_400_even_when_no_format_would_do(client: FlaskClient) -> None:
    malformed = _get(client, "SELECT * WHERE { ?s ?p }", headers={"Accept": "image/png"})
    assert malformed.status == 400 and malformed.text.startswith("400 QUERY_SYNTAX: malformed")
    fine = _get(client, SELECT, headers={"Accept": "image/png"})
    assert fine.status == 406 and "application/sparql-results+json" in fine.text


def test_errors_are_text_or_json_as_the_client_prefers(client: FlaskClient) -> None:
    text = call(client, "GET", "/api/queries/nope", headers=TEXT)
    assert text.headers["content-type"].startswith("text/plain")
    assert text.text == "404 UNKNOWN_QUERY: no named query 'nope'\nhint: GET /api/queries lists the names\n"
    as_json = _get(client, "SELECT * WHERE { ?s ?p }", headers=JSON).json()
    assert isinstance(as_json, dict)
    assert (as_json["code"], as_json["status"]) == ("QUERY_SYNTAX", 400) and as_json["hint"]
    unknown = call(client, "GET", "/no/such/page", headers=JSON)
    assert unknown.status == 404 and _code(unknown) == "NOT_FOUND"
    wrong = call(client, "DELETE", "/sparql", headers=TEXT)
    assert wrong.status == 405 and wrong.text.startswith("405 METHOD_NOT_ALLOWED")
    assert "GET" in wrong.headers["allow"]


def test_a_size_limit_refuses_with_422(client: FlaskClient) -> None:
    reply = _get(client, "SELECT * WHERE { ?s ?p ?o }", headers=JSON)
    assert reply.status == 422 and _code(reply) == "RESULT_TOO_LARGE"


def test_the_same_query_is_answered_from_the_cache_and_an_etag_answers_304(client: FlaskClient) -> None:
    query = SELECT + " # cache test"
    first = _get(client, query)
    again = _get(client, "# a comment\n" + query)
    assert first.headers["x-itugraph-cache"] == "miss" and again.headers["x-itugraph-cache"] == "hit"
    assert again.body == first.body and again.headers["etag"] == first.headers["etag"]
    assert "max-age=" in first.headers["cache-control"] and first.headers["last-modified"]
    unchanged = _get(client, query, headers={"If-None-Match": first.headers["etag"]})
    assert unchanged.status == 304 and unchanged.body == b""


def test_cors_and_preflight(client: FlaskClient) -> None:
    reply = _get(client, SELECT, headers={"Origin": "https://example.org"})
    assert reply.headers["access-control-allow-origin"] == "*"
    assert "ETag" in reply.headers["access-control-expose-headers"]
    preflight = call(
        client,
        "OPTIONS",
        "/sparql",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "POST"},
    )
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert preflight.headers["access-control-allow-headers"] == "Accept, Content-Type, If-None-Match"
    assert preflight.headers["vary"] == "Accept, Accept-Encoding"


def test_health_readiness_and_metrics(app: Flask, client: FlaskClient) -> None:
    assert call(client, "GET", "/healthz").json() == {"status": "ok"}
    ready = call(client, "GET", "/readyz").json()
    assert isinstance(ready, dict)
    assert ready["status"] == "ready" and ready["workers"] == 2 and ready["asserted_triples"] > 0
    assert ready["dataset"] == app.extensions["itugraph"].built.version
    _get(client, SELECT + " # counted")
    metrics = call(client, "GET", "/metrics")
    assert metrics.headers["content-type"].startswith("text/plain; version=0.0.4")
    assert 'itugraph_requests_total{endpoint="/sparql",status="200"}' in metrics.text


def test_one_access_log_line_per_request(client: FlaskClient, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="itugraph.access"):
        _get(client, 'ASK { ?s ?p "logged" }')
    (line,) = [json.loads(r.getMessage()) for r in caplog.records if r.name == "itugraph.access"]
    assert (line["method"], line["endpoint"], line["status"]) == ("GET", "/sparql", 200)
    assert line["cache"] == "miss" and line["bytes"] > 0 and line["ms"] >= 0
    assert line["path"] == "/sparql" and line["remote"]


# --- compression -----------------------------------------------------------------------------


def test_a_small_answer_is_sent_as_it_is_and_a_large_one_compressed(client: FlaskClient) -> None:
    small = _get(client, "ASK {}", headers={"Accept-Encoding": "gzip"})
    assert "content-encoding" not in small.headers
    listing = call(client, "GET", "/api/queries", headers={"Accept-Encoding": "deflate"})
    assert listing.headers["content-encoding"] == "deflate"
    assert json.loads(zlib.decompress(listing.body))[0]["name"] == "01-units"
    identity = call(client, "GET", "/api/queries", headers={"Accept-Encoding": "br"})
    assert "content-encoding" not in identity.headers and identity.json()


def test_a_static_file_is_compressed_once_per_version(client: FlaskClient) -> None:
    first = call(client, "GET", "/static/query-ui.css", headers={"Accept-Encoding": "gzip"})
    again = call(client, "GET", "/static/query-ui.css", headers={"Accept-Encoding": "gzip"})
    assert first.headers["content-encoding"] == "gzip" and again.body == first.body
    plain = call(client, "GET", "/static/query-ui.css")
    assert gzip.decompress(first.body) == plain.body


# --- an app without a size limit: streamed answers, time limit, busy workers -------------------


@pytest.fixture(scope="module")
def open_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """The tiny project with no size limit, one query worker, a 1 s time limit and a 3 MiB
    result cache (an entry may take a quarter of it)."""
    root = copy_fixture("tiny", tmp_path_factory.mktemp("open-app"))
    settings = {"WORKERS": 1, "QUERY_TIMEOUT": 1, "CACHE_BYTES": 3 * 1024 * 1024}
    with running_app(Project.at(root), settings) as app:
        yield app.test_client()


def test_a_large_answer_streams_whole_and_is_kept_only_if_it_fits(open_client: FlaskClient) -> None:
    tsv = _get(open_client, PAIRS, format="tsv")  # ~0.5 MB: under the 768 KiB an entry may take
    assert tsv.status == 200 and "content-length" not in tsv.headers
    triples = _get(open_client, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").json()
    count = int(triples["results"]["bindings"][0]["n"]["value"])  # type: ignore[index]
    assert tsv.body.count(b"\n") == count * count + 1  # every pair, and the header
    kept = _get(open_client, PAIRS, format="tsv")
    assert kept.headers["x-itugraph-cache"] == "hit" and kept.body == tsv.body
    xml = _get(open_client, PAIRS, format="xml")  # ~1.1 MB: streamed, not kept
    again = _get(open_client, PAIRS, format="xml")
    assert again.headers["x-itugraph-cache"] == "miss" and again.body == xml.body


def test_a_streamed_answer_is_compressed_as_it_streams(open_client: FlaskClient) -> None:
    plain = _get(open_client, PAIRS + " # plain")
    packed = _get(open_client, PAIRS + " # packed", headers={"Accept-Encoding": "gzip"})
    assert packed.headers["content-encoding"] == "gzip" and "content-length" not in packed.headers
    assert json.loads(gzip.decompress(packed.body)) == json.loads(plain.body)


def test_a_query_over_the_time_limit_is_503_and_counted(open_client: FlaskClient) -> None:
    runaway = (
        "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n2 ?o . ?q ?r ?t }"
    )
    reply = _get(open_client, runaway, headers=JSON)
    assert reply.status == 503 and _code(reply) == "QUERY_TIMEOUT"
    assert "itugraph_query_timeouts_total 1" in call(open_client, "GET", "/metrics").text
    assert _get(open_client, "ASK {}").status == 200  # the worker was replaced


def test_busy_workers_are_503_with_retry_after(open_client: FlaskClient) -> None:
    held = open_client.get(
        "/sparql?" + urllib.parse.urlencode({"query": PAIRS + " # held"}), buffered=False
    )  # not read: the only worker stays busy
    try:
        assert held.status_code == 200
        busy = _get(open_client, "ASK { ?s ?p ?o }", headers=JSON)
        assert busy.status == 503 and _code(busy) == "SERVER_BUSY"
        assert busy.headers["retry-after"] == "5"
    finally:
        held.close()  # the unread answer's worker is stopped and replaced
    assert _get(open_client, "ASK { ?s ?p ?o }").status == 200
