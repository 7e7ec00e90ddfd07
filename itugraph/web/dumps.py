"""Dumps of the graph and the dataset description (VoID + DCAT).

* ``/dumps/`` — the index (HTML; ``application/json`` or ``/dumps/index.json``; any RDF
  format gives the VoID description, which lists the same files);
* ``/dumps/<graph>.<format>.gz``, ``/dumps/SHA256SUMS``, ``/dumps/context.jsonld``,
  ``/dumps/void.ttl`` — files written once per build into the build's cache entry
  (``itugraph.linkeddata.dumps``), sent with a strong ETag (their SHA-256),
  ``Content-Length``, ranges and ``304``. They are written by a child process, all at once,
  on the first request for one: at 1M triples that takes minutes and GBs, which must not
  land in a serving process or keep a request waiting. A request waits ``DUMP_WAIT`` seconds
  at most, then gets ``503`` with ``Retry-After`` while the writing goes on;
* ``/.well-known/void`` — the VoID/DCAT description, negotiated like every document.

A ``.gz`` file is sent as ``application/gzip`` without ``Content-Encoding`` (the bytes are
the file the checksum covers; ``docs/decisions.md``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import threading
import time
from collections.abc import Callable
from multiprocessing.process import BaseProcess
from pathlib import Path

from flask import Blueprint, Response, abort, render_template, request, send_file

from itugraph.build import Build
from itugraph.linkeddata.dumps import (
    CONTEXT,
    GRAPHS,
    SUFFIXES,
    SUMS,
    VOID_FILE,
    Dumps,
    dump_files,
    dump_named,
)
from itugraph.linkeddata.negotiate import BY_SUFFIX, HTML, Representation, alternates, choose
from itugraph.linkeddata.published import published_dumps, write_published_dumps
from itugraph.linkeddata.urls import absolute
from itugraph.linkeddata.void import (
    DUMPS_DIR,
    VOID_PATH,
    VoidFacts,
    dumps_for,
    facts_for,
    void_bytes,
)
from itugraph.remote_store import RemoteSparqlStore
from itugraph.web.documents import base_url, not_modified, send_document
from itugraph.web.generation import Generation, current
from itugraph.web.state import state

bp = Blueprint("dumps", __name__)
log = logging.getLogger("itugraph")

_LOCK = threading.Lock()
_DUMPS: dict[str, Dumps] = {}
_FACTS: dict[str, VoidFacts] = {}
#: The dump-writing child process of each build (in this HTTP process) and when it started.
_WRITERS: dict[str, tuple[BaseProcess, float]] = {}


def dumps_of(built: Build, generation: Generation) -> Dumps:
    """The dumps folder of a generation (one object per generation and process)."""
    with _LOCK:
        if generation.key not in _DUMPS:
            if generation.publication is None:
                made = dumps_for(built)
            else:
                assert isinstance(generation.bulk_store, RemoteSparqlStore)
                made = published_dumps(
                    built, generation.bulk_store, generation.publication, generation.folder / DUMPS_DIR
                )
            _DUMPS.clear()  # one generation at a time: the folder of an old one may go
            _DUMPS[generation.key] = made
        return _DUMPS[generation.key]


def facts() -> VoidFacts:
    """The facts of what this request serves (the build, or the store's publication)."""
    serving, generation = state(), current()
    if generation.key not in _FACTS:
        made = facts_for(
            serving.built, generation.folder / DUMPS_DIR, generation.bulk_store, generation.publication
        )
        _FACTS.clear()
        _FACTS[generation.key] = made
    return _FACTS[generation.key]


# --- the index -----------------------------------------------------------------------------


@bp.get("/dumps")
def dumps_root() -> Response:
    return Response(status=308, headers={"Location": "/dumps/"})


@bp.get("/dumps/")
@bp.get("/dumps/index.<suffix>")
def index(suffix: str | None = None) -> Response:
    """The files on offer: HTML, JSON or (any RDF format) the VoID description."""
    wants_json = (
        suffix == "json"
        or (suffix is None and request.args.get("format") == "json")
        or (
            suffix is None
            and request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"
            and not request.accept_mimetypes.accept_html
        )
    )
    if wants_json:
        return _json_index(negotiated=suffix is None)
    rep = BY_SUFFIX.get(suffix) if suffix else None
    if suffix and (rep is None or rep.is_dataset):
        abort(404)
    negotiated = rep is None
    rep = rep or choose(request.headers.get("Accept"), datasets=False)
    if rep is None:
        return _not_acceptable("/dumps/index")
    root = base_url()
    cached = not_modified("/dumps/index", rep, variant=root, negotiated=negotiated, datasets=False)
    if cached is not None:
        return cached
    if rep.is_html:
        body: bytes | str = render_template(
            "dumps.html",
            files=_rows(root),
            graphs=list(GRAPHS),
            suffixes=SUFFIXES,
            sums=absolute("/dumps/" + SUMS, root),
            context=absolute("/dumps/" + CONTEXT, root),
            void=absolute(VOID_PATH, root),
            facts=facts(),
            alternates=_alternates("/dumps/index"),
        )
    else:
        body = _void_body(rep, root)
    return send_document(body, rep, "/dumps/index", negotiated=negotiated, datasets=False, variant=root)


def _rows(root: str) -> list[dict[str, str]]:
    return [
        {
            "name": d.name,
            "graph": d.graph,
            "suffix": d.suffix,
            "media_type": d.media_type,
            "url": absolute("/dumps/" + d.name, root),
        }
        for d in dump_files()
    ]


def _json_index(*, negotiated: bool) -> Response:
    root = base_url()
    info = facts()
    body = json.dumps(
        {
            "version": info.version,
            "built_at": info.built_at,
            "triples": info.triples,
            "files": [{**row, "compression": "gzip"} for row in _rows(root)],
            "checksums": absolute("/dumps/" + SUMS, root),
            "context": absolute("/dumps/" + CONTEXT, root),
            "void": absolute(VOID_PATH, root),
        },
        indent=1,
    )
    response = Response(body, content_type="application/json")
    response.set_etag(hashlib.sha256(f"{current().key}\0{root}".encode()).hexdigest()[:32])
    response.headers["Cache-Control"] = f"public, max-age={state().settings.max_age}"
    if negotiated:
        response.headers["Vary"] = "Accept"
    response.make_conditional(request)
    return response


def _alternates(base: str) -> list[dict[str, str]]:
    root = base_url()
    return [
        {"media_type": r.media_type, "href": absolute(p, root)}
        for p, r in alternates(base, datasets=False)
        if not r.is_html
    ]


def _not_acceptable(base: str) -> Response:
    body = (
        "406 Not Acceptable: available as "
        + ", ".join(r.media_type for _, r in alternates(base, datasets=False))
        + "\n"
    )
    return Response(body, status=406, content_type="text/plain; charset=utf-8", headers={"Vary": "Accept"})


# --- files ---------------------------------------------------------------------------------

_TYPES = {SUMS: "text/plain", CONTEXT: "application/ld+json", VOID_FILE: "text/turtle"}


@bp.get("/dumps/<name>")
def dump_file(name: str) -> Response:
    """One file of the dumps folder, written on first request."""
    dump = dump_named(name)
    if dump is None and name not in _TYPES:
        abort(404)
    serving, generation = state(), current()
    dumps = dumps_of(serving.built, generation)
    # A damaged file (checksum) is removed here and written again below; one the dumps writer's
    # lock keeps from removing (it is writing) is not served either: the client retries.
    if not dumps.sound(name, wait=False) and (dumps.folder / name).is_file():
        return _still_writing(generation)
    path = _written(serving.built, generation, dumps.folder / name, serving.settings.dump_wait)
    if path is None:
        return _still_writing(generation)
    response = send_file(
        path,
        mimetype="application/gzip" if dump else _TYPES[name],
        etag=dumps.checksum(name),
        conditional=True,
        max_age=state().settings.max_age,
    )
    if dump is not None:
        # Never re-encoded (the compression hook skips compressed media types): a .gz
        # file must reach the client as the bytes summed.
        response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    if name == CONTEXT or (dump and dump.suffix == "jsonld"):
        response.headers["Link"] = (
            f'<{absolute("/dumps/" + CONTEXT, base_url())}>; rel="http://www.w3.org/ns/json-ld#context"'
        )
    return response


def _written(built: Build, generation: Generation, target: Path, wait: float) -> Path | None:
    """``target`` once written (the writer process started if need be), None while the writing
    goes on past ``wait`` seconds."""
    if target.is_file():
        return target
    with _LOCK:
        writer, _ = _WRITERS.get(generation.key, (None, 0.0))
        if writer is None or (writer.exitcode is not None and not target.is_file()):
            if writer is not None and writer.exitcode != 0:
                log.error(
                    "writing the dumps of %s failed (exit %s): trying again",
                    generation.key,
                    writer.exitcode,
                )
            writer = multiprocessing.get_context("spawn").Process(
                target=_writer_target(generation),
                args=_writer_args(built, generation),
                name="itugraph-dumps",
                daemon=True,
            )
            writer.start()
            _WRITERS[generation.key] = (writer, time.monotonic())
    writer.join(wait)
    return target if target.is_file() else None


def _writer_target(generation: Generation) -> Callable[..., None]:
    return write_dumps if generation.publication is None else write_published_dumps


def _writer_args(built: Build, generation: Generation) -> tuple[object, ...]:
    """What the child process needs (picklable): the build, or the store and publication."""
    if generation.publication is None:
        return (built,)
    assert isinstance(generation.bulk_store, RemoteSparqlStore)
    return (built, generation.bulk_store.config, generation.publication, generation.folder / DUMPS_DIR)


def write_dumps(built: Build) -> None:
    """In the child process: every dump of ``built``, its checksums and ``void.ttl``."""
    dumps_for(built).write_all()


def _still_writing(generation: Generation) -> Response:
    writer, started = _WRITERS.get(generation.key, (None, time.monotonic()))
    if writer is not None and writer.exitcode not in {None, 0}:
        return _writing_failed()
    seconds = int(time.monotonic() - started)
    return Response(
        f"503 Service Unavailable: the dumps of this build are being written ({seconds} s so far; "
        "at 1M triples it takes a few minutes). Try again after Retry-After seconds.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
        headers={"Retry-After": "30", "Cache-Control": "no-store"},
    )


def _writing_failed() -> Response:
    """The writer died (a full disk, most often): say so, and that the next request retries."""
    return Response(
        "503 Service Unavailable: the dumps of this build could not be written (the server's log "
        "says why, e.g. a full disk); the next request tries again.\n",
        status=503,
        content_type="text/plain; charset=utf-8",
        headers={"Retry-After": "60", "Cache-Control": "no-store"},
    )


# --- VoID ----------------------------------------------------------------------------------


@bp.get(VOID_PATH)
@bp.get(VOID_PATH + ".<suffix>")
def void(suffix: str | None = None) -> Response:
    """The dataset description, negotiated (HTML, Turtle, JSON-LD, N-Triples, RDF/XML)."""
    rep = BY_SUFFIX.get(suffix) if suffix else None
    if suffix and (rep is None or rep.is_dataset):
        abort(404)
    negotiated = rep is None
    rep = rep or choose(request.headers.get("Accept"), datasets=False)
    if rep is None:
        return _not_acceptable(VOID_PATH)
    root = base_url()
    cached = not_modified(VOID_PATH, rep, variant=root, negotiated=negotiated, datasets=False)
    if cached is not None:
        return cached
    if rep.is_html:
        info = facts()
        body: bytes | str = render_template(
            "void.html",
            facts=info,
            root=root,
            sparql=absolute("/sparql", root),
            dumps=absolute("/dumps/", root),
            alternates=_alternates(VOID_PATH),
            files=_rows(root),
        )
    else:
        body = _void_body(rep, root)
    return send_document(body, rep, VOID_PATH, negotiated=negotiated, datasets=False, variant=root)


def _void_body(rep: Representation, root: str) -> bytes:
    assert rep is not HTML and rep.format is not None
    return void_bytes(facts(), rep.format.oxigraph, server=root, dumps=absolute("/dumps/", root))
