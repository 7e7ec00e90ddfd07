"""Conformance figures: the W3C SHACL test suite per engine, and pySHACL alone for comparison.

``python -m bench.w3c_shacl`` runs every ``sht:Validate`` entry of ``tests/w3c_shacl/``
three ways and prints how many pass and which fail:

* ``cli:sparql`` and ``cli:pyshacl``: ``itugraph --root R validate --format json
  [--engine pyshacl]`` in this process (:func:`itugraph.cli.main`), the entry written as a
  project (``tests/validation/w3c_suite.py``), compared as the test suite compares it;
* ``pyshacl-direct``: ``pyshacl.validate`` on the entry's data and shapes files parsed by
  rdflib (``advanced=True``), its report compared the same way; an exception counts as a
  pass exactly for the entries that expect ``sht:Failure``.

The figures go to ``docs/validation.md`` (Conformance); the tests assert the same verdicts
entry by entry.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
import warnings
from pathlib import Path

import pyshacl
from rdflib import Graph

from itugraph.validation.engine import raw_results
from tests.helpers import run_main
from tests.validation import w3c_suite
from tests.validation.w3c_suite import SuiteEntry

MODES = ("cli:sparql", "cli:pyshacl", "pyshacl-direct")


def verdict(mode: str, entry: SuiteEntry, work: Path) -> str | None:
    """None when ``entry`` passes in ``mode``, else what went wrong (one line)."""
    root = w3c_suite.write_project(entry, work)
    if mode == "pyshacl-direct":
        return _direct(entry, root)
    run = run_main("--root", root, "validate", "--format", "json", "--engine", mode.split(":")[1])
    try:
        document = json.loads(run.stdout)
    except ValueError:
        return f"exit {run.returncode}, no JSON: {run.stderr.strip()[:120]}"
    if entry.failure:
        return None if run.returncode == 2 else f"exit {run.returncode}, expected a failure (2)"
    if "error" in document:
        return f"exit {run.returncode}: {document['error']['message'][:120]}"
    want = w3c_suite.expected(entry, entry.project_data(root))
    problems = w3c_suite.differences(document, want, w3c_suite.shape_ids(entry.shapes))
    return "; ".join(problems)[:200] or None


def _direct(entry: SuiteEntry, root: Path) -> str | None:
    data = Graph().parse(entry.project_data(root), format="turtle")
    shapes = Graph().parse(root / "shapes" / entry.shapes.name, format="turtle")
    try:
        conforms, report, _text = pyshacl.validate(data, shacl_graph=shapes, advanced=True)
    except Exception as exc:
        return None if entry.failure else f"{type(exc).__name__}: {str(exc)[:120]}"
    if entry.failure:
        return "validated, expected a failure"
    assert isinstance(report, Graph)
    results = [
        {
            "focus_node": r.focus_node,
            "constraint": r.constraint,
            "severity": r.severity,
            "value": r.value,
            "path": r.path,
            "shape_id": w3c_suite.local_name(r.shape),
        }
        for r in raw_results(report, shapes)
    ]
    document: dict[str, object] = {"conforms": bool(conforms), "results": results}
    want = w3c_suite.expected(entry, entry.project_data(root))
    return "; ".join(w3c_suite.differences(document, want, w3c_suite.shape_ids(entry.shapes)))[:200] or None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--modes", default=",".join(MODES), help=f"comma-separated, of {', '.join(MODES)}")
    args = parser.parse_args()
    warnings.simplefilter("ignore")  # rdflib warns about the suite's ill-typed literals
    entries = w3c_suite.entries()
    for mode in args.modes.split(","):
        started = time.perf_counter()
        failures = {}
        for entry in entries:
            with tempfile.TemporaryDirectory() as work:
                problem = verdict(mode, entry, Path(work) / "project")
            if problem is not None:
                failures[entry.id] = problem
        seconds = time.perf_counter() - started
        print(f"{mode}: {len(entries) - len(failures)} of {len(entries)} pass ({seconds:.1f} s)")
        for entry_id, problem in sorted(failures.items()):
            print(f"  {entry_id}: {problem}")


if __name__ == "__main__":
    main()
