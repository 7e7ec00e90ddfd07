"""Dereferencing: itugraph's linked-data documents against Oxigraph answering ``DESCRIBE``.

Issue 15's target: GET ``/id/…`` (``Accept: text/turtle``) on itugraph at least 2x the
requests per second of ``oxigraph serve-read-only`` answering ``DESCRIBE <iri>`` (Turtle)
for the same resources, at c=8. Documents cannot change within a build, so itugraph
renders each once and keeps it; the figure is the warm one, after one pass over the
resources (whose time is reported too: the first render of each). Both servers run at once
and take turns (``ROUNDS`` cells each, alternating), and the ratio is of their medians: the
machine's load may change during the step, and then it changes for both.

Where nginx is installed (``make stores``), a third server takes its turn: itugraph behind
nginx configured as ``docs/deploy/nginx-cache.conf`` says (the deployment
docs/deploy-linked-data.md describes), which answers repeated requests for a document from
its HTTP cache without reaching Python. Its figure and ratio are reported apart
(``itugraph-nginx``, ``ratio_nginx``): the bare server's ratio stays the headline.
"""

from __future__ import annotations

import json
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench import load as loadgen
from bench import nginx, say
from bench.options import Options
from bench.servers import free_port, post_query, start_server

#: Resources dereferenced, spread evenly over the graph's /id/ subjects.
RESOURCES = 200
TURTLE = "text/turtle"
_SUBJECTS = """SELECT DISTINCT ?s WHERE {
  GRAPH <https://w3id.org/itugraph/graph/asserted> { ?s a ?type }
  FILTER (isIRI(?s) && STRSTARTS(STR(?s), "https://w3id.org/itugraph/id/"))
} ORDER BY ?s"""


def pick_resources(sparql_url: str, timeout: float) -> list[str]:
    """``RESOURCES`` IRIs spread over every typed /id/ subject, in IRI order."""
    status, body = post_query(sparql_url, _SUBJECTS, "application/sparql-results+json", timeout)
    if status != 200:
        raise RuntimeError(f"listing resources failed: HTTP {status}")
    iris = [b["s"]["value"] for b in json.loads(body)["results"]["bindings"]]
    step = max(1, len(iris) // RESOURCES)
    return iris[::step][:RESOURCES]


def _get(url: str, timeout: float) -> int:
    request = urllib.request.Request(url, headers={"Accept": TURTLE})
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        reply.read()
        return int(reply.status)


#: Alternating cells per server: both servers run at once and take turns, so a change of load
#: on the machine during the step falls on both (the ratio is of the medians).
ROUNDS = 3


def deref_phase(root: Path, ox_dir: Path, dump: Path, opts: Options, logs: Path) -> dict[str, Any]:
    """Warm c=8 requests per second of both servers on the same resources, and their ratio."""
    if not loadgen.have_wrk():
        return {"skipped": "needs wrk"}
    if opts.left() < 60:
        return {"skipped": "global time budget spent"}
    out: dict[str, Any] = {"resources": 0, "rounds": ROUNDS}
    servers = {}
    proxy: nginx.Nginx | None = None
    try:
        for name in ("oxigraph", "itugraph"):
            servers[name] = start_server(
                name,
                root=root,
                store_dir=ox_dir,
                dump=dump,
                log=logs / f"deref-{name}.log",
                cap=opts.caps.start,
            )
        loads = _requests(servers["oxigraph"].url, servers["itugraph"].url, opts, out)
        if nginx.available():
            proxy = _behind_nginx(servers["itugraph"].url, logs, loads, opts, out)
        cells: dict[str, list[loadgen.LoadResult]] = {name: [] for name in loads}
        for _ in range(ROUNDS):
            for name, requests in loads.items():
                cells[name].append(
                    loadgen.run_list(
                        proxy.url + "/sparql" if name == "itugraph-nginx" and proxy else servers[name].url,
                        requests,
                        concurrency=8,
                        seconds=max(2, opts.http_seconds),
                        timeout=opts.caps.query,
                    )
                )
        for name, results in cells.items():
            out[name] = _median(results)
            out[f"{name}_rounds_rps"] = [r.rps for r in results]
    except Exception as exc:  # a failed cell is a result, never the end of the run
        out["error"] = f"{type(exc).__name__}: {exc}"
    finally:
        if proxy is not None:
            proxy.stop()
        for server in servers.values():
            server.stop()
    oxi = out.get("oxigraph", {}).get("rps")
    for name, key in (("itugraph", "ratio"), ("itugraph-nginx", "ratio_nginx")):
        rps = out.get(name, {}).get("rps")
        if rps and oxi:
            out[key] = round(rps / oxi, 2)
    return out


def _behind_nginx(
    itu_url: str,
    logs: Path,
    loads: dict[str, list[loadgen.Request]],
    opts: Options,
    out: dict[str, Any],
) -> nginx.Nginx:
    """nginx in front of the itugraph server, its cache filled by one pass; adds its load."""
    proxy = nginx.start(urlsplit(itu_url).netloc, logs / "deref-nginx", port=free_port())
    gets = loads["itugraph"]
    statuses = [_get(proxy.url + req.path, opts.caps.query) for req in gets]
    out["itugraph-nginx_statuses"] = sorted(set(statuses))
    loads["itugraph-nginx"] = gets
    return proxy


def _requests(
    ox_url: str, itu_url: str, opts: Options, out: dict[str, Any]
) -> dict[str, list[loadgen.Request]]:
    """The same resources as ``DESCRIBE`` queries (Oxigraph) and as GETs (itugraph), after one
    pass over itugraph's documents (each rendered once: its time is reported)."""
    from itugraph.linkeddata.urls import path_of

    iris = pick_resources(ox_url, opts.caps.query)
    out["resources"] = len(iris)
    say(f"  dereferencing {len(iris)} resources (c=8, {TURTLE}, {ROUNDS} alternating rounds)")
    describe = [
        loadgen.Request(
            "POST",
            urlsplit(ox_url).path,
            (("Content-Type", "application/sparql-query"), ("Accept", TURTLE)),
            f"DESCRIBE <{iri}>",
        )
        for iri in iris
    ]
    root_url = itu_url.removesuffix("/sparql")
    paths = [path_of(iri) for iri in iris]
    started = time.perf_counter()
    statuses = [_get(root_url + p, opts.caps.query) for p in paths]
    out["itugraph_first_pass_s"] = round(time.perf_counter() - started, 3)
    out["itugraph_statuses"] = sorted(set(statuses))
    gets = [loadgen.Request("GET", p, (("Accept", TURTLE),)) for p in paths]
    return {"oxigraph": describe, "itugraph": gets}


def _median(results: list[loadgen.LoadResult]) -> dict[str, object]:
    """The round of median throughput (its latencies with it), plus every round's figure."""
    ordered = sorted(results, key=lambda r: r.rps)
    return ordered[len(ordered) // 2].to_dict()
