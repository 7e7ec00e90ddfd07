"""Backends and replicas (issue 17): the same queries through itugraph over its embedded
store, over Oxigraph server and over Virtuoso (``serve --backend sparql``), next to both
stores answering directly; the publish time into each store; one vs two front ends behind
HAProxy.

Run ``python -m bench.backends [--root PROJECT] [--seconds S]`` (a checkout: the stores
are started by ``tests/stores.py``, on loopback, with temporary databases). Prints
Markdown tables; ``--json FILE`` keeps the figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import urllib.parse
import urllib.request
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from bench import queries as qset
from bench.load import LoadResult, run_load, run_sequential

if TYPE_CHECKING:
    from tests.stores import StoreServer

#: Catalogue queries without GRAPH patterns (the stores answering directly see the live
#: graphs as their default graph only) and one CONSTRUCT: cheap, middling and heavy ones.
DEFAULT_QUERIES = (
    "02-itu-units-at-any-depth",
    "05-itu-sdg-targets-by-goal",
    "19-wsis-sdg-matrix",
    "x-construct",
)


@dataclass
class Cell:
    target: str
    query: str
    c1_p50_ms: float | None
    c8_rps: float
    errors: int
    #: Rows (or triples) of one answer: the same on every target, or the cell is wrong.
    rows: int


@dataclass
class Figures:
    triples: int
    publish_s: dict[str, float] = field(default_factory=dict)
    cells: list[Cell] = field(default_factory=list)
    balancer_rps: dict[str, float] = field(default_factory=dict)
    balancer_query: str = ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.backends", description=__doc__)
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    parser.add_argument("--seconds", type=float, default=5.0, help="per c=8 cell (default 5)")
    parser.add_argument("--queries", nargs="*", default=list(DEFAULT_QUERIES))
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args(argv)
    figures = measure(args.root, args.queries, args.seconds)
    print(tables(figures))
    if args.json:
        args.json.write_text(json.dumps(asdict(figures), indent=2))
    return 0


def measure(root: Path, names: list[str], seconds: float) -> Figures:
    from itugraph.build import build
    from itugraph.project import Project
    from tests.helpers import live_server
    from tests.stores import store_server

    built = build(Project.at(root))
    manifest = built.manifest
    chosen = [_portable(q) for q in qset.load(Project.at(root).queries_dir)[0] if q.name in names]
    figures = Figures(manifest.asserted_triples + manifest.inferred_triples)
    with tempfile.TemporaryDirectory(prefix="bench-backends-") as tmp_name, ExitStack() as stack:
        tmp = Path(tmp_name)
        stores = {kind: stack.enter_context(store_server(kind, tmp)) for kind in ("oxigraph", "virtuoso")}
        for kind, store in stores.items():
            figures.publish_s[kind] = _publish(root, store)
        targets = {"itugraph, embedded": stack.enter_context(live_server(root, tmp)).url + "/sparql"}
        for kind, store in stores.items():
            front = stack.enter_context(live_server(root, tmp, env=_backend_env(store.query_url)))
            targets[f"itugraph → {kind}"] = front.url + "/sparql"
        for target, url in targets.items():
            for q in chosen:
                figures.cells.append(_cell(target, url, q, seconds))
        for kind, store in stores.items():
            graphs = _live_graphs(store.query_url)
            for q in chosen:
                direct = replace(q, text=_with_from(q.text, graphs))
                # Virtuoso 7.2 does not answer a POSTed application/sparql-query: a form.
                figures.cells.append(_cell(f"{kind}, directly", store.query_url, direct, seconds, form=True))
        # The balancer cell measures the front ends, so it takes the query they answer fastest.
        through = {c.query: c.c8_rps for c in figures.cells if c.target == "itugraph → oxigraph"}
        fastest = max(chosen, key=lambda q: through.get(q.name, 0.0))
        figures.balancer_query = fastest.name
        figures.balancer_rps = _balancer(root, tmp, stores["oxigraph"].query_url, fastest, seconds)
    return figures


def _publish(root: Path, store: StoreServer) -> float:
    from tests.helpers import run_cli

    started = time.monotonic()
    done = run_cli("--root", root, "publish", *store.publish_args(), "--grace", "0", env=store.env())
    if done.returncode != 0:
        raise SystemExit(f"publish failed:\n{done.stderr}")
    return round(time.monotonic() - started, 2)


def _backend_env(query_url: str, **extra: str) -> dict[str, str]:
    return {"ITUGRAPH_BACKEND": "sparql", "ITUGRAPH_QUERY_URL": query_url, **extra}


def _live_graphs(query_url: str) -> list[str]:
    """The store's live versioned graphs (what a front end queries)."""
    from itugraph.publication import read_publication
    from itugraph.sparql_client import ProtocolClient

    live = read_publication(ProtocolClient(query_url=query_url))
    assert live is not None
    return sorted(live.graphs.values())


