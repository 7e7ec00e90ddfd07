"""Linked-data documents of every itugraph IRI: resources, listings, search, external IRIs, named graphs.

* ``/id/<kind>/<key>`` (and ``.html .ttl .jsonld .nt .rdf .trig .nq``): a resource's
  description (``itugraph.linkeddata.describe``);
* ``/id/``: the kinds of resources with their counts; ``/id/<kind>/``: every resource of a
  kind with its label, paged (``?page=``);
* ``/graph/asserted``, ``/graph/inferred``: the two named graphs;
* ``/resource?iri=<IRI>``: what the graph holds about an IRI that is not ours (the UN's SDG
  IRIs), with a link to the IRI itself;
* ``/search?q=``: labels, case- and accent-insensitive (``itugraph.linkeddata.siteindex``).

Every document is negotiated (``negotiate.choose``), sent by ``documents.send_document``
(``Vary``, ``Link``, ``Content-Location``, ETag) after a ``304`` check, and rendered once
per build (``doccache``). An IRI the graph does not hold is a 404 in the negotiated format.
"""

from __future__ import annotations

import math
import threading
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pyoxigraph as ox
from flask import Blueprint, Response, redirect, render_template, request
from flask.sansio.blueprints import BlueprintSetupState

from itugraph.linkeddata import describe as describing
from itugraph.linkeddata.doccache import DocumentCache, fingerprint
from itugraph.linkeddata.negotiate import (
    BY_SUFFIX,
    HTML,
    Representation,
    alternates,
    choose,
    split_suffix,
)
from itugraph.linkeddata.siteindex import site_index
from itugraph.linkeddata.urls import EXTERNAL_ROUTE, PUBLIC_BASE, iri_of, is_ours, path_of
from itugraph.namespaces import (
    DCTERMS,
    GRAPH_ASSERTED,
    GRAPH_INFERRED,
    ITUID,
    PREFIXES,
    RDF,
    RDFS,
    SDG,
)
from itugraph.web.documents import not_modified, send_document
from itugraph.web.generation import current
from itugraph.web.state import ServingState, state
from itugraph.web.views import neighbourhood_links

bp = Blueprint("resources", __name__)

VOID = "http://rdfs.org/ns/void#"
#: Prefixes of our RDF documents (ours, and VoID for the listings and named graphs).
DOC_PREFIXES = {**PREFIXES, "void": VOID}
#: Languages a page may pick labels in (the UN's six); anything else reads English.
PAGE_LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")
#: Languages written right to left: their pages get ``dir="rtl"`` (mirrored layout).
RTL_LANGUAGES = frozenset({"ar"})
#: The cookie that remembers the reader's language switch (``?lang=fr``).
LANGUAGE_COOKIE = "lang"
#: How long the language switch is remembered (a year, in seconds).
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
#: Resources per listing page.
PAGE_SIZE = 500
#: Results a search shows.
SEARCH_LIMIT = 100

_HERE = Path(__file__).resolve().parent
_RENDERER = fingerprint(
    [
        Path(__file__).resolve(),
        _HERE / "documents.py",
        *(_HERE.parent / "linkeddata").glob("*.py"),
        *(_HERE / "templates").glob("ld_*.html"),
        # The neighbourhood section: shown when the query and Cytoscape.js (make ui) are there.
        _HERE / "views.py",
        _HERE / "static" / "vendor" / "cytoscape.min.js",
    ]
)
_CACHE = DocumentCache()


@bp.record_once
def _warm(setup: BlueprintSetupState) -> None:
    """Make (or read) the site index in the background as the app starts: at 1M triples
    it takes seconds, which the first listing or search would otherwise wait for."""
    serving = setup.app.extensions.get("itugraph")
    if isinstance(serving, ServingState) and serving.settings.backend != "sparql":
        # Over a store, each new publication starts its own (``generation``).
        threading.Thread(
            target=site_index,
            args=(serving.store, serving.built.path),
            daemon=True,
            name="itugraph-site-index",
        ).start()


# --- routes -------------------------------------------------------------------------------


@bp.get("/id/")
@bp.get("/id/<path:path>")
def resource(path: str = "") -> Response:
    """A resource, a kind's listing (``/id/<kind>/``) or the kinds (``/id/``)."""
    base, rep = split_suffix(f"/id/{path}")
    if base == "/id/":
        return _serve(base, rep, _kinds_document, datasets=False, language=True)
    if base.endswith("/") and base.count("/") == 3:
        kind = base[len("/id/") : -1]
        page = request.args.get("page", "1")
        if not page.isdigit() or int(page) < 1:
            page = "1"
        paged = base if page == "1" else f"{base}?{urlencode({'page': page})}"
        return _serve(
            paged,
            rep,
            lambda r, lang: _listing_document(kind, int(page), r, lang),
            datasets=False,
            language=True,
        )
    iri = iri_of(base)
    return _serve(base, rep, lambda r, lang: _resource_document(iri, r, lang), language=True)


