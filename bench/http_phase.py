"""Per-query HTTP cells for every server, and the 1-core vs 2-core scaling of two of them.

Per server and query: one first answer (rows, time; a time limit reached is recorded as
such), then a c=1 latency cell (sequential distinct requests under a sample budget,
``bench.load.run_sequential``) and, up to ``--c8-max``, a c=8 throughput cell of distinct
requests (wrk); itugraph also gets a cached c=8 cell on the ``x-`` queries. A server whose
client gave up is restarted (it may still be computing), and so is one left with more work
in flight after a c=8 cell than two restarts cost (``_settle``).
"""

from __future__ import annotations

import math
import os
import shutil
import time
import urllib.error
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import load as loadgen
from bench import queries as qset
from bench import say
from bench.options import Options
from bench.records import HttpCell, HttpResult, ServerRun
from bench.servers import SERVERS, Live, Server, post_query, start_server


def http_phase(
    root: Path,
    ox_dir: Path,
    dump: Path,
    opts: Options,
    query_set: list[qset.BenchQuery],
    logs: Path,
    size: int,
    lap: Callable[[str], None],
) -> HttpResult:
    """Every query on every server (those the size and the time budget allow)."""
    # Above --c8-max only concurrency 1 is measured: the 1M targets are about the c=1
    # median latency, and c=8 cells of multi-second queries cost minutes there.
    levels = opts.concurrency if size <= opts.c8_max else (1,)
    out = HttpResult(levels=list(levels))
    for server_name in SERVERS:
        run = out.servers[server_name] = ServerRun()
        if server_name == "rdflib-endpoint" and size > opts.rdflib_max:
            run.skipped = (
                f"rdflib-endpoint runs only up to {opts.rdflib_max} generated "
                "triples (loading takes minutes and GBs beyond)"
            )
            continue
        if opts.left() < 60:
            run.skipped = "global time budget spent"
            continue
        say(f"  HTTP {server_name} (c={'/'.join(map(str, levels))})")
        log = logs / f"server-{server_name}.log"

        def starter(server_name: str = server_name, log: Path = log) -> Server:
            return start_server(
                server_name, root=root, store_dir=ox_dir, dump=dump, log=log, cap=opts.caps.start
            )

        try:
            live = Live(starter)
        except (RuntimeError, TimeoutError) as exc:
            run.error = str(exc)
            continue
        _serve_queries(live, run, out, query_set, opts, levels)
        lap(f"http_{server_name}")
    return out


def _serve_queries(
    live: Live,
    run: ServerRun,
    out: HttpResult,
    query_set: list[qset.BenchQuery],
    opts: Options,
    levels: tuple[int, ...],
) -> None:
    """Every query on one started server, which is stopped at the end."""
    name = live.server.name
    run.warm_start_s = live.warm_start_s
    try:
        for q in query_set:
            cell = out.queries.setdefault(q.name, {}).setdefault(name, HttpCell())
            _http_query(live, q, cell, opts, levels, cached=name == "itugraph")
            if cell.limit == "client" or cell.figure("c1", "errors"):
                # The client gave up but the server may still be computing (rdflib cannot
                # stop a query; Oxigraph runs without --timeout-s): restart it, so the next
                # query is not measured against a busy core.
                live.restart()
    except (RuntimeError, TimeoutError) as exc:  # a restart that failed
        run.error = f"restart failed: {exc}"
    finally:
        run.peak_rss_mb = live.stop()
    run.restarts = live.restarts


