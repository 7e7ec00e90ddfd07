"""The dataset description (VoID + DCAT) at /.well-known/void: negotiated, and its counts
equal the store's."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from itugraph.build import Build, cached_build
from itugraph.linkeddata.void import DATASET_IRI, VOID, compute_facts, void_triples
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, ITUID
from itugraph.project import Project
from tests.helpers import LiveServer, http

FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
}


def _graph(body: bytes, fmt: ox.RdfFormat) -> list[ox.Triple]:
    return [t if isinstance(t, ox.Triple) else t.triple for t in ox.parse(body, format=fmt)]


def _value(triples: list[ox.Triple], subject: str, predicate: str) -> str:
    return next(
        t.object.value
        for t in triples
        if t.subject == ox.NamedNode(subject) and t.predicate.value == predicate
    )


def _store_count(store: ox.Store, graph: str | None) -> int:
    if graph is None:
        return sum(1 for _ in store.quads_for_pattern(None, None, None, None))
    return sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(graph)))


@pytest.mark.parametrize("media_type", list(FORMATS))
def test_void_is_negotiated_and_counts_equal_the_store(tiny_server: LiveServer, media_type: str) -> None:
    reply = http("GET", tiny_server.url + "/.well-known/void", headers={"Accept": media_type})
    assert reply.status == 200 and reply.headers["content-type"].startswith(media_type)
    assert "Accept" in reply.headers["vary"] and reply.headers["etag"].startswith('"')
    assert 'rel="alternate"' in reply.headers["link"]
    triples = _graph(reply.body, FORMATS[media_type])
    built = cached_build(Project.at(Path(tiny_server.log_path).parent / "tiny"))
    assert built is not None
    store = ox.Store.read_only(str(built.store_path))
    assert int(_value(triples, DATASET_IRI, VOID + "triples")) == _store_count(store, None)
    for graph, iri in (("asserted", GRAPH_ASSERTED), ("inferred", GRAPH_INFERRED)):
        subset = f"{DATASET_IRI.removesuffix('#dataset')}#{graph}"
        assert int(_value(triples, subset, VOID + "triples")) == _store_count(store, iri)
    assert _value(triples, DATASET_IRI, VOID + "sparqlEndpoint") == tiny_server.url + "/sparql"
    assert _value(triples, DATASET_IRI, "http://purl.org/dc/terms/modified") == built.manifest.built_at


def test_void_html_suffixes_304_and_406(tiny_server: LiveServer) -> None:
    page = http("GET", tiny_server.url + "/.well-known/void")
    assert page.status == 200 and "text/html" in page.headers["content-type"]
    assert "/sparql" in page.text and "/dumps/" in page.text
    for suffix, fmt in (
        ("ttl", ox.RdfFormat.TURTLE),
        ("jsonld", ox.RdfFormat.JSON_LD),
        ("nt", ox.RdfFormat.N_TRIPLES),
        ("rdf", ox.RdfFormat.RDF_XML),
    ):
        reply = http("GET", f"{tiny_server.url}/.well-known/void.{suffix}")
        assert reply.status == 200 and _graph(reply.body, fmt)
    again = http(
        "GET",
        tiny_server.url + "/.well-known/void",
        headers={
            "Accept": "text/turtle",
            "If-None-Match": http("GET", tiny_server.url + "/.well-known/void.ttl").headers["etag"],
        },
    )
    assert again.status in {200, 304}
    same = http("GET", tiny_server.url + "/.well-known/void.ttl")
    assert (
        http(
            "GET", tiny_server.url + "/.well-known/void.ttl", headers={"If-None-Match": same.headers["etag"]}
        ).status
        == 304
    )
    assert http("GET", tiny_server.url + "/.well-known/void", headers={"Accept": "image/png"}).status == 406


def test_the_service_description_links_the_void(tiny_server: LiveServer) -> None:
    reply = http("GET", tiny_server.url + "/sparql", headers={"Accept": "text/turtle"})
    assert f"<{tiny_server.url}/.well-known/void>" in reply.text


def test_real_graph_facts_equal_the_store(itu_build: Build) -> None:
    facts = compute_facts(itu_build)
    store = ox.Store.read_only(str(itu_build.store_path))
    assert facts.triples == {
        "asserted": _store_count(store, GRAPH_ASSERTED),
        "inferred": _store_count(store, GRAPH_INFERRED),
    }
    assert sum(n for _, n in facts.properties) == _store_count(store, None)
    assert facts.examples == [
        ITUID + "organization/itu",
        ITUID + "sector/itu-t",
        ITUID + "wsis-action-line/C5",
    ]
    # licences and sources as the graph states them, nothing else
    assert (
        "https://w3id.org/itugraph/def/itu",
        "https://www.apache.org/licenses/LICENSE-2.0",
    ) in facts.licences
    assert ITUID + "source/itu-profile" in facts.sources
    assert all("licen" in text.lower() for _, text in facts.rights)
    assert "http://www.w3.org/ns/org#" in facts.vocabularies
    triples = void_triples(facts, server="http://x/", dumps="http://x/dumps/")
    partitions = [t for t in triples if t.predicate.value == VOID + "classPartition"]
    assert len(partitions) == len(facts.classes)
