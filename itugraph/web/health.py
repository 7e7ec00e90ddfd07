"""Liveness, readiness and metrics for operators."""

from __future__ import annotations

import logging

from flask import Blueprint, Response, jsonify

from itugraph.errors import StoreError
from itugraph.remote_store import RemoteSparqlStore
from itugraph.web.state import state

log = logging.getLogger(__name__)

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up and answering HTTP."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    """The graph is loaded and query workers run: the server can answer queries. With an
    external store, it is read now: a load balancer takes a front end whose store is down
    or empty out of rotation (503) and back once it answers."""
    serving = state()
    body: dict[str, object] = {
        "status": "ready",
        "dataset": serving.built.version,
        "asserted_triples": serving.built.manifest.asserted_triples,
        "inferred_triples": serving.built.manifest.inferred_triples,
        "workers": serving.executor.size,
        "backend": serving.settings.backend,
    }
    if isinstance(serving.backend, RemoteSparqlStore):
        try:
            serving.backend.ping()
            live = serving.backend.publication()
        except StoreError as exc:
            log.warning("not ready: %s", exc)
            return _not_ready(body, exc)
        body["publication"] = live.id
        # The pages this front end renders from its own build (listings, search, /def/,
        # dumps) match the store's answers only when both come from the same build.
        body["in_sync"] = live.dataset_version == serving.built.version
    return jsonify(body)


def _not_ready(body: dict[str, object], exc: StoreError) -> Response:
    body.update(status="not ready", reason=f"the triple store does not answer ({exc.code})")
    response = jsonify(body)
    response.status_code = 503
    response.headers["Retry-After"] = "5"
    return response


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text exposition format."""
    return Response(state().metrics.render(), content_type="text/plain; version=0.0.4")
