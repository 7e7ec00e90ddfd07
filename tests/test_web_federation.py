"""SERVICE with an allow-list: federation works for listed endpoints and only for them.

The federating app runs in-process (the app's test client); the endpoint it calls is the
real tiny server, over real HTTP.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask.testing import FlaskClient

from itugraph.project import Project
from tests.helpers import LiveServer, call, copy_fixture, running_app

pytestmark = pytest.mark.xdist_group("tiny_server")  # one live server under xdist


@pytest.fixture(scope="module")
def federating_client(
    tiny_server: LiveServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[FlaskClient]:
    tmp: Path = tmp_path_factory.mktemp("federating")
    root = copy_fixture("tiny", tmp)
    settings = {"SERVICE_ALLOW": tiny_server.url + "/sparql", "QUERY_TIMEOUT": 20}
    with running_app(Project.at(root), settings) as app:
        yield app.test_client()


def test_allowed_service_is_queried(federating_client: FlaskClient, tiny_server: LiveServer) -> None:
    query = (
        f"SELECT ?unit WHERE {{ SERVICE <{tiny_server.url}/sparql> {{ ?unit "
        "<http://example.org/tiny#unitOf> <http://example.org/id/org> } }"
    )
    reply = call(federating_client, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert reply.status == 200, reply.text
    rows = reply.json()["results"]["bindings"]  # type: ignore[index]
    assert [r["unit"]["value"] for r in rows] == ["http://example.org/id/sector"]


def test_other_services_stay_refused(federating_client: FlaskClient) -> None:
    query = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
    reply = call(federating_client, "GET", "/sparql?" + urllib.parse.urlencode({"query": query}))
    assert reply.status == 403


def test_service_description_announces_federation(federating_client: FlaskClient) -> None:
    reply = call(federating_client, "GET", "/sparql", headers={"Accept": "text/turtle"})
    assert b"BasicFederatedQuery" in reply.body
