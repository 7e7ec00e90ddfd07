"""Issue 19: names in the ITU's six languages, each sourced, served in the reader's language.

Data: every label's tag and script agree and every non-English name has a claim with an
official (or mirrored official) source record. Serving, over real HTTP on the ITU graph:
``Accept-Language: es`` gives the Spanish name, a language switch (``?lang=``) is
remembered in a cookie and wins over ``Accept-Language``, Arabic pages are right to left,
and the label search finds units by their Chinese and Spanish names, case- and
accent-insensitive.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pyoxigraph as ox
import pytest

from itugraph.namespaces import ITUID
from tests.helpers import REPO, LiveServer, http
from tests.ld_servers import itu_server

SKOS = "http://www.w3.org/2004/02/skos/core#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
ITU = "https://w3id.org/itugraph/def/itu#"
LABELS = {RDFS_LABEL, SKOS + "prefLabel", SKOS + "altLabel", SKOS + "definition"}
SCRIPT = {
    "ar": re.compile(r"[\u0600-\u06ff\u0750-\u077f]"),
    "zh": re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]"),
    "ru": re.compile(r"[\u0400-\u04ff]"),
}
OTHER_SCRIPTS = re.compile(r"[\u0600-\u06ff\u0750-\u077f\u3400-\u4dbf\u4e00-\u9fff\u0400-\u04ff]")
LABEL_FILE = REPO / "graph" / "labels-multilingual.ttl"


def _graph_quads() -> list[ox.Quad]:
    quads: list[ox.Quad] = []
    for path in sorted((REPO / "graph").glob("*.ttl")):
        quads += ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
    return quads


def _script_ok(text: str, language: str) -> bool:
    primary = language.split("-")[0].lower()
    if primary in SCRIPT:
        return bool(SCRIPT[primary].search(text))
    return not OTHER_SCRIPTS.search(text)


@pytest.mark.parametrize(
    ("text", "language", "ok"),
    [
        ("قطاع الاتصالات الراديوية", "ar", True),
        ("Radiocommunication Sector", "ar", False),
        ("国际电联无线电通信部门", "zh", True),
        ("ITU-R", "zh", False),
        ("МСЭ-R", "ru", True),
        ("MSE", "ru", False),
        ("Secteur des radiocommunications", "fr", True),
        ("电信", "es", False),
    ],
)
def test_script_check_itself(text: str, language: str, ok: bool) -> None:
    assert _script_ok(text, language) is ok


def test_every_label_tag_and_script_agree() -> None:
    bad = [
        (q.subject.value, q.object.value, q.object.language)
        for q in _graph_quads()
        if q.predicate.value in LABELS
        and isinstance(q.object, ox.Literal)
        and q.object.language
        and q.subject.value.startswith(ITUID)
        and not _script_ok(q.object.value, q.object.language)
    ]
    assert not bad


def test_every_multilingual_label_has_a_sourced_claim() -> None:
    quads = list(ox.parse(path=str(LABEL_FILE), format=ox.RdfFormat.TURTLE))
    sources = {q.subject for q in _graph_quads() if q.predicate.value == ITU + "sourceId"}
    claims: dict[tuple[str, str, str, str], set[ox.NamedNode]] = {}
    by_node: dict[object, dict[str, list[object]]] = {}
    for q in quads:
        by_node.setdefault(q.subject, {}).setdefault(q.predicate.value, []).append(q.object)
    for q in quads:
        if q.predicate.value == ITU + "hasClaim":
            claim = by_node[q.object]
            prop = claim[ITU + "claimProperty"][0]
            value = claim[ITU + "claimValue"][0]
            assert isinstance(value, ox.Literal) and value.language
            key = (q.subject.value, prop.value, value.value, value.language)
            claims[key] = set(claim["http://purl.org/dc/terms/source"])  # type: ignore[arg-type]
    labels = [q for q in quads if q.predicate.value in LABELS]
    assert len(labels) >= 30
    for q in labels:
        assert isinstance(q.object, ox.Literal)
        key = (q.subject.value, q.predicate.value, q.object.value, q.object.language)
        assert key in claims, key
        assert claims[key] and claims[key] <= sources, key


PERIOD_RULE_PREFIXES = """
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX itu: <https://w3id.org/itugraph/def/itu#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def _graph_store() -> ox.Store:
    store = ox.Store()
    store.extend(_graph_quads())
    return store


