"""The ontology documentation at /def/itu and the shapes documentation at /def/shapes.

Over real HTTP (the server over the ITU graph): content negotiation and suffix URLs,
the document headers (Vary, Link, Content-Location, ETag, 304), 404s in the negotiated
format, an anchor for every term and shape, counts equal to SPARQL counts on the store,
RDF that re-parses to the ontology's triples, and every link under /def/ and /sparql
resolving. In-process (the tiny project): a project without the ITU ontology.
"""

from __future__ import annotations

import json
import urllib.parse
from collections.abc import Iterator
from html.parser import HTMLParser

import pyoxigraph as ox
import pytest
import rdflib
from flask.testing import FlaskClient
from rdflib.compare import isomorphic

from itugraph import namespaces as ns
from itugraph.build import Build
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, ITU
from itugraph.store import OxigraphStore
from tests.helpers import REPO, HttpReply, LiveServer, call, http, live_server

RDF_TYPES = {
    "ttl": ("text/turtle", "turtle"),
    "jsonld": ("application/ld+json", "json-ld"),
    "nt": ("application/n-triples", "nt"),
    "rdf": ("application/rdf+xml", "xml"),
}
DOCUMENTS = ("/def/itu", "/def/shapes")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real server over the ITU graph (the build is cached in ROOT/.itugraph)."""
    with live_server(REPO, tmp_path_factory.mktemp("ontology-docs")) as live:
        yield live


class _Page(HTMLParser):
    """Ids, links, data counts per term section, and headings of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.counts: dict[str, int] = {}
        self.results: dict[str, int] = {}
        self.html_lang: str | None = None
        self.h1 = 0
        self._section: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(str(a["id"]))
        if tag == "html":
            self.html_lang = a.get("lang")
        if tag == "h1":
            self.h1 += 1
        if tag in ("a", "link") and a.get("href"):
            self.links.append(str(a["href"]))
        if tag == "section":
            self._section.append(a.get("id") if "od-term" in (a.get("class") or "") else None)
        if tag == "data" and self._section and self._section[-1]:
            target = self.counts if "od-count" in (a.get("class") or "") else self.results
            target[self._section[-1]] = int(str(a["value"]))

    def handle_endtag(self, tag: str) -> None:
        if tag == "section" and self._section:
            self._section.pop()


def page(server: LiveServer, path: str) -> _Page:
    reply = http("GET", server.url + path)
    assert reply.status == 200, reply.text[:500]
    parsed = _Page()
    parsed.feed(reply.text)
    return parsed


def itu_terms() -> set[str]:
    """Every class, property and datatype ontology/itu.ttl declares in the itu: namespace."""
    graph = rdflib.Graph().parse(REPO / "ontology" / "itu.ttl")
    kinds = {
        rdflib.OWL.Class,
        rdflib.OWL.ObjectProperty,
        rdflib.OWL.DatatypeProperty,
        rdflib.OWL.AnnotationProperty,
        rdflib.RDFS.Datatype,
    }
    return {
        str(s)[len(ITU) :]
        for kind in kinds
        for s in graph.subjects(rdflib.RDF.type, kind)
        if str(s).startswith(ITU)
    }


def shape_ids() -> set[str]:
    graph = rdflib.Graph()
    for file in sorted((REPO / "shapes").glob("*.ttl")):
        graph.parse(file)
    sh = rdflib.Namespace(ns.SH)
    named = {
        s for kind in (sh.NodeShape, sh.PropertyShape) for s in graph.subjects(rdflib.RDF.type, kind)
    } | set(graph.subjects(sh.rule, None))
    return {str(s).rsplit("#", 1)[1] for s in named if isinstance(s, rdflib.URIRef)}


# --- negotiation and headers ---------------------------------------------------------


