"""Closure time and peak memory per reasoning engine, on the real graph and synthetic ones.

    .venv/bin/python -m bench.closure            # real graph, ~10k, ~100k
    .venv/bin/python -m bench.closure --full     # … and ~1M asserted triples

Each (workload, engine) pair runs in a fresh process so peak RSS is its own. owlrl is
skipped above ``--owlrl-limit`` asserted triples (default 15 000: it needs ~20 s at 12k
and minutes beyond). Prints a table; writes JSON to ``bench/results/`` (git-ignored).
The synthetic graphs are the suite's ITU-shaped ones (``bench.synth``, seed 42) plus
the real ontology and the SDG KOS, as ``make bench`` builds them.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import REPO as ROOT
from bench import synth

#: Workload name → number of generated synthetic triples, or 0 = the real graph.
WORKLOADS = {"real": 0, "synth-10k": 10_000, "synth-100k": 100_000, "synth-1M": 1_000_000}


def load(workload: str) -> list[Any]:
    """The asserted triples of a workload."""
    import pyoxigraph as ox

    from itugraph.load import load_triples
    from itugraph.project import Project

    project = Project.at(ROOT)
    if WORKLOADS[workload] == 0:
        return load_triples(project.asserted_files())
    kos = ROOT / "graph" / "sdg" / "sdg-kos-goals-targets-indicators.ttl"
    lines = "\n".join(synth.generate(WORKLOADS[workload]))
    generated = [(q.subject, q.predicate, q.object) for q in ox.parse(lines, format=ox.RdfFormat.N_TRIPLES)]
    return load_triples([*project.ontology_files(), kos]) + generated


def measure(workload: str, engine: str) -> dict[str, object]:
    """Run one closure in this process and report its figures."""
    from itugraph.reasoning import Derivations, infer

    triples = load(workload)
    start = time.perf_counter()
    closure = infer(triples, engine=engine)
    seconds = time.perf_counter() - start
    row: dict[str, object] = {
        "workload": workload,
        "engine": engine,
        "asserted": len(triples),
        "inferred": len(closure.inferred),
        "inconsistencies": len(closure.inconsistencies),
        "closure_s": round(seconds, 2),
    }
    if closure.derivations is not None:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "derivations.bin"
            t0 = time.perf_counter()
            closure.derivations.save(path)
            t1 = time.perf_counter()
            Derivations.load(path)
            row |= {
                "save_s": round(t1 - t0, 2),
                "load_s": round(time.perf_counter() - t1, 2),
                "file_mb": round(path.stat().st_size / 2**20, 1),
            }
    row["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    return row


def run_child(workload: str, engine: str) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-m", "bench.closure", "--one", workload, engine],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if out.returncode != 0:
        return {"workload": workload, "engine": engine, "error": out.stderr.strip()[-300:]}
    row: dict[str, object] = json.loads(out.stdout.strip().splitlines()[-1])
    return row


def table(rows: list[dict[str, object]]) -> str:
    cols = [
        "workload",
        "engine",
        "asserted",
        "inferred",
        "closure_s",
        "peak_mb",
        "save_s",
        "load_s",
        "file_mb",
        "inconsistencies",
    ]
    lines = [" | ".join(cols), " | ".join("---" for _ in cols)]
    lines += [
        " | ".join(str(r.get(c, r.get("error", "-") if c == "closure_s" else "-")) for c in cols)
        for r in rows
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--full", action="store_true", help="include the ~1M-triple graph")
    parser.add_argument("--owlrl-limit", type=int, default=15_000)
    parser.add_argument("--one", nargs=2, metavar=("WORKLOAD", "ENGINE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(*args.one)))
        return
    rows = []
    for workload, units in WORKLOADS.items():
        if workload == "synth-1M" and not args.full:
            continue
        rows.append(run_child(workload, "native"))
        size = rows[-1].get("asserted", 0)
        if units * 7 <= args.owlrl_limit and int(size) <= args.owlrl_limit:  # type: ignore[call-overload]
            rows.append(run_child(workload, "owlrl"))
        print(table(rows[-2:] if rows[-1]["engine"] == "owlrl" else rows[-1:]).splitlines()[-1], flush=True)
    print(table(rows))
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (results / f"closure-{stamp}.json").write_text(
        json.dumps(
            {"machine": platform.platform(), "python": platform.python_version(), "rows": rows}, indent=2
        )
    )


if __name__ == "__main__":
    main()
