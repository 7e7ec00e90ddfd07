"""The run: every workload in turn within its window of the budget, then tables and targets.

The results file is rewritten after each workload, so an interrupted or partial run still
leaves its figures; every server and child is stopped on the way out (also on Ctrl-C and
SIGTERM). Everything binds to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import platform
import shutil
import signal
import time
from pathlib import Path
from typing import Any

from bench import BENCH, REPO, say, synth
from bench import load as loadgen
from bench import queries as qset
from bench.deref import deref_phase
from bench.http_phase import http_phase, scaling_phase
from bench.options import SHARES_S, Options
from bench.phases import (
    build_phase,
    closure_phases,
    export_phase,
    inprocess_latency,
    oxigraph_load_phase,
    parse_phases,
    prepare,
    validate_phase,
)
from bench.procs import kill_all, on_signal
from bench.ratios import ratios
from bench.records import WorkloadResult
from bench.tables import print_tables
from bench.targets import evaluate_targets, print_targets


class Laps:
    """Wall seconds of each step, so a full run's time can be read off any run."""

    def __init__(self, timeline: dict[str, float]) -> None:
        self._timeline = timeline
        self._clock = time.perf_counter()

    def __call__(self, step: str) -> None:
        now = time.perf_counter()
        self._timeline[step] = round(now - self._clock, 1)
        self._clock = now


def workload(name: str, opts: Options, query_set: list[qset.BenchQuery]) -> WorkloadResult:
    """Every phase of one workload, in the order that spends the budget best."""
    say(f"workload {name} (window {opts.left():.0f} s)")
    res = WorkloadResult()
    lap = Laps(res.timeline)
    root, res.info = prepare(name, opts)
    lap("prepare")
    logs = opts.work / "logs" / name
    logs.mkdir(parents=True, exist_ok=True)
    ph = res.phases
    size = synth.SIZES.get(name, 0)
    res.asserted_triples = parse_phases(ph, root, opts, logs, size)
    lap("parse")
    closure_phases(ph, root, opts, logs, size)
    lap("closure")
    build = build_phase(ph, root, opts, logs)
    if build is None:
        res.error = "no build: later phases skipped"
        return res
    lap("build_cold")
    validate_phase(ph, root, build, opts, logs, size)
    lap("validate")
    dump = export_phase(ph, name, root, opts, logs)
    lap("export")
    ox_dir = oxigraph_load_phase(ph, name, dump, opts, logs)
    lap("oxigraph_load")
    # HTTP before the in-process latency: the HTTP figures carry the targets, so they get
    # the time first; and a query itugraph stopped at its time limit need not be run again.
    res.http = http_phase(root, ox_dir, dump, opts, query_set, logs, size, lap)
    if name == opts.scaling_on:
        res.scaling = scaling_phase(root, ox_dir, dump, opts, query_set, logs, res.http)
        lap("scaling")
    if size <= opts.c8_max:
        res.deref = deref_phase(root, ox_dir, dump, opts, logs)
        lap("deref")
    res.inprocess = inprocess_latency(name, build.store, query_set, opts, logs, res.http)
    lap("inprocess")
    return res


def machine() -> dict[str, Any]:
    import importlib.metadata as md

    cpu = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = 0.0
    with contextlib.suppress(OSError):
        mem = int(Path("/proc/meminfo").read_text().split()[1]) / 2**20
    versions = {}
    for pkg in (
        "itugraph",
        "pyoxigraph",
        "oxigraph",
        "rdflib",
        "rdflib-endpoint",
        "owlrl",
        "pyshacl",
        "flask",
        "granian",
        "waitress",
        "uvicorn",
    ):
        with contextlib.suppress(md.PackageNotFoundError):
            versions[pkg] = md.version(pkg)
    summary = f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GB RAM, Python {platform.python_version()}"
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "mem_gb": round(mem, 1),
        "python": platform.python_version(),
        "versions": versions,
        "load_tool": "wrk" if loadgen.have_wrk() else "python",
        "summary": summary,
    }


def _measured(
    name: str, opts: Options, query_set: list[qset.BenchQuery], catalogue: set[str]
) -> WorkloadResult:
    """One workload with its wall time and ratios; an exception is its only result."""
    started = time.perf_counter()
    try:
        res = workload(name, opts, query_set)
    except Exception as exc:
        res = WorkloadResult(error=f"{type(exc).__name__}: {exc}", crashed=True)
    res.wall_s = round(time.perf_counter() - started, 1)
    res.ratios = ratios(res, catalogue)
    return res


def _write(path: Path, results: dict[str, Any]) -> None:
    path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")


def run(opts: Options, args: dict[str, Any], out: Path | None, remove_work: bool) -> int:
    """The whole suite; ``args`` as given (written to the results), ``out`` the JSON file."""
    signal.signal(signal.SIGTERM, on_signal)
    query_set, notes = qset.load(REPO / "queries")
    catalogue = {q.name for q in query_set if q.kind == "catalogue"}
    date = dt.date.today().isoformat()
    results: dict[str, Any] = {
        "date": date,
        "started": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": machine(),
        "args": args,
        "caps_s": dataclasses.asdict(opts.caps),
        "queries": {q.name: {"kind": q.kind, "text": q.text} for q in query_set},
        "query_notes": notes,
        "workloads": {},
    }
    say(f"{len(query_set)} queries ({len(catalogue)} from the catalogue); scratch {opts.work}")
    out_path = out or BENCH / "results" / f"{date}.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        plan = ", ".join(f"{n} {SHARES_S.get(n, 300.0):.0f} s" for n in opts.sizes)
        say(f"budget {opts.budget:.0f} s; shares: {plan}")
        for name in opts.sizes:
            opts.open_window(name)
            if opts.left() < 120:
                results["workloads"][name] = WorkloadResult(skipped="global time budget spent").to_dict()
                continue
            results["workloads"][name] = _measured(name, opts, query_set, catalogue).to_dict()
            _write(out_path, results)
    except KeyboardInterrupt:
        say("interrupted: stopping servers")
        results["interrupted"] = True
    finally:
        kill_all()
        results["total_s"] = round(time.perf_counter() - opts.started, 1)
        _write(out_path, results)
        if remove_work:
            shutil.rmtree(opts.work, ignore_errors=True)
    results["table"] = print_tables(results)
    results["targets"] = evaluate_targets(results)
    results["table"] += "\n" + print_targets(results["targets"])
    _write(out_path, results)
    say(f"wrote {out_path} in {results['total_s']} s")
    return 130 if results.get("interrupted") else 0