@pytest.mark.parametrize("path", DOCUMENTS)
def test_every_format_by_accept(server: LiveServer, path: str) -> None:
    for suffix, (media_type, _) in {"html": ("text/html", ""), **RDF_TYPES}.items():
        reply = http("GET", server.url + path, headers={"Accept": media_type})
        assert reply.status == 200, (suffix, reply.text[:300])
        assert reply.headers["content-type"].startswith(media_type)
        assert "accept" in reply.headers["vary"].lower()
        assert reply.headers["content-location"] == f"{server.url}{path}.{suffix}"
        links = reply.headers["link"]
        others = [s for s in ("html", *RDF_TYPES) if s != suffix]
        for other in others:
            assert f'<{server.url}{path}.{other}>; rel="alternate"' in links
        assert ".trig" not in links and ".nq" not in links
        assert reply.headers["etag"]


@pytest.mark.parametrize("path", DOCUMENTS)
def test_browsers_get_html_and_rdf_clients_turtle(server: LiveServer, path: str) -> None:
    browser = http(
        "GET",
        server.url + path,
        headers={"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"},
    )
    assert browser.headers["content-type"].startswith("text/html")
    assert http("GET", server.url + path).headers["content-type"].startswith("text/html")
    rdf = http("GET", server.url + path, headers={"Accept": "text/turtle, application/rdf+xml;q=0.8"})
    assert rdf.headers["content-type"].startswith("text/turtle")
    refused = http("GET", server.url + path, headers={"Accept": "image/png"})
    assert refused.status == 406


@pytest.mark.parametrize("path", DOCUMENTS)
def test_suffix_urls(server: LiveServer, path: str) -> None:
    for suffix, media_type in {"html": "text/html", **{s: m for s, (m, _) in RDF_TYPES.items()}}.items():
        reply = http("GET", f"{server.url}{path}.{suffix}", headers={"Accept": "image/png"})
        assert reply.status == 200, suffix
        assert reply.headers["content-type"].startswith(media_type)
        assert reply.headers["content-location"] == f"{server.url}{path}.{suffix}"


def test_etag_and_304(server: LiveServer) -> None:
    for url in (server.url + "/def/itu", server.url + "/def/itu.ttl", server.url + "/def/shapes"):
        first = http("GET", url)
        etag = first.headers["etag"]
        again = http("GET", url, headers={"If-None-Match": etag})
        assert again.status == 304 and again.body == b""
        assert again.headers["etag"] == etag
        assert http("GET", url, headers={"If-None-Match": '"other"'}).status == 200
    html = http("GET", server.url + "/def/itu").headers["etag"]
    turtle = http("GET", server.url + "/def/itu", headers={"Accept": "text/turtle"})
    assert turtle.headers["etag"] != html
    head = http("HEAD", server.url + "/def/itu.ttl")
    assert head.status == 200 and head.body == b""


@pytest.mark.parametrize(
    ("path", "accept", "media_type"),
    [
        ("/def/nothing", None, "text/html"),
        ("/def/nothing", "text/turtle", "text/turtle"),
        ("/def/nothing", "application/ld+json", "application/ld+json"),
        ("/def/nothing.nt", None, "application/n-triples"),
        ("/def/itu/9.9.9", None, "text/html"),
        ("/def/itu.trig", None, "application/trig"),
        ("/def/shapes/S01", "application/rdf+xml", "application/rdf+xml"),
        ("/def/", None, "text/html"),
        ("/def/itu.ttl/x", None, "text/html"),
    ],
)
def test_unknown_paths_are_404_in_the_negotiated_format(
    server: LiveServer, path: str, accept: str | None, media_type: str
) -> None:
    reply = http("GET", server.url + path, headers={"Accept": accept} if accept else {})
    assert reply.status == 404, reply.text[:300]
    assert reply.headers["content-type"].startswith(media_type)
    if media_type == "text/turtle":
        assert len(rdflib.Graph().parse(data=reply.text, format="turtle")) == 0


def test_version_iri_is_the_same_document(server: LiveServer) -> None:
    reply = http("GET", server.url + "/def/itu/0.1.0.ttl")
    assert reply.status == 200
    assert reply.body == http("GET", server.url + "/def/itu.ttl").body


