"""The OpenAPI description of the HTTP API: complete, served, and true of the live server.

Every route of the app is in ``itugraph/web/openapi.json`` with its methods; the server
serves it at ``/openapi.json``; and schemathesis, generating requests from it, finds no
server error, no status code, content type or JSON body the description does not allow.
"""

from __future__ import annotations

import json
import re

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from itugraph import __version__
from itugraph.web.openapi import DESCRIPTION
from tests.helpers import LiveServer, http

pytestmark = pytest.mark.xdist_group("tiny_server")  # the one live tiny server under xdist

SPEC = json.loads(DESCRIPTION.read_text(encoding="utf-8"))


def _openapi_path(rule: str) -> str:
    """A Flask rule as an OpenAPI path: ``/id/<path:path>`` is ``/id/{path}``."""
    return re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule)


def test_every_route_is_described_with_its_methods(app: Flask) -> None:
    routes = {
        (_openapi_path(rule.rule), method.lower())
        for rule in app.url_map.iter_rules()
        for method in rule.methods or ()
        if method not in {"HEAD", "OPTIONS"}
    }
    described = {(path, method) for path, item in SPEC["paths"].items() for method in item}
    assert routes == described


def test_the_server_serves_the_description_with_its_version(tiny_server: LiveServer) -> None:
    served = http("GET", tiny_server.url + "/openapi.json").json()
    assert isinstance(served, dict)
    assert served["info"]["version"] == __version__
    assert {**served, "info": SPEC["info"]} == SPEC


schema = schemathesis.openapi.from_dict(SPEC)


@schemathesis.serializer("application/sparql-query")
def _sparql_query(_context: object, value: object) -> bytes:
    """A query body is the query text (generated as any string, or anything else as JSON)."""
    text = value if isinstance(value, str) else json.dumps(value)
    return text.encode("utf-8", errors="surrogatepass")


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_server_does_what_its_description_says(case: schemathesis.Case, tiny_server: LiveServer) -> None:
    case.call_and_validate(
        base_url=tiny_server.url,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