def test_study_group_names_follow_the_period_rule() -> None:
    """A name read on an undated page labels only the newest period's group, never "high"."""
    rows = list(
        _graph_store().query(  # type: ignore[union-attr]
            PERIOD_RULE_PREFIXES
            + """
        SELECT ?group ?name ?confidence ?successor ?dated WHERE {
            ?group a itu:StudyGroup ; ?property ?name ; itu:hasClaim ?claim .
            VALUES ?property { skos:prefLabel skos:altLabel }
            FILTER (!LANGMATCHES(LANG(?name), "en"))
            ?claim itu:claimProperty ?property ; itu:claimValue ?name ; itu:confidence ?confidence .
            OPTIONAL { ?successor itu:continues ?group }
            BIND (EXISTS { ?claim dcterms:source ?source . ?source dcterms:date ?date } AS ?dated)
        }"""
        )
    )
    assert len(rows) >= 10
    assert not [r for r in rows if r["successor"] is not None], "a name sits on a past period's group"
    undated_high = [r for r in rows if r["dated"].value == "false" and r["confidence"].value == "high"]
    assert not undated_high
    names = {(r["group"].value, r["name"].value) for r in rows}
    assert (ITUID + "study-group/itu-t-sg17-2025-2028", "Commission d'études 17 de l'UIT-T") in names


def test_non_english_study_group_titles_need_a_source_dated_in_the_period() -> None:
    undated = list(
        _graph_store().query(  # type: ignore[union-attr]
            PERIOD_RULE_PREFIXES
            + """
        SELECT ?group ?title WHERE {
            ?group a itu:StudyGroup ; itu:studyPeriod ?period ; itu:hasClaim ?claim .
            ?claim itu:claimProperty dcterms:title ; itu:claimValue ?title ; dcterms:source ?source .
            FILTER (!LANGMATCHES(LANG(?title), "en"))
            ?period itu:activeFrom ?from ; itu:activeUntil ?until .
            OPTIONAL { ?source dcterms:date ?date }
            FILTER (!BOUND(?date) || YEAR(?date) < YEAR(?from) || YEAR(?date) > YEAR(?until))
        }"""
        )
    )
    assert not undated, "a study group's title in another language needs a source dated in its period"


# --- serving over real HTTP ---------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with itu_server(tmp_path_factory.mktemp("ld-multilingual")) as live:
        yield live


def _page(server: LiveServer, path: str, **headers: str) -> tuple[str, dict[str, str]]:
    reply = http("GET", server.url + path, headers={"Accept": "text/html", **headers})
    assert reply.status == 200
    return reply.text, dict(reply.headers)


@pytest.mark.slow
def test_accept_language_es_gives_the_spanish_name(server: LiveServer) -> None:
    text, headers = _page(server, "/id/sector/itu-t", **{"Accept-Language": "es"})
    assert '<h1 lang="es">Sector de Normalización de las Telecomunicaciones de la UIT</h1>' in text
    assert "Cookie" in headers["vary"] and "Accept-Language" in headers["vary"]
    english, _ = _page(server, "/id/sector/itu-t", **{"Accept-Language": "en"})
    assert '<h1 lang="en">' in english


@pytest.mark.slow
def test_language_switch_is_remembered_and_wins(server: LiveServer) -> None:
    reply = http("GET", server.url + "/id/sector/itu-r?lang=fr", headers={"Accept": "text/html"})
    assert '<h1 lang="fr">Secteur des radiocommunications</h1>' in reply.text
    cookie = reply.headers["set-cookie"]
    assert cookie.startswith("lang=fr") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    text, _ = _page(server, "/id/sector/itu-r", **{"Accept-Language": "es", "Cookie": "lang=fr"})
    assert '<h1 lang="fr">' in text and 'aria-current="true">Français' in text


