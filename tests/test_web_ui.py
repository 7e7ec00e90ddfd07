"""The query page at ``/``, in-process: our page, our named queries, our static assets.

The real-browser test is ``test_web_ui_browser.py`` (over real HTTP); here, the page and
its assets are checked as a client without JavaScript sees them, through the app's test
client, and the fallback page (UI not built) is rendered by the real blueprint and
templates in a minimal app.
"""

from __future__ import annotations

import json
import os
import re
import urllib.parse
from pathlib import Path
from types import SimpleNamespace

import pyoxigraph
import pytest
from flask import Flask
from flask.testing import FlaskClient

from itugraph.catalogue import load_catalogue, parse_query_file
from itugraph.namespaces import PREFIXES
from itugraph.web import queries_api, sparql, ui
from tests.helpers import FIXTURES, REPO, call

VENDOR = REPO / "itugraph" / "web" / "static" / "vendor"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require_built_ui() -> None:
    """YASGUI's files must be in place: fail under CI (``make unit`` builds them), else skip."""
    missing = [name for name in ui.VENDOR_FILES if not (VENDOR / name).is_file()]
    if missing:
        message = f"query UI not built ({', '.join(missing)} missing in {VENDOR}): run `make ui`"
        if in_ci():
            pytest.fail(message)
        pytest.skip(message)


def page_config(html: str) -> dict[str, object]:
    """The JSON island the page hands to ``query-ui.js``."""
    match = re.search(r'<script id="itugraph-config" type="application/json">(.*?)</script>', html, re.S)
    assert match, "the page carries no #itugraph-config"
    config: dict[str, object] = json.loads(match[1])
    return config


def test_index_serves_yasgui_page_with_catalogue(client: FlaskClient) -> None:
    require_built_ui()
    reply = call(client, "GET", "/query")
    assert reply.status == 200
    assert reply.headers["content-type"] == "text/html; charset=utf-8"
    page = reply.text
    assert "/static/vendor/yasgui.min.js" in page and "/static/vendor/yasgui.min.css" in page
    assert "/static/query-ui.js" in page
    assert 'href="/api/queries"' in page and 'href="/sparql"' in page
    for ref in re.findall(r'(?:src|href)="([^"]+)"', page):
        assert not re.match(r"(https?:)?//", ref), f"the page loads {ref} from another origin"

    listing = call(client, "GET", "/api/queries").json()
    assert isinstance(listing, list) and listing
    config = page_config(page)
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"] == PREFIXES
    examples = config["examples"]
    assert isinstance(examples, list)
    assert [e["name"] for e in examples] == [q["name"] for q in listing]
    for example, named in zip(examples, listing, strict=True):
        assert named["title"] in page
        assert example["title"] == named["title"]
        assert example["query"].startswith(named["query"].split("{")[0])
        assert example["api"] == "/api/queries/" + named["name"]
    # The parameter's default is bound in the tab's text, first in the WHERE group.
    assert (
        "WHERE {\n  # Parameter values (the named-query API takes them as ?org=…):\n"
        "  VALUES (?org) { (<http://example.org/id/org>) }\n  ?unit ex:partOf" in examples[0]["query"]
    )
    assert str(config["newTabQuery"]).startswith("PREFIX itu: <https://w3id.org/itugraph/def/itu#>\n")


@pytest.mark.parametrize(
    ("path", "content_type"),
    [
        ("/static/query-ui.js", "text/javascript"),
        ("/static/query-ui.css", "text/css"),
        ("/static/vendor/yasgui.min.js", "text/javascript"),
        ("/static/vendor/yasgui.min.css", "text/css"),
    ],
)
def test_static_assets_have_their_content_types(client: FlaskClient, path: str, content_type: str) -> None:
    if "/vendor/" in path:
        require_built_ui()
    reply = call(client, "GET", path)
    assert reply.status == 200, reply.text[:200]
    media = reply.headers["content-type"].split(";")[0].strip()
    allowed = (
        {content_type, "application/javascript"} if content_type == "text/javascript" else {content_type}
    )
    assert media in allowed
    assert len(reply.body) > 200
    again = call(client, "GET", path, headers={"If-None-Match": reply.headers["etag"]})
    assert again.status == 304


