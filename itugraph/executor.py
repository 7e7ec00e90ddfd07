"""Queries run in worker processes, so a runaway query can really be stopped.

No SPARQL engine we embed can cancel a query from another thread (rdflib cannot, and
pyoxigraph evaluates inside Rust without a cancellation hook). A worker process can be
killed, and killing it frees its CPU and memory at once. Each worker opens the built
store read-only (RocksDB allows many readers), so starting one costs well under a
second and the data is shared through the OS page cache.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import TYPE_CHECKING

from itugraph.answers import Emit, Result, check_size, kind_of, write_answer
from itugraph.errors import ItuGraphError, QueryError, QueryTimeoutError, QueryWorkerCrashedError
from itugraph.formats import named
from itugraph.results import Term
from itugraph.store import GraphStore
from itugraph.worker_memory import WorkerMemoryError, apply_limit, cap_malloc_arenas

if TYPE_CHECKING:
    from itugraph.remote_store import RemoteStoreConfig

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueryRequest:
    """Everything a worker needs to answer one query, in a picklable form.

    ``results_format``/``rdf_format`` name rows of :mod:`itugraph.formats` (the one used
    depends on the query form); ``max_rows`` refuses larger answers (None: no limit).
    """

    sparql: str
    results_format: str = "json"
    rdf_format: str = "ttl"
    default_graphs: list[str] | None = None
    named_graphs: list[str] | None = None
    substitutions: Mapping[str, Term] = field(default_factory=dict)
    max_rows: int | None = None


@dataclass(frozen=True)
class QueryResponse:
    """A whole serialised answer: ``kind`` is select/ask/graph; ``body`` in the requested format."""

    kind: str
    body: bytes


class ServerBusyError(ItuGraphError):
    """Every worker stayed busy for the whole time limit."""

    code = "SERVER_BUSY"


#: Seconds a worker may take to open its store before the memory-limit check gives up on it.
WORKER_START_TIMEOUT = 60.0


class QueryExecutor:
    """A fixed pool of query worker processes with a per-query time limit."""

    def __init__(
        self,
        store_path: Path,
        version: str,
        *,
        workers: int = 2,
        memory_limit_mb: int | None = None,
        remote: RemoteStoreConfig | None = None,
    ) -> None:
        """Workers over the built store at ``store_path``, or over the external store of
        ``remote`` (``itugraph serve --backend sparql``)."""
        self._store_path = store_path
        self._remote = remote
        self._version = version
        self._memory_limit_mb = memory_limit_mb
        self._context = multiprocessing.get_context("spawn")
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._closed = False
        self.size = max(1, workers)
        for _ in range(self.size):
            self._idle.put(self._start_worker())
        if memory_limit_mb:
            self._check_memory_limit()

    def _check_memory_limit(self) -> None:
        """A limit too low for a worker to start is an error now (``WorkerMemoryError``),
        not a crashed worker per query. Waits for one worker (its store opening: ~0.1 s)."""
        worker = self._idle.get()
        try:
            worker.wait_ready(time.monotonic() + WORKER_START_TIMEOUT)
        except WorkerMemoryError:
            worker.stop()
            self.close()
            raise
        except _WorkerLostError:  # a slow or failed start: the first query finds out
            pass
        self._idle.put(worker)

    def stream(self, request: QueryRequest, *, timeout: float) -> AnswerStream:
        """Start answering ``request``: returns once the worker has evaluated the query and
        begins writing, so every error (syntax, time limit, size limit) is raised here,
        before a byte of the answer exists. ``timeout`` bounds the whole answer."""
        deadline = time.monotonic() + timeout
        try:
            worker = self._idle.get(timeout=timeout)
        except queue.Empty:
            raise ServerBusyError(
                f"all {self.size} query workers stayed busy for {timeout:g} s",
                hint="retry later",
            ) from None
        try:
            kind, first, last = worker.start(request, deadline)
        except WorkerMemoryError:
            self._replace(worker)
            raise
        except ItuGraphError:
            self._idle.put(worker)  # the query failed, the worker is fine
            raise
        except _WorkerLostError as lost:
            self._replace(worker)
            raise _lost_error(lost, timeout) from None
        if last:  # the whole answer came in one message: the worker is free already
            self._idle.put(worker)
            return AnswerStream(self, None, kind, deadline, timeout, first, whole=True)
        return AnswerStream(self, worker, kind, deadline, timeout, first, whole=False)

    def execute(self, request: QueryRequest, *, timeout: float) -> QueryResponse:
        """The whole answer to ``request`` (for small answers and tests; see :meth:`stream`)."""
        answer = self.stream(request, timeout=timeout)
        return QueryResponse(answer.kind, b"".join(answer))

    def _release(self, worker: _Worker, *, healthy: bool) -> None:
        if healthy:
            self._idle.put(worker)
        else:
            self._replace(worker)

    def close(self) -> None:
        """Stop every worker (idle ones now; busy ones are killed by their caller's timeout)."""
        self._closed = True
        while True:
            try:
                self._idle.get_nowait().stop()
            except queue.Empty:
                return

    def _start_worker(self) -> _Worker:
        return _Worker.start_process(
            self._context,
            self._store_path,
            self._version,
            self._memory_limit_mb,
            self._remote,
        )

    def _replace(self, dead: _Worker) -> None:
        """Kill ``dead`` and start its replacement off the request thread."""
        dead.stop()

        def restart() -> None:
            if not self._closed:
                self._idle.put(self._start_worker())

        threading.Thread(target=restart, name="itugraph-worker-restart", daemon=True).start()


class AnswerStream:
    """The chunks of one answer as the worker writes them; iterate once, then it is closed.

    The worker returns to the pool when the answer is complete. If the time limit passes
    mid-answer, or the client goes away (``close`` before the end), the worker is killed
    and replaced: an answer is either whole or visibly broken, never silently short.
    """

    def __init__(
        self,
        pool: QueryExecutor,
        worker: _Worker | None,
        kind: str,
        deadline: float,
        timeout: float,
        first: bytes,
        *,
        whole: bool,
    ) -> None:
        self._pool = pool
        self._worker = worker
        self.kind = kind
        self._deadline = deadline
        self._timeout = timeout
        self._first: bytes | None = first
        #: The whole answer when it came in one message (most answers: up to 64 KiB), else
        #: None. The endpoint sends it as a plain body, with a Content-Length.
        self.whole = first if whole else None

    def __iter__(self) -> Iterator[bytes]:
        first, self._first = self._first, None
        if first is None:
            return  # iterated already
        if first:
            yield first
        worker = self._worker
        if worker is None:
            return
        try:
            while True:
                chunk, last = worker.next_chunk(self._deadline)
                if chunk:
                    yield chunk
                if last:
                    break
        except _WorkerLostError as lost:
            self._worker = None
            self._pool._release(worker, healthy=False)
            raise _lost_error(lost, self._timeout) from None
        except ItuGraphError:
            self._worker = None
            self._pool._release(worker, healthy=True)
            raise
        self._worker = None
        self._pool._release(worker, healthy=True)

    def close(self) -> None:
        """Give the worker back: killed if the answer was not read to the end."""
        if self._worker is not None:
            worker, self._worker = self._worker, None
            self._pool._release(worker, healthy=False)


def _lost_error(lost: _WorkerLostError, timeout: float) -> QueryError:
    if lost.timed_out:
        return QueryTimeoutError(
            f"the query ran longer than the {timeout:g} s limit and was stopped",
            hint="narrow the query (add a LIMIT, more specific patterns) or raise the "
            "time limit (ITUGRAPH_QUERY_TIMEOUT)",
        )
    return QueryWorkerCrashedError(
        f"the query worker failed: {lost}",
        hint="the worker was replaced; a query that needs more memory than a worker may use "
        "(ITUGRAPH_WORKER_MEMORY_MB) fails again: narrow it",
    )


class _WorkerLostError(Exception):
    def __init__(self, message: str, *, timed_out: bool) -> None:
        super().__init__(message)
        self.timed_out = timed_out


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    #: Whether the worker's first message ("ready") was read.
    ready: bool = False

    @classmethod
    def start_process(
        cls,
        context: multiprocessing.context.SpawnContext,
        store_path: Path,
        version: str,
        memory_limit_mb: int | None,
        remote: RemoteStoreConfig | None = None,
    ) -> _Worker:
        parent, child = context.Pipe()
        process = context.Process(
            target=_worker_main,
            name="itugraph-query-worker",
            args=(child, str(store_path), version, memory_limit_mb, remote),
            daemon=True,
        )
        process.start()
        child.close()
        return cls(process, parent)

    def start(self, request: QueryRequest, deadline: float) -> tuple[str, bytes, bool]:
        """Send ``request``; once the worker starts writing: the answer's kind, its first
        chunk and whether that chunk is the whole answer."""
        self.wait_ready(deadline)
        try:
            self.conn.send(request)
        except (OSError, BrokenPipeError) as exc:
            raise _WorkerLostError(f"worker exited ({exc})", timed_out=False) from None
        status, payload = self._receive(deadline)
        if status in {"head", "whole"}:
            assert isinstance(payload, tuple)
            kind, chunk = payload
            return kind, chunk, status == "whole"
        raise _unexpected(status, payload)

    def wait_ready(self, deadline: float) -> None:
        """Read the worker's first message (its store is open, its memory limit set); raise
        ``WorkerMemoryError`` if it refused its memory limit."""
        if self.ready:
            return
        status, payload = self._receive(deadline)
        if status == "refused" and isinstance(payload, WorkerMemoryError):
            raise payload
        if status != "ready":
            raise _unexpected(status, payload)
        self.ready = True

    def next_chunk(self, deadline: float) -> tuple[bytes, bool]:
        """The next chunk of the answer and whether it is the last."""
        status, payload = self._receive(deadline)
        if status in {"chunk", "last"}:
            assert isinstance(payload, bytes)
            return payload, status == "last"
        raise _unexpected(status, payload)

    def _receive(self, deadline: float) -> tuple[str, object]:
        try:
            if not self.conn.poll(max(0.0, deadline - time.monotonic())):
                raise _WorkerLostError("time limit reached", timed_out=True)
            message: tuple[str, object] = self.conn.recv()
            return message
        except (EOFError, OSError, BrokenPipeError) as exc:
            raise _WorkerLostError(f"worker exited ({exc or 'no reply'})", timed_out=False) from None

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(timeout=5)
        self.conn.close()


def _unexpected(status: str, payload: object) -> Exception:
    if status == "error" and isinstance(payload, Exception):
        return payload
    return _WorkerLostError(f"unexpected message {status!r} from the worker", timed_out=False)


def answer(store: GraphStore, request: QueryRequest, emit: Emit | None = None) -> QueryResponse:
    """Answer one request against a store, in-process (the CLI, tests). With ``emit``, the
    chunks go there as they are written and the returned body is empty."""
    chunks: list[bytes] = []
    kind = _answer(store, request, emit or chunks.append)
    return QueryResponse(kind, b"".join(chunks))


def _answer(
    store: GraphStore, request: QueryRequest, emit: Emit, on_start: Callable[[str], None] | None = None
) -> str:
    """Evaluate (twice when a size limit is set: count, then write) and serialise."""

    def evaluate() -> Result:
        return store.evaluate(
            request.sparql,
            default_graphs=request.default_graphs,
            named_graphs=request.named_graphs,
            substitutions=request.substitutions,
        )

    result = evaluate()
    if request.max_rows is not None:
        check_size(result, request.max_rows)
        result = evaluate()
    kind = kind_of(result)
    if on_start is not None:
        on_start(kind)
    write_answer(
        result,
        results=named(request.results_format, "results"),
        rdf=named(request.rdf_format, "rdf"),
        emit=emit,
    )
    return kind


def _worker_main(
    conn: Connection,
    store_path: str,
    version: str,
    memory_limit_mb: int | None,
    remote: RemoteStoreConfig | None = None,
) -> None:
    """Worker loop: open the store once, then answer requests until the pipe closes.

    First message: ("ready", None) once the store is open and the memory limit set, or
    ("refused", WorkerMemoryError) when the limit leaves no room (the worker then exits).
    Then, per request (see :class:`_Sender`): ("whole", (kind, body)) for an answer of
    one chunk; else ("head", (kind, chunk)), ("chunk", bytes)..., ("last", bytes). Or
    ("error", exception), when the query fails.
    """
    from itugraph.store import OxigraphStore

    stop = _StopAfterAnswer()
    if threading.current_thread() is threading.main_thread():  # a process, not a test's thread
        _exit_with_parent()  # before the memory limit, which a new thread's stack could exceed
        signal.signal(signal.SIGTERM, stop.on_sigterm)
    if memory_limit_mb:
        cap_malloc_arenas()  # before RocksDB's threads: ~200 MB of address space, not ~500
    store: GraphStore = remote.open() if remote else OxigraphStore.open_read_only(Path(store_path), version)
    if memory_limit_mb:  # after the store is open: RocksDB starts its threads with room
        try:
            apply_limit(memory_limit_mb)
        except WorkerMemoryError as exc:
            conn.send(("refused", exc))
            return
    conn.send(("ready", None))
    while not stop.requested:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        with stop.busy():
            _answer_one(store, request, conn)


def _answer_one(store: GraphStore, request: QueryRequest, conn: Connection) -> None:
    sender = _Sender(conn)
    try:
        _answer(store, request, sender.emit, on_start=sender.begin)
        sender.finish()
    except ItuGraphError as exc:
        conn.send(("error", exc))
    except MemoryError:
        conn.send(("error", QueryError("the query needed more memory than allowed")))


def _exit_with_parent() -> None:
    """Kill this worker as soon as its HTTP process is gone (killed, crashed, or stopped
    after the shutdown bound): an orphan would compute a runaway query for nobody. A thread
    watching the parent id, as pyoxigraph evaluates with the GIL released; SIGKILL, as a
    Python-level exit would wait for the evaluation to return."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_PARENT_CHECK_S)
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="itugraph-parent-watch", daemon=True).start()


_PARENT_CHECK_S = 0.5


class _StopAfterAnswer:
    """SIGTERM in a query worker: exit now when idle, after the answer when busy.

    A service manager stops the whole process group (``docker stop`` stops PID 1 only, but
    systemd and a terminal's Ctrl-C reach every process): the worker must not die under a
    request its HTTP process is still finishing. Its parent still bounds it: the time limit
    kills it, and if the parent is killed meanwhile, :func:`_exit_with_parent` ends it.
    """

    def __init__(self) -> None:
        self.requested = False
        self._busy = False

    def on_sigterm(self, _signum: int, _frame: object) -> None:
        if not self._busy:
            raise SystemExit(0)
        self.requested = True

    @contextlib.contextmanager
    def busy(self) -> Iterator[None]:
        self._busy = True
        try:
            yield
        finally:
            self._busy = False


class _Sender:
    """Sends a worker's answer holding one chunk back, so the first message carries the
    kind and the last one says it is last: an answer of one chunk (up to 64 KiB, most
    answers) is one message, one wake-up of the HTTP thread instead of three."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn
        self.kind = ""
        self._pending: bytes | None = None
        self._started = False

    def begin(self, kind: str) -> None:
        self.kind = kind

    def emit(self, chunk: bytes) -> None:
        if self._pending is not None:
            self._send(self._pending, last=False)
        self._pending = chunk

    def finish(self) -> None:
        self._send(self._pending or b"", last=True)

    def _send(self, chunk: bytes, *, last: bool) -> None:
        if not self._started:
            self._started = True
            self._conn.send(("whole" if last else "head", (self.kind, chunk)))
        else:
            self._conn.send(("last" if last else "chunk", chunk))
