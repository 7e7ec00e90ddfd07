"""Issues 8, 13 and 15's targets, each met, missed or not measured, from a run's results."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench.ratios import SLOW_MS, is_slow

Add = Callable[[str, bool | None, str], None]


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issues 8 and 13's targets, each met or missed with its figure, from one run's results."""
    out: list[dict[str, Any]] = []
    loads = results.get("workloads", {})

    def add(target: str, met: bool | None, figure: str) -> None:
        out.append({"target": target, "met": met, "figure": figure})

    for name, res in loads.items():
        _throughput_targets(add, name, res, results)
    big = loads.get("1m", {})
    queries = big.get("http", {}).get("queries", {})
    if queries:
        _latency_targets(add, results, queries)
    real = loads.get("real", {}).get("phases", {}).get("closure_native", {})
    if "seconds" in real:
        add("real graph: closure under 2 s", real["seconds"] < 2, f"{real['seconds']:.2f} s")
    build = big.get("phases", {}).get("build_cold", {})
    if "wall_s" in build:
        ok = "error" not in build and build["wall_s"] < 180 and build.get("peak_rss_mb", 0) < 6144
        add(
            "1m: full build under 3 min and 6 GB",
            ok if build.get("validated") else None,
            f"{build['wall_s']:.0f} s, {build.get('peak_rss_mb', 0):.0f} MB"
            + ("" if build.get("validated") else " (without validation: see the validate row)"),
        )
    for name, res in loads.items():
        ratio = (res.get("deref") or {}).get("ratio")
        if res.get("deref") and "skipped" not in res["deref"]:
            add(
                f"{name}: dereferencing (GET /id/…, c=8) >= 2x Oxigraph DESCRIBE",
                ratio is not None and ratio >= 2,
                f"{ratio:.2f}x" if ratio is not None else "not measured (see the run's notes)",
            )
    for name, res in loads.items():
        start = res.get("http", {}).get("servers", {}).get("itugraph", {}).get("warm_start_s")
        if start is not None:
            add(f"{name}: warm start under 2 s", start < 2, f"{start:.2f} s")
    return out


def _throughput_targets(add: Add, name: str, res: dict[str, Any], results: dict[str, Any]) -> None:
    """A workload's c=8 targets against Oxigraph and rdflib-endpoint, and its overhead."""
    rat = res.get("ratios", {}).get("oxigraph", {})
    gm = rat.get("geomean_c8_throughput_catalogue")
    if gm is None:
        return
    thr = {
        k: v
        for k, v in rat.get("c8_throughput_ratio", {}).items()
        if results["queries"].get(k, {}).get("kind") == "catalogue"
    }
    low = sorted((v, k) for k, v in thr.items() if v < 0.8)
    p99 = rat.get("c8_p99_ratio", {})
    worse = sum(1 for k, v in p99.items() if v > 1.0 and k in thr)
    every = rat.get("c8_throughput_ratio", {})
    gm_all = rat.get("geomean_c8_throughput_all")
    add(
        f"{name}: c=8 distinct throughput, geomean over the catalogue and x- queries >= 0.7x Oxigraph",
        gm_all is not None and gm_all >= 0.7,
        f"{gm_all:.2f}x ({len(every)} queries; catalogue alone {gm:.2f}x)",
    )
    queries = res.get("http", {}).get("queries", {})
    slow = sorted(
        (v, k)
        for k, v in every.items()
        if is_slow(queries.get(k, {}).get("oxigraph", {}).get("c1", {}).get("p50_ms"))
    )
    under = [(v, k) for v, k in slow if v < 0.9]
    add(
        f"{name}: >= 0.9x Oxigraph on every query where it spends {SLOW_MS:g} ms or more",
        not under if slow else None,
        f"{len(slow)} such queries"
        + (
            f"; {len(under)} below: " + ", ".join(f"{k.split('-', 1)[0]} {v:.2f}x" for v, k in under)
            if under
            else ""
        ),
    )
    overhead = res.get("ratios", {}).get("median_overhead_ms_catalogue")
    if overhead is not None:
        add(
            f"{name}: per-request overhead, median over the catalogue <= 0.3 ms",
            overhead <= 0.3,
            f"{overhead:.3f} ms",
        )
    add(
        f"{name}: no catalogue query below 0.8x Oxigraph (issue 8)",
        not low,
        f"{len(low)} below" + (f", lowest {low[0][1]} {low[0][0]:.2f}x" if low else ""),
    )
    add(
        f"{name}: c=8 p99 no worse than Oxigraph",
        worse == 0,
        f"{worse} of {len(p99)} queries with a higher p99",
    )
    rdf = res.get("ratios", {}).get("rdflib-endpoint", {}).get("geomean_c8_throughput_catalogue")
    if rdf is not None:
        add(f"{name}: >= 10x rdflib-endpoint (geomean, catalogue)", rdf >= 10, f"{rdf:.1f}x")


def _latency_targets(add: Add, results: dict[str, Any], queries: dict[str, Any]) -> None:
    """The two 1M latency targets, from the c=1 medians of every catalogue query."""
    over2: list[str] = []
    over1s: list[str] = []
    missing: list[str] = []
    both_over = 0
    ratios_seen: list[float] = []
    for qname, cells in queries.items():
        if results["queries"].get(qname, {}).get("kind") != "catalogue":
            continue
        short = qname.split("-", 1)[0]
        mine, theirs = cells.get("itugraph", {}), cells.get("oxigraph", {})
        a = mine.get("c1", {}).get("p50_ms")
        b = theirs.get("c1", {}).get("p50_ms")
        if a is None and not mine.get("over_limit_s"):
            missing.append(short)  # skipped (budget) or an error other than the time limit
            continue
        if a is None:
            over1s.append(f"{short} (> {mine['over_limit_s']:g} s limit)")
            if b is not None:
                over2.append(f"{short} (over the limit; Oxigraph {b / 1000:.1f} s)")
            elif theirs.get("over_limit_s"):
                both_over += 1
            continue
        if a > 1000:
            over1s.append(f"{short} ({a / 1000:.1f} s)")
        if b is not None:
            ratios_seen.append(a / b)
            if a > 2 * b:
                over2.append(f"{short} {a / b:.1f}x")
        elif theirs.get("over_limit_s") is None:
            missing.append(short)
    note = f"; {both_over} over the limit on both" if both_over else ""
    note += f"; not measured: {', '.join(missing)}" if missing else ""
    worst = f" (highest {max(ratios_seen):.2f}x)" if ratios_seen else ""
    add(
        "1m: median latency within 2x of Oxigraph for every catalogue query",
        False if over2 else (None if missing else True),
        (f"{len(over2)} over 2x: " + ", ".join(over2) if over2 else "all within 2x" + worst) + note,
    )
    add(
        "1m: no catalogue query over 1 s",
        False if over1s else (None if missing else True),
        (", ".join(over1s) or "none") + (f"; not measured: {', '.join(missing)}" if missing else ""),
    )


def print_targets(targets: list[dict[str, Any]]) -> str:
    """Print the targets table (markdown) and return it."""
    lines = ["", "## Targets (issues 8, 13 and 15)", "", "| target | status | figure |", "|---|---|---|"]
    for t in targets:
        status = {True: "met", False: "**missed**", None: "not measured"}[t["met"]]
        lines.append(f"| {t['target']} | {status} | {t['figure']} |")
    text = "\n".join(lines)
    print(text)
    return text
