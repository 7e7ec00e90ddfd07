"""The real ITU graph served as `make run` serves it: over real HTTP (one smoke test), and
in-process through the app's test client for what the answers hold."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from itugraph.build import Build
from itugraph.project import EMBEDDED_ROOT, Project
from tests.helpers import LiveServer, call, http, live_server, running_app

ITU = "https://w3id.org/itugraph/id/organization/itu"


@pytest.fixture(scope="module")
def itu_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    tmp: Path = tmp_path_factory.mktemp("itu-server")
    with live_server(EMBEDDED_ROOT, tmp) as server:
        yield server


@pytest.fixture(scope="module")
def itu_client(itu_build: Build) -> Iterator[FlaskClient]:
    """The app over the real ITU build, in-process, with the default settings."""
    with running_app(Project.at(EMBEDDED_ROOT), {}, built=itu_build) as app:
        yield app.test_client()


def test_ask_answers_with_sparql_json(itu_server: LiveServer) -> None:
    reply = http("GET", itu_server.url + "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D")
    assert reply.status == 200 and reply.json() == {"head": {}, "boolean": True}


def test_every_unit_reaches_itu_after_inference(itu_client: FlaskClient) -> None:
    query = f"""PREFIX org: <http://www.w3.org/ns/org#>
        SELECT ?unit WHERE {{ ?unit a org:OrganizationalUnit .
          FILTER NOT EXISTS {{ ?unit org:transitiveSubOrganizationOf <{ITU}> }} }}"""
    reply = call(itu_client, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert reply.status == 200
    assert reply.json()["results"]["bindings"] == []  # type: ignore[index]


def test_every_named_query_runs(itu_client: FlaskClient) -> None:
    listing = call(itu_client, "GET", "/api/queries").json()
    assert len(listing) >= 12  # type: ignore[arg-type]
    for named in listing:  # type: ignore[union-attr]
        reply = call(itu_client, "GET", f"/api/queries/{named['name']}")
        assert reply.status == 200, (named["name"], reply.text)
