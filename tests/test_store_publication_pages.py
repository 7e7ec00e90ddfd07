"""Over a store (``serve --backend sparql``), the listings, the label search, the SHACL
status of resource pages, the home page's figures, the dumps and the VoID description show
the store's live publication, not the front end's own build; and a new publication shows
without a restart. Real stores (Oxigraph server, Virtuoso 7), real front ends over HTTP.

The front end serves the plain ``tiny`` project while the store holds a *different*
project (tiny plus two resources under ``…/id/`` and a warning shape): whatever the pages
show of those came from the store.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import os
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

import pyoxigraph as ox
import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from itugraph.build import build
from itugraph.errors import StoreError
from itugraph.linkeddata.published import published_lines
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, ITUID
from itugraph.project import Project
from itugraph.remote_store import RemoteStoreConfig
from tests.conftest import TINY_SETTINGS
from tests.helpers import HttpReply, LiveServer, copy_fixture, http, live_server, run_main
from tests.stores import STORE_KINDS, StoreServer, store_server

pytestmark = pytest.mark.slow

ZANZIBAR = ITUID + "unit/zanzibar"
PEMBA = ITUID + "unit/pemba"
UNITS = f"""@prefix ex: <http://example.org/tiny#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{ZANZIBAR}> a ex:Unit ; rdfs:label "Zanzibar relay"@en ; ex:unitOf <http://example.org/id/org> .
"""
PEMBA_UNIT = f"""@prefix ex: <http://example.org/tiny#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{PEMBA}> a ex:Unit ; rdfs:label "Pemba relay"@en ; ex:unitOf <{ZANZIBAR}> .
"""
WARNING_SHAPE = """@prefix ex: <http://example.org/tiny#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix ish: <http://example.org/tiny/shapes#> .
ish:S03-Unit a sh:NodeShape ; sh:targetClass ex:Unit ; sh:property ish:S03-Unit-comment .
ish:S03-Unit-comment a sh:PropertyShape ; sh:path rdfs:comment ; sh:minCount 1 ;
    sh:severity sh:Warning ; sh:message "A unit should say what it does in an rdfs:comment."@en .
