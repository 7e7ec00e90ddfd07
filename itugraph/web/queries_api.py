"""The named-query API: ``GET /api/queries`` lists the catalogue, ``/api/queries/NAME`` runs one."""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from itugraph.errors import InputError
from itugraph.web.errors import ApiError
from itugraph.web.sparql import answer_query
from itugraph.web.state import state

bp = Blueprint("queries_api", __name__, url_prefix="/api/queries")


@bp.get("")
def list_queries() -> Response:
    """Every named query with its title, description, parameters and text."""
    return jsonify([q.to_dict() for q in state().catalogue.values()])


@bp.get("/<name>")
def run_query(name: str) -> Response:
    """Run a named query with typed parameters from the query string, in any result format."""
    named = state().catalogue.get(name)
    if named is None:
        raise ApiError(
            404, "UNKNOWN_QUERY", f"no named query {name!r}", hint="GET /api/queries lists the names"
        )
    try:
        bindings = named.bindings(request.args.to_dict())
    except InputError as exc:
        raise ApiError(400, "BAD_PARAMETER", exc.message, exc.hint) from None
    return answer_query(named.text, substitutions=bindings)
