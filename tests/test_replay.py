"""The replay layer (``itugraph.web.replay``): a document sent once is sent again without
Flask, byte for byte, only to a request that asks the same way (RFC 9111's ``Vary``), with
``HEAD``, ``304``, the byte bound, metrics and logs; and over the real app, a replayed answer
equals the one Flask made."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from flask import Flask

from itugraph.web import replay
from itugraph.web.metrics import Metrics
from itugraph.web.replay import ENDPOINT, REPLAYABLE, ReplayCache, ReplayLog
from tests.helpers import call

BODY = b"<a> <b> <c> .\n" * 10


class Doc:
    """A toy WSGI app: a document that says it varies on ``Accept``; counts its calls."""

    def __init__(self, *, replayable: bool = True, status: str = "200 OK", vary: str = "Accept") -> None:
        self.calls = 0
        self.replayable, self.status, self.vary = replayable, status, vary

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        self.calls += 1
        environ[REPLAYABLE] = self.replayable
        environ[ENDPOINT] = "/id/<path:path>"
        accept = environ.get("HTTP_ACCEPT", "")
        body = BODY + accept.encode()
        start_response(
            self.status,
            [
                ("Content-Type", "text/turtle"),
                ("Vary", self.vary),
                ("ETag", '"v1"'),
                ("Content-Length", str(len(body))),
            ],
        )
        return iter([body[:5], body[5:]])  # a generator, as a streamed answer would be


class Recorder:
    def __init__(self) -> None:
        self.status = ""
        self.headers: list[tuple[str, str]] = []

    def __call__(self, status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
        self.status, self.headers = status, list(headers)


def _get(
    layer: ReplayCache, path: str = "/id/x", method: str = "GET", **headers: str
) -> tuple[str, dict[str, str], bytes]:
    environ = {"REQUEST_METHOD": method, "PATH_INFO": path, "QUERY_STRING": "", "HTTP_HOST": "h", **headers}
    recorder = Recorder()
    body = b"".join(layer(environ, recorder))
    return recorder.status, dict(recorder.headers), body


class Lines(ReplayLog):
    """The replay log, its lines kept here at once instead of batched to a logger."""

    def __init__(self) -> None:
        super().__init__(logging.getLogger("tests.replay"))
        self.lines: list[dict[str, Any]] = []

    def add(self, environ: dict[str, Any], endpoint: str, status: int, seconds: float, size: int) -> None:
        self.lines.append({"endpoint": endpoint, "status": status, "bytes": size})


@pytest.fixture
def logged() -> Lines:
    return Lines()


def _layer(app: Any, logged: Lines, max_bytes: int = 1 << 20) -> ReplayCache:
    return ReplayCache(app, Metrics(), max_bytes, logged)


def test_a_document_is_replayed_byte_for_byte_without_calling_the_app(logged: Lines) -> None:
    app = Doc()
    layer = _layer(app, logged)
    first = _get(layer, HTTP_ACCEPT="text/turtle")
    second = _get(layer, HTTP_ACCEPT="text/turtle")
    assert first == second and first[0] == "200 OK"
    assert app.calls == 1
    assert logged.lines == [{"endpoint": "/id/<path:path>", "status": 200, "bytes": len(first[2])}]


def test_a_request_asking_another_way_reaches_the_app(logged: Lines) -> None:
    app = Doc()
    layer = _layer(app, logged)
    turtle = _get(layer, HTTP_ACCEPT="text/turtle")
    ntriples = _get(layer, HTTP_ACCEPT="application/n-triples")
    assert turtle[2] != ntriples[2] and app.calls == 2
    _get(layer, HTTP_ACCEPT="application/n-triples")
    _get(layer, HTTP_ACCEPT="text/turtle")
    assert app.calls == 2  # both variants kept
    _get(layer, HTTP_ACCEPT="text/turtle", HTTP_HOST="other.example")
    assert app.calls == 3  # absolute links are made from the host: another entry


def test_headers_the_answer_does_not_vary_on_do_not_split_entries(logged: Lines) -> None:
    app = Doc()
    layer = _layer(app, logged)
    _get(layer, HTTP_ACCEPT="text/turtle", HTTP_USER_AGENT="a")
    _get(layer, HTTP_ACCEPT="text/turtle", HTTP_USER_AGENT="b")
    assert app.calls == 1


@pytest.mark.parametrize(
    "app",
    [Doc(replayable=False), Doc(status="404 Not Found"), Doc(vary="*")],
    ids=["not-marked", "not-200", "vary-star"],
)
def test_only_marked_200_answers_are_kept(app: Doc, logged: Lines) -> None:
    layer = _layer(app, logged)
    _get(layer)
    _get(layer)
    assert app.calls == 2 and layer.stored_bytes == 0


def test_an_answer_not_kept_is_passed_through_unread() -> None:
    """A stream the layer does not keep reaches the server as the app made it (never joined)."""
    app = Doc(replayable=False)
    layer = ReplayCache(app, Metrics(), 1 << 20, Lines())
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": "/sparql", "QUERY_STRING": ""}
    chunks = layer(environ, Recorder())
    assert isinstance(chunks, Iterator)


def test_head_gets_the_get_headers_and_no_body_and_is_never_stored(logged: Lines) -> None:
    app = Doc()
    layer = _layer(app, logged)
    _get(layer, method="HEAD")
    assert layer.stored_bytes == 0
    status, headers, _ = _get(layer)
    head = _get(layer, method="HEAD")
    assert head == (status, headers, b"") and app.calls == 2


def test_if_none_match_gets_a_304_with_the_validators_and_no_body(logged: Lines) -> None:
    layer = _layer(Doc(), logged)
    _get(layer)
    status, headers, body = _get(layer, HTTP_IF_NONE_MATCH='"v0", W/"v1"')
    assert status == "304 Not Modified" and body == b""
    assert headers == {"Vary": "Accept", "ETag": '"v1"'}
    assert _get(layer, HTTP_IF_NONE_MATCH='"v0"')[0] == "200 OK"


def test_the_byte_bound_evicts_the_least_recently_used(logged: Lines) -> None:
    app = Doc()
    size = len(BODY) + 20
    layer = _layer(app, logged, max_bytes=size * 8 + 100)  # one entry is at most 1/8 of the bound
    for number in range(12):
        _get(layer, path=f"/id/{number}")
    assert layer.stored_bytes <= size * 8 + 100
    calls = app.calls
    _get(layer, path="/id/11")
    assert app.calls == calls  # the newest is kept
    _get(layer, path="/id/0")
    assert app.calls == calls + 1  # the oldest went first


def test_a_document_over_an_eighth_of_the_bound_is_not_kept(logged: Lines) -> None:
    layer = _layer(Doc(), logged, max_bytes=len(BODY) * 4)
    _get(layer)
    assert layer.stored_bytes == 0


def test_a_bound_of_zero_turns_the_layer_off(logged: Lines) -> None:
    app = Doc()
    layer = _layer(app, logged, max_bytes=0)
    _get(layer)
    _get(layer)
    assert app.calls == 2


def test_replayed_lines_are_the_access_log_lines_in_batches(caplog: pytest.LogCaptureFixture) -> None:
    log = ReplayLog(logging.getLogger("tests.replay.batch"))
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": '/id/a"b\u00e9', "REMOTE_ADDR": "127.0.0.1"}
    with caplog.at_level(logging.INFO, logger="tests.replay.batch"):
        for _ in range(replay.FLUSH_LINES):  # the last one fills the batch: written at once
            log.add(environ, "/id/<path:path>", 200, 0.0001234, 10)
        assert len(caplog.records) == 1
        log.add(environ, "/id/<path:path>", 304, 0.0, 0)
        log.flush()
    lines = [json.loads(line) for record in caplog.records for line in record.getMessage().split("\n")]
    assert len(lines) == replay.FLUSH_LINES + 1
    assert lines[0] == {  # hooks.access_log's keys, in its order
        "method": "GET",
        "path": '/id/a"b\u00e9',
        "endpoint": "/id/<path:path>",
        "status": 200,
        "ms": 0.12,
        "bytes": 10,
        "cache": "replay",
        "remote": "127.0.0.1",
    }
    assert list(lines[0]) == ["method", "path", "endpoint", "status", "ms", "bytes", "cache", "remote"]
    assert lines[-1]["status"] == 304


def test_nothing_is_logged_when_the_access_log_is_off(caplog: pytest.LogCaptureFixture) -> None:
    log = ReplayLog(logging.getLogger("tests.replay.off"))
    with caplog.at_level(logging.WARNING, logger="tests.replay.off"):
        log.add({}, "/x", 200, 0.0, 1)
        log.flush()
    assert not caplog.records


# --- over the real app ----------------------------------------------------------------------------

DOCUMENTS = ["/id/", "/def/shapes", "/def/shapes.ttl", "/.well-known/void", "/dumps/", "/graph/asserted"]
ACCEPTS = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]


@pytest.mark.parametrize("path", DOCUMENTS)
@pytest.mark.parametrize("accept", ACCEPTS)
def test_the_real_app_replays_exactly_what_flask_sent(app: Flask, path: str, accept: str) -> None:
    client = app.test_client()
    headers = {"Accept": accept, "Accept-Encoding": "gzip", "Accept-Language": "fr"}
    made = call(client, "GET", path, headers=headers)
    replayed = call(client, "GET", path, headers=headers)
    assert made.status == 200
    assert (replayed.status, replayed.headers, replayed.body) == (made.status, made.headers, made.body)
    revalidated = call(client, "GET", path, headers={**headers, "If-None-Match": made.headers["etag"]})
    flask_304 = call(
        client,
        "GET",
        path,
        headers={**headers, "Accept-Encoding": "identity", "If-None-Match": made.headers["etag"]},
    )
    assert revalidated.status == flask_304.status == 304
    assert revalidated.headers == {k: v for k, v in flask_304.headers.items() if k != "content-type"}


def test_a_new_dataset_version_is_never_answered_from_an_older_ones_documents(logged: Lines) -> None:
    """Under ``--backend sparql`` the version is the store's live publication: after a
    publish, the app answers again; while it cannot be read (store down), the app answers."""
    app = Doc()
    version = ["v1"]

    def generation() -> str:
        if version[0] == "down":
            raise ConnectionError("store down")
        return version[0]

    layer = ReplayCache(app, Metrics(), 1 << 20, logged, generation=generation)
    _get(layer)
    _get(layer)
    assert app.calls == 1
    version[0] = "v2"
    _get(layer)
    _get(layer)
    assert app.calls == 2
    assert layer.stored_bytes < 2 * len(BODY) + 100  # the v1 answer was dropped, not kept
    version[0] = "down"
    _get(layer)
    assert app.calls == 3
