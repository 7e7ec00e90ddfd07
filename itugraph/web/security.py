"""Security headers on every response, and CORS only on the data a script may read.

HTML pages get a Content-Security-Policy with no inline or foreign script (the query page's
configuration is a JSON data block, which browsers never execute), may not be framed by
another site, and send no full URL to other origins. Every response gets ``nosniff`` so a
literal served as text or JSON is never rendered as HTML. The policies are documented in
README ("Security and limits") and ``docs/threat-model.md``.

CORS: the endpoint, the APIs, the linked-data documents in RDF formats, the dumps and VoID
are open data meant for scripts on any origin (``Access-Control-Allow-Origin: *``, no
credentials: itugraph has no logins; its one cookie is the reader's page language). A
``304`` gets the headers of the answer it stands for (a cross-origin revalidation of a
Turtle document needs its CORS headers). HTML pages are for people and get no CORS
headers, so no other origin's script can read them.
"""

from __future__ import annotations

from flask import Flask, Response, request

#: The HTML pages' policy: everything from our own origin; styles may be inline (YASGUI and
#: CodeMirror set them from script), scripts never; images and fonts may be data: URIs
#: (YASGUI's icons).
PAGE_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)

#: Any other response (JSON, RDF, CSV, dumps): nothing in it may load or run, if a browser
#: ever renders it.
DATA_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"

_EVERY_RESPONSE = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}
_PAGES = {
    "Content-Security-Policy": PAGE_POLICY,
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}


#: A form-encoded query may take three bytes per byte of query text (``%XX``), plus the
#: other form fields: the body limit is four times the query limit.
BODY_PER_QUERY_BYTE = 4


def install_security(app: Flask, *, max_query_bytes: int) -> None:
    """Security headers on every response, and a request body limit (413 before the body is
    read: werkzeug checks ``Content-Length``, and stops reading a chunked body at the limit)."""
    app.config["MAX_CONTENT_LENGTH"] = BODY_PER_QUERY_BYTE * max_query_bytes
    app.after_request(_headers)


def _headers(response: Response) -> Response:
    response.headers.update(_EVERY_RESPONSE)
    if request.method == "OPTIONS":
        _cors(response, preflight=True)
    elif response.mimetype == "text/html":
        response.headers.update(_PAGES)
    else:
        response.headers["Content-Security-Policy"] = DATA_POLICY
        _cors(response, preflight=False)
    return response


def _cors(response: Response, *, preflight: bool) -> None:
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = "ETag, X-Itugraph-Cache"
    if preflight:
        response.headers["Access-Control-Allow-Methods"] = "GET, POST, HEAD, OPTIONS"
        response.headers["Access-Control-Allow-Headers"] = (
            request.headers.get("Access-Control-Request-Headers") or "Accept, Content-Type, If-None-Match"
        )
        response.headers["Access-Control-Max-Age"] = "86400"
