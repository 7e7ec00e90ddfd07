"""``python -m bench``: the arguments of a run, and ``report`` on saved results.

python -m bench [--quick] [--sizes real,10k,100k,1m] [--budget S] …   # a run
python -m bench report FILE [FILE…]    # the tables and targets of saved results
python -m bench _parse|_closure|_latency …   # a child phase (``bench.child``)
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from bench import suite
from bench.child import child_main
from bench.options import Caps, Options
from bench.tables import print_tables
from bench.targets import evaluate_targets, print_targets


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description="itugraph benchmark suite")
    parser.add_argument("--quick", action="store_true", help="skip the 1M-triple workload")
    parser.add_argument("--sizes", help="comma-separated workloads (real,10k,100k,1m)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--http-seconds", type=int, default=1, help="seconds per HTTP load cell")
    parser.add_argument(
        "--owlrl-max", type=int, default=10_000, help="largest generated size the owlrl closure runs on"
    )
    parser.add_argument(
        "--rdflib-max",
        type=int,
        default=10_000,
        help="largest generated size rdflib parse and rdflib-endpoint run on",
    )
    parser.add_argument(
        "--validate-max",
        type=int,
        default=100_000,
        help="largest generated size the separate, itemised `validate` phase runs "
        "on; above it the validate row is the cold build's SHACL step",
    )
    parser.add_argument(
        "--closure-max",
        type=int,
        default=100_000,
        help="largest generated size the native closure runs on its own; above it "
        "the row is the cold build's infer step",
    )
    parser.add_argument(
        "--c8-max",
        type=int,
        default=100_000,
        help="largest generated size with c=8 throughput cells (c=1 only above)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        default=19 * 60,
        help="whole-run time budget (s), shared out per workload (SHARES_S)",
    )
    parser.add_argument(
        "--scaling-on", default="10k", help="workload whose servers are also measured pinned to 1 and 2 cores"
    )
    parser.add_argument("--out", type=Path, help="JSON output (default bench/results/<date>.json)")
    return parser


def report(paths: list[Path]) -> int:
    """Merge the workloads of several result files (later ones win) and print the tables."""
    merged: dict[str, Any] = {}
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        workloads = {**merged.get("workloads", {}), **data.get("workloads", {})}
        merged = {**merged, **data, "workloads": workloads}
    merged["table"] = print_tables(merged)
    merged["targets"] = evaluate_targets(merged)
    merged["table"] += "\n" + print_targets(merged["targets"])
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0].startswith("_"):
        return child_main(argv)
    if argv and argv[0] == "report":
        return report([Path(p) for p in argv[1:]])
    args = parser().parse_args(argv)
    sizes = args.sizes.split(",") if args.sizes else ["real", "10k", "100k"] + ([] if args.quick else ["1m"])
    work = args.work or Path(tempfile.mkdtemp(prefix="itugraph-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    opts = Options(
        work=work,
        sizes=sizes,
        owlrl_max=args.owlrl_max,
        rdflib_max=args.rdflib_max,
        validate_max=args.validate_max,
        closure_max=args.closure_max,
        c8_max=args.c8_max,
        http_seconds=args.http_seconds,
        budget=args.budget,
        caps=Caps(),
        scaling_on=args.scaling_on,
    )
    return suite.run(
        opts, vars(args) | {"work": str(work)}, args.out, remove_work=not args.keep and args.work is None
    )
