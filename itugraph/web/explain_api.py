"""``GET /api/explain?s=…&p=…&o=…``: why an inferred triple holds, as the stable JSON tree.

Resource pages will show this as "why?"; terms are written as in ``itugraph explain``
(``<iri>``, ``prefix:local``, a bare http(s) IRI or an N-Triples literal).
"""

from __future__ import annotations

from flask import Blueprint, Response, jsonify, request

from itugraph.errors import ItuGraphError
from itugraph.explain import explain_triple, parse_triple
from itugraph.web.errors import ApiError
from itugraph.web.state import state

bp = Blueprint("explain_api", __name__, url_prefix="/api")


@bp.get("/explain")
def explain() -> Response:
    """The derivation tree of one triple; 404 when the triple was not inferred."""
    missing = [name for name in ("s", "p", "o") if not request.args.get(name)]
    if missing:
        raise ApiError(
            400,
            "MISSING_PARAMETER",
            f"missing parameter(s): {', '.join(missing)}",
            hint="pass s, p and o, e.g. ?s=ituid:study-group/itu-t-sg17-2025-2028"
            "&p=org:transitiveSubOrganizationOf&o=ituid:organization/itu",
        )
    try:
        triple = parse_triple(request.args["s"], request.args["p"], request.args["o"])
    except ItuGraphError as exc:
        raise ApiError(400, "BAD_TERM", exc.message, exc.hint) from None
    try:
        return jsonify(explain_triple(state().built, triple).to_dict())
    except ItuGraphError as exc:
        raise ApiError(404, "NOT_INFERRED", exc.message, exc.hint) from None
