"""The markdown tables of a run, from its results (the JSON shape, so old files print too)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench import load as loadgen
from bench.ratios import SLOW_MS, geomean
from bench.servers import ITUGRAPH_TIMEOUT_S, SERVERS

Write = Callable[[str], None]

PHASE_ROWS = (
    "parse_pyoxigraph",
    "parse_rdflib",
    "closure_native",
    "closure_owlrl",
    "validate",
    "build_cold",
    "export",
    "oxigraph_load",
)


def fmt(v: Any, digits: int = 1) -> str:
    if v is None:
        return "–"
    if isinstance(v, float):
        return f"{v:,.{digits}f}"
    return str(v)


def _has_c8(res: dict[str, Any]) -> bool:
    """Whether a workload's HTTP phase measured c=8 (off above --c8-max: c=1 only)."""
    http = res.get("http", {})
    if "levels" in http:
        return 8 in http["levels"]
    return any("c8" in cell for cells in http.get("queries", {}).values() for cell in cells.values())


def _c1_text(cell: dict[str, Any]) -> str:
    """A c=1 median for the tables: the figure, or why there is none."""
    p50 = cell.get("c1", {}).get("p50_ms")
    if p50 is not None:
        return fmt(float(p50), 2)
    if cell.get("limit") == "server":
        return f"> {cell['over_limit_s']:g} s (its limit)"
    if cell.get("limit") == "client":
        return f"> {cell['over_limit_s']:g} s (client timeout)"
    return (cell.get("error") or cell.get("skipped") or cell.get("c1", {}).get("skipped") or "–")[:40]


def _c1_tail(cell: dict[str, Any]) -> str:
    e = cell.get("c1", {})
    if e.get("p99_ms") is not None:
        return fmt(float(e["p99_ms"]), 2)
    if e.get("max_ms") is not None:
        return f"max {fmt(float(e['max_ms']), 2)}"
    return "–"


def _rows_text(cells: list[dict[str, Any]]) -> str:
    """The row counts of one query's cells: one figure, or each with MISMATCH."""
    rows = {c["rows"] for c in cells if c.get("rows") is not None}
    return "/".join(map(str, sorted(rows))) + (" MISMATCH" if len(rows) > 1 else "")


def _phase_note(key: str, e: dict[str, Any]) -> str:
    note: str = e.get("skipped") or e.get("error") or ""
    if key == "validate" and e.get("from_build"):
        note = "0 violations: the cold build's SHACL step (not run twice; warnings not itemised at this size)"
    elif key == "validate" and "violations" in e:
        note = f"{e['violations']} violations, {e.get('warnings', 0)} warnings " + ", ".join(
            f"{k}×{v}" for k, v in sorted(e.get("by_shape", {}).items())
        )
    if key == "build_cold" and "wall_s" in e and not note:
        note = (
            "full build: parse + SHACL + closure + store"
            if e.get("validated")
            else "parse + closure + store (no validation)"
        )
    if key.startswith("closure") and "inferred" in e:
        note = f"{e['inferred']} inferred, {e['inconsistencies']} inconsistencies"
        if e.get("from_build"):
            note += " (the cold build's infer step: not run twice)"
    return note


def _phase_table(w: Write, ph: dict[str, Any]) -> None:
    w("| phase | seconds | peak RSS MB | note |")
    w("|---|---:|---:|---|")
    for key in PHASE_ROWS:
        e = ph.get(key, {})
        secs = e.get("seconds", e.get("wall_s"))
        w(f"| {key} | {fmt(secs, 2)} | {fmt(e.get('peak_rss_mb'))} | {_phase_note(key, e)[:160]} |")
    if "build_full_estimate_s" in ph:
        w(f"| full build (cold build + validation) | {fmt(ph['build_full_estimate_s'], 2)} | | |")


def _server_table(w: Write, servers: dict[str, Any]) -> None:
    w("| server | warm start s | peak RSS MB | note |")
    w("|---|---:|---:|---|")
    for s in SERVERS:
        e = servers.get(s, {})
        w(
            f"| {s} | {fmt(e.get('warm_start_s'), 2)} | {fmt(e.get('peak_rss_mb'))} | "
            f"{e.get('skipped') or e.get('error') or ''} |"
        )


def _c8_text(cell: dict[str, Any]) -> str:
    e = cell.get("c8", {})
    if "rps" not in e:
        return cell.get("error", "–")[:30] if "error" in cell else "–"
    return f"{fmt(e['rps'])}" + (f" ({fmt(e.get('p99_ms'))})" if e.get("p99_ms") else "")


