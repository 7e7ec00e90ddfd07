"""A workload's summary figures: itugraph / peer ratios per query and their geometric means,
and itugraph's per-request overhead (HTTP c=1 median minus the in-process median).
"""

from __future__ import annotations

import math
import statistics
from typing import Any

from bench.records import HttpCell, WorkloadResult, cell_of

#: Issue 13: on queries where Oxigraph spends this long (c=1 median), itugraph must reach 0.9x.
SLOW_MS = 2.0


def geomean(values: list[float]) -> float | None:
    vals = [v for v in values if v and v > 0]
    return round(math.exp(sum(math.log(v) for v in vals) / len(vals)), 3) if vals else None


def is_slow(oxigraph_p50_ms: float | None) -> bool:
    """Whether Oxigraph's c=1 median makes a query one of the slow ones (``SLOW_MS``)."""
    return oxigraph_p50_ms is not None and oxigraph_p50_ms >= SLOW_MS


def _ratio(a: Any, b: Any) -> float | None:
    return round(a / b, 3) if a and b else None


def _peer_ratios(
    queries: dict[str, dict[str, HttpCell]], peer: str, catalogue_names: set[str]
) -> dict[str, Any]:
    thr: dict[str, float] = {}
    lat: dict[str, float] = {}
    p99: dict[str, float] = {}
    for qname, cells in queries.items():
        mine, theirs = cell_of(cells, "itugraph"), cell_of(cells, peer)
        for into, load, key in ((thr, "c8", "rps"), (lat, "c1", "p50_ms"), (p99, "c8", "p99_ms")):
            ratio = _ratio(mine.figure(load, key), theirs.figure(load, key))
            if ratio is not None:
                into[qname] = ratio
    slow = {k for k in thr if is_slow(cell_of(queries[k], "oxigraph").figure("c1", "p50_ms"))}
    return {
        "c8_throughput_ratio": thr,
        "c1_median_latency_ratio": lat,
        "c8_p99_ratio": p99,
        "geomean_c8_throughput_slow": geomean([v for k, v in thr.items() if k in slow]),
        "geomean_c8_throughput_all": geomean(list(thr.values())),
        "geomean_c8_throughput_catalogue": geomean([v for k, v in thr.items() if k in catalogue_names]),
    }


def ratios(res: WorkloadResult, catalogue_names: set[str]) -> dict[str, Any]:
    """itugraph / peer ratios of c=8 throughput and of c=1 median latency."""
    queries = res.http.queries if res.http else {}
    out: dict[str, Any] = {
        peer: _peer_ratios(queries, peer, catalogue_names) for peer in ("oxigraph", "rdflib-endpoint")
    }
    inprocess = res.inprocess or {}
    overhead = {}
    for qname, cells in queries.items():
        p50 = cell_of(cells, "itugraph").figure("c1", "p50_ms")
        inproc = inprocess.get(qname, {}).get("median_ms")
        if p50 is not None and inproc is not None:
            overhead[qname] = round(p50 - inproc, 3)
    out["overhead_ms"] = overhead
    catalogue_overhead = [v for k, v in overhead.items() if k in catalogue_names]
    out["median_overhead_ms_catalogue"] = (
        round(statistics.median(catalogue_overhead), 3) if catalogue_overhead else None
    )
    return out
