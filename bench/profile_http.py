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
    from itugraph.project import Project

    project = Project.at(args.root)
    built = cached_build(project)
    assert built is not None, "build the project first"
    query_set, _ = qset.load(REPO_QUERIES)
    q = next(x for x in query_set if x.name == args.query)
    out: dict[str, Any] = {"query": q.name, "layers_us": {}, "c8_rps": {}}
    out["layers_us"].update(_in_process_layers(project, built, q, args.n))
    _http_layers(args, built, q, out)
    print(json.dumps(out, indent=2))
    return 0


def _in_process_layers(project: Any, built: Any, q: qset.BenchQuery, n: int) -> dict[str, float]:
    """Layers 1-3: the query and serialisation, the worker hop, the Flask app."""
    from itugraph.executor import QueryExecutor, QueryRequest, answer
    from itugraph.web import create_app

    layers: dict[str, float] = {}
    store = built.open_store()
    layers["1 answer() in-process"] = per_call_us(lambda i: answer(store, QueryRequest(q.render(i))), n)
    executor = QueryExecutor(built.store_path, built.version, workers=1)
    try:
        layers["2 + worker pipe hop"] = per_call_us(
            lambda i: executor.execute(QueryRequest(q.render(i)), timeout=30), n
        )
    finally:
        executor.close()
    app = create_app(project, {"WORKERS": 1, "MAX_ROWS": 0}, built=built)
    client = app.test_client()
    headers = {"Content-Type": "application/sparql-query", "Accept": q.accept}

    def flask_call(i: int) -> None:
        reply = client.post("/sparql", data=q.render(i), headers=headers)
        assert reply.status_code == 200, reply.data[:200]

    layers["3 + Flask app (test client), distinct"] = per_call_us(flask_call, n)
    layers["3c Flask app (test client), cache hit"] = per_call_us(lambda _i: flask_call(0), n)
    app.extensions["itugraph"].executor.close()
    return layers


def _http_layers(args: argparse.Namespace, built: Any, q: qset.BenchQuery, out: dict[str, Any]) -> None:
    """Layer 4 and the alternatives, each a real server: itugraph serve, the app under
    waitress, the bare-WSGI prototypes and (with --oxigraph-store) Oxigraph."""
    layers, c8 = out["layers_us"], out["c8_rps"]
    procs: list[subprocess.Popen[bytes]] = []

    def start(cmd: list[str]) -> str:
        port = free_port()
        url = f"http://127.0.0.1:{port}/sparql"
        proc = subprocess.Popen(
            [part.format(port=port) for part in cmd],  # "{port}": the free port
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        procs.append(proc)
        wait_answer(url, proc, time.perf_counter(), 120)
        return url

    def c1_us(url: str, *, distinct: bool = True) -> float:
        result = loadgen.run_load(
            url, q.text, q.accept, concurrency=1, seconds=args.seconds, distinct=distinct, tool="python"
        )
        return round((result.p50_ms or 0) * 1000, 1)

    def c8_rps(url: str, *, distinct: bool = True) -> float:
        return loadgen.run_load(
            url, q.text, q.accept, concurrency=8, seconds=args.seconds, distinct=distinct
        ).rps

    try:
        url = start([sys.executable, "-m", "itugraph", "--root", str(args.root), "serve", "--port", "{port}"])
        layers["4 + granian HTTP (itugraph serve), distinct, p50"] = c1_us(url)
        layers["4c itugraph serve, cache hit, p50"] = c1_us(url, distinct=False)
        c8["itugraph serve (distinct)"] = c8_rps(url)
        c8["itugraph serve (cache hit)"] = c8_rps(url, distinct=False)
        for mode in ("app-waitress", "workers", "inthread"):
            url = start(
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
                    "{port}",
                ]
            )
            label = "itugraph app under waitress" if mode == "app-waitress" else f"proto-wsgi-{mode}"
            layers[f"{label} over HTTP, p50"] = c1_us(url)
            c8[f"{label} (distinct)"] = c8_rps(url)
        if args.oxigraph_store:
            url = start(
                [
                    str(Path(sys.executable).parent / "oxigraph"),
                    "serve-read-only",
                    "--location",
                    str(args.oxigraph_store),
                    "--bind",
                    "127.0.0.1:{port}",
                    "--union-default-graph",
                ]
            )
            layers["oxigraph serve-read-only over HTTP, p50"] = c1_us(url)
            c8["oxigraph serve-read-only (distinct)"] = c8_rps(url)
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                proc.wait(10)


REPO_QUERIES = REPO / "queries"

if __name__ == "__main__":
    raise SystemExit(main())