# --- content -------------------------------------------------------------------------


def test_every_term_has_an_anchor(server: LiveServer) -> None:
    ontology = page(server, "/def/itu")
    terms = itu_terms()
    assert len(terms) >= 180
    assert terms <= ontology.ids, sorted(terms - ontology.ids)
    for term in ("StudyGroup", "Term", "leadFacilitatorOf", "contributesToSDG"):
        assert term in ontology.counts, term
    assert ontology.html_lang == "en" and ontology.h1 == 1


def test_every_shape_has_an_anchor(server: LiveServer) -> None:
    shapes = page(server, "/def/shapes")
    ids = shape_ids()
    assert len(ids) >= 60
    assert ids <= shapes.ids, sorted(ids - shapes.ids)
    assert shapes.html_lang == "en" and shapes.h1 == 1


def test_axioms_are_shown(server: LiveServer) -> None:
    text = http("GET", server.url + "/def/itu").text
    chain = text[text.index('id="contributesToSDG"') :]
    chain = chain[: chain.index("</section>")]
    assert "Property chain" in chain and "skos:broader" in chain
    assert "Inverse of" in chain and "itu:sdgContributor" in chain
    group = text[text.index('id="StudyGroup"') :]
    group = group[: group.index("</section>")]
    assert "Subclass of" in group and "org:OrganizationalUnit" in group
    assert "Disjoint with" in group and "itu:FocusGroup" in group
    assert "symmetric" in text[text.index('id="hasMoUWith"') :][:3000]
    reused = text[text.index('id="sec-reused"') :]
    for vocabulary in ("ORG", "SKOS", "DCTERMS", "PROV", "SDG"):
        assert vocabulary in reused[: reused.index("</section>")]


def _store_count(store: OxigraphStore, where: str, distinct: str) -> int:
    both = f"{{ GRAPH <{GRAPH_ASSERTED}> {{ {where} }} }} UNION {{ GRAPH <{GRAPH_INFERRED}> {{ {where} }} }}"
    rows = store.query(
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT {distinct} WHERE {{ {both} }} }}"
    ).rows
    value = rows[0][0]
    assert isinstance(value, ox.Literal)
    return int(value.value)


def test_counts_equal_sparql_counts_on_the_store(server: LiveServer, itu_store: OxigraphStore) -> None:
    ontology = page(server, "/def/itu")
    graph = rdflib.Graph().parse(REPO / "ontology" / "itu.ttl")
    classes = {
        str(s)[len(ITU) :]
        for s in graph.subjects(rdflib.RDF.type, rdflib.OWL.Class)
        if str(s).startswith(ITU)
    }
    checked = 0
    for anchor, count in ontology.counts.items():
        iri = ITU + anchor
        if anchor in classes:
            expected = _store_count(itu_store, f"?s a <{iri}>", "?s")
        elif (rdflib.URIRef(iri), rdflib.RDF.type, rdflib.OWL.ObjectProperty) in graph or (
            rdflib.URIRef(iri),
            rdflib.RDF.type,
            rdflib.OWL.DatatypeProperty,
        ) in graph:
            expected = _store_count(itu_store, f"?s <{iri}> ?o", "?s ?o")
        else:
            continue
        assert count == expected, anchor
        checked += 1
    assert checked >= 180
    assert ontology.counts["StudyGroup"] > 0


def test_count_links_answer_the_count(server: LiveServer) -> None:
    text = http("GET", server.url + "/def/itu").text
    group = text[text.index('id="StudyGroup"') :]
    href = group[group.index('href="/sparql?query=') + 6 :]
    href = href[: href.index('"')].replace("&amp;", "&")
    answer = http("GET", server.url + href, headers={"Accept": "application/sparql-results+json"})
    assert answer.status == 200
    value = json.loads(answer.body)["results"]["bindings"][0]["n"]["value"]
    assert int(value) == page(server, "/def/itu").counts["StudyGroup"]


