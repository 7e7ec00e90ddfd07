"""The interactive views (issue 16): the home page at ``/`` and the pages under ``/views/``.

Each view is a server-rendered page plus a static script; the script fetches its data from
the named-query API (``/api/queries/NAME``), so a view, the API and the catalogue never
disagree. Pages carry no inline script (a ``script-src 'self'`` policy holds): what a script
needs comes in ``data-*`` attributes. The query page moved from ``/`` to ``/query``; an old
link to ``/`` with a query string is redirected there.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request, url_for

from itugraph.web.generation import current
from itugraph.web.state import state

bp = Blueprint("views", __name__)


@dataclass(frozen=True)
class View:
    """One view: its path under ``/views/``, title, what it shows, and the queries it runs."""

    slug: str
    title: str
    summary: str
    queries: tuple[str, ...]
    script: str


VIEWS = (
    View(
        "org-chart",
        "Organisation chart",
        "ITU, its sectors, bureaux, governing bodies, advisory groups, study groups, "
        "working parties and Questions, by study period.",
        ("28-organisation-chart",),
        "org-chart.js",
    ),
    View(
        "wsis-sdg",
        "WSIS Action Lines × SDGs",
        "Which SDG goals each WSIS Action Line serves, with the evidence behind each cell.",
        ("29-wsis-sdg-heatmap",),
        "heatmap.js",
    ),
    View(
        "unit-sdg",
        "ITU units × SDG targets",
        "Which SDG goals and targets ITU and its units serve, stated or inferred.",
        ("30-unit-sdg-heatmap",),
        "heatmap.js",
    ),
    View(
        "gaps",
        "Gaps",
        "SDG targets no ITU unit serves, and WSIS Action Lines without an ITU role.",
        ("31-sdg-targets-without-itu", "32-action-lines-without-itu-role"),
        "gaps.js",
    ),
    View(
        "timeline",
        "Timeline",
        "Conferences and assemblies, study periods, and the launch years of initiatives.",
        ("34-timeline",),
        "timeline.js",
    ),
)
BY_SLUG = {view.slug: view for view in VIEWS}

#: The named query the neighbourhood graph of a resource page runs.
NEIGHBOURHOOD_QUERY = "33-neighbourhood"

#: The kinds (first path segment under ``/id/``) the home page counts, with their names.
FIGURE_KINDS = (
    ("sector", "sectors"),
    ("study-group", "study groups"),
    ("question", "study Questions"),
    ("wsis-action-line", "WSIS Action Lines"),
    ("initiative", "initiatives"),
)


@bp.get("/")
def home() -> str | Response:
    """The graph first: search, entry points, live figures; old query-page links redirect."""
    if request.args:
        return redirect(url_for("ui.index") + "?" + urlencode(request.args), code=301)  # type: ignore[return-value]
    serving, generation = state(), current()
    index = generation.site_index()
    views = available_views()
    figures = [(len(index.kinds.get(kind, ())), name) for kind, name in FIGURE_KINDS]
    return render_template(
        "home.html",
        views=views,
        slugs={view.slug for view in views},
        figures=figures,
        asserted=generation.asserted_triples,
        inferred=generation.inferred_triples,
        queries=len(serving.catalogue),
        query_names=set(serving.catalogue),
    )


@bp.get("/views/")
def listing() -> Response:
    """The views are listed on the home page."""
    return redirect(url_for("views.home") + "#views", code=302)  # type: ignore[return-value]


@bp.get("/views/<slug>")
def view(slug: str) -> str:
    """One view's page: its controls, chart area, table view and query links."""
    chosen = BY_SLUG.get(slug)
    if chosen is None or chosen not in available_views():
        abort(404)
    catalogue = state().catalogue
    queries = [
        {
            "name": name,
            "title": catalogue[name].title,
            "api": url_for("queries_api.run_query", name=name),
            "show": url_for("ui.index", example=name),
        }
        for name in chosen.queries
    ]
    template = f"view_{slug.replace('-', '_')}.html"
    return render_template(template, view=chosen, views=available_views(), queries=queries)


def available_views() -> list[View]:
    """The views whose named queries this project's catalogue has (a project of its own,
    ``--root``, may have other queries: its home page then lists fewer views)."""
    catalogue = state().catalogue
    return [view for view in VIEWS if all(name in catalogue for name in view.queries)]


def neighbourhood_links() -> dict[str, str] | None:
    """Where a resource page's neighbourhood graph gets its data and its query, or ``None``
    when this project has no such query or ``make ui`` has not vendored Cytoscape.js."""
    folder = Path(current_app.static_folder or "") / "vendor"
    if NEIGHBOURHOOD_QUERY not in state().catalogue or not (folder / "cytoscape.min.js").is_file():
        return None
    return {
        "api": url_for("queries_api.run_query", name=NEIGHBOURHOOD_QUERY),
        "show": url_for("ui.index", example=NEIGHBOURHOOD_QUERY),
    }