def test_example_tabs_answer_like_the_named_query_api(client: FlaskClient) -> None:
    """The text a tab runs (defaults bound by VALUES) gives the API's answer."""
    require_built_ui()
    examples = page_config(call(client, "GET", "/query").text)["examples"]
    assert isinstance(examples, list)
    for example in examples:
        body = urllib.parse.urlencode({"query": example["query"]}).encode()
        tab = call(
            client,
            "POST",
            "/sparql",
            body=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Accept": "application/sparql-results+json",
            },
        )
        assert tab.status == 200, tab.text
        api = call(client, "GET", f"{example['api']}?format=json")
        assert _bindings(tab.json()) == _bindings(api.json()), example["name"]


def _bindings(answer: object) -> list[str]:
    assert isinstance(answer, dict)
    return sorted(json.dumps(row, sort_keys=True) for row in answer["results"]["bindings"])


@pytest.mark.parametrize("path", sorted((REPO / "queries").glob("*.rq")), ids=lambda p: p.stem)
def test_every_project_example_is_valid_sparql_with_its_defaults(path: Path) -> None:
    """Each tab of the ITU catalogue parses, its parameters bound inside the WHERE group."""
    named = parse_query_file(path)
    text = ui.example_query(named)
    pyoxigraph.Store().query(text)  # raises SyntaxError if the tab's text is not SPARQL
    if any(p.default is not None for p in named.parameters):
        brace = ui.where_brace(named.text)
        assert brace is not None, "no WHERE group found to bind the parameters in"
        assert text.index("VALUES (") > brace


def test_yasgui_bundle_names_no_remote_stylesheet_or_font() -> None:
    require_built_ui()
    css = (VENDOR / "yasgui.min.css").read_text(encoding="utf-8")
    assert "@import" not in css and "url(http" not in css.replace(" ", "")
    script = (REPO / "itugraph" / "web" / "static" / "query-ui.js").read_text(encoding="utf-8")
    assert "prefixCcApi = null" in script


def _minimal_app(static: Path) -> Flask:
    """The real UI blueprint and templates over a static folder of our choosing."""
    app = Flask("itugraph.web", static_folder=str(static))
    for blueprint in (sparql.bp, queries_api.bp, ui.bp):
        app.register_blueprint(blueprint)
    app.extensions["itugraph"] = SimpleNamespace(
        built=SimpleNamespace(
            key="test-key",
            version="test",
            path=static,
            validation_path=static / "validation.json",
            manifest=SimpleNamespace(asserted_triples=41, inferred_triples=0, built_at=""),
        ),
        backend=None,  # the embedded backend: the page states the build's figures
        store=None,
        catalogue=load_catalogue(FIXTURES / "tiny" / "queries"),
    )
    return app


def test_fallback_page_when_ui_not_built(tmp_path: Path) -> None:
    (tmp_path / "static").mkdir()
    reply = _minimal_app(tmp_path / "static").test_client().get("/query")
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert 'id="ui-not-built"' in page and "make ui" in page
    assert '<form action="/sparql" method="post">' in page
    assert "PREFIX itu: &lt;https://w3id.org/itugraph/def/itu#&gt;" in page
    assert "Units of an organisation at any depth" in page and "Goals each unit serves" in page
    assert "/static/vendor/yasgui" not in page


def test_yasgui_page_when_vendor_files_present(tmp_path: Path) -> None:
    vendor = tmp_path / "static" / "vendor"
    vendor.mkdir(parents=True)
    for name in ui.VENDOR_FILES:
        (vendor / name).write_text("/* stub */", encoding="utf-8")
    page = _minimal_app(tmp_path / "static").test_client().get("/query").get_data(as_text=True)
    assert 'id="ui-not-built"' not in page
    assert '<script src="/static/vendor/yasgui.min.js"></script>' in page
    assert re.fullmatch(r"itugraph-[0-9a-f]{12}", str(page_config(page)["storageKey"]))