@bp.get("/graph/<name>")
def named_graph(name: str) -> Response:
    """The description of a named graph (``asserted`` or ``inferred``)."""
    base, rep = split_suffix(f"/graph/{name}")
    return _serve(base, rep, lambda r, lang: _graph_document(base, r), datasets=False)


@bp.get("/resource")
@bp.get("/resource.<suffix>")
def external(suffix: str | None = None) -> Response:
    """What the graph holds about an IRI that is not ours; ours redirect to their path."""
    iri = request.args.get("iri", "").strip()
    rep = BY_SUFFIX.get(suffix) if suffix is not None else None
    if suffix is not None and rep is None:
        return _plain(404, f"no such format: .{suffix}\n")
    if not iri:
        return _plain(400, "pass the IRI to describe: /resource?iri=<IRI>\n")
    if is_ours(iri) and not path_of(iri).startswith(EXTERNAL_ROUTE):
        target = path_of(iri).partition("#")[0]
        if rep is not None:
            target = f"{target}.{rep.suffix}"
        return redirect(target, code=301)  # type: ignore[return-value]
    base = f"/resource?{urlencode({'iri': iri})}"
    return _serve(base, rep, lambda r, lang: _resource_document(iri, r, lang), language=True)


@bp.get("/search")
def search() -> Response:
    """Resources whose labels contain ``q`` (HTML; JSON with ``Accept: application/json``)."""
    query = request.args.get("q", "").strip()[:200]
    serving = state()
    generation = current()
    index = generation.site_index()
    hits, more = index.search(query, SEARCH_LIMIT) if query else ([], False)
    language = _language()
    if (
        request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
        and not request.accept_mimetypes.accept_html
    ):
        from flask import jsonify

        return jsonify(
            {
                "query": query,
                "more": more,
                "results": [
                    {"iri": h.iri, "label": h.label, "language": h.language, "path": path_of(h.iri)}
                    for h in hits
                ],
            }
        )
    rows = [
        {
            "href": path_of(h.iri),
            "label": h.label,
            "lang": h.language,
            "iri": h.iri,
            "matched": _curie(h.predicate),
            "name": _label_view(index.labels.get(h.iri), language, h.iri),
        }
        for h in hits
    ]
    body = render_template(
        "ld_search.html",
        query=query,
        rows=rows,
        more=more,
        page_lang="en",
        page_dir=_direction(language),
        reader_lang=language,
    )
    response = Response(body, content_type=HTML.content_type)
    response.headers["Cache-Control"] = f"public, max-age={serving.settings.max_age}"
    response.headers["Vary"] = "Accept, Accept-Language, Cookie"
    return response


# --- serving ------------------------------------------------------------------------------


def _serve(
    base_path: str,
    suffix_rep: Representation | None,
    make: Any,
    *,
    datasets: bool = True,
    language: bool = False,
) -> Response:
    """Negotiate, answer 304 or 406, else send the document (rendered once per build)."""
    rep = suffix_rep or choose(request.headers.get("Accept"), datasets=datasets)
    if rep is None:
        body = (
            "406 Not Acceptable: this document is available as "
            + ", ".join(r.media_type for _, r in alternates(base_path, datasets=datasets))
            + "\n"
        )
        response = _plain(406, body)
        response.headers["Vary"] = "Accept"
        return response
    if suffix_rep is not None and not datasets and rep.is_dataset:
        return _plain(404, f"this document has no .{rep.suffix} form\n")
    lang = _language() if language and rep.is_html else ""
    negotiated = suffix_rep is None
    vary_language = language and rep.is_html
    cached = not_modified(
        base_path, rep, variant=lang, negotiated=negotiated, datasets=datasets, vary_language=vary_language
    )
    if cached is not None:
        return cached
    serving = state()
    key = "\0".join((_RENDERER, current().key, base_path, rep.suffix, lang))
    status, rendered = _CACHE.get_or_render(serving.built.path, key, lambda: make(rep, lang or "en"))
    return send_document(
        rendered,
        rep,
        base_path,
        negotiated=negotiated,
        datasets=datasets,
        status=status,
        variant=lang,
        vary_language=vary_language,
    )


