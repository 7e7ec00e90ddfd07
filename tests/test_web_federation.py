"""SERVICE with an allow-list: federation works for listed endpoints and only for them."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import LiveServer, copy_fixture, http, live_server


@pytest.fixture(scope="module")
def federating_server(tiny_server: LiveServer,
                      tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp: Path = tmp_path_factory.mktemp("federating")
    root = copy_fixture("tiny", tmp)
    env = {"ITUGRAPH_SERVICE_ALLOW": tiny_server.url + "/sparql", "ITUGRAPH_QUERY_TIMEOUT": "20"}
    with live_server(root, tmp, env=env) as server:
        yield server


def test_allowed_service_is_queried(federating_server: LiveServer, tiny_server: LiveServer) -> None:
    query = (f"SELECT ?unit WHERE {{ SERVICE <{tiny_server.url}/sparql> {{ ?unit "
             "<http://example.org/tiny#unitOf> <http://example.org/id/org> } }")
    reply = http("GET", federating_server.url + "/sparql?" + urllib.parse.urlencode(
        {"query": query}))
    assert reply.status == 200, reply.text
    rows = reply.json()["results"]["bindings"]  # type: ignore[index]
    assert [r["unit"]["value"] for r in rows] == ["http://example.org/id/sector"]


def test_other_services_stay_refused(federating_server: LiveServer) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    reply = http("GET", federating_server.url + "/sparql?" + urllib.parse.urlencode(
        {"query": query}))
    assert reply.status == 403


def test_service_description_announces_federation(federating_server: LiveServer) -> None:
    reply = http("GET", federating_server.url + "/sparql", headers={"Accept": "text/turtle"})
    assert b"BasicFederatedQuery" in reply.body