def _http_query(
    live: Live, q: qset.BenchQuery, cell: HttpCell, opts: Options, levels: tuple[int, ...], *, cached: bool
) -> None:
    if opts.left() < 30:
        cell.skipped = "global time budget spent"
        return
    server = live.server
    first = _first_answer(server, q, cell, opts)
    if first is None:
        return
    # rdflib-endpoint only at c=8: the 10x target is about throughput, and it is slow.
    if server.name == "rdflib-endpoint":
        levels = tuple(c for c in levels if c != 1)
    for c in levels:
        if opts.left() < 30:
            cell.loads[f"c{c}"] = {"skipped": "global time budget spent"}
        elif c == 1:
            cell.loads["c1"] = _sequential(live, q, first, opts)
        else:
            _load_cell(live, q, cell, first, c, opts)
    if cached and q.kind == "extra" and 8 in levels and opts.left() > 30:
        if live.server is not server:  # restarted: warm its result cache again
            post_query(live.server.url, q.render(0), q.accept, timeout=opts.caps.query)
        result = loadgen.run_load(
            live.server.url,
            q.text,
            q.accept,
            concurrency=8,
            seconds=opts.http_seconds,
            distinct=False,
            timeout=opts.caps.query,
        )
        cell.loads["c8_cached"] = result.to_dict()


def _first_answer(server: Server, q: qset.BenchQuery, cell: HttpCell, opts: Options) -> float | None:
    """Seconds to the first answer, with its row count in ``cell``; None (and why) on failure."""
    try:
        start = time.perf_counter()
        status, body = post_query(server.url, q.render(0), q.accept, timeout=opts.caps.query)
        first = time.perf_counter() - start
    except (OSError, urllib.error.URLError) as exc:
        cell.error = f"{type(exc).__name__}: {exc}"
        if "timed out" in str(exc):
            cell.over_limit_s, cell.limit = opts.caps.query, "client"
        return None
    if status != 200:
        cell.error = f"HTTP {status}: {body[:200]!r}"
        if status == 503 and b"TIMEOUT" in body:  # itugraph's own time limit
            cell.over_limit_s, cell.limit = opts.caps.server_timeout, "server"
        return None
    cell.rows = qset.count_results(body, q.form)
    cell.first_ms = round(first * 1000, 2)
    return first


def _sequential(live: Live, q: qset.BenchQuery, first: float, opts: Options) -> dict[str, Any]:
    """The c=1 cell: sequential distinct requests under a sample budget (``bench.load``).

    5 samples and 0.25 s at least, 3 s at most; the first answer is a sample when it took
    1 s or more, and the only one when it took over 3 s. So every answered query has a
    median, and a fast one a p99 from hundreds of samples.
    """
    result = loadgen.run_sequential(
        live.server.url,
        q.text,
        q.accept,
        first_s=first,
        min_seconds=opts.caps.c1_min_seconds,
        max_seconds=opts.caps.slow_query,
        timeout=opts.caps.query,
    )
    entry = result.to_dict()
    if result.errors:
        entry["note"] = "stopped at an error"
    return entry


def _load_cell(live: Live, q: qset.BenchQuery, cell: HttpCell, first: float, c: int, opts: Options) -> None:
    """A c>1 throughput cell of distinct requests (wrk), then the server settled."""
    rdflib = live.server.name == "rdflib-endpoint"
    slow = opts.caps.slow_query / (3 if rdflib else 1)
    if first > slow:
        # Slower than the whole cell: a load run would leave the server busy for long
        # after it (abandoned requests keep running), spoiling the next measurement.
        cell.loads[f"c{c}"] = {
            "skipped": f"one answer takes {first:.1f} s",
            "rps": round(1 / first, 3),
            "estimated": True,
        }
        return
    # A cell lasts long enough for a few answers per connection (wrk, 1-6 s).
    seconds = min(6, max(opts.http_seconds, math.ceil(first * c * 3 / 2)))
    result = loadgen.run_load(
        live.server.url,
        q.text,
        q.accept,
        concurrency=c,
        seconds=seconds,
        distinct=True,
        timeout=opts.caps.query,
        tool="auto",
    )
    cell.loads[f"c{c}"] = result.to_dict()
    # rdflib evaluates under the GIL: one query at a time, whatever the concurrency.
    if _settle(live, first, c, parallel=1 if rdflib else 2):
        cell.loads[f"c{c}"]["then"] = "server restarted (cheaper than draining)"


