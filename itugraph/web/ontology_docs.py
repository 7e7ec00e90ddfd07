"""Documentation of the ontology at /def/itu and of the shapes at /def/shapes.

Each is one linked-data document (``itugraph.web.documents``): HTML for browsers, every
RDF format of the registry by ``Accept`` or by suffix (``/def/itu.ttl``), a ``#Term`` IRI
dereferencing through its document (each term has ``id="Term"``). The current version IRI
(``/def/itu/0.1.0``) is the same document. A page cannot change within a build, so it is
rendered once per build: kept in this process and written (atomically) to the build's
cache entry, where the other HTTP worker processes and later starts find it.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, render_template, request, url_for

from itugraph.cache_checksums import read_sealed, write_sealed
from itugraph.linkeddata.negotiate import Representation, alternates, choose, split_suffix
from itugraph.linkeddata.ontology_docs import document_model, ontology_document
from itugraph.linkeddata.ontology_docs_graph import DISPLAY_PREFIXES, Triple
from itugraph.linkeddata.shapes_docs import (
    SHAPES_DOCUMENT,
    VALIDATION_FILE,
    shapes_model,
    validation_counts,
)
from itugraph.linkeddata.urls import path_of
from itugraph.load import load_triples
from itugraph.namespaces import ITU_ONTOLOGY, OWL
from itugraph.web.documents import not_modified, send_document
from itugraph.web.errors import error_response
from itugraph.web.state import state

bp = Blueprint("ontology_docs", __name__)
log = logging.getLogger(__name__)

ONTOLOGY_PATH = path_of(ITU_ONTOLOGY)  # /def/itu
SHAPES_PATH = path_of(SHAPES_DOCUMENT)  # /def/shapes

_FORMAT_NAMES = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML"}
_lock = threading.Lock()
_sources: dict[str, _Sources] = {}
_bodies: dict[tuple[str, str, str], bytes] = {}


@dataclass(frozen=True)
class _Sources:
    """The triples behind the two documents of one build, and the paths that name them."""

    ontology: list[Triple]
    ontology_files: list[Triple]
    shapes: list[Triple]
    paths: dict[str, str]  # server path -> "itu" | "shapes"


def _load() -> _Sources:
    built = state().built
    with _lock:
        if built.key not in _sources:
            project = built.project
            own, every = ontology_document(project.ontology_files())
            shapes = load_triples(project.shapes_files())
            paths: dict[str, str] = {SHAPES_PATH: "shapes"}
            if own:
                paths[ONTOLOGY_PATH] = "itu"
                for s, p, o in own:
                    if s.value == ITU_ONTOLOGY and p.value == OWL + "versionIRI":
                        paths[path_of(o.value)] = "itu"
            _sources.clear()
            _sources[built.key] = _Sources(_stable(own), every, _stable(shapes), paths)
        return _sources[built.key]


def _stable(triples: list[Triple]) -> list[Triple]:
    """``triples`` with blank nodes named in order of appearance: the parser names them at
    random, and every HTTP worker process must send the same bytes for the same ETag."""
    names: dict[ox.BlankNode, ox.BlankNode] = {}

    def stable(term: ox.BlankNode) -> ox.BlankNode:
        return names.setdefault(term, ox.BlankNode(f"b{len(names)}"))

    return [
        (stable(s) if isinstance(s, ox.BlankNode) else s, p, stable(o) if isinstance(o, ox.BlankNode) else o)
        for s, p, o in triples
    ]


@bp.route("/def/", defaults={"rest": ""})
@bp.route("/def/<path:rest>")
def definition(rest: str) -> Response:
    """A document under /def/: the ontology, its version IRI, the shapes; else a 404."""
    path, rep = split_suffix(f"/def/{rest}")
    negotiated = rep is None
    if rep is None:
        rep = choose(request.headers.get("Accept"), datasets=False)
        if rep is None:
            return error_response(
                406,
                "NOT_ACCEPTABLE",
                "no representation of this document matches Accept",
                "ask for text/html or an RDF format (text/turtle, "
                "application/ld+json, application/n-triples, "
                "application/rdf+xml)",
                {"Vary": "Accept"},
            )
    name = _load().paths.get(path)
    if name is None or (rep.format is not None and rep.format.is_dataset):
        return _not_found(path, rep, negotiated)
    cached = not_modified(path, rep, negotiated=negotiated, datasets=False)
    if cached is not None:
        return cached
    body = _body(name, rep)
    return send_document(body, rep, path, negotiated=negotiated, datasets=False)


def _body(name: str, rep: Representation) -> bytes:
    built = state().built
    variant = rep.suffix
    if name == "shapes" and rep.is_html and (built.path / VALIDATION_FILE).is_file():
        variant += "-results"  # the build's results may be saved after the first request
    key = (built.key, name, variant)
    if key in _bodies:
        return _bodies[key]
    if rep.is_html:
        body = _cached_file(built.path / f"{name}-docs-{RENDERER}-{variant}.html", lambda: _render_html(name))
    else:
        sources = _load()
        triples = sources.ontology if name == "itu" else sources.shapes
        assert rep.format is not None
        body = (
            ox.serialize(
                [ox.Triple(*t) for t in triples], format=rep.format.oxigraph, prefixes=DISPLAY_PREFIXES
            )
            or b""
        )
    with _lock:
        if len(_bodies) > 32:  # entries of older builds
            _bodies.clear()
        _bodies[key] = body
    return body


def _renderer_key() -> str:
    """A hash of the code and templates that render the pages, read when this module is
    imported (the code this process runs): a page another version kept is not served."""
    here = Path(__file__).resolve().parent
    files = [
        Path(__file__).resolve(),
        *sorted((here / "templates").glob("ontology*.html")),
        *sorted((here / "templates").glob("shapes*.html")),
        here / "templates" / "ld_base.html",
        *sorted((here.parent / "linkeddata").glob("ontology_docs*.py")),
        *sorted((here.parent / "linkeddata").glob("shapes_docs*.py")),
    ]
    digest = hashlib.sha256()
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()[:12]


RENDERER = _renderer_key()


def _cached_file(file: Path, render: Callable[[], str]) -> bytes:
    """``file``'s bytes, rendering and writing it atomically (sealed) first if it is missing
    or damaged."""
    kept = read_sealed(file)  # None when missing or damaged
    if kept is not None:
        return kept
    body = render().encode("utf-8")
    write_sealed(file, body)  # a read-only or full cache entry: served from memory only
    return body


def _render_html(name: str) -> str:
    started = time.perf_counter()
    sources = _load()
    serving = state()
    base = ONTOLOGY_PATH if name == "itu" else SHAPES_PATH
    formats = [
        {"media_type": r.media_type, "href": p, "name": _FORMAT_NAMES.get(r.suffix, r.suffix)}
        for p, r in alternates(base, datasets=False)
        if not r.is_html
    ]
    context = {
        "alternates": formats,
        "formats": formats,
        "sparql": url_for("sparql.sparql"),
        "built_at": serving.built.manifest.built_at,
        "version": serving.built.version,
    }
    if name == "itu":
        model = document_model(sources.ontology, sources.ontology_files, serving.store)
        html = render_template("ontology.html", model=model, **context)
    else:
        shapes = shapes_model(sources.shapes, validation_counts(serving.built.path))
        html = render_template("shapes.html", model=shapes, **context)
    log.info("rendered %s documentation in %.2f s (%d bytes)", name, time.perf_counter() - started, len(html))
    return html


def _not_found(path: str, rep: Representation, negotiated: bool) -> Response:
    """A 404 in the representation asked for: a page, or an empty RDF document."""
    body: bytes | str
    if rep.is_html:
        body = render_template("ontology_not_found.html", path=path, documents=sorted(_load().paths))
    else:
        assert rep.format is not None
        body = ox.serialize([], format=rep.format.oxigraph) or b""
        if rep.suffix in ("ttl", "nt", "nq", "trig"):
            body = f"# 404 Not Found: nothing is published at {path}\n".encode() + body
    return send_document(body, rep, path, negotiated=negotiated, status=404)
