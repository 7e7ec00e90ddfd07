"""Dereferencing over real HTTP: every IRI under https://w3id.org/itugraph/id/ (and the UN's
SDG IRIs through /resource) in every format, by Accept and by suffix; 404s and 406; the
headers a linked-data client relies on (Vary, Link, Content-Location, ETag/304); rdflib
as a real client; labels escaped; French labels with Accept-Language: fr."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from itugraph.namespaces import ITUID
from itugraph.web.config import Settings
from tests.helpers import REPO, LiveServer, http
from tests.ld_servers import INJECTED_LABEL, injected_server, itu_server
from tests.stores import STORE_KINDS, server_over_store

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("itu_ld_server")]

ID = ITUID
ITU = "https://w3id.org/itugraph/def/itu#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SDG_9 = "http://metadata.un.org/sdg/9"

FORMATS = {  # suffix: (Accept, pyoxigraph format)
    "ttl": ("text/turtle", ox.RdfFormat.TURTLE),
    "jsonld": ("application/ld+json", ox.RdfFormat.JSON_LD),
    "nt": ("application/n-triples", ox.RdfFormat.N_TRIPLES),
    "rdf": ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    "trig": ("application/trig", ox.RdfFormat.TRIG),
    "nq": ("application/n-quads", ox.RdfFormat.N_QUADS),
}
#: (path, IRI, a triple it must hold: predicate, object)
RESOURCES = [
    ("/id/sector/itu-t", ID + "sector/itu-t", (RDF_TYPE, ITU + "Sector")),
    (
        "/id/question/itu-t-q7-17-2025-2028",
        ID + "question/itu-t-q7-17-2025-2028",
        (RDF_TYPE, ITU + "StudyQuestion"),
    ),
    ("/id/wsis-action-line/C5", ID + "wsis-action-line/C5", (RDF_TYPE, ITU + "WSISActionLine")),
    (f"/resource?iri={quote(SDG_9, safe='')}", SDG_9, (SKOS_PREF, None)),
]


@pytest.fixture(scope="module", params=["embedded", *STORE_KINDS])
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The ITU graph served from its build, or published to Oxigraph server or Virtuoso
    and described through it (``serve --backend sparql``): the same documents."""
    tmp = tmp_path_factory.mktemp(f"ld-itu-{request.param}")
    if request.param == "embedded":
        with itu_server(tmp) as live:
            yield live
        return
    with server_over_store(request.param, REPO, tmp, {}) as (live, _store):
        yield live


def _quads(body: bytes, fmt: ox.RdfFormat) -> list[ox.Quad]:
    return list(ox.parse(body, format=fmt, base_iri="http://example.org/"))


def _holds(quads: list[ox.Quad], iri: str, predicate: str, obj: str | None) -> bool:
    return any(
        q.subject == ox.NamedNode(iri)
        and q.predicate.value == predicate
        and (obj is None or q.object.value == obj)
        for q in quads
    )


def _suffixed(path: str, suffix: str) -> str:
    base, mark, query = path.partition("?")
    return f"{base}.{suffix}{mark}{query}"


@pytest.mark.parametrize(("path", "iri", "triple"), RESOURCES, ids=lambda v: str(v)[:40])
@pytest.mark.parametrize("suffix", list(FORMATS))
def test_every_format_by_accept_and_by_suffix(
    server: LiveServer, path: str, iri: str, triple: tuple[str, str | None], suffix: str
) -> None:
    accept, fmt = FORMATS[suffix]
    negotiated = http("GET", server.url + path, headers={"Accept": accept})
    assert negotiated.status == 200, negotiated.text[:300]
    assert negotiated.headers["content-type"].split(";")[0] == accept
    assert "Accept" in negotiated.headers["vary"]
    assert negotiated.headers["content-location"] == server.url + _suffixed(path, suffix)
    quads = _quads(negotiated.body, fmt)
    assert _holds(quads, iri, *triple), f"{triple} missing from {path} as {suffix}"
    by_suffix = http("GET", server.url + _suffixed(path, suffix))
    assert by_suffix.status == 200
    assert by_suffix.headers["content-type"].split(";")[0] == accept
    assert by_suffix.body == negotiated.body
    assert "Accept" not in by_suffix.headers["vary"].split(", ")  # one representation only
    if suffix in {"trig", "nq"}:  # the named graphs are kept
        graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
        assert "https://w3id.org/itugraph/graph/asserted" in graphs


