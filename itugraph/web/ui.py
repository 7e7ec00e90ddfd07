"""The browser query page at ``/query``: YASGUI on our endpoint, prefixes and named queries.

It was at ``/``, now the home page of the views (``views.py``).

YASGUI (npm ``@zazuko/yasgui``) is installed by ``make ui`` (``npm ci`` from the repository's
lockfile) and copied into ``static/vendor/``; nothing is fetched from another origin at run
time. Without those files (UI not built) ``/query`` serves a plain HTML form that says how to
build the UI, so the endpoint stays usable from a browser either way.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from flask import Blueprint, current_app, render_template, url_for

from itugraph.catalogue import NamedQuery
from itugraph.errors import InputError
from itugraph.namespaces import PREFIXES, sparql_prologue
from itugraph.sparql_text import where_brace
from itugraph.web.generation import current
from itugraph.web.state import state

bp = Blueprint("ui", __name__)

#: The files ``make ui`` copies from the YASGUI package into ``static/vendor/``.
VENDOR_FILES = ("yasgui.min.js", "yasgui.min.css")

#: The query a new (empty) tab starts with: our prefixes, then an overview of the graph.
NEW_TAB_QUERY = (
    sparql_prologue()
    + """
# What kinds of things does the graph describe, and how many of each?
SELECT ?class (COUNT(DISTINCT ?thing) AS ?things) WHERE {
  ?thing a ?class .
}
GROUP BY ?class
ORDER BY DESC(?things)
LIMIT 25
"""
)


@bp.get("/query")
def index() -> str:
    """The YASGUI query page, or the plain fallback form when the UI is not built."""
    serving = state()
    examples = [_example(q) for q in serving.catalogue.values()]
    generation = current()  # the build, or the store's live publication
    context: dict[str, Any] = {
        "examples": examples,
        "dataset": {
            "version": generation.version,
            "asserted": generation.asserted_triples,
            "inferred": generation.inferred_triples,
        },
    }
    if not vendor_ready():
        return render_template("index_fallback.html", **context, default_query=NEW_TAB_QUERY)
    page_config = {
        "endpoint": url_for("sparql.sparql"),
        "prefixes": PREFIXES,
        "newTabQuery": NEW_TAB_QUERY,
        "storageKey": "itugraph-" + _fingerprint(examples),
        "examples": examples,
    }
    return render_template("index.html", **context, page_config=page_config)


def vendor_ready() -> bool:
    """Whether ``make ui`` has put YASGUI's files into ``static/vendor/``."""
    folder = Path(current_app.static_folder or "") / "vendor"
    return all((folder / name).is_file() for name in VENDOR_FILES)


def example_query(named: NamedQuery) -> str:
    r"""The query text of a named query, ready to run in an editor tab.

    The named-query API binds parameters as typed terms before evaluation; in the editor,
    each parameter's default is bound by a ``VALUES`` block the reader can edit, put first
    in the query's ``WHERE`` group so that the pattern and its filters see the value.

    >>> from pathlib import Path
    >>> from itugraph.catalogue import Parameter
    >>> text = "# title: Units\nSELECT ?org ?unit WHERE {\n  ?unit <http://e.org/p> ?org\n}\n"
    >>> q = NamedQuery("units", Path("units.rq"), text, "Units",
    ...                parameters=(Parameter("org", "iri", "http://example.org/o"),))
    >>> print(example_query(q), end="")
    # title: Units
    SELECT ?org ?unit WHERE {
      # Parameter values (the named-query API takes them as ?org=…):
      VALUES (?org) { (<http://example.org/o>) }
      ?unit <http://e.org/p> ?org
    }
    """
    text = named.text if named.text.endswith("\n") else named.text + "\n"
    bound = []
    for param in named.parameters:
        if param.default is None:
            continue
        try:
            bound.append((param.name, str(param.bind(param.default))))
        except InputError:
            continue
    if not bound:
        return text
    names = " ".join(f"?{name}" for name, _ in bound)
    values = " ".join(term for _, term in bound)
    usage = "&".join(f"{name}=…" for name, _ in bound)
    block = [
        f"# Parameter values (the named-query API takes them as ?{usage}):",
        f"VALUES ({names}) {{ ({values}) }}",
    ]
    brace = where_brace(text)
    if brace is None:  # no WHERE group found: a trailing VALUES clause is valid SPARQL too
        return text + "\n".join(block) + "\n"
    tail = text[brace + 1 :]
    return text[: brace + 1] + "\n" + "".join(f"  {line}\n" for line in block) + tail.removeprefix("\n")


def _example(named: NamedQuery) -> dict[str, Any]:
    api = url_for("queries_api.run_query", name=named.name)
    return {
        "name": named.name,
        "title": named.title,
        "description": named.description,
        "parameters": [{"name": p.name, "type": p.type, "default": p.default} for p in named.parameters],
        "query": example_query(named),
        "api": api,
    }


def _fingerprint(examples: list[dict[str, Any]]) -> str:
    """Changes when the examples or prefixes change, so browsers drop stale saved tabs."""
    payload = json.dumps([examples, PREFIXES, NEW_TAB_QUERY], sort_keys=True)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:12]
