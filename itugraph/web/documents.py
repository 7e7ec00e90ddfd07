"""Sending a linked-data document: negotiated, cached by strong ETag, with its alternates.

Every document route (resources, listings, ontology, shapes, named graphs, VoID, dumps
index) answers through :func:`send_document`, so the caching and the headers a crawler
relies on are the same everywhere:

* ``Vary: Accept`` on a negotiated answer (not on a suffix URL: it has one representation;
  ``ONE_REPRESENTATION`` tells the response hooks not to add it);
* ``Content-Location``: the suffix URL of the representation sent (200 with
  ``Content-Location`` rather than a 303: ``docs/decisions.md``);
* ``Link: <…ttl>; rel="alternate"; type="text/turtle"`` for every other representation;
* a strong ``ETag`` from the build version, the path and the representation (a document
  cannot change within a build), ``Cache-Control``, and ``304`` on ``If-None-Match``; a
  compressed answer's ETag ends in ``-gzip``/``-deflate`` (RFC 9110 §8.8.3: a strong
  validator names one sequence of bytes), and either form revalidates;
* for a document whose HTML picks labels by ``Accept-Language``: ``variant`` (the language
  chosen) goes into the ETag and ``Vary`` names ``Accept-Language`` too.

A ``base_path`` may carry a query string (``/resource?iri=…``, ``/id/question/?page=2``):
the suffix URLs put the suffix on the path (``/resource.ttl?iri=…``).
"""

from __future__ import annotations

import hashlib

from flask import Response, request

from itugraph.linkeddata.negotiate import Representation, alternates, suffixed
from itugraph.linkeddata.urls import absolute
from itugraph.web.generation import current
from itugraph.web.replay import ENDPOINT, REPLAYABLE
from itugraph.web.state import state

#: The environ key a document without negotiation sets (a suffix URL): no ``Vary: Accept``.
ONE_REPRESENTATION = "itugraph.one_representation"
#: What the response hooks append to a document's ETag when they compress it.
ENCODED_ETAG = {"gzip": "-gzip", "deflate": "-deflate"}


def base_url() -> str:
    """The server's public root: the ``PUBLIC_URL`` setting, else the request's own."""
    return state().settings.public_url or request.url_root


def document_etag(base_path: str, rep: Representation, variant: str = "") -> str:
    """A strong ETag: same dataset (the build's, or the external store's live publication),
    same path, same representation (and variant) -> same bytes."""
    key = f"{current().key}\0{base_path}\0{rep.suffix}"
    if variant:
        key += f"\0{variant}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def not_modified(
    base_path: str,
    rep: Representation,
    *,
    variant: str = "",
    negotiated: bool = True,
    datasets: bool = True,
    vary_language: bool = False,
) -> Response | None:
    """A ``304`` when the client holds the current representation, else None.

    Called before rendering, so a revalidation costs no rendering at all.
    """
    identity = document_etag(base_path, rep, variant)
    held = (identity, *(identity + suffix for suffix in ENCODED_ETAG.values()))
    etag = next((tag for tag in held if tag in request.if_none_match), None)
    if etag is not None:
        # The type is dropped on the wire (werkzeug strips entity headers from a 304) but
        # tells the security hook this is the document's answer: its CSP and CORS headers,
        # which a cross-origin revalidation needs.
        return _headers(
            Response(status=304, content_type=rep.content_type),
            base_path,
            rep,
            etag,
            negotiated=negotiated,
            datasets=datasets,
            vary_language=vary_language,
        )
    return None


def send_document(
    body: bytes | str,
    rep: Representation,
    base_path: str,
    *,
    negotiated: bool,
    datasets: bool = True,
    status: int = 200,
    variant: str = "",
    vary_language: bool = False,
) -> Response:
    """``body`` as ``rep`` of the document at ``base_path`` (the path without suffix)."""
    response = Response(body, status=status, content_type=rep.content_type)
    if status != 200:
        vary = (["Accept"] if negotiated else []) + (["Accept-Language", "Cookie"] if vary_language else [])
        if vary:
            response.headers["Vary"] = ", ".join(vary)
        return response
    # The same request gets the same bytes for the whole build: the replay layer may send
    # them again without Flask (itugraph.web.replay).
    request.environ[REPLAYABLE] = True
    request.environ[ENDPOINT] = request.url_rule.rule if request.url_rule else "replay"
    return _headers(
        response,
        base_path,
        rep,
        document_etag(base_path, rep, variant),
        negotiated=negotiated,
        datasets=datasets,
        vary_language=vary_language,
    )


def _headers(
    response: Response,
    base_path: str,
    rep: Representation,
    etag: str,
    *,
    negotiated: bool,
    datasets: bool = True,
    vary_language: bool = False,
) -> Response:
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"public, max-age={state().settings.max_age}"
    vary = (["Accept"] if negotiated else []) + (["Accept-Language", "Cookie"] if vary_language else [])
    if vary:
        response.headers["Vary"] = ", ".join(vary)
    if not negotiated:
        request.environ[ONE_REPRESENTATION] = True
    root = base_url()
    response.headers["Content-Location"] = absolute(suffixed(base_path, rep.suffix), root)
    response.headers["Link"] = ", ".join(
        f'<{absolute(path, root)}>; rel="alternate"; type="{other.media_type}"'
        for path, other in alternates(base_path, datasets=datasets)
        if other != rep
    )
    return response