def test_shape_results_follow_the_builds_validation(server: LiveServer, itu_build: Build) -> None:
    shapes = page(server, "/def/shapes")
    saved = itu_build.path / "validation.json"
    if not saved.is_file():
        assert shapes.results == {}
        return
    results = json.loads(saved.read_text(encoding="utf-8"))["results"]
    for shape, count in shapes.results.items():
        assert count == sum(1 for r in results if r["shape_id"] == shape), shape
    assert sum(shapes.results.values()) == len(results)


# --- RDF -----------------------------------------------------------------------------


def _parsed(reply: HttpReply, fmt: str) -> rdflib.Graph:
    return rdflib.Graph().parse(data=reply.body, format=fmt)


def test_ontology_rdf_is_the_ontology_file(server: LiveServer) -> None:
    expected = rdflib.Graph().parse(REPO / "ontology" / "itu.ttl")
    for suffix, (_, fmt) in RDF_TYPES.items():
        reply = http("GET", f"{server.url}/def/itu.{suffix}")
        assert isomorphic(_parsed(reply, fmt), expected), suffix


def test_shapes_rdf_is_the_shapes_files(server: LiveServer) -> None:
    expected = rdflib.Graph()
    for file in sorted((REPO / "shapes").glob("*.ttl")):
        expected.parse(file)
    for suffix, (_, fmt) in RDF_TYPES.items():
        reply = http("GET", f"{server.url}/def/shapes.{suffix}")
        assert len(_parsed(reply, fmt)) == len(expected), suffix
    assert isomorphic(_parsed(http("GET", f"{server.url}/def/shapes.ttl"), "turtle"), expected)


def test_rdflib_loads_the_ontology_by_its_url(server: LiveServer) -> None:
    graph = rdflib.Graph().parse(server.url + "/def/itu")
    assert isomorphic(graph, rdflib.Graph().parse(REPO / "ontology" / "itu.ttl"))
    term = rdflib.Graph().parse(server.url + "/def/itu#StudyGroup")
    assert (rdflib.URIRef(ITU + "StudyGroup"), rdflib.RDF.type, rdflib.OWL.Class) in term


# --- links ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", DOCUMENTS)
def test_every_link_resolves(server: LiveServer, path: str) -> None:
    """Links under /def/, /sparql and /static are fetched (fragments checked against the
    page's ids); /id/, /resource and external links belong to other surfaces."""
    pages: dict[str, _Page] = {path: page(server, path)}
    checked = 0
    for href in sorted(set(pages[path].links)):
        target = urllib.parse.urljoin(path, href)
        location, _, fragment = target.partition("#")
        if not location.startswith(("/def/", "/sparql", "/static/")):
            continue
        if location not in pages:
            reply = http("GET", server.url + location)
            assert reply.status == 200, (href, reply.status)
            if reply.headers["content-type"].startswith("text/html"):
                pages[location] = _Page()
                pages[location].feed(reply.text)
        if fragment:
            assert fragment in pages[location].ids, href
        checked += 1
    assert checked > 50


def test_rendered_once_per_build(server: LiveServer, itu_build: Build) -> None:
    http("GET", server.url + "/def/itu")
    kept = list(itu_build.path.glob("itu-docs-*.html"))
    assert kept, "the page is kept in the build's cache entry"
    assert not list(itu_build.path.glob(".itu-docs-*"))  # no temporary file left


# --- a project without the ITU ontology (in-process) -----------------------------------


def test_tiny_project(client: FlaskClient) -> None:
    assert call(client, "GET", "/def/itu").status == 404
    reply = call(client, "GET", "/def/shapes")
    assert reply.status == 200
    assert 'id="S01-Unit-label"' in reply.text
    turtle = call(client, "GET", "/def/shapes.ttl")
    assert len(rdflib.Graph().parse(data=turtle.body, format="turtle")) > 0
