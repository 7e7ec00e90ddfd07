"""The browser query page at ``/``."""

from __future__ import annotations

import html

from flask import Blueprint, Response

from itugraph.web.state import state

bp = Blueprint("ui", __name__)


@bp.get("/")
def index() -> Response:
    """A minimal query form with the example queries (the YASGUI page replaces it when built)."""
    items = "".join(
        f"<li><a href='/api/queries/{html.escape(q.name)}?format=json'>{html.escape(q.title)}</a>"
        f"</li>" for q in state().catalogue.values())
    page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>itugraph SPARQL</title></head><body><h1>itugraph SPARQL endpoint</h1>
<form action="/sparql" method="post"><textarea name="query" rows="12" cols="90">
SELECT * WHERE {{ ?s ?p ?o }} LIMIT 10</textarea><br>
<select name="format"><option>json</option><option>csv</option><option>tsv</option>
<option>xml</option><option>ttl</option></select> <button type="submit">Run</button></form>
<h2>Example queries</h2><ul>{items}</ul></body></html>"""
    return Response(page, content_type="text/html; charset=utf-8")
