"""Queries run in worker processes, so a runaway query can really be stopped.

No SPARQL engine we embed can cancel a query from another thread (rdflib cannot, and
pyoxigraph evaluates inside Rust without a cancellation hook). A worker process can be
killed, and killing it frees its CPU and memory at once. Each worker opens the built
store read-only (RocksDB allows many readers), so starting one costs well under a
second and the data is shared through the OS page cache.
"""

from __future__ import annotations

import logging
import multiprocessing
import queue
import resource
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path

from itugraph.errors import ItuGraphError, QueryError, QueryTimeoutError
from itugraph.results import QueryOutcome, Term, serialize_graph, serialize_tabular

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueryRequest:
    """Everything a worker needs to answer one query, in a picklable form."""

    sparql: str
    tabular_format: str = "json"
    graph_format: str = "ttl"
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    substitutions: Mapping[str, Term] = field(default_factory=dict)
    limit: int | None = None


@dataclass(frozen=True)
class QueryResponse:
    """A serialised answer: ``kind`` is select/ask/graph; ``body`` is in the requested format."""

    kind: str
    body: bytes
    truncated: bool
    count: int


class ServerBusyError(ItuGraphError):
    """Every worker stayed busy for the whole time limit."""

    code = "SERVER_BUSY"


class QueryExecutor:
    """A fixed pool of query worker processes with a per-query time limit."""

    def __init__(self, store_path: Path, version: str, *, workers: int = 2,
                 memory_limit_mb: int | None = None) -> None:
        self._store_path = store_path
        self._version = version
        self._memory_limit_mb = memory_limit_mb
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self.size = max(1, workers)
        for _ in range(self.size):
            self._idle.put(self._start_worker())

    def execute(self, request: QueryRequest, *, timeout: float) -> QueryResponse:
        """Answer ``request`` within ``timeout`` seconds or raise :class:`QueryTimeoutError`."""
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise ServerBusyError(
                f"all {self.size} query workers stayed busy for {timeout:g} s",
                hint="retry later",
            ) from None
        try:
            reply = worker.ask(request, timeout)
        except ItuGraphError:
            self._idle.put(worker)  # the query failed, the worker is fine
            raise
        except _WorkerLostError as lost:
            self._replace(worker)
            if lost.timed_out:
                raise QueryTimeoutError(
                    f"the query ran longer than the {timeout:g} s limit and was stopped",
                    hint="narrow the query (add a LIMIT, more specific patterns) or raise the "
                    "time limit (ITUGRAPH_QUERY_TIMEOUT)",
                ) from None
            raise QueryError(f"the query worker failed: {lost}") from None
        self._idle.put(worker)
        return reply

    def close(self) -> None:
        """Stop every worker (idle ones now; busy ones are killed by their caller's timeout)."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return

    def _start_worker(self) -> _Worker:
        return _Worker.start(self._context, self._store_path, self._version,
                             self._memory_limit_mb)

    def _replace(self, dead: _Worker) -> None:
        """Kill ``dead`` and start its replacement off the request thread."""
        dead.stop()

        def restart() -> None:
            if not self._closed:
                self._idle.put(self._start_worker())

        threading.Thread(target=restart, name="itugraph-worker-restart", daemon=True).start()


class _WorkerLostError(Exception):
    def __init__(self, message: str, *, timed_out: bool) -> None:
        super().__init__(message)
        self.timed_out = timed_out


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection

    @classmethod
    def start(cls, context: multiprocessing.context.SpawnContext, store_path: Path,
              version: str, memory_limit_mb: int | None) -> _Worker:
        parent, child = context.Pipe()
        process = context.Process(target=_worker_main, name="itugraph-query-worker",
                                  args=(child, str(store_path), version, memory_limit_mb),
                                  daemon=True)
        process.start()
        child.close()
        return cls(process, parent)

    def ask(self, request: QueryRequest, timeout: float) -> QueryResponse:
        try:
            self.conn.send(request)
            if not self.conn.poll(timeout):
                raise _WorkerLostError("time limit reached", timed_out=True)
            status, payload = self.conn.recv()
        except (EOFError, OSError, BrokenPipeError) as exc:
            raise _WorkerLostError(f"worker exited ({exc or 'no reply'})", timed_out=False) from None
        if status == "ok":
            assert isinstance(payload, QueryResponse)
            return payload
        raise payload

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


def answer(store: object, request: QueryRequest) -> QueryResponse:
    """Run one request against a store and serialise the outcome (used in workers and in-process)."""
    outcome: QueryOutcome = store.query(  # type: ignore[attr-defined]
        request.sparql,
        default_graphs=request.default_graphs,
        named_graphs=request.named_graphs,
        substitutions=request.substitutions,
        limit=request.limit,
    )
    if outcome.kind == "graph":
        body = serialize_graph(outcome.triples, request.graph_format)
        return QueryResponse("graph", body, outcome.truncated, len(outcome.triples))
    body = serialize_tabular(outcome, request.tabular_format)
    return QueryResponse(outcome.kind, body, outcome.truncated, len(outcome.rows))


def _worker_main(conn: Connection, store_path: str, version: str,
                 memory_limit_mb: int | None) -> None:
    """Worker loop: open the store once, then answer requests until the pipe closes."""
    from itugraph.store import OxigraphStore

    if memory_limit_mb:
        limit = memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    store = OxigraphStore.open_read_only(Path(store_path), version)
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        try:
            conn.send(("ok", answer(store, request)))
        except ItuGraphError as exc:
            conn.send(("error", exc))
        except MemoryError:
            conn.send(("error", QueryError("the query needed more memory than allowed")))
