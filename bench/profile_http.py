"""Where an itugraph HTTP request spends its time, layer by layer (bench-only).

``python -m bench.profile_http --root DIR [--oxigraph-store DIR] [--query x-aggregate]``
needs a built project (``itugraph --root DIR build``). For one cheap query, sent with a
distinct number each time (so the result cache never answers) and, separately, always
the same (cache hit), it times the same request through successively more layers:

1. ``answer()`` in-process: pyoxigraph query + serialisation, as a worker runs it;
2. ``QueryExecutor.execute()``: plus the pickle + pipe hop to a worker process and back;
3. the Flask app through its test client: plus Flask/Werkzeug routing, itugraph's checks
   (query text, negotiation, cache key, ETag) and its after-request hooks;
4. ``itugraph serve`` over HTTP (granian), sequential keep-alive client;

and then the throughput at concurrency 8 (wrk) of ``itugraph serve``, of the same app under
waitress (the server it had before granian), of two bench-only prototypes, and of
``oxigraph serve-read-only`` on the same store:

* ``proto-wsgi-workers``: a bare WSGI callable for POST /sparql under waitress, that
  keeps the worker processes (time limits) but skips Flask and sends raw bytes over the
  pipe (``send_bytes``) instead of pickled dataclasses;
* ``proto-wsgi-inthread``: the same bare WSGI callable running pyoxigraph in the HTTP
  thread (no worker hop, no hard time limit), the upper bound of what waitress allows.

The differences between consecutive layers are the cost of each layer.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench import REPO
from bench import load as loadgen
from bench import queries as qset
from bench.servers import free_port, wait_answer


def per_call_us(fn: Callable[[int], object], n: int) -> float:
    for i in range(20):
        fn(10_000_000 + i)  # warm up
    times = []
    for i in range(n):
        start = time.perf_counter()
        fn(i)
        times.append(time.perf_counter() - start)
    return round(statistics.median(times) * 1e6, 1)


# --- the bench-only prototypes ----------------------------------------------------------


def _json_answer(store: Any, text: str) -> bytes:
    """A SELECT or ASK answer as SPARQL JSON results (the prototypes answer nothing else)."""
    import pyoxigraph as ox

    result: Any = store.query(text, use_default_graph_as_union=True)
    body: bytes = result.serialize(format=ox.QueryResultsFormat.JSON)
    return body


def _proto_worker(conn: Any, store_path: str) -> None:
    import pyoxigraph as ox

    store = ox.Store.read_only(store_path)
    while True:
        try:
            text = conn.recv_bytes().decode()
        except EOFError:
            return
        try:
            conn.send_bytes(b"k" + _json_answer(store, text))
        except Exception as exc:
            conn.send_bytes(b"e" + str(exc).encode())


def proto_app(store_path: str, mode: str, workers: int = 2) -> Callable[..., Iterable[bytes]]:
    """A bare WSGI app for POST /sparql (application/sparql-query) returning JSON results."""
    import queue

    import pyoxigraph as ox

    if mode == "inthread":
        store = ox.Store.read_only(store_path)

        def run(text: str) -> tuple[bool, bytes]:
            return True, _json_answer(store, text)
    else:
        ctx = multiprocessing.get_context("spawn")
        idle: queue.Queue[Any] = queue.Queue()
        for _ in range(workers):
            parent, child = ctx.Pipe()
            ctx.Process(target=_proto_worker, args=(child, store_path), daemon=True).start()
            idle.put(parent)

        def run(text: str) -> tuple[bool, bytes]:
            conn = idle.get()
            try:
                conn.send_bytes(text.encode())
                if not conn.poll(30):
                    raise TimeoutError
                reply = conn.recv_bytes()
            finally:
                idle.put(conn)
            return reply[:1] == b"k", reply[1:]

    def app(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        text = environ["wsgi.input"].read(size).decode()
        ok, body = run(text)
        start_response(
            "200 OK" if ok else "400 Bad Request",
            [("Content-Type", "application/sparql-results+json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return app


def serve_proto(store_path: str, mode: str, port: int, root: Path) -> None:
    import waitress

    app: Callable[..., Any]
    if mode == "app-waitress":
        from itugraph.project import Project
        from itugraph.web import create_app

        app = create_app(Project.at(root), {"MAX_ROWS": 0})
    else:
        app = proto_app(store_path, mode)
    waitress.serve(app, host="127.0.0.1", port=port, threads=4, _quiet=True)


# --- the measurement ---------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, required=True)
    parser.add_argument("--oxigraph-store", type=Path)
    parser.add_argument("--query", default="x-aggregate")
    parser.add_argument("-n", type=int, default=400)
    parser.add_argument("--seconds", type=int, default=3)
    parser.add_argument("--serve-proto", nargs=2, metavar=("MODE", "PORT"), help=argparse.SUPPRESS)
    parser.add_argument("--store", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_proto:
        serve_proto(args.store, args.serve_proto[0], int(args.serve_proto[1]), args.root)
        return 0

    from itugraph.build import cached_build
    from itugraph.executor import QueryExecutor, QueryRequest, answer
    from itugraph.project import Project
    from itugraph.web import create_app

    project = Project.at(args.root)
    built = cached_build(project)
    assert built is not None, "build the project first"
    query_set, _ = qset.load(REPO_QUERIES)
    q = next(x for x in query_set if x.name == args.query)
    out: dict[str, Any] = {"query": q.name, "layers_us": {}, "c8_rps": {}}
    layers = out["layers_us"]

    store = built.open_store()
    layers["1 answer() in-process"] = per_call_us(lambda i: answer(store, QueryRequest(q.render(i))), args.n)
    executor = QueryExecutor(built.store_path, built.version, workers=1)
    try:
        layers["2 + worker pipe hop"] = per_call_us(
            lambda i: executor.execute(QueryRequest(q.render(i)), timeout=30), args.n
        )
    finally:
        executor.close()
    app = create_app(project, {"WORKERS": 1, "MAX_ROWS": 0}, built=built)
    client = app.test_client()
    headers = {"Content-Type": "application/sparql-query", "Accept": q.accept}

    def flask_call(i: int) -> None:
        reply = client.post("/sparql", data=q.render(i), headers=headers)
        assert reply.status_code == 200, reply.data[:200]

    layers["3 + Flask app (test client), distinct"] = per_call_us(flask_call, args.n)
    layers["3c Flask app (test client), cache hit"] = per_call_us(lambda _i: flask_call(0), args.n)
    app.extensions["itugraph"].executor.close()

    procs: list[subprocess.Popen[bytes]] = []

    def start(cmd: list[str], url: str, env: dict[str, str] | None = None) -> None:
        proc = subprocess.Popen(
            cmd,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            env={**os.environ, **(env or {})},
        )
        procs.append(proc)
        wait_answer(url, proc, time.perf_counter(), 120)

    try:
        port = free_port()
        url = f"http://127.0.0.1:{port}/sparql"
        start(
            [sys.executable, "-m", "itugraph", "--root", str(args.root), "serve", "--port", str(port)],
            url,
            {},
        )
        c1 = loadgen.run_load(
            url, q.text, q.accept, concurrency=1, seconds=args.seconds, distinct=True, tool="python"
        )
        c1_hit = loadgen.run_load(
            url, q.text, q.accept, concurrency=1, seconds=args.seconds, distinct=False, tool="python"
        )
        layers["4 + granian HTTP (itugraph serve), distinct, p50"] = round((c1.p50_ms or 0) * 1000, 1)
        layers["4c itugraph serve, cache hit, p50"] = round((c1_hit.p50_ms or 0) * 1000, 1)
        out["c8_rps"]["itugraph serve (distinct)"] = loadgen.run_load(
            url, q.text, q.accept, concurrency=8, seconds=args.seconds, distinct=True
        ).rps
        out["c8_rps"]["itugraph serve (cache hit)"] = loadgen.run_load(
            url, q.text, q.accept, concurrency=8, seconds=args.seconds, distinct=False
        ).rps
        for mode in ("app-waitress", "workers", "inthread"):
            port = free_port()
            url = f"http://127.0.0.1:{port}/sparql"
            start(
                [
                    sys.executable,
                    "-m",
                    "bench.profile_http",
                    "--root",
                    str(args.root),
                    "--store",
                    str(built.store_path),
                    "--serve-proto",
                    mode,
                    str(port),
                ],
                url,
            )
            c1 = loadgen.run_load(
                url, q.text, q.accept, concurrency=1, seconds=args.seconds, distinct=True, tool="python"
            )
            label = "itugraph app under waitress" if mode == "app-waitress" else f"proto-wsgi-{mode}"
            layers[f"{label} over HTTP, p50"] = round((c1.p50_ms or 0) * 1000, 1)
            out["c8_rps"][f"{label} (distinct)"] = loadgen.run_load(
                url, q.text, q.accept, concurrency=8, seconds=args.seconds, distinct=True
            ).rps
        if args.oxigraph_store:
            port = free_port()
            url = f"http://127.0.0.1:{port}/sparql"
            start(
                [
                    str(Path(sys.executable).parent / "oxigraph"),
                    "serve-read-only",
                    "--location",
                    str(args.oxigraph_store),
                    "--bind",
                    f"127.0.0.1:{port}",
                    "--union-default-graph",
                ],
                url,
            )
            c1 = loadgen.run_load(
                url, q.text, q.accept, concurrency=1, seconds=args.seconds, distinct=True, tool="python"
            )
            layers["oxigraph serve-read-only over HTTP, p50"] = round((c1.p50_ms or 0) * 1000, 1)
            out["c8_rps"]["oxigraph serve-read-only (distinct)"] = loadgen.run_load(
                url, q.text, q.accept, concurrency=8, seconds=args.seconds, distinct=True
            ).rps
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)
    print(json.dumps(out, indent=2))
    return 0


REPO_QUERIES = REPO / "queries"

if __name__ == "__main__":
    raise SystemExit(main())
