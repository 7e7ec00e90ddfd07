"""The store interface over a real external store (Oxigraph server, Virtuoso 7) that a
build was published to: the same answers as the build's embedded store, through the
stable graph names."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from unittest import mock

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from itugraph.build import build
from itugraph.errors import InputError, QuerySyntaxError, StoreError
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED
from itugraph.project import Project
from itugraph.remote_store import RemoteSparqlStore, RemoteStoreConfig
from itugraph.store import OxigraphStore
from itugraph.web import create_app
from itugraph.web.config import load_settings, remote_config
from tests.helpers import copy_fixture, free_port, run_main
from tests.stores import STORE_KINDS, StoreServer, oxigraph_server, store_server

pytestmark = pytest.mark.slow

EX = "http://example.org/tiny#"
QUERIES = [
    f"SELECT ?unit ?org WHERE {{ ?unit <{EX}partOf> ?org }}",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ ?s ?p ?o }} }}",
    f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH_ASSERTED}> WHERE {{ ?s ?p ?o }}",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    # Graph names written as prefixed names, or relative to BASE, name the live graphs too.
    "PREFIX g: <https://w3id.org/itugraph/graph/> "
    "SELECT (COUNT(*) AS ?n) WHERE { GRAPH g:asserted { ?s ?p ?o } }",
    "PREFIX g: <https://w3id.org/itugraph/graph/> SELECT (COUNT(*) AS ?n) FROM g:inferred WHERE { ?s ?p ?o }",
    "BASE <https://w3id.org/itugraph/graph/> PREFIX : <> "
    "SELECT ?g (COUNT(*) AS ?n) FROM NAMED :asserted FROM NAMED <inferred> "
    "WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
]


@pytest.fixture(scope="module", params=STORE_KINDS)
def published(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[StoreServer, Path]]:
    tmp = tmp_path_factory.mktemp(f"remote-{request.param}")
    root = copy_fixture("tiny", tmp)
    with store_server(request.param, tmp) as store:
        with mock.patch.dict(os.environ, store.env()):
            done = run_main("--root", root, "publish", *store.publish_args(), "--grace", "0")
        assert done.returncode == 0, done.stderr
        yield store, root


@pytest.fixture(scope="module")
def remote(published: tuple[StoreServer, Path]) -> RemoteSparqlStore:
    return RemoteStoreConfig(published[0].query_url).open()


@pytest.fixture(scope="module")
def local(published: tuple[StoreServer, Path]) -> OxigraphStore:
    return build(Project.at(published[1])).open_store()


def _rows(store: RemoteSparqlStore | OxigraphStore, query: str, **kwargs: object) -> list[tuple[str, ...]]:
    outcome = store.query(query, **kwargs)  # type: ignore[arg-type]
    return sorted(tuple(str(term) for term in row) for row in outcome.rows)


@pytest.mark.parametrize("query", QUERIES)
def test_answers_equal_the_embedded_store(
    remote: RemoteSparqlStore, local: OxigraphStore, query: str
) -> None:
    assert _rows(remote, query) == _rows(local, query)


def test_protocol_graphs_and_parameters(remote: RemoteSparqlStore, local: OxigraphStore) -> None:
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
    for graphs in ({"default_graphs": [GRAPH_INFERRED]}, {"named_graphs": [GRAPH_ASSERTED]}):
        assert _rows(remote, count, **graphs) == _rows(local, count, **graphs)
    units = f"SELECT ?unit ?org WHERE {{ ?unit <{EX}partOf> ?org }}"
    bound = {"substitutions": {"org": ox.NamedNode("http://example.org/id/org")}}
    assert _rows(remote, units, **bound) == _rows(local, units, **bound) != []


def test_ask_construct_and_the_graph_listing(remote: RemoteSparqlStore, local: OxigraphStore) -> None:
    assert remote.query(f"ASK {{ ?s <{EX}partOf> ?o }}").boolean is True
    assert remote.query("ASK { <http://example.org/none> ?p ?o }").boolean is False
    triples = remote.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").triples
    assert len(triples) == len(set(local.triples()))
    assert isomorphic(_graph(remote.triples(GRAPH_ASSERTED)), _graph(local.triples(GRAPH_ASSERTED)))
    assert remote.graph_names() == [GRAPH_ASSERTED, GRAPH_INFERRED]
    assert remote.ping() == remote.version and remote.version.endswith(local.version)


def _graph(triples: Iterable[ox.Triple]) -> Graph:
    """An rdflib graph, to compare graphs with blank nodes (labelled by each store)."""
    ntriples = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return Graph().parse(data=ntriples.decode(), format="nt")


def test_a_malformed_query_is_refused_before_the_store(remote: RemoteSparqlStore) -> None:
    with pytest.raises(QuerySyntaxError, match="malformed query"):
        remote.query("SELEC ?x")


def test_an_empty_or_unreachable_store_is_a_store_error(tmp_path: Path) -> None:
    with oxigraph_server(tmp_path) as empty:
        with pytest.raises(StoreError, match="nothing is published") as caught:
            RemoteStoreConfig(empty.query_url).open().publication()
        assert "itugraph publish" in str(caught.value.hint)
    with pytest.raises(StoreError, match="failed 1 times"):
        RemoteStoreConfig(f"http://127.0.0.1:{free_port()}/query").open().query("ASK {}")


def test_backend_settings_are_checked() -> None:
    assert remote_config(load_settings(environ={})) is None
    with pytest.raises(InputError, match="unknown backend"):
        remote_config(load_settings({"BACKEND": "cluster"}, environ={}))
    with pytest.raises(InputError, match="query URL"):
        remote_config(load_settings({"BACKEND": "sparql"}, environ={}))
    with pytest.raises(InputError, match="credentials never go on the command line"):
        remote_config(load_settings({"BACKEND": "sparql", "QUERY_URL": "http://u:p@h/q"}, environ={}))


def test_the_app_over_the_store_is_ready_until_the_store_goes(published: tuple[StoreServer, Path]) -> None:
    store, root = published
    app = create_app(Project.at(root), {"BACKEND": "sparql", "QUERY_URL": store.query_url, "WORKERS": 1})
    client = app.test_client()
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json["publication"]  # type: ignore[index]
    assert ready.json["in_sync"] is True  # type: ignore[index]
    answer = client.get("/sparql", query_string={"query": f"ASK {{ ?s <{EX}partOf> ?o }}"})
    assert answer.status_code == 200 and answer.json == {"head": {}, "boolean": True}
    down = create_app(
        Project.at(root),
        {"BACKEND": "sparql", "QUERY_URL": f"http://127.0.0.1:{free_port()}/q", "WORKERS": 1},
    )
    not_ready = down.test_client().get("/readyz")
    assert not_ready.status_code == 503 and not_ready.json["status"] == "not ready"  # type: ignore[index]
    failed = down.test_client().get("/sparql", query_string={"query": "ASK {}"})
    assert failed.status_code == 503 and failed.headers["Retry-After"] == "5"
    page = down.test_client().get("/id/sector/itu-t", headers={"Accept": "text/turtle"})
    assert page.status_code == 503
