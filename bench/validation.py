"""Time `itugraph validate` on the full graph (data + SDG KOS + ontology).

Usage: python -m bench.validation [--root DIR] [--repeat N]

Prints the phases (parse, shapes check, pyshacl, source index) of one run and the
best/median wall time of N full runs, so the figure in docs/validation.md can be
re-measured on any machine.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from itugraph.load import load_triples
from itugraph.project import Project
from itugraph.validation import SourceIndex, load_shapes, validate_project
from itugraph.validation.engine import run_pyshacl
from itugraph.validation.graphs import graph_of


def phases(project: Project) -> dict[str, float]:
    """Seconds spent in each phase of one validation."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data = graph_of(load_triples(project.ontology_files() + project.data_files()))
    timings["parse data + ontology"] = time.perf_counter() - started
    started = time.perf_counter()
    shapes = load_shapes(project.shapes_files())
    timings["load + check shapes (SHACL-for-SHACL)"] = time.perf_counter() - started
    started = time.perf_counter()
    run_pyshacl(data, shapes)
    timings["pyshacl"] = time.perf_counter() - started
    started = time.perf_counter()
    SourceIndex.build(project.data_files())
    timings["source index"] = time.perf_counter() - started
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    project = Project.at(args.root)
    for name, seconds in phases(project).items():
        print(f"{name:40s} {seconds:6.2f} s")
    runs = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        report = validate_project(project)
        runs.append(time.perf_counter() - started)
    print(
        f"files: {len(report.data_files)} data, triples: {report.triple_count:,}, "
        f"shapes: {report.shape_count}, results: {len(report.results)}"
    )
    print(
        f"validate_project: best {min(runs):.2f} s, median {statistics.median(runs):.2f} s "
        f"over {len(runs)} runs"
    )


if __name__ == "__main__":
    main()
