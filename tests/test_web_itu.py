"""The real ITU graph served over real HTTP, as `make run` serves it."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from itugraph.project import EMBEDDED_ROOT
from tests.helpers import LiveServer, http, live_server

ITU = "https://w3id.org/itugraph/id/organization/itu"


@pytest.fixture(scope="module")
def itu_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp: Path = tmp_path_factory.mktemp("itu-server")
    with live_server(EMBEDDED_ROOT, tmp) as server:
        yield server


def test_ask_answers_with_sparql_json(itu_server: LiveServer) -> None:
    reply = http("GET", itu_server.url + "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D")
    assert reply.status == 200 and reply.json() == {"head": {}, "boolean": True}


def test_every_unit_reaches_itu_after_inference(itu_server: LiveServer) -> None:
    query = f"""PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?unit WHERE {{ ?unit a org:OrganizationalUnit .
          FILTER NOT EXISTS {{ ?unit org:transitiveSubOrganizationOf <{ITU}> }} }}"""
    reply = http("GET", itu_server.url + "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert reply.status == 200
    assert reply.json()["results"]["bindings"] == []  # type: ignore[index]


def test_every_named_query_runs_over_http(itu_server: LiveServer) -> None:
    listing = http("GET", itu_server.url + "/api/queries").json()
    assert len(listing) >= 12  # type: ignore[arg-type]
    for named in listing:  # type: ignore[union-attr]
        reply = http("GET", f"{itu_server.url}/api/queries/{named['name']}")
        assert reply.status == 200, (named["name"], reply.text)
