"""The measurements that run in a child process of their own (own time cap, own peak RSS).

``python -m bench.child _parse ROOT ENGINE`` (also ``_closure ROOT ENGINE`` and
``_latency STORE QUERIES BUDGET SLOW``) prints one JSON line, the last line of its output;
``_latency`` also prints its partial figures after each query, so a child stopped on a
stuck query still reports the others. ``bench.phases`` starts these and reads the line.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import queries as qset


def phase_parse(root: str, engine: str) -> dict[str, Any]:
    from itugraph.project import Project

    files = Project.at(root).asserted_files()
    start = time.perf_counter()
    if engine == "pyoxigraph":
        from itugraph.load import load_triples

        count = len(load_triples(files))
    else:
        import rdflib

        graph = rdflib.Graph()
        for path in files:
            graph.parse(str(path), format="nt" if path.suffix == ".nt" else "turtle")
        count = len(graph)
    return {"seconds": round(time.perf_counter() - start, 3), "triples": count}


def phase_closure(root: str, engine: str) -> dict[str, Any]:
    from itugraph.load import load_triples
    from itugraph.project import Project
    from itugraph.reasoning import infer

    asserted = load_triples(Project.at(root).asserted_files())
    start = time.perf_counter()
    closure = infer(asserted, engine=engine)
    return {
        "seconds": round(time.perf_counter() - start, 3),
        "asserted": len(asserted),
        "inferred": len(closure.inferred),
        "inconsistencies": len(closure.inconsistencies),
    }


def phase_latency(store: str, query_file: str, budget: str, slow: str) -> dict[str, Any]:
    """In-process latency of each query, as a worker answers it (query + serialisation).

    Per query: runs until ``budget`` seconds and at least 3 runs (200 at most), but no run
    is started once ``slow`` seconds are spent, so a query slower than ``slow`` runs once.
    """
    from itugraph.executor import QueryRequest, answer
    from itugraph.store import OxigraphStore

    db = OxigraphStore.open_read_only(Path(store), "bench")
    per_query_budget, slow_s = float(budget), float(slow)
    out: dict[str, Any] = {}
    for item in json.loads(Path(query_file).read_text(encoding="utf-8")):
        if out:
            print(json.dumps({"partial": out}), flush=True)
        times: list[float] = []
        count = 0
        n = 0
        try:
            while (
                len(times) < 200 and sum(times) < slow_s and (len(times) < 3 or sum(times) < per_query_budget)
            ):
                n += 1
                text = item["text"].replace(qset.MARK, str(n))
                start = time.perf_counter()
                reply = answer(db, QueryRequest(text, results_format="json", rdf_format="nt"))
                times.append(time.perf_counter() - start)
            count = qset.count_results(reply.body, item["form"])
        except Exception as exc:
            out[item["name"]] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        times.sort()
        out[item["name"]] = {
            "runs": len(times),
            "rows": count,
            "median_ms": round(statistics.median(times) * 1000, 3),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, 3),
        }
    return out


PHASES: dict[str, Callable[..., dict[str, Any]]] = {
    "_parse": phase_parse,
    "_closure": phase_closure,
    "_latency": phase_latency,
}


def child_main(argv: list[str]) -> int:
    result = PHASES[argv[0]](*argv[1:])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(child_main(sys.argv[1:]))