def _language() -> str:
    """The reader's language among :data:`PAGE_LANGUAGES`: the switch just used
    (``?lang=``), else the remembered switch (cookie), else ``Accept-Language``, else English.

    An explicit choice wins over the browser's default: a delegate reading in French on a
    borrowed English browser picks French once and keeps it.
    """
    for chosen in (request.args.get("lang"), request.cookies.get(LANGUAGE_COOKIE)):
        if chosen in PAGE_LANGUAGES:
            return str(chosen)
    return request.accept_languages.best_match(PAGE_LANGUAGES, default="en") or "en"


def _direction(language: str) -> str:
    """``rtl`` for a right-to-left language, else empty (the page stays left to right)."""
    return "rtl" if language in RTL_LANGUAGES else ""


@bp.after_request
def _remember_language(response: Response) -> Response:
    """Remember a language switch (``?lang=xx``) in a cookie for the next pages."""
    chosen = request.args.get("lang")
    if chosen in PAGE_LANGUAGES and request.cookies.get(LANGUAGE_COOKIE) != chosen:
        response.set_cookie(
            LANGUAGE_COOKIE, str(chosen), max_age=LANGUAGE_COOKIE_AGE, samesite="Lax", httponly=True
        )
    return response


def _plain(status: int, text: str) -> Response:
    return Response(text, status=status, content_type="text/plain; charset=utf-8")


def _rdf(quads: list[ox.Quad], rep: Representation) -> bytes:
    """Quads in ``rep``'s format: named graphs kept in TriG/N-Quads, merged otherwise."""
    assert rep.format is not None
    fmt = rep.format.oxigraph
    if rep.format.is_dataset:
        body = ox.serialize(quads, format=fmt, prefixes=DOC_PREFIXES)
    else:
        triples = list(dict.fromkeys(q.triple for q in quads))
        body = ox.serialize(triples, format=fmt, prefixes=DOC_PREFIXES)
    return body or b""


def _not_found(rep: Representation, what: str, iri: str | None = None) -> tuple[int, bytes]:
    """A 404 in the negotiated format: a page, or an empty RDF document."""
    if rep.is_html:
        return 404, render_template("ld_not_found.html", what=what, iri=iri, page_lang="en").encode()
    return 404, _rdf([], rep)


# --- documents ----------------------------------------------------------------------------


def _resource_document(iri: str, rep: Representation, language: str) -> tuple[int, bytes]:
    generation = current()
    if not _valid_iri(iri):  # a path or ?iri= no graph can hold (spaces, "<", …)
        return _not_found(rep, "resource", iri)
    desc = describing.describe(generation.store, iri, validation=generation.validation or generation.findings)
    if not desc.exists:
        return _not_found(rep, "resource", iri)
    if not rep.is_html:
        return 200, _rdf(desc.quads(), rep)
    return 200, _resource_html(desc, language).encode()


def _valid_iri(iri: str) -> bool:
    try:
        ox.NamedNode(iri)
    except ValueError:
        return False
    return True


