"""Errors as plain text or JSON (per ``Accept``), never an HTML trace.

The JSON shape is ``{"code": "QUERY_SYNTAX", "status": 400, "message": …, "hint": …}``
with a stable machine ``code``.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, request
from werkzeug.datastructures import MIMEAccept
from werkzeug.exceptions import HTTPException

from itugraph.errors import ItuGraphError, StoreError

bp = Blueprint("errors", __name__)
log = logging.getLogger(__name__)


class ApiError(Exception):
    """An HTTP error with a stable code, raised by views."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        hint: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.hint = status, code, message, hint
        self.headers = headers or {}


def error_response(
    status: int, code: str, message: str, hint: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """Render an error in JSON when the client prefers it, else as plain text."""
    return render_error(request.accept_mimetypes, status, code, message, hint, headers)


def render_error(
    accept: MIMEAccept,
    status: int,
    code: str,
    message: str,
    hint: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    """``error_response`` for the ``Accept`` header given (WSGI middleware has no Flask request)."""
    wants_json = (
        accept.best_match(["text/plain", "application/json", "application/sparql-results+json"])
        != "text/plain"
        and accept.accept_json
    )
    if wants_json:
        body = json.dumps({"code": code, "status": status, "message": message, "hint": hint})
        response = Response(body, status=status, mimetype="application/json")
    else:
        text = f"{status} {code}: {message}\n" + (f"hint: {hint}\n" if hint else "")
        response = Response(text, status=status, mimetype="text/plain")
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


@bp.app_errorhandler(ApiError)
def _api_error(error: ApiError) -> Response:
    return error_response(error.status, error.code, error.message, error.hint, error.headers)


@bp.app_errorhandler(ItuGraphError)
def _library_error(error: ItuGraphError) -> Response:
    if isinstance(error, StoreError):
        return _api_error(store_unavailable(error))
    return error_response(400, error.code, error.message, error.hint)


def store_unavailable(exc: StoreError) -> ApiError:
    """503 for a failing external store (``--backend sparql``), for the client to retry or
    the balancer to try another front end; the store's address and message stay in the log."""
    log.warning("the triple store failed: %s", exc)
    return ApiError(
        503,
        exc.code,
        "the triple store behind this server is not available",
        "retry later",
        {"Retry-After": "5"},
    )


@bp.app_errorhandler(HTTPException)
def _http_error(error: HTTPException) -> Response:
    headers = dict(error.get_headers())
    headers.pop("Content-Type", None)
    code = (error.name or "error").upper().replace(" ", "_")
    return error_response(error.code or 500, code, error.description or "", headers=headers)


@bp.app_errorhandler(Exception)
def _unexpected(error: Exception) -> Response:
    log.exception("unhandled error")
    return error_response(
        500,
        "INTERNAL_ERROR",
        "the server failed to answer this request",
        "retry; if it persists, report it with the request",
    )