def test_html_is_the_default_and_links_every_alternate(server: LiveServer) -> None:
    reply = http("GET", server.url + "/id/sector/itu-t", headers={"Accept": "text/html,*/*;q=0.8"})
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")
    links = reply.headers["link"]
    for suffix, (accept, _) in FORMATS.items():
        assert f'<{server.url}/id/sector/itu-t.{suffix}>; rel="alternate"; type="{accept}"' in links
    assert "Accept-Language" in reply.headers["vary"]
    assert reply.headers["content-location"] == server.url + "/id/sector/itu-t.html"
    assert '<html lang="en">' in reply.text
    assert 'href="/id/sector/itu-t.ttl"' in reply.text


def test_etag_and_304_before_rendering(server: LiveServer) -> None:
    first = http("GET", server.url + "/id/wsis-action-line/C5", headers={"Accept": "text/turtle"})
    etag = first.headers["etag"]
    again = http(
        "GET",
        server.url + "/id/wsis-action-line/C5",
        headers={"Accept": "text/turtle", "If-None-Match": etag},
    )
    assert again.status == 304 and again.body == b""
    assert again.headers["etag"] == etag
    other = http(
        "GET",
        server.url + "/id/wsis-action-line/C5",
        headers={"Accept": "application/n-triples", "If-None-Match": etag},
    )
    assert other.status == 200  # another representation, another ETag