def _portable(q: qset.BenchQuery) -> qset.BenchQuery:
    """``q`` with its per-request number bound inside the WHERE group: Virtuoso refuses the
    bench's usual trailing ``VALUES (?bench_n)`` (a variable the pattern does not use)."""
    from itugraph.sparql_text import where_brace

    text = q.text.split("\nVALUES (?bench_n)", 1)[0]
    brace = where_brace(text)
    assert brace is not None, q.name
    return replace(q, text=f"{text[: brace + 1]} BIND({qset.MARK} AS ?bench_n) {text[brace + 1 :]}")


def _with_from(text: str, graphs: list[str]) -> str:
    """``text`` reading ``graphs`` as its default graph (FROM before its WHERE group)."""
    from itugraph.sparql_text import where_brace

    brace = where_brace(text)
    assert brace is not None
    keyword = text.upper().rfind("WHERE", 0, brace)
    at = keyword if keyword >= 0 and not text[keyword + 5 : brace].strip() else brace
    clauses = " ".join(f"FROM <{g}>" for g in graphs)
    return f"{text[:at]}{clauses} {text[at:]}"


def _cell(target: str, url: str, q: qset.BenchQuery, seconds: float, *, form: bool = False) -> Cell:
    rows = _rows(url, q)
    sequential = run_sequential(url, q.text, q.accept, max_seconds=2.0, form=form)
    load: LoadResult = run_load(
        url, q.text, q.accept, concurrency=8, seconds=seconds, distinct=True, form=form
    )
    return Cell(target, q.name, sequential.p50_ms, load.rps, sequential.errors + load.errors, rows)


def _rows(url: str, q: qset.BenchQuery) -> int:
    body = urllib.parse.urlencode({"query": q.render(7)}).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Accept": q.accept}
    with urllib.request.urlopen(urllib.request.Request(url, data=body, headers=headers), timeout=60) as reply:
        return qset.count_results(reply.read(), q.form)


def _balancer(root: Path, tmp: Path, query_url: str, q: qset.BenchQuery, seconds: float) -> dict[str, float]:
    """c=8 throughput through HAProxy over one, then two front ends (one HTTP process each)."""
    from tests.helpers import live_server
    from tests.stores import haproxy

    env = _backend_env(query_url, ITUGRAPH_HTTP_WORKERS="1")
    out: dict[str, float] = {}
    with live_server(root, tmp, env=env) as first, live_server(root, tmp, env=env) as second:
        for label, fronts in (("1 front end", [first]), ("2 front ends", [first, second])):
            with haproxy(fronts, tmp) as url:
                out[label] = run_load(
                    url + "/sparql", q.text, q.accept, concurrency=8, seconds=seconds, distinct=True
                ).rps
    return out


def tables(figures: Figures) -> str:
    """The figures as Markdown: per target, c=1 median and c=8 throughput per query."""
    targets = list(dict.fromkeys(c.target for c in figures.cells))
    queries = list(dict.fromkeys(c.query for c in figures.cells))
    by = {(c.target, c.query): c for c in figures.cells}
    lines = [
        f"Graph: {figures.triples:,} triples (asserted + inferred). Publish: "
        + ", ".join(f"{k} {v:g} s" for k, v in figures.publish_s.items()),
        "",
        "| target | " + " | ".join(queries) + " | geometric mean c=8 |",
        "|---|" + "---|" * (len(queries) + 1),
    ]
    for target in targets:
        cells = [by[(target, q)] for q in queries]
        shown = [_shown(c) for c in cells]
        rates = [c.c8_rps for c in cells if c.c8_rps > 0]
        for cell in cells:
            expected = by[(targets[0], cell.query)].rows
            if cell.rows != expected:
                lines.append(f"<!-- {target} {cell.query}: {cell.rows} rows, not {expected} -->")
        mean = statistics.geometric_mean(rates) if rates else 0.0
        lines.append(f"| {target} | " + " | ".join(shown) + f" | {mean:,.0f} req/s |")
    rows = ", ".join(f"{q} {by[(targets[0], q)].rows}" for q in queries)
    lines += ["", f"c=1 median ms / c=8 requests per second (errors marked). Rows per answer: {rows}."]
    if figures.balancer_rps:
        lines += ["", f"| HAProxy, itugraph → oxigraph, c=8, {figures.balancer_query} | req/s |", "|---|---|"]
        lines += [f"| {label} | {rps:,.0f} |" for label, rps in figures.balancer_rps.items()]
    return "\n".join(lines)


def _shown(cell: Cell) -> str:
    p50 = f"{cell.c1_p50_ms:.1f} ms" if cell.c1_p50_ms is not None else "—"
    errors = f" ({cell.errors} errors)" if cell.errors else ""
    return f"{p50} / {cell.c8_rps:,.0f}{errors}"


if __name__ == "__main__":
    raise SystemExit(main())
