"""The home page and the view pages as a client without JavaScript sees them, in-process:
over the tiny fixture (none of the views' queries: no view is offered) and over the ITU
graph (every view, each page naming its queries; no inline script, so a ``script-src
'self'`` policy holds). The views' behaviour in a browser: ``tests/test_views_browser.py``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from itugraph.build import Build
from itugraph.project import Project
from itugraph.web.views import VIEWS, View
from tests.helpers import call, running_app


@pytest.fixture(scope="module")
def itu_client(itu_build: Build) -> Iterator[FlaskClient]:
    app: Flask
    with running_app(Project.at(), {"WORKERS": 1}, built=itu_build) as app:
        yield app.test_client()


def test_the_home_page_starts_with_the_graph(itu_client: FlaskClient) -> None:
    page = call(itu_client, "GET", "/").text
    assert 'action="/search"' in page and 'id="home-q"' in page
    for view in VIEWS:
        assert f'href="/views/{view.slug}"' in page
    assert 'href="/query"' in page and 'href="/query?example=23-open-conflicts"' in page
    assert re.search(r"<strong>3</strong> sectors", page)
    assert re.search(r"<strong>19</strong> WSIS Action Lines", page)


def test_an_old_query_page_link_is_redirected(itu_client: FlaskClient) -> None:
    reply = call(itu_client, "GET", "/?query=SELECT%20*%20WHERE%20%7B%7D")
    assert reply.status == 301
    assert reply.headers["location"] == "/query?query=SELECT+%2A+WHERE+%7B%7D"
    assert call(itu_client, "GET", "/views/").headers["location"] == "/#views"


@pytest.mark.parametrize("view", VIEWS, ids=lambda v: v.slug)
def test_each_view_page_names_its_queries_and_has_no_inline_script(
    itu_client: FlaskClient, view: View
) -> None:
    page = call(itu_client, "GET", f"/views/{view.slug}").text
    for name in view.queries:
        assert f'"/api/queries/{name}"' in page
        assert f'href="/query?example={name}"' in page
    assert f'src="/static/{view.script}"' in page
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == [], "an inline script"
    assert not re.search(r"\son[a-z]+=", page), "an inline event handler"
    assert 'data-action="download-csv"' in page and "Table view" in page


def test_a_resource_page_has_its_neighbourhood(itu_client: FlaskClient) -> None:
    page = call(itu_client, "GET", "/id/sector/itu-t").text
    assert 'data-iri="https://w3id.org/itugraph/id/sector/itu-t"' in page
    assert 'data-api="/api/queries/33-neighbourhood"' in page
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == []


def test_unknown_view_is_404(itu_client: FlaskClient) -> None:
    assert call(itu_client, "GET", "/views/nothing").status == 404


def test_a_project_without_the_views_queries_offers_no_view(client: FlaskClient) -> None:
    page = call(client, "GET", "/").text
    assert "/views/" not in page and 'href="/query"' in page
    assert call(client, "GET", "/views/org-chart").status == 404
    assert "33-neighbourhood" not in call(client, "GET", "/id/").text