def _kinds_document(rep: Representation, language: str) -> tuple[int, bytes]:
    generation = current()
    index = generation.site_index()
    kinds = [(kind, len(members)) for kind, members in index.kinds.items()]
    if not rep.is_html:
        doc = ox.NamedNode(ITUID)
        quads = [
            ox.Quad(
                doc,
                ox.NamedNode(RDFS + "label"),
                ox.Literal("The resources of itugraph, by kind", language="en"),
            )
        ]
        for kind, count in kinds:
            listing = ox.NamedNode(f"{ITUID}{kind}/")
            quads += [
                ox.Quad(doc, ox.NamedNode(DCTERMS + "hasPart"), listing),
                ox.Quad(
                    listing,
                    ox.NamedNode(VOID + "entities"),
                    ox.Literal(str(count), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
                ),
            ]
        return 200, _rdf(quads, rep)
    return 200, render_template(
        "ld_kinds.html",
        kinds=[{"kind": k, "href": f"/id/{k}/", "count": c} for k, c in kinds],
        total=sum(c for _, c in kinds),
        alternates=_alternate_links("/id/", datasets=False),
        page_lang="en",
        page_dir=_direction(language),
        reader_lang=language,
    ).encode()


def _listing_document(kind: str, page: int, rep: Representation, language: str) -> tuple[int, bytes]:
    generation = current()
    index = generation.site_index()
    members = index.kinds.get(kind)
    pages = max(1, math.ceil(len(members or []) / PAGE_SIZE))
    if not members or page > pages:
        return _not_found(rep, f"kind “{kind}”" if not members else f"page {page} of “{kind}”")
    shown = members[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    base = f"/id/{kind}/" + (f"?page={page}" if page > 1 else "")
    if not rep.is_html:
        doc = ox.NamedNode(f"{ITUID}{kind}/")
        quads = [
            ox.Quad(
                doc,
                ox.NamedNode(VOID + "entities"),
                ox.Literal(
                    str(len(members)), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
                ),
            )
        ]
        quads += [ox.Quad(doc, ox.NamedNode(RDFS + "member"), ox.NamedNode(m)) for m in shown]
        quads += [
            ox.Quad(s.subject, s.predicate, s.object, ox.NamedNode(s.graph))
            for s in describing.labels_of(generation.store, shown)
        ]
        return 200, _rdf(quads, rep)
    rows = [
        {
            "href": path_of(m),
            "key": m[len(ITUID) + len(kind) + 1 :],
            "name": _label_view(index.labels.get(m), language, m),
        }
        for m in shown
    ]
    nav = {
        "page": page,
        "pages": pages,
        "prev": (f"/id/{kind}/" if page == 2 else f"/id/{kind}/?page={page - 1}") if page > 1 else None,
        "next": f"/id/{kind}/?page={page + 1}" if page < pages else None,
    }
    return 200, render_template(
        "ld_listing.html",
        kind=kind,
        rows=rows,
        count=len(members),
        nav=nav,
        first=(page - 1) * PAGE_SIZE + 1,
        alternates=_alternate_links(base, datasets=False),
        page_lang="en",
        page_dir=_direction(language),
        reader_lang=language,
    ).encode()


def _graph_document(base: str, rep: Representation) -> tuple[int, bytes]:
    iri = iri_of(base)
    if iri not in (GRAPH_ASSERTED, GRAPH_INFERRED):
        return _not_found(rep, "named graph", iri)
    generation = current()
    asserted = iri == GRAPH_ASSERTED
    count = generation.asserted_triples if asserted else generation.inferred_triples
    what = (
        "every asserted triple: the ontology, the data of graph/ and the vocabularies it imports"
        if asserted
        else "only the triples the build adds: the shapes' SHACL rules (the precedence rule on "
        "claims) and the OWL 2 RL closure"
    )
    if not rep.is_html:
        node = ox.NamedNode(iri)
        integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
        quads = [
            ox.Quad(
                node,
                ox.NamedNode(RDF + "type"),
                ox.NamedNode("http://www.w3.org/ns/sparql-service-description#NamedGraph"),
            ),
            ox.Quad(
                node,
                ox.NamedNode(RDFS + "label"),
                ox.Literal(f"The {'asserted' if asserted else 'inferred'} graph of itugraph", language="en"),
            ),
            ox.Quad(
                node,
                ox.NamedNode(DCTERMS + "description"),
                ox.Literal(what[0].upper() + what[1:], language="en"),
            ),
            ox.Quad(node, ox.NamedNode(VOID + "triples"), ox.Literal(str(count), datatype=integer)),
            ox.Quad(node, ox.NamedNode(VOID + "dataDump"), ox.NamedNode(PUBLIC_BASE + "dumps/")),
            ox.Quad(node, ox.NamedNode(VOID + "sparqlEndpoint"), ox.NamedNode(PUBLIC_BASE + "sparql")),
        ]
        return 200, _rdf(quads, rep)
    return 200, render_template(
        "ld_graph.html",
        iri=iri,
        name="asserted" if asserted else "inferred",
        count=count,
        what=what,
        built_at=generation.built_at,
        version=generation.version,
        other=("/graph/inferred" if asserted else "/graph/asserted"),
        alternates=_alternate_links(base, datasets=False),
        page_lang="en",
    ).encode()


# --- the resource page --------------------------------------------------------------------


def _alternate_links(base: str, *, datasets: bool = True) -> list[dict[str, str]]:
    return [
        {"href": path, "media_type": rep.media_type, "suffix": rep.suffix}
        for path, rep in alternates(base, datasets=datasets)
    ]


def _curie(iri: str) -> str:
    """``prefix:local`` for an IRI under one of our prefixes, else the IRI."""
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            local = iri[len(namespace) :]
            if all(c.isalnum() or c in "-_." for c in local):
                return f"{prefix}:{local}"
    return iri


def _label_view(labels: dict[str, list[str]] | None, language: str, iri: str) -> dict[str, str]:
    picked = describing.pick_label(labels, language)
    if picked is None:
        return {"text": _curie(iri), "lang": "", "fallback": "yes"}
    return {"text": picked[0], "lang": picked[1], "fallback": ""}


class _Page:
    """Turns a description's terms into what the template shows (links, labels, marks)."""

    def __init__(self, desc: describing.Description, language: str) -> None:
        self.desc, self.language = desc, language
        self.labels = desc.labels()

    def iri(self, iri: str) -> dict[str, str]:
        return {
            "kind": "iri",
            "href": path_of(iri),
            "iri": iri,
            **_label_view(self.labels.get(iri), self.language, iri),
        }

    def term(
        self,
        term: ox.NamedNode | ox.BlankNode | ox.Literal,
        depth: int = 0,
        seen: frozenset[str] = frozenset(),
    ) -> dict[str, Any]:
        if isinstance(term, ox.NamedNode):
            return self.iri(term.value)
        if isinstance(term, ox.BlankNode):
            if term.value in seen or depth > 8 or term.value not in self.desc.closure:
                return {"kind": "blank", "text": "(a blank node)"}
            nested = [
                self.statement(s, depth + 1, seen | {term.value}) for s in self.desc.closure[term.value]
            ]
            return {"kind": "blank", "statements": nested}
        datatype = term.datatype.value if term.language is None else ""
        return {
            "kind": "literal",
            "text": term.value,
            "lang": term.language or "",
            "datatype": ""
            if datatype.endswith("#string") or datatype.endswith("#langString")
            else _curie(datatype),
        }

    def statement(
        self, s: describing.Statement, depth: int = 0, seen: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        return {
            "predicate": self.iri(s.predicate.value),
            "value": self.term(s.object, depth, seen),
            "inferred": s.inferred,
            "why": _why(s) if s.inferred else None,
        }


def _why(s: describing.Statement) -> str | None:
    """The ``/api/explain`` link of an inferred triple (not for blank nodes: no name to pass)."""
    if isinstance(s.subject, ox.BlankNode) or isinstance(s.object, ox.BlankNode):
        return None
    obj = f"<{s.object.value}>" if isinstance(s.object, ox.NamedNode) else str(s.object)
    return "/api/explain?" + urlencode({"s": f"<{s.subject.value}>", "p": f"<{s.predicate.value}>", "o": obj})


def _resource_html(desc: describing.Description, language: str) -> str:
    page = _Page(desc, language)
    outgoing = [page.statement(s) for s in desc.outgoing]
    incoming = [
        {
            "subject": page.term(s.subject, 99),
            "predicate": page.iri(s.predicate.value),
            "inferred": s.inferred,
            "why": _why(s) if s.inferred else None,
        }
        for s in desc.incoming
    ]
    claims = [
        {
            "property": page.iri(c.property) if c.property else None,
            "value": page.term(c.value, 99) if c.value is not None else None,
            "status": c.status,
            "confidence": c.confidence,
            "precedence": c.precedence,
            "sources": [page.iri(x) for x in c.sources],
        }
        for c in desc.claims
    ]
    roles = [
        {
            "role": page.iri(r.iri),
            "holder": page.iri(r.holder) if r.holder else None,
            "line": page.iri(r.action_line) if r.action_line else None,
            "type": page.iri(r.role_type) if r.role_type else None,
            "status": r.status,
            "sources": [page.iri(x) for x in r.sources],
        }
        for r in desc.roles
    ]
    base = (
        path_of(desc.iri).partition("#")[0]
        if is_ours(desc.iri)
        else f"/resource?{urlencode({'iri': desc.iri})}"
    )
    un_page = desc.iri if desc.iri.startswith(SDG) else None
    title = _label_view(page.labels.get(desc.iri), language, desc.iri)
    return render_template(
        "ld_resource.html",
        iri=desc.iri,
        ours=is_ours(desc.iri),
        # Only a web IRI becomes a link: never javascript:, data: or another scheme a
        # browser would run or render.
        external_href=desc.iri if urlsplit(desc.iri).scheme in {"http", "https"} else None,
        title=title,
        types=[page.iri(t) for t in desc.types],
        outgoing=outgoing,
        incoming=incoming,
        incoming_omitted=desc.incoming_omitted,
        claims=claims,
        roles=roles,
        sources=[page.iri(x) for x in desc.sources],
        findings=desc.findings,
        used_as_predicate=desc.used_as_predicate,
        un_page=un_page,
        inferred_count=sum(1 for s in desc.statements() if s.inferred),
        neighbourhood=neighbourhood_links(),
        alternates=_alternate_links(base),
        page_lang="en",
        page_dir=_direction(language),
        reader_lang=language,
        label_lang=language,
    )