def _settle(live: Live, first: float, concurrency: int, parallel: int) -> bool:
    """Let the requests a load run left in flight finish before the next measurement.

    wrk leaves up to ``concurrency`` requests in flight, ``first * concurrency / parallel``
    seconds of work. Past twice a restart's cost (warm start + ~0.3 s to stop; Oxigraph
    0.03 s, itugraph 0.3-0.9 s) the server is restarted instead of waited for: at 100k
    that turns 02's 8.8 s drains (and 21, 06, x-path's 1.6-3 s) into well under a second.
    Returns whether it restarted. Nothing follows the sequential c=1 client (it waits for
    every answer, so nothing is left in flight).
    """
    backlog = first * concurrency / parallel
    if backlog > 2 * (live.server.start_s + 0.3) + 0.5:
        live.restart()
        return True
    if backlog > 0.02:
        time.sleep(min(backlog, 10.0))
    return False


#: Queries in the scaling table: this many, spread over the range of Oxigraph's latency.
SCALING_QUERIES = 6
SCALING_CORES = ("0", "0,1")


def scaling_phase(
    root: Path,
    ox_dir: Path,
    dump: Path,
    opts: Options,
    query_set: list[qset.BenchQuery],
    logs: Path,
    http: HttpResult,
) -> dict[str, Any]:
    """c=8 distinct throughput of itugraph and Oxigraph with the server pinned to 1, then 2 cores.

    Issue 13 asks whether the request path grows with cores. ``taskset`` pins the server's
    whole process tree (granian, the query workers; Oxigraph's threads); ``itugraph serve``
    sizes its HTTP worker processes to the cores it may use, as it would in a container.
    The load client (wrk) is not pinned: on a 2-core machine it shares the cores with the
    2-core servers, which is why figures are read as ratios between the two servers.
    """
    if not shutil.which("taskset") or (os.cpu_count() or 1) < 2:
        return {"skipped": "needs taskset and 2 cores"}
    if opts.left() < 90:
        return {"skipped": "global time budget spent"}
    picked = _scaling_queries(query_set, http)
    say(f"  scaling: {len(picked)} queries, servers pinned to cores {' then '.join(SCALING_CORES)}")
    out: dict[str, Any] = {"cores": list(SCALING_CORES), "queries": {}}
    for cores in SCALING_CORES:
        for server_name in ("itugraph", "oxigraph"):
            if opts.left() < 30:
                out["skipped"] = "global time budget spent"
                return out
            server = start_server(
                server_name,
                root=root,
                store_dir=ox_dir,
                dump=dump,
                log=logs / f"scaling-{server_name}.log",
                cap=opts.caps.start,
                cores=cores,
            )
            try:
                for q in picked:
                    post_query(server.url, q.render(0), q.accept, timeout=opts.caps.query)
                    result = loadgen.run_load(
                        server.url,
                        q.text,
                        q.accept,
                        concurrency=8,
                        seconds=max(2, opts.http_seconds),
                        distinct=True,
                        timeout=opts.caps.query,
                        tool="auto",
                    )
                    out["queries"].setdefault(q.name, {})[f"{server_name}@{cores}"] = result.rps
            finally:
                server.stop()
    return out


def _scaling_queries(query_set: list[qset.BenchQuery], http: HttpResult) -> list[qset.BenchQuery]:
    """``SCALING_QUERIES`` queries both servers answered, spread over Oxigraph's c=1 medians."""

    def p50(name: str, server: str) -> Any:
        cell = http.queries.get(name, {}).get(server)
        return cell.figure("c1", "p50_ms") if cell else None

    timed_queries = sorted(
        (median, q.name) for q in query_set if (median := p50(q.name, "oxigraph")) and p50(q.name, "itugraph")
    )
    step = max(1, len(timed_queries) // SCALING_QUERIES)
    chosen = {n for _, n in timed_queries[::step][:SCALING_QUERIES]}
    return [q for q in query_set if q.name in chosen]
