"""Query workers (``itugraph.executor``): answers, errors, time limits, a busy pool, replacement.

The pool tests start real worker processes over a small store on disk. The worker's loop
(``_worker_main``) and its message protocol are also run in a thread of this process over
a pipe, so what a worker sends is checked message by message.
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest

from itugraph.answers import CHUNK_BYTES, ResultTooLargeError
from itugraph.errors import QueryError, QuerySyntaxError, QueryTimeoutError
from itugraph.executor import (
    QueryExecutor,
    QueryRequest,
    ServerBusyError,
    _worker_main,
    answer,
)
from itugraph.load import Triple
from itugraph.store import OxigraphStore, write_store

EX = "http://example.org/"
ROWS = 3000  # JSON rows of ~100 bytes: several chunks of CHUNK_BYTES
SELECT_ALL = f"SELECT ?s ?n WHERE {{ ?s <{EX}n> ?n }}"
#: Far more rows than a short time limit lets the engine count.
ENDLESS = f"SELECT (COUNT(*) AS ?c) WHERE {{ ?a <{EX}n> ?x . ?b <{EX}n> ?y . ?c2 <{EX}n> ?z }}"


def _triples() -> list[Triple]:
    p = ox.NamedNode(EX + "n")
    return [
        (
            ox.NamedNode(f"{EX}s{i}"),
            p,
            ox.Literal(str(i), datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")),
        )
        for i in range(ROWS)
    ]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("executor") / "store"
    write_store(path, _triples(), [])
    return path


@pytest.fixture(scope="module")
def pool(store_path: Path) -> Iterator[QueryExecutor]:
    executor = QueryExecutor(store_path, "v1", workers=2)
    try:
        yield executor
    finally:
        executor.close()


def _rows(body: bytes) -> int:
    return len(json.loads(body)["results"]["bindings"])


def test_a_small_answer_comes_whole(pool: QueryExecutor) -> None:
    stream = pool.stream(QueryRequest("ASK { ?s ?p ?o }"), timeout=30)
    assert stream.kind == "ask" and stream.whole is not None
    assert json.loads(b"".join(stream)) == {"head": {}, "boolean": True}
    assert list(stream) == []  # iterated once


def test_a_large_answer_streams_in_chunks_and_is_complete(pool: QueryExecutor) -> None:
    stream = pool.stream(QueryRequest(SELECT_ALL), timeout=30)
    assert stream.kind == "select" and stream.whole is None
    chunks = list(stream)
    assert len(chunks) > 1 and max(map(len, chunks)) < 2 * CHUNK_BYTES
    assert _rows(b"".join(chunks)) == ROWS
    again = pool.execute(QueryRequest(SELECT_ALL, results_format="tsv"), timeout=30)
    assert again.kind == "select" and again.body.count(b"\n") == ROWS + 1


def test_construct_answers_in_the_rdf_format_asked(pool: QueryExecutor) -> None:
    reply = pool.execute(QueryRequest(f"CONSTRUCT WHERE {{ <{EX}s1> ?p ?o }}", rdf_format="nt"), timeout=30)
    assert reply.kind == "graph"
    assert (
        reply.body.decode().strip() == f'<{EX}s1> <{EX}n> "1"^^<http://www.w3.org/2001/XMLSchema#integer> .'
    )


def test_a_query_error_leaves_the_worker_in_the_pool(pool: QueryExecutor) -> None:
    for _ in range(pool.size + 1):
        with pytest.raises(QuerySyntaxError, match="malformed query"):
            pool.execute(QueryRequest("SELECT * WHERE { ?s ?p }"), timeout=30)
    with pytest.raises(ResultTooLargeError, match="more than 10 rows"):
        pool.execute(QueryRequest(SELECT_ALL, max_rows=10), timeout=30)
    assert _rows(pool.execute(QueryRequest(SELECT_ALL + " LIMIT 10", max_rows=10), timeout=30).body) == 10


def test_a_runaway_query_is_stopped_and_its_worker_replaced(pool: QueryExecutor) -> None:
    started = time.monotonic()
    with pytest.raises(QueryTimeoutError, match=r"longer than the 0\.5 s limit") as caught:
        pool.execute(QueryRequest(ENDLESS), timeout=0.5)
    assert time.monotonic() - started < 10
    assert caught.value.exit_code == 3 and "ITUGRAPH_QUERY_TIMEOUT" in (caught.value.hint or "")
    for _ in range(pool.size + 1):  # the replacement (started in the background) answers too
        assert pool.execute(QueryRequest("ASK {}"), timeout=30).kind == "ask"


def test_an_answer_abandoned_midway_kills_its_worker_and_the_pool_recovers(pool: QueryExecutor) -> None:
    stream = pool.stream(QueryRequest(SELECT_ALL), timeout=30)
    next(iter(stream))  # the first chunk only: the worker is still writing
    stream.close()
    stream.close()  # twice is harmless
    for _ in range(pool.size + 1):
        assert _rows(pool.execute(QueryRequest(SELECT_ALL), timeout=30).body) == ROWS


def test_a_pool_whose_workers_stay_busy_says_so(store_path: Path) -> None:
    executor = QueryExecutor(store_path, "v1", workers=1)
    try:
        held = executor.stream(QueryRequest(SELECT_ALL), timeout=30)  # not read: worker busy
        with pytest.raises(ServerBusyError, match="all 1 query workers stayed busy") as caught:
            executor.stream(QueryRequest("ASK {}"), timeout=0.3)
        assert caught.value.code == "SERVER_BUSY" and caught.value.hint == "retry later"
        assert _rows(b"".join(held)) == ROWS  # read to the end: the worker is free again
        assert executor.execute(QueryRequest("ASK {}"), timeout=30).kind == "ask"
    finally:
        executor.close()


def test_a_worker_that_dies_is_a_query_error_not_a_hang(store_path: Path) -> None:
    executor = QueryExecutor(store_path, "v1", workers=1)
    try:
        worker = executor._idle.get()
        worker.process.kill()
        worker.process.join(timeout=10)
        executor._idle.put(worker)
        with pytest.raises(QueryError, match="the query worker failed: worker exited") as caught:
            executor.execute(QueryRequest("ASK {}"), timeout=30)
        assert not isinstance(caught.value, QueryTimeoutError)
        assert executor.execute(QueryRequest("ASK {}"), timeout=30).kind == "ask"  # replaced
    finally:
        executor.close()


# --- the worker loop and its messages, in a thread of this process --------------------------


@pytest.fixture
def worker(store_path: Path) -> Iterator[multiprocessing.connection.Connection]:
    parent, child = multiprocessing.Pipe()
    thread = threading.Thread(target=_worker_main, args=(child, str(store_path), "v1", None), daemon=True)
    thread.start()
    assert parent.recv() == ("ready", None)  # the store is open
    try:
        yield parent
    finally:
        parent.close()  # the loop returns when its pipe closes
        thread.join(timeout=10)
        assert not thread.is_alive()


def test_worker_sends_a_small_answer_as_one_message(worker: multiprocessing.connection.Connection) -> None:
    worker.send(QueryRequest("ASK {}", results_format="xml"))
    status, (kind, body) = worker.recv()
    assert (status, kind) == ("whole", "ask") and b"<boolean>true</boolean>" in body


def test_worker_sends_head_chunks_and_last_for_a_large_answer(
    worker: multiprocessing.connection.Connection,
) -> None:
    worker.send(QueryRequest(SELECT_ALL, results_format="csv"))
    status, (kind, first) = worker.recv()
    assert (status, kind) == ("head", "select")
    body = bytearray(first)
    while True:
        status, chunk = worker.recv()
        assert status in {"chunk", "last"}
        body += chunk
        if status == "last":
            break
    assert bytes(body).count(b"\r\n") == ROWS + 1


def test_worker_sends_errors_and_keeps_serving(worker: multiprocessing.connection.Connection) -> None:
    worker.send(QueryRequest("SELECT * WHERE { ?s ?p }"))
    status, error = worker.recv()
    assert status == "error" and isinstance(error, QuerySyntaxError)
    worker.send(QueryRequest(f"CONSTRUCT WHERE {{ <{EX}s2> ?p ?o }}", rdf_format="ttl"))
    status, (kind, body) = worker.recv()
    assert (status, kind) == ("whole", "graph") and b"s2" in body


# --- in-process answers (the CLI) -----------------------------------------------------------


def test_answer_in_process_to_a_buffer_or_to_an_emitter(store_path: Path) -> None:
    store = OxigraphStore.open_read_only(store_path, "v1")
    whole = answer(store, QueryRequest(SELECT_ALL + " LIMIT 2", results_format="tsv"))
    assert whole.kind == "select" and whole.body.count(b"\n") == 3
    chunks: list[bytes] = []
    emitted = answer(store, QueryRequest(SELECT_ALL), emit=chunks.append)
    assert emitted.body == b"" and _rows(b"".join(chunks)) == ROWS