def _c8_ratio(a: dict[str, Any], b: dict[str, Any]) -> str:
    x, y = a.get("c8", {}).get("rps"), b.get("c8", {}).get("rps")
    return f"{x / y:.2f}" if x and y else "–"


def _query_table(w: Write, res: dict[str, Any]) -> None:
    """The per-query table of a workload measured at c=1 and c=8, with the ratio summary."""
    queries = res.get("http", {}).get("queries", {})
    inproc = res.get("inprocess", {})
    w("")
    overhead = res.get("ratios", {}).get("overhead_ms", {})
    w(
        "| query | rows | in-proc med/p99 ms | itugraph c1 p50 | overhead ms | "
        "oxigraph c1 p50 | itugraph c8 req/s (p99 ms) | oxigraph c8 req/s (p99 ms) | "
        "rdflib-ep c8 req/s | itu/oxi | itu/rdflib | itugraph cached c8 req/s |"
    )
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for qname, cells in queries.items():
        itu, oxi, rdf = (cells.get(s, {}) for s in SERVERS)
        ip = inproc.get(qname, {})
        rows_txt = _rows_text([cells.get(s, {}) for s in SERVERS])
        w(
            f"| {qname} | {rows_txt} | {fmt(ip.get('median_ms'), 2)}/{fmt(ip.get('p99_ms'), 2)} | "
            f"{fmt(itu.get('c1', {}).get('p50_ms'), 2)} | {fmt(overhead.get(qname), 2)} | "
            f"{fmt(oxi.get('c1', {}).get('p50_ms'), 2)} | "
            f"{_c8_text(itu)} | {_c8_text(oxi)} | {_c8_text(rdf)} | {_c8_ratio(itu, oxi)} | "
            f"{_c8_ratio(itu, rdf)} | {fmt(itu.get('c8_cached', {}).get('rps'))} |"
        )
    rat = res.get("ratios", {})
    w("")
    for peer in ("oxigraph", "rdflib-endpoint"):
        e = rat.get(peer, {})
        w(
            f"- itugraph/{peer}, c=8 distinct queries, geometric mean: catalogue "
            f"{fmt(e.get('geomean_c8_throughput_catalogue'), 2)}, all queries "
            f"{fmt(e.get('geomean_c8_throughput_all'), 2)}, queries where Oxigraph "
            f"spends {SLOW_MS:g} ms or more {fmt(e.get('geomean_c8_throughput_slow'), 2)}"
        )
    w(
        f"- per-request overhead (itugraph c=1 median minus in-process median), median "
        f"over the catalogue: {fmt(rat.get('median_overhead_ms_catalogue'), 3)} ms"
    )


def _latency_table(w: Write, name: str, res: dict[str, Any]) -> None:
    """The c=1 per-query latency table of a workload measured at c=1 only (1M)."""
    queries = res.get("http", {}).get("queries", {})
    inproc = res.get("inprocess", {})
    w("")
    w(f"### {name}: per-query latency (HTTP, concurrency 1, distinct requests)")
    w("")
    w(
        f"itugraph's query time limit is {ITUGRAPH_TIMEOUT_S:g} s (503 QUERY_TIMEOUT); Oxigraph has "
        "none, so the client gives up at its timeout and the server is restarted. The tail is "
        f"the p99 from {loadgen.P99_MIN_SAMPLES} samples on, else the slowest answer."
    )
    w("")
    w(
        "| query | rows | in-process median ms | itugraph c1 p50 ms | itugraph tail ms | "
        "oxigraph c1 p50 ms | oxigraph tail ms | itu/oxi | samples itu/oxi |"
    )
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for qname, cells in queries.items():
        itu, oxi = cells.get("itugraph", {}), cells.get("oxigraph", {})
        rows_txt = _rows_text([itu, oxi])
        ip = inproc.get(qname, {})
        ip_txt = (
            fmt(ip["median_ms"], 2)
            if "median_ms" in ip
            else (ip.get("error") or ip.get("skipped") or "–")[:40]
        )
        a, b = itu.get("c1", {}).get("p50_ms"), oxi.get("c1", {}).get("p50_ms")
        ratio = f"{a / b:.2f}" if a and b else "–"
        n = "/".join(
            str(c.get("c1", {}).get("requests", 0) - c.get("c1", {}).get("errors", 0)) if "c1" in c else "–"
            for c in (itu, oxi)
        )
        w(
            f"| {qname} | {rows_txt} | {ip_txt} | {_c1_text(itu)} | {_c1_tail(itu)} | "
            f"{_c1_text(oxi)} | {_c1_tail(oxi)} | {ratio} | {n} |"
        )
    lat = res.get("ratios", {}).get("oxigraph", {}).get("c1_median_latency_ratio", {})
    if lat:
        w("")
        w(
            f"- itugraph/oxigraph c=1 median latency, geometric mean over the {len(lat)} queries "
            f"both answered: {fmt(geomean(list(lat.values())), 2)}"
        )


