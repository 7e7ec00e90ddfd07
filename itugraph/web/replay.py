"""Pre-rendered documents sent without Flask: an in-process HTTP cache at the WSGI layer.

A linked-data document cannot change within a build, yet before this layer each request for
one went through Flask's routing, negotiation, hooks and response object: ~250 µs of Python
for bytes that were already rendered. This layer keeps the complete answer the app gave (status,
every header, the body) the first time, and gives it again to a later request that asks the
same way, the way an HTTP cache does (RFC 9111 §4.1):

* only answers the app marked replayable (``environ[REPLAYABLE]``, set by
  ``documents.send_document``) and only ``200`` answers to ``GET``;
* a stored answer is reused for the same path and query string when the request's values of
  every header its ``Vary`` names are the same (``Accept``, ``Accept-Language``,
  ``Accept-Encoding``, ``Cookie``: whatever the app said it varies on);
* ``HEAD`` gets the headers of the ``GET`` answer; ``If-None-Match`` with its ETag gets a
  ``304`` with the headers RFC 9110 §15.4.5 asks for;
* bounded by bytes (``REPLAY_CACHE_BYTES``), least recently used first out;
* tagged with the dataset's version when stored (``generation``: the build's, or an external
  store's live publication under ``--backend sparql``): a new publication is never answered
  from an older one's documents. While the version cannot be read (the store is down), the
  app answers.

Replayed answers are counted in ``/metrics`` and logged like the others (one JSON line
each, ``"cache": "replay"``), so operators see the same traffic. Their lines reach the
``itugraph.access`` logger in batches (every ``FLUSH_SECONDS`` or ``FLUSH_LINES`` lines, as
nginx's ``access_log … buffer= flush=`` does): a ``logging`` record per request cost twice
the replay itself. Why in the app process and not only in a reverse proxy:
``docs/decisions.md``, "Documents without Flask".
"""

from __future__ import annotations

import atexit
import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from itugraph.web.metrics import Metrics

#: The environ key the app sets when its answer may be replayed (a document of this build).
REPLAYABLE = "itugraph.replayable"
#: The environ key naming the endpoint of a replayable answer (for the metrics).
ENDPOINT = "itugraph.endpoint"

Headers = list[tuple[str, str]]
StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]

#: Headers a 304 carries (RFC 9110 §15.4.5), plus the CORS and security headers of the 200.
_DROPPED_FROM_304 = frozenset({"content-length", "content-encoding", "content-type", "transfer-encoding"})


@dataclass(frozen=True)
class Answer:
    """One stored answer and the request header values it was given for."""

    varies: tuple[tuple[str, str], ...]  # (environ key, value) of every header Vary names
    generation: str  # the dataset version it was made from
    status: str
    headers: Headers
    body: bytes
    etag: str | None
    endpoint: str

    def matches(self, environ: dict[str, Any], generation: str) -> bool:
        return generation == self.generation and all(
            environ.get(key, "") == value for key, value in self.varies
        )

    def not_modified(self, etag: str) -> Headers:
        """The headers of the ``304`` to a client holding ``etag``."""
        return [
            (name, etag if name.lower() == "etag" else value)
            for name, value in self.headers
            if name.lower() not in _DROPPED_FROM_304
        ]


class ReplayCache:
    """WSGI middleware: answer from stored documents, else call the app and maybe store."""

    def __init__(
        self,
        app: WSGIApp,
        metrics: Metrics,
        max_bytes: int,
        log: ReplayLog,
        generation: Callable[[], str] = lambda: "",
    ) -> None:
        self._app = app
        self._generation = generation
        self._metrics = metrics
        self._max_bytes = max_bytes
        self._log = log
        self._lock = threading.Lock()
        self._answers: OrderedDict[str, list[Answer]] = OrderedDict()
        self._bytes = 0

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = environ.get("REQUEST_METHOD", "")
        if method not in {"GET", "HEAD"} or self._max_bytes <= 0:
            return self._app(environ, start_response)
        started = time.perf_counter()
        try:
            generation = self._generation()
        except Exception:  # the dataset's version is unknown (a store is down): the app answers
            return self._app(environ, start_response)
        key = _key(environ)
        answer = self._lookup(key, environ, generation)
        if answer is not None:
            return self._replay(answer, environ, start_response, started)
        if method == "HEAD":
            return self._app(environ, start_response)
        return self._call_and_store(key, environ, start_response, generation)

    def _lookup(self, key: str, environ: dict[str, Any], generation: str) -> Answer | None:
        with self._lock:
            variants = self._answers.get(key)
            if variants is None:
                return None
            self._answers.move_to_end(key)
            return next((answer for answer in variants if answer.matches(environ, generation)), None)

    def _replay(
        self, answer: Answer, environ: dict[str, Any], start_response: StartResponse, started: float
    ) -> Iterable[bytes]:
        held = None if answer.etag is None else _held(environ.get("HTTP_IF_NONE_MATCH", ""), answer.etag)
        if held is not None:
            status, headers, body = "304 Not Modified", answer.not_modified(held), b""
        else:
            status, headers, body = answer.status, answer.headers, answer.body
        start_response(status, headers)
        code = int(status[:3])
        seconds = time.perf_counter() - started
        self._metrics.observe(answer.endpoint, code, seconds)
        self._log.add(environ, answer.endpoint, code, seconds, len(body))
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [body]

    def _call_and_store(
        self, key: str, environ: dict[str, Any], start_response: StartResponse, generation: str
    ) -> Iterable[bytes]:
        given: dict[str, Any] = {}

        def keep(status: str, headers: Headers, exc_info: Any = None) -> Any:
            given.update(status=status, headers=list(headers))
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        chunks = self._app(environ, keep)
        replayable = environ.get(REPLAYABLE) and given.get("status", "").startswith("200")
        if not replayable or _varies_on_all(given):
            return chunks
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        self._store(key, _answer(environ, given["status"], given["headers"], body, generation))
        return [body]

    def _store(self, key: str, answer: Answer) -> None:
        size = len(answer.body) + len(key)
        if size > self._max_bytes // 8:  # one huge document must not empty the cache
            return
        with self._lock:
            variants = self._answers.setdefault(key, [])
            stale = [v for v in variants if v.generation != answer.generation or v.varies == answer.varies]
            for old in stale:
                variants.remove(old)
                self._bytes -= len(old.body) + len(key)
            variants.append(answer)
            self._answers.move_to_end(key)
            self._bytes += size
            while self._bytes > self._max_bytes and self._answers:
                evicted_key, evicted = self._answers.popitem(last=False)
                self._bytes -= sum(len(item.body) + len(evicted_key) for item in evicted)

    @property
    def stored_bytes(self) -> int:
        """Bytes held (bodies and keys): what ``REPLAY_CACHE_BYTES`` bounds."""
        return self._bytes


