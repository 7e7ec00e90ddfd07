"""Front ends over an external store (``serve --backend sparql``): stateless replicas that
agree, a readiness check a load balancer can use, and a re-publish they follow."""

from __future__ import annotations

import json
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from tests.conftest import TINY_SETTINGS
from tests.helpers import LiveServer, copy_fixture, http, live_server, run_cli, run_main
from tests.stores import STORE_KINDS, StoreServer, oxigraph_server, server_over_store, stop

pytestmark = pytest.mark.slow

QUERIES = [
    "SELECT ?s ?o WHERE { ?s <http://example.org/tiny#partOf> ?o } ORDER BY ?s ?o",
    "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p LIMIT 20",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g",
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH <https://w3id.org/itugraph/graph/inferred> { ?s ?p ?o } }",
    "ASK { ?s <http://example.org/tiny#partOf> <http://example.org/id/org> }",
    "PREFIX g: <https://w3id.org/itugraph/graph/> "
    "SELECT ?g (COUNT(*) AS ?n) FROM NAMED g:asserted WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    "PREFIX g: <https://w3id.org/itugraph/graph/> SELECT (COUNT(*) AS ?n) FROM g:inferred WHERE { ?s ?p ?o }",
]


def _select(server: LiveServer, query: str) -> object:
    reply = http("GET", f"{server.url}/sparql?" + urllib.parse.urlencode({"query": query}))
    assert reply.status == 200, reply.text
    return json.loads(reply.body)


def _front_end(root: Path, tmp: Path, store: StoreServer) -> AbstractContextManager[LiveServer]:
    env = {f"ITUGRAPH_{k}": str(v) for k, v in TINY_SETTINGS.items()}
    env |= {
        "ITUGRAPH_BACKEND": "sparql",
        "ITUGRAPH_QUERY_URL": store.query_url,
        "ITUGRAPH_POINTER_TTL": "0.2",
    }
    return live_server(root, tmp, env=env)


@pytest.fixture(params=STORE_KINDS)
def over_store(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[LiveServer, StoreServer, Path]]:
    root = copy_fixture("tiny", tmp_path)
    with server_over_store(request.param, root, tmp_path, {**TINY_SETTINGS, "POINTER_TTL": 0.2}) as pair:
        yield pair[0], pair[1], root


def test_two_front_ends_over_one_store_give_the_same_answers_as_the_embedded_store(
    over_store: tuple[LiveServer, StoreServer, Path], tiny_server: LiveServer, tmp_path: Path
) -> None:
    first, store, root = over_store
    (tmp_path / "second").mkdir()
    with _front_end(root, tmp_path / "second", store) as second:
        for query in QUERIES:
            answer = _select(first, query)
            assert answer == _select(second, query) == _select(tiny_server, query), query
        named = http("GET", f"{second.url}/api/queries/01-units?org=http://example.org/id/org")
        assert named.status == 200
        assert (
            named.body
            == http("GET", f"{tiny_server.url}/api/queries/01-units?org=http://example.org/id/org").body
        )


def test_front_ends_follow_a_new_publication(over_store: tuple[LiveServer, StoreServer, Path]) -> None:
    server, store, root = over_store
    query = "SELECT ?label WHERE { <http://example.org/id/new> ?p ?label }"
    before = http("GET", f"{server.url}/sparql?" + urllib.parse.urlencode({"query": query}))
    assert json.loads(before.body)["results"]["bindings"] == []
    (root / "graph" / "new.ttl").write_text(
        '<http://example.org/id/new> <http://www.w3.org/2000/01/rdf-schema#label> "new"@en .\n'
    )
    done = run_cli("--root", root, "publish", *store.publish_args(), "--grace", "0", env=store.env())
    assert done.returncode == 0, done.stderr
    time.sleep(0.5)  # the pointer TTL of the front end
    after = http("GET", f"{server.url}/sparql?" + urllib.parse.urlencode({"query": query}))
    assert [b["label"]["value"] for b in json.loads(after.body)["results"]["bindings"]] == ["new"]
    assert after.headers["etag"] != before.headers["etag"]
    # The front end still renders its pages from the build it started with: it says so.
    assert http("GET", f"{server.url}/readyz").json()["in_sync"] is False  # type: ignore[index]


def test_readiness_follows_the_store(over_store: tuple[LiveServer, StoreServer, Path]) -> None:
    server, store, _root = over_store
    ready = http("GET", f"{server.url}/readyz")
    assert ready.status == 200
    assert ready.json()["backend"] == "sparql" and ready.json()["publication"]  # type: ignore[index]
    stop(store)
    not_ready = http("GET", f"{server.url}/readyz")
    assert not_ready.status == 503 and not_ready.headers["retry-after"]
    assert not_ready.json()["status"] == "not ready"  # type: ignore[index]
    time.sleep(0.3)  # past the pointer TTL: the query needs the store
    failed = http("GET", f"{server.url}/sparql?" + urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"}))
    assert failed.status == 503 and failed.headers["retry-after"] == "5"
    assert store.query_url.split("/")[2] not in failed.text + not_ready.text  # no address leaks
    assert http("GET", f"{server.url}/healthz").status == 200  # alive, only not ready


def test_the_sparql_backend_needs_a_query_url() -> None:
    code, _, err = run_main("serve", "--backend", "sparql", "--port", "9")
    assert code == 2 and "--query-url" in err


def test_a_store_with_nothing_published_is_not_ready(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    with oxigraph_server(tmp_path) as store:
        env = {"ITUGRAPH_BACKEND": "sparql", "ITUGRAPH_QUERY_URL": store.query_url, "ITUGRAPH_WORKERS": "1"}
        with live_server(root, tmp_path, env=env, wait_for="/healthz") as server:
            reply = http("GET", f"{server.url}/readyz")
    assert reply.status == 503 and reply.json()["status"] == "not ready"  # type: ignore[index]