"""
WARNING = "A unit should say what it does in an rdfs:comment."


class Deployment:
    """A store, the project published to it, and a front end over the store that serves
    another project (the plain tiny one)."""

    def __init__(self, store: StoreServer, published: Path, front: LiveServer) -> None:
        self.store, self.published, self.front = store, published, front

    def publish(self) -> None:
        with mock.patch.dict(os.environ, self.store.env()):
            done = run_main("--root", self.published, "publish", *self.store.publish_args(), "--grace", "0")
        assert done.returncode == 0, done.stderr

    def get(self, path: str, accept: str = "application/json") -> HttpReply:
        return http("GET", self.front.url + path, headers={"Accept": accept})

    def dump(self, name: str) -> HttpReply:
        """A dump file, once written (its writer is a child process reading the store)."""
        deadline = time.monotonic() + 120
        while True:
            reply = self.get(f"/dumps/{name}", accept="*/*")
            if reply.status != 503 or time.monotonic() > deadline:
                return reply
            time.sleep(0.5)


@pytest.fixture(scope="module", params=STORE_KINDS)
def deployment(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Deployment]:
    tmp = tmp_path_factory.mktemp(f"pages-{request.param}")
    (tmp / "published").mkdir()
    published = copy_fixture("tiny", tmp / "published")
    (published / "graph" / "relays.ttl").write_text(UNITS)
    (published / "shapes" / "warnings.ttl").write_text(WARNING_SHAPE)
    front_root = copy_fixture("tiny", tmp)
    with store_server(request.param, tmp) as store:
        env = {f"ITUGRAPH_{k}": str(v) for k, v in TINY_SETTINGS.items()}
        env |= {
            "ITUGRAPH_BACKEND": "sparql",
            "ITUGRAPH_QUERY_URL": store.query_url,
            "ITUGRAPH_POINTER_TTL": "0.2",
            "ITUGRAPH_DUMP_WAIT": "2",
        }
        deployed = Deployment(store, published, None)  # type: ignore[arg-type]
        deployed.publish()
        with live_server(front_root, tmp, env=env) as front:
            deployed.front = front
            yield deployed


def _search(deployed: Deployment, text: str) -> list[str]:
    reply = deployed.get("/search?" + urllib.parse.urlencode({"q": text}))
    assert reply.status == 200, reply.text
    return [hit["iri"] for hit in json.loads(reply.body)["results"]]


def _listing(deployed: Deployment, path: str) -> ox.Store:
    reply = deployed.get(path, accept="text/turtle")
    assert reply.status == 200, reply.text
    store = ox.Store()
    store.load(reply.body, format=ox.RdfFormat.TURTLE)
    return store


def _entities(listing: ox.Store, iri: str) -> int:
    rows = list(listing.query(f"SELECT ?n {{ <{iri}> <http://rdfs.org/ns/void#entities> ?n }}"))
    return int(rows[0][0].value)


def _members(listing: ox.Store, iri: str) -> set[str]:
    return {row[0].value for row in listing.query(f"SELECT ?m {{ <{iri}> <{_RDFS}member> ?m }}")}


_RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def _graph(ntriples: bytes) -> Graph:
    return Graph().parse(data=ntriples.decode(), format="nt")


def _local(root: Path, graph: str) -> bytes:
    store = build(Project.at(root)).open_store()
    return ox.serialize(store.triples(graph), format=ox.RdfFormat.N_TRIPLES) or b""


def test_listings_search_and_figures_come_from_the_store(deployment: Deployment) -> None:
    kinds = _listing(deployment, "/id/")
    assert _entities(kinds, ITUID + "unit/") == 1  # the front end's own build has no unit/
    assert _members(_listing(deployment, "/id/unit/"), ITUID + "unit/") == {ZANZIBAR}
    assert _search(deployment, "zanzibar") == [ZANZIBAR]
    page = deployment.get("/id/unit/", accept="text/html")
    assert page.status == 200 and "Zanzibar relay" in page.text
    assert http("GET", deployment.front.url + "/").status == 200


def test_the_shacl_status_is_the_publications(deployment: Deployment) -> None:
    page = deployment.get("/id/unit/zanzibar", accept="text/html")
    assert page.status == 200, page.text
    assert WARNING in page.text and "S03-Unit-comment" in page.text
    assert "Conforms" not in page.text


def test_dumps_and_void_are_the_publications(deployment: Deployment) -> None:
    asserted = deployment.dump("asserted.nt.gz")
    assert asserted.status == 200, asserted.text
    body = gzip.decompress(asserted.body)
    assert f"<{ZANZIBAR}>".encode() in body
    assert isomorphic(_graph(body), _graph(_local(deployment.published, GRAPH_ASSERTED)))
    inferred = gzip.decompress(deployment.dump("inferred.nt.gz").body)
    assert isomorphic(_graph(inferred), _graph(_local(deployment.published, GRAPH_INFERRED)))
    index = json.loads(deployment.get("/dumps/index.json").body)
    stated = {
        row["stable"]: int(row["n"])
        for row in deployment.store.select(
            "SELECT ?stable ?n { GRAPH <https://w3id.org/itugraph/graph/current> { "
            "?g <http://purl.org/dc/terms/isVersionOf> ?stable ; <http://rdfs.org/ns/void#triples> ?n } }"
        )
    }
    assert index["triples"] == {"asserted": stated[GRAPH_ASSERTED], "inferred": stated[GRAPH_INFERRED]}
    assert index["version"] == build(Project.at(deployment.published)).version
    void = deployment.get("/.well-known/void", accept="text/turtle")
    assert void.status == 200 and str(stated[GRAPH_ASSERTED]).encode() in void.body
    sums = deployment.dump("SHA256SUMS")
    assert sums.status == 200 and b"asserted.nt.gz" in sums.body


def test_a_publication_dropped_while_read_is_no_short_dump(deployment: Deployment) -> None:
    """The dump writer checks what it read against the counts the pointer states."""
    store = RemoteStoreConfig(deployment.store.query_url).open()
    live = store.publication()
    assert live.triples[GRAPH_ASSERTED] > 0 and live.validation is not None
    lines = published_lines(store.pinned(live), live)
    assert len(lines[GRAPH_ASSERTED]) == live.triples[GRAPH_ASSERTED]
    dropped = dataclasses.replace(live, graphs={g: f"{v}-dropped" for g, v in live.graphs.items()})
    with pytest.raises(StoreError, match="the publication states"):
        published_lines(store.pinned(dropped), dropped)


def test_a_new_publication_shows_without_a_restart(deployment: Deployment) -> None:
    before = deployment.dump("asserted.nt.gz")
    (deployment.published / "graph" / "pemba.ttl").write_text(PEMBA_UNIT)
    (deployment.published / "shapes" / "warnings.ttl").unlink()
    deployment.publish()
    time.sleep(0.5)  # the front end's pointer TTL
    assert _members(_listing(deployment, "/id/unit/"), ITUID + "unit/") == {ZANZIBAR, PEMBA}
    assert _search(deployment, "pemba") == [PEMBA]
    page = deployment.get("/id/unit/zanzibar", accept="text/html")
    assert WARNING not in page.text and "Conforms" in page.text
    after = deployment.dump("asserted.nt.gz")
    assert after.status == 200 and after.headers["etag"] != before.headers["etag"]
    assert f"<{PEMBA}>".encode() in gzip.decompress(after.body)
    index = json.loads(deployment.get("/dumps/index.json").body)
    assert index["version"] == build(Project.at(deployment.published)).version