#: Longest a replayed answer's log line waits, and most lines kept before they are written.
FLUSH_SECONDS = 0.5
FLUSH_LINES = 256
_encode = json.encoder.encode_basestring


class ReplayLog:
    """The access-log lines of replayed answers, written to ``logger`` in batches.

    A line is the one ``hooks.access_log`` writes (same keys, same order), made with an
    f-string; the batch is one record whose lines are joined by newlines, so every handler
    the operator configured still gets every line.
    """

    def __init__(self, logger: logging.Logger) -> None:
        self._logger = logger
        self._lock = threading.Lock()
        self._lines: list[str] = []
        self._flusher: threading.Thread | None = None

    def add(self, environ: dict[str, Any], endpoint: str, status: int, seconds: float, size: int) -> None:
        if not self._logger.isEnabledFor(logging.INFO):
            return
        method, path = _encode(environ.get("REQUEST_METHOD", "")), _encode(environ.get("PATH_INFO", ""))
        line = (
            f'{{"method": {method}, "path": {path}, "endpoint": {_encode(endpoint)}, "status": {status}, '
            f'"ms": {round(seconds * 1000, 2)}, "bytes": {size}, "cache": "replay", '
            f'"remote": {_encode(environ.get("REMOTE_ADDR") or "")}}}'
        )
        with self._lock:
            self._lines.append(line)
            full = len(self._lines) >= FLUSH_LINES
            if self._flusher is None:
                self._start_flusher()
        if full:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            lines, self._lines = self._lines, []
        if lines:
            self._logger.info("\n".join(lines))

    def _start_flusher(self) -> None:
        def run() -> None:
            while True:
                time.sleep(FLUSH_SECONDS)
                self.flush()

        self._flusher = threading.Thread(target=run, name="itugraph-replay-log", daemon=True)
        self._flusher.start()
        atexit.register(self.flush)


def _key(environ: dict[str, Any]) -> str:
    """Path and query, and what absolute links in an answer are made from (scheme and host:
    ``Content-Location`` and ``Link`` use the request's root when ``PUBLIC_URL`` is unset)."""
    query = environ.get("QUERY_STRING", "")
    return "\0".join(
        (
            environ.get("wsgi.url_scheme", ""),
            environ.get("HTTP_HOST", ""),
            environ.get("SCRIPT_NAME", ""),
            environ.get("PATH_INFO", "") + ("?" + query if query else ""),
        )
    )


def _varies_on_all(given: dict[str, Any]) -> bool:
    """``Vary: *``: the answer depends on more than headers; never reused."""
    return any(name.lower() == "vary" and "*" in value for name, value in given["headers"])


def _answer(environ: dict[str, Any], status: str, headers: Headers, body: bytes, generation: str) -> Answer:
    vary = next((value for name, value in headers if name.lower() == "vary"), "")
    names = sorted({name.strip().upper().replace("-", "_") for name in vary.split(",") if name.strip()})
    varies = tuple((f"HTTP_{name}", environ.get(f"HTTP_{name}", "")) for name in names)
    etag = next((value for name, value in headers if name.lower() == "etag"), None)
    return Answer(varies, generation, status, headers, body, etag, environ.get(ENDPOINT, "replay"))


#: A compressed document's ETag is its identity ETag plus one of these (``documents``).
_ENCODED = ('-gzip"', '-deflate"')


def _held(if_none_match: str, etag: str) -> str | None:
    """The ETag of ``If-None-Match`` (RFC 9110 §13.1.2, weak comparison) that ``etag``
    satisfies, else None: ``*``, the tag itself, or, for a compressed document, the ETag of
    its identity encoding (as ``documents.not_modified`` accepts it).

    >>> _held('W/"a", "b"', '"a"'), _held('"c"', '"a"'), _held("*", '"a"'), _held('"a"', '"a-gzip"')
    ('"a"', None, '"a"', '"a"')
    """
    if not if_none_match:
        return None
    if if_none_match.strip() == "*":
        return etag
    bare = etag.removeprefix("W/")
    forms = [bare] + [bare.removesuffix(end) + '"' for end in _ENCODED if bare.endswith(end)]
    held = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return next((form for form in forms if form in held), None)
