"""``GET /openapi.json``: the OpenAPI 3.1 description of the HTTP API, kept in the repository.

``openapi.json`` beside this module is the description (every route, its parameters, the
formats and the error codes of each answer); the server adds only its own version.
``tests/test_web_openapi.py`` checks that every route of the app is described and runs
schemathesis against a live server from it.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, jsonify

from itugraph import __version__

bp = Blueprint("openapi", __name__)

DESCRIPTION = Path(__file__).with_name("openapi.json")


@functools.cache
def description() -> dict[str, Any]:
    """The API description, with ``info.version`` set to this server's itugraph version."""
    document: dict[str, Any] = json.loads(DESCRIPTION.read_text(encoding="utf-8"))
    document["info"]["version"] = __version__
    return document


@bp.get("/openapi.json")
def openapi() -> Response:
    return jsonify(description())
