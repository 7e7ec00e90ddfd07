"""Liveness, readiness and metrics for operators."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify

from itugraph.web.state import state

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> Response:
    """The process is up and answering HTTP."""
    return jsonify(status="ok")


@bp.get("/readyz")
def readyz() -> Response:
    """The graph is loaded and query workers run: the server can answer queries."""
    serving = state()
    body = {
        "status": "ready",
        "dataset": serving.built.version,
        "asserted_triples": serving.built.manifest.asserted_triples,
        "inferred_triples": serving.built.manifest.inferred_triples,
        "workers": serving.executor.size,
    }
    return jsonify(body)


@bp.get("/metrics")
def metrics() -> Response:
    """Prometheus text exposition format."""
    return Response(state().metrics.render(), content_type="text/plain; version=0.0.4")
