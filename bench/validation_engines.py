"""Both validation engines side by side: the real graph and synthetic 10k/100k/1M graphs.

``python -m bench.validation_engines [--sizes 10k,100k,1m] [--pyshacl-timeout 180]``
prints one row per workload and engine: asserted triples, seconds for
``validate_files`` end to end (parse, shapes check, validation, source index), results
and peak RSS. Each run is its own process (so RSS is its own), and pyshacl is stopped
after ``--pyshacl-timeout`` seconds (it grows superlinearly; the row then says so).
Synthetic projects come from ``bench.synth`` (written once under ``--work``).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import time
from pathlib import Path

from bench import REPO, synth
from itugraph.project import Project
from itugraph.validation import validate_project

Row = dict[str, object]


def _measure(root: str, engine: str, queue: mp.Queue) -> None:
    """Child process: validate once and report time, counts and peak RSS."""
    started = time.perf_counter()
    report = validate_project(Project.at(Path(root)), engine=engine)
    queue.put(
        {
            "seconds": time.perf_counter() - started,
            "triples": report.triple_count,
            "results": len(report.results),
            "fallback": report.fallback_shapes,
            "rss_mb": peak_rss_mb(),
        }
    )


def peak_rss_mb() -> float:
    """This process's peak RSS (VmHWM: unlike ru_maxrss it is not inherited across exec)."""
    for line in Path("/proc/self/status").read_text(encoding="utf-8").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(root: Path, engine: str, timeout: float) -> Row:
    """One engine on one project in a fresh process, or a timeout row."""
    context = mp.get_context("spawn")
    queue: mp.Queue = context.Queue()
    process = context.Process(target=_measure, args=(str(root), engine, queue))
    process.start()
    process.join(timeout)
    if process.is_alive():
        process.terminate()
        process.join()
        return {"seconds": None, "note": f"stopped after {timeout:.0f} s"}
    return queue.get() if not queue.empty() else {"seconds": None, "note": "failed"}


def workloads(sizes: list[str], work: Path) -> list[tuple[str, Path]]:
    """The real graph first, then each synthetic size (generated when missing)."""
    found = [("real graph", REPO)]
    for name in sizes:
        root = work / f"itu-{name}"
        if not (root / "manifest.json").is_file():
            synth.write_project(root, synth.SIZES[name])
        found.append((f"synthetic {name}", root))
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10k,100k,1m")
    parser.add_argument("--pyshacl-timeout", type=float, default=180.0)
    parser.add_argument(
        "--pyshacl-max", default="100k", help="largest synthetic size pyshacl is tried on (1m never finishes)"
    )
    parser.add_argument("--work", type=Path, default=Path("/tmp/itugraph-bench"))
    args = parser.parse_args(argv)
    sizes = [s for s in args.sizes.split(",") if s]
    order = list(synth.SIZES)
    print(
        f"{'workload':<16} {'engine':<8} {'triples':>9} {'seconds':>9} {'results':>8} "
        f"{'peak RSS MB':>12}  note"
    )
    for label, root in workloads(sizes, args.work):
        for engine in ("sparql", "pyshacl"):
            size = label.removeprefix("synthetic ")
            if engine == "pyshacl" and size in order and order.index(size) > order.index(args.pyshacl_max):
                print(f"{label:<16} {engine:<8} {'':>9} {'':>9} {'':>8} {'':>12}  not run")
                continue
            row = measure(root, engine, args.pyshacl_timeout if engine == "pyshacl" else 3600)
            _print(label, engine, row)
    return 0


def _print(label: str, engine: str, row: Row) -> None:
    if row.get("seconds") is None:
        print(f"{label:<16} {engine:<8} {'':>9} {'':>9} {'':>8} {'':>12}  {row.get('note')}")
        return
    note = f"fallback: {row['fallback']}" if row.get("fallback") else ""
    print(
        f"{label:<16} {engine:<8} {row['triples']:>9,} {row['seconds']:>9.1f} "
        f"{row['results']:>8} {row['rss_mb']:>12,.0f}  {note}",
        flush=True,
    )


if __name__ == "__main__":
    raise SystemExit(main())
