"""Cross-cutting response handling: CORS, compression, metrics and one log line per request."""

from __future__ import annotations

import gzip
import json
import logging
import time
import zlib

from flask import Flask, Response, g, request

from itugraph.web.state import state

log = logging.getLogger("itugraph.access")

#: Bodies smaller than this are sent as they are: compressing them costs more than it saves.
COMPRESS_MIN_BYTES = 1024


def install_hooks(app: Flask) -> None:
    app.before_request(_start_timer)
    app.after_request(_cors)
    app.after_request(_compress)
    app.after_request(_record)


def _start_timer() -> None:
    g.started = time.perf_counter()


def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = (
        "ETag, X-Itugraph-Cache, X-Itugraph-Truncated, X-Itugraph-Result-Count")
    if request.method == "OPTIONS":
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            request.headers.get("Access-Control-Request-Headers")
            or "Accept, Content-Type, If-None-Match")
        response.headers["Access-Control-Max-Age"] = "86400"
    return response


def _compress(response: Response) -> Response:
    response.vary.add("Accept-Encoding")
    response.vary.add("Accept")
    if (response.direct_passthrough or response.status_code != 200
            or "Content-Encoding" in response.headers):
        return response
    accepted = request.accept_encodings
    body = response.get_data()
    if len(body) < COMPRESS_MIN_BYTES:
        return response
    if accepted["gzip"]:
        response.set_data(gzip.compress(body, compresslevel=5))
        response.headers["Content-Encoding"] = "gzip"
    elif accepted["deflate"]:
        response.set_data(zlib.compress(body, 5))
        response.headers["Content-Encoding"] = "deflate"
    return response


def _record(response: Response) -> Response:
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    state().metrics.observe(endpoint, response.status_code, seconds)
    log.info(json.dumps({
        "method": request.method, "path": request.path, "endpoint": endpoint,
        "status": response.status_code, "ms": round(seconds * 1000, 2),
        "bytes": response.calculate_content_length(),
        "cache": response.headers.get("X-Itugraph-Cache"),
        "remote": request.remote_addr,
    }))
    return response