@pytest.mark.slow
def test_arabic_page_is_right_to_left(server: LiveServer) -> None:
    text, _ = _page(server, "/id/sector/itu-d", **{"Accept-Language": "ar"})
    assert 'dir="rtl"' in text
    assert '<h1 lang="ar">قطاع تنمية الاتصالات</h1>' in text
    french, _ = _page(server, "/id/sector/itu-d", **{"Accept-Language": "fr"})
    assert 'dir="rtl"' not in french


@pytest.mark.slow
def test_switch_keeps_the_page_state_and_is_not_set_by_the_api(server: LiveServer) -> None:
    text, _ = _page(server, "/search?q=" + quote("电信"))
    assert 'href="?q=%E7%94%B5%E4%BF%A1&amp;lang=ar"' in text  # the search survives the switch
    api = http("GET", server.url + "/api/queries/21-find-by-name?name=UIT-T&lang=fr")
    assert "set-cookie" not in api.headers  # a query's lang parameter is no page switch


@pytest.mark.slow
def test_listing_uses_the_readers_language(server: LiveServer) -> None:
    text, _ = _page(server, "/id/sector/", **{"Accept-Language": "zh-CN,zh;q=0.9"})
    assert 'lang="zh">国际电联无线电通信部门<' in text
    assert 'lang="zh">国际电联电信标准化部门<' in text


def _search(server: LiveServer, query: str) -> list[str]:
    reply = http("GET", server.url + "/search?q=" + quote(query), headers={"Accept": "application/json"})
    assert reply.status == 200
    return [hit["iri"] for hit in json.loads(reply.text)["results"]]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("query", "iri"),
    [
        ("电信标准化", ITUID + "sector/itu-t"),  # Chinese name
        ("电信发展局", ITUID + "bureau/bdt"),
        ("telecomunicaciones", ITUID + "sector/itu-t"),  # Spanish, lower case
        ("NORMALIZACION DE LAS TELECOMUNICACIONES", ITUID + "bureau/tsb"),  # upper case, no accent
        ("мсэ-т", ITUID + "sector/itu-t"),  # Russian short form, lower case
        ("ЭЛЕКТРОСВЯЗИ", ITUID + "organization/itu"),  # Russian, upper case
        ("الاتصالات الراديوية", ITUID + "sector/itu-r"),  # Arabic
    ],
)
def test_search_finds_units_in_any_language(server: LiveServer, query: str, iri: str) -> None:
    assert iri in _search(server, query)


@pytest.mark.slow
def test_named_query_takes_a_language(server: LiveServer) -> None:
    def run(params: str) -> list[dict[str, dict[str, str]]]:
        reply = http(
            "GET",
            server.url + "/api/queries/21-find-by-name?" + params,
            headers={"Accept": "application/sparql-results+json"},
        )
        assert reply.status == 200, reply.text
        return json.loads(reply.text)["results"]["bindings"]

    french = run("name=UIT-T&lang=fr")
    expected = "Secteur de la normalisation des télécommunications de l’UIT"
    assert french and french[0]["label"]["value"] == expected
    assert french[0]["label"]["xml:lang"] == "fr"
    default = run("name=UIT-T")
    assert default[0]["label"]["xml:lang"] == "en"


@pytest.mark.slow
def test_coverage_query_counts_names_per_language(server: LiveServer) -> None:
    reply = http(
        "GET",
        server.url + "/api/queries/35-name-coverage-by-language",
        headers={"Accept": "application/sparql-results+json"},
    )
    assert reply.status == 200, reply.text
    rows = {b["kind"]["value"]: b for b in json.loads(reply.text)["results"]["bindings"]}
    sectors = rows["sector"]
    assert sectors["total"]["value"] == "3"
    assert (sectors["ar"]["value"], sectors["zh"]["value"], sectors["en"]["value"]) == ("3", "3", "3")
    assert rows["the ITU"]["fr"]["value"] == "1"


def test_label_file_is_where_the_readme_says() -> None:
    assert Path(LABEL_FILE).exists()
    assert "labels-multilingual.ttl" in (REPO / "graph" / "README.md").read_text()
