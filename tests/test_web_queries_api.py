"""Named queries, in-process (the app's test client): listing, running with typed parameters, in
any format."""

from __future__ import annotations

import urllib.parse

from flask.testing import FlaskClient

from tests.helpers import call


def test_list_named_queries(client: FlaskClient) -> None:
    listing = call(client, "GET", "/api/queries").json()
    names = [q["name"] for q in listing]  # type: ignore[union-attr]
    assert names == ["01-units", "02-goals-served"]
    first = listing[0]  # type: ignore[index]
    assert first["parameters"] == [{"name": "org", "type": "iri", "default": "http://example.org/id/org"}]


def test_run_named_query_with_default_and_bound_parameter(client: FlaskClient) -> None:
    reply = call(client, "GET", "/api/queries/01-units")
    assert reply.status == 200, reply.text
    default = reply.json()
    assert len(default["results"]["bindings"]) == 2  # type: ignore[index]
    url = "/api/queries/01-units?" + urllib.parse.urlencode(
        {"org": "http://example.org/id/sector", "format": "csv"}
    )
    reply = call(client, "GET", url)
    assert reply.headers["content-type"].startswith("text/csv")
    assert reply.text.splitlines() == [
        "org,unit,label",
        "http://example.org/id/sector,http://example.org/id/group,A study group",
    ]


def test_parameters_are_bound_not_spliced(client: FlaskClient) -> None:
    hostile = "http://example.org/id/org> } UNION { ?unit ?p ?label"
    reply = call(client, "GET", "/api/queries/01-units?" + urllib.parse.urlencode({"org": hostile}))
    assert reply.status == 400 and b"BAD_PARAMETER" in reply.body


def test_unknown_named_query_is_404(client: FlaskClient) -> None:
    assert call(client, "GET", "/api/queries/nope").status == 404
