"""Cross-cutting response handling: security headers and CORS (``security.py``), compression,
metrics and one log line per request."""

from __future__ import annotations

import gzip
import json
import logging
import time
import zlib
from collections.abc import Iterable, Iterator
from typing import cast

from flask import Flask, Response, g, request

from itugraph.web.documents import ENCODED_ETAG, ONE_REPRESENTATION
from itugraph.web.replay import REPLAYABLE
from itugraph.web.security import install_security
from itugraph.web.state import state

log = logging.getLogger("itugraph.access")

#: Bodies smaller than this are sent as they are: compressing them costs more than it saves.
COMPRESS_MIN_BYTES = 1024


def install_hooks(app: Flask, *, max_query_bytes: int) -> None:
    app.before_request(_start_timer)
    install_security(app, max_query_bytes=max_query_bytes)
    app.after_request(_compress)
    app.after_request(_record)


def _start_timer() -> None:
    g.started = time.perf_counter()


#: Media types that are compressed already: encoding them again only costs CPU (and a
#: ``.gz`` dump must reach the client as the bytes its checksum sums).
PRECOMPRESSED = frozenset({"application/gzip", "application/zip", "image/png", "image/jpeg"})


def _compress(response: Response) -> Response:
    negotiated = ONE_REPRESENTATION not in request.environ
    response.headers["Vary"] = _vary(response.headers.get("Vary"), accept=negotiated)
    if (
        response.status_code != 200
        or "Content-Encoding" in response.headers
        or "Accept-Encoding" not in request.headers
        or response.mimetype in PRECOMPRESSED
    ):
        return response
    encoding = (
        "gzip"
        if request.accept_encodings["gzip"]
        else "deflate"
        if request.accept_encodings["deflate"]
        else None
    )
    if encoding is None:
        return response
    if response.direct_passthrough:  # a static file: compress once per file version
        key = (request.path, response.get_etag()[0], encoding)
        response.direct_passthrough = False
        body = _static_compressed(key, response.get_data())
    elif response.is_streamed:  # a query answer: compressed as it streams, never held whole
        response.response = _compressed_stream(cast(Iterable[bytes], response.response), encoding)
        response.headers.pop("Content-Length", None)
        response.headers["Content-Encoding"] = encoding
        return response
    else:
        raw = response.get_data()
        if len(raw) < COMPRESS_MIN_BYTES:
            return response
        body = _encode(raw, encoding)
    response.set_data(body)
    response.headers["Content-Encoding"] = encoding
    if request.environ.get(REPLAYABLE):  # a document: its strong ETag names these bytes
        tag, weak = response.get_etag()
        if tag and not weak:
            response.set_etag(tag + ENCODED_ETAG[encoding])
    return response


def _vary(existing: str | None, *, accept: bool = True) -> str:
    """``Vary`` with Accept (unless the answer has one representation: a suffix URL) and
    Accept-Encoding added once (a plain string: cheaper than werkzeug's HeaderSet, which
    re-serialises the header on every change).

    >>> _vary("Origin, accept")
    'Origin, accept, Accept-Encoding'
    >>> _vary(None, accept=False)
    'Accept-Encoding'
    """
    added = ("Accept", "Accept-Encoding") if accept else ("Accept-Encoding",)
    if not existing:
        return ", ".join(added)
    names = [name.strip() for name in existing.split(",") if name.strip()]
    known = {name.lower() for name in names}
    names += [name for name in added if name.lower() not in known]
    return ", ".join(names)


def _compressed_stream(chunks: Iterable[bytes], encoding: str) -> Iterator[bytes]:
    """gzip or deflate of a stream of chunks, chunk by chunk (zlib's own framing)."""
    compressor = zlib.compressobj(5, zlib.DEFLATED, 31 if encoding == "gzip" else 15)
    for chunk in chunks:
        if packed := compressor.compress(chunk):
            yield packed
    yield compressor.flush()


def _encode(body: bytes, encoding: str) -> bytes:
    return gzip.compress(body, compresslevel=5) if encoding == "gzip" else zlib.compress(body, 5)


_STATIC_CACHE: dict[tuple[str, str | None, str], bytes] = {}


def _static_compressed(key: tuple[str, str | None, str], body: bytes) -> bytes:
    """Static assets (the 1 MB YASGUI bundle) are compressed once per version, not per request."""
    cached = _STATIC_CACHE.get(key)
    if cached is None:
        if len(_STATIC_CACHE) > 64:
            _STATIC_CACHE.clear()
        cached = _STATIC_CACHE[key] = _encode(body, key[2])
    return cached


def _record(response: Response) -> Response:
    seconds = time.perf_counter() - g.get("started", time.perf_counter())
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    state().metrics.observe(endpoint, response.status_code, seconds)
    if not log.isEnabledFor(logging.INFO):
        return response
    log.info(
        json.dumps(
            {
                "method": request.method,
                "path": request.path,
                "endpoint": endpoint,
                "status": response.status_code,
                "ms": round(seconds * 1000, 2),
                # Never calculate_content_length() on a stream: werkzeug would read it all into
                # memory to count it (the whole answer, held at once).
                "bytes": None if response.is_streamed else response.calculate_content_length(),
                "cache": response.headers.get("X-Itugraph-Cache"),
                "remote": request.remote_addr,
            }
        )
    )
    return response