def test_a_compressed_document_has_its_own_strong_etag(server: LiveServer) -> None:
    """RFC 9110 §8.8.3: a strong ETag names one sequence of bytes, so the gzip answer's
    differs from the identity answer's; either revalidates (the replay layer too)."""
    url, turtle = server.url + "/id/sector/itu-t", {"Accept": "text/turtle"}
    plain = http("GET", url, headers=turtle)
    zipped = http("GET", url, headers={**turtle, "Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gzip"'
    for _ in range(2):  # the app, then the replay layer
        for held in (zipped.headers["etag"], plain.headers["etag"]):
            again = http("GET", url, headers={**turtle, "Accept-Encoding": "gzip", "If-None-Match": held})
            assert again.status == 304, held


@pytest.mark.parametrize("suffix", ["html", *FORMATS])
def test_unknown_iri_is_a_404_in_each_format(server: LiveServer, suffix: str) -> None:
    for path in ("/id/sector/no-such-sector", "/id/no-such-kind/x"):
        by_suffix = http("GET", f"{server.url}{path}.{suffix}")
        assert by_suffix.status == 404
        accept = FORMATS[suffix][0] if suffix in FORMATS else "text/html"
        assert by_suffix.headers["content-type"].startswith(accept)
        negotiated = http("GET", server.url + path, headers={"Accept": accept})
        assert negotiated.status == 404
        assert negotiated.headers["content-type"].startswith(accept)
        if suffix in FORMATS:
            assert _quads(negotiated.body, FORMATS[suffix][1]) == []
        else:
            assert "Not found" in negotiated.text
    external = http(
        "GET",
        server.url + "/resource?iri=" + quote("http://example.org/nothing"),
        headers={"Accept": "text/turtle"},
    )
    assert external.status == 404


def test_nothing_acceptable_is_406(server: LiveServer) -> None:
    reply = http("GET", server.url + "/id/sector/itu-t", headers={"Accept": "image/png"})
    assert reply.status == 406
    assert "text/turtle" in reply.text


@pytest.mark.parametrize(("path", "iri", "triple"), RESOURCES, ids=lambda v: str(v)[:40])
def test_rdflib_dereferences_as_a_client(
    server: LiveServer, path: str, iri: str, triple: tuple[str, str | None]
) -> None:
    import rdflib

    graph = rdflib.Graph()
    graph.parse(server.url + path)
    predicate, obj = triple
    found = list(graph.objects(rdflib.URIRef(iri), rdflib.URIRef(predicate)))
    assert found and (obj is None or rdflib.URIRef(obj) in found)


def test_sdg_page_in_french_links_the_un(server: LiveServer) -> None:
    page = http(
        "GET",
        server.url + "/resource?iri=" + quote(SDG_9, safe=""),
        headers={"Accept": "text/html", "Accept-Language": "fr"},
    )
    assert page.status == 200
    assert '<h1 lang="fr">' in page.text
    assert f'href="{SDG_9}"' in page.text  # the UN's page
    english = http(
        "GET",
        server.url + "/resource?iri=" + quote(SDG_9, safe=""),
        headers={"Accept": "text/html", "Accept-Language": "en"},
    )
    assert '<h1 lang="en">' in english.text
    assert english.headers["etag"] != page.headers["etag"]


def test_ours_through_resource_redirects(server: LiveServer) -> None:
    reply = http("GET", server.url + "/resource?iri=" + quote(ID + "sector/itu-t", safe=""))
    assert reply.status == 200 and reply.headers["content-type"].startswith("text/html")


def test_resource_description_shows_inferred_claims_and_shacl(server: LiveServer) -> None:
    page = http("GET", server.url + "/id/wsis-action-line/C5").text
    assert "WSIS facilitation roles" in page
    assert "/api/explain?" in page and "why?" in page
    assert "SHACL status" in page
    why = page.split('href="/api/explain?', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert http("GET", server.url + "/api/explain?" + why).status == 200


def test_listings_graphs_and_search(server: LiveServer) -> None:
    kinds = http("GET", server.url + "/id/")
    assert kinds.status == 200 and 'href="/id/sector/"' in kinds.text
    listing = http("GET", server.url + "/id/sector/")
    assert 'href="/id/sector/itu-t"' in listing.text
    listing_ttl = http("GET", server.url + "/id/sector/", headers={"Accept": "text/turtle"})
    assert listing_ttl.headers["content-location"] == server.url + "/id/sector/.ttl"
    assert _holds(
        _quads(listing_ttl.body, ox.RdfFormat.TURTLE),
        ID + "sector/",
        "http://www.w3.org/2000/01/rdf-schema#member",
        ID + "sector/itu-t",
    )
    for name in ("asserted", "inferred"):
        graph = http("GET", f"{server.url}/graph/{name}")
        assert graph.status == 200 and 'href="/dumps/"' in graph.text
        assert 'href="/sparql"' in graph.text
    assert http("GET", server.url + "/graph/other").status == 404
    found = http("GET", server.url + "/search?q=" + quote("SÉCURITÉ")).text  # accents, case
    assert "/id/" in found or "/resource?iri=" in found
    assert http("GET", server.url + "/search?q=" + quote("itu-t")).text.count('href="/id/sector/itu-t"') == 1


@pytest.fixture(scope="module")
def injected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with injected_server(tmp_path_factory.mktemp("ld-injected")) as live:
        yield live


def test_labels_are_escaped_everywhere(injected: LiveServer) -> None:
    pages = [
        http("GET", injected.url + path).text
        for path in ("/id/thing/evil", "/id/thing/good", "/id/thing/", "/search?q=script")
    ]
    for page in pages:
        assert "<script>alert" not in page and "<b>bold" not in page
    assert "&lt;script&gt;alert" in pages[0]
    assert "&lt;script&gt;alert" in pages[1]  # the label of a linked thing
    assert "&lt;script&gt;alert" in pages[2] and "&lt;script&gt;alert" in pages[3]
    turtle = http("GET", injected.url + "/id/thing/evil.nt")
    assert _holds(_quads(turtle.body, ox.RdfFormat.N_TRIPLES), ID + "thing/evil", RDFS_LABEL, INJECTED_LABEL)


def test_page_renders_once_per_build(server: LiveServer, tmp_path: Path) -> None:
    first = http("GET", server.url + "/id/sector/itu-r.ttl")
    second = http("GET", server.url + "/id/sector/itu-r.ttl")
    assert first.body == second.body and first.headers["etag"] == second.headers["etag"]


def test_a_document_sent_again_is_replayed_logged_and_counted(server: LiveServer) -> None:
    """Over granian: the second identical request is answered by the replay layer with the
    same bytes and headers, logged (``"cache": "replay"``) and counted in ``/metrics``."""
    url = server.url + "/id/sector/itu-d"
    headers = {"Accept": "application/n-triples", "Accept-Encoding": "gzip"}
    made = http("GET", url, headers=headers)
    replayed = [http("GET", url, headers=headers) for _ in range(8)]
    drop = {"date"}
    for reply in replayed:
        assert reply.body == made.body
        assert {k: v for k, v in reply.headers.items() if k not in drop} == {
            k: v for k, v in made.headers.items() if k not in drop
        }
    deadline = time.monotonic() + 5  # replayed answers' lines are written in batches
    while True:
        lines = [line for line in server.log().splitlines() if '"path": "/id/sector/itu-d"' in line]
        if len(lines) == 9 or time.monotonic() > deadline:
            break
        time.sleep(0.1)
    rendered = [line for line in lines if '"cache": "replay"' not in line]
    assert len(lines) == 9 and len(rendered) <= Settings().http_workers  # once per process at most
    assert all('"endpoint": "/id/<path:path>"' in line for line in lines)
    metrics = http("GET", server.url + "/metrics").text
    assert 'endpoint="/id/<path:path>"' in metrics