def _scaling_table(w: Write, name: str, scaling: dict[str, Any]) -> None:
    one, two = scaling["cores"]
    w("")
    w(f"### {name}: c=8 distinct req/s with the server pinned to cores {one} vs {two} (taskset)")
    w("")
    w(
        "| query | itugraph 1 core | itugraph 2 cores | itugraph x | oxigraph 1 core | "
        "oxigraph 2 cores | oxigraph x | itu/oxi 1 core | itu/oxi 2 cores |"
    )
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    gains: dict[str, list[float]] = {"itugraph": [], "oxigraph": []}
    for qname, cell in scaling["queries"].items():
        figures = []
        for server in ("itugraph", "oxigraph"):
            a, b = cell.get(f"{server}@{one}"), cell.get(f"{server}@{two}")
            if a and b:
                gains[server].append(b / a)
            figures += [fmt(a), fmt(b), f"{b / a:.2f}" if a and b else "–"]
        per_core = []
        for c in (one, two):
            mine, theirs = cell.get(f"itugraph@{c}"), cell.get(f"oxigraph@{c}")
            per_core.append(f"{mine / theirs:.2f}" if mine and theirs else "–")
        w(f"| {qname} | {' | '.join(figures)} | {' | '.join(per_core)} |")
    w("")
    w(
        "- 2 cores / 1 core, geometric mean: "
        + ", ".join(f"{server} {fmt(geomean(v), 2)}" for server, v in gains.items())
    )


def _deref_line(w: Write, name: str, deref: dict[str, Any]) -> None:
    w("")
    if "skipped" in deref:
        w(f"- {name}: dereferencing not measured ({deref['skipped']})")
        return
    itu, oxi = deref.get("itugraph", {}), deref.get("oxigraph", {})
    w(
        f"- {name}: dereferencing {deref.get('resources')} resources (text/turtle, c=8, warm): "
        f"itugraph GET /id/… {fmt(itu.get('rps'))} req/s (p99 {fmt(itu.get('p99_ms'), 2)} ms), "
        f"Oxigraph DESCRIBE {fmt(oxi.get('rps'))} req/s (p99 {fmt(oxi.get('p99_ms'), 2)} ms): "
        f"{fmt(deref.get('ratio'), 2)}x; first pass (one render each) "
        f"{fmt(deref.get('itugraph_first_pass_s'), 2)} s"
        + _nginx_part(deref)
        + "".join(f"; {k}: {v}" for k, v in deref.items() if k.endswith("_error"))
    )


def _nginx_part(deref: dict[str, Any]) -> str:
    """The figure of itugraph behind its documented nginx cache, where it was measured."""
    proxied = deref.get("itugraph-nginx")
    if not proxied:
        return ""
    return (
        f"; behind nginx's cache (docs/deploy/nginx-cache.conf) {fmt(proxied.get('rps'))} req/s "
        f"(p99 {fmt(proxied.get('p99_ms'), 2)} ms): {fmt(deref.get('ratio_nginx'), 2)}x"
    )


def _workload_tables(w: Write, name: str, res: dict[str, Any]) -> None:
    ph = res.get("phases", {})
    w("")
    w(
        f"## {name}: {fmt(res.get('asserted_triples'))} asserted triples, "
        f"{fmt(ph.get('build_cold', {}).get('inferred_triples'))} inferred"
    )
    w("")
    _phase_table(w, ph)
    w("")
    _server_table(w, res.get("http", {}).get("servers", {}))
    queries = res.get("http", {}).get("queries", {})
    if queries and not _has_c8(res):
        _latency_table(w, name, res)
    elif queries:
        _query_table(w, res)
    if res.get("scaling", {}).get("queries"):
        _scaling_table(w, name, res["scaling"])
    if res.get("deref"):
        _deref_line(w, name, res["deref"])
    if res.get("timeline"):
        total = res.get("wall_s", sum(res["timeline"].values()))
        w("")
        w(
            f"Wall time {fmt(float(total), 0)} s: "
            + ", ".join(f"{k} {fmt(float(v), 0)}" for k, v in res["timeline"].items() if v >= 1)
        )


def print_tables(results: dict[str, Any]) -> str:
    """Print the run's tables (markdown) and return them."""
    lines: list[str] = []
    w = lines.append
    w(f"# itugraph benchmark — {results['date']} — {results['machine']['summary']}")
    for name, res in results["workloads"].items():
        _workload_tables(w, name, res)
    text = "\n".join(lines)
    print(text)
    return text
