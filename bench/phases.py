"""A workload's phases before HTTP, and the in-process latency after it.

Each phase runs in a child process with its own cap (``bench.procs.timed``) and adds its
entry to the workload's ``phases``. The cold build runs first and once: above
``--closure-max`` and ``--validate-max`` the closure and validation rows are its own step
timings (the same code on the same triples), below them ``itugraph validate`` runs on the
cached build, so its wall time is validation alone.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import REPO, say, synth
from bench import queries as qset
from bench.options import Options
from bench.procs import BIN, PY, Timed, module_cmd, timed
from bench.records import HttpResult, cell_of
from itugraph.build import BuildManifest

Phases = dict[str, dict[str, Any]]


def prepare(name: str, opts: Options) -> tuple[Path, dict[str, Any]]:
    """The workload's project folder (the repository's graph, or a synthetic one) and its info."""
    root = opts.work / name
    if name == "real":
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        for folder in ("ontology", "graph", "shapes", "queries"):
            if (REPO / folder).is_dir():
                shutil.copytree(REPO / folder, root / folder)
        return root, {"kind": "real"}
    triples = synth.SIZES[name]
    manifest = synth.write_project(root, triples)
    return root, {"kind": "synthetic", **manifest}


def run_phase(
    label: str, cmd: list[str], cap: float, log: Path, *, accept_rc: bool = False, **kw: Any
) -> dict[str, Any]:
    """Run a command as a phase: wall time and peak RSS, or why it failed."""
    say(f"  {label} (cap {cap:g} s)")
    result = timed(cmd, cap=cap, log=log, **kw)
    entry: dict[str, Any] = {"wall_s": result.seconds, "peak_rss_mb": result.max_rss_mb}
    if result.rc is None:
        entry["error"] = f"stopped at the {cap:g} s cap"
    elif result.rc != 0 and not (accept_rc and result.rc == 1):
        entry["error"] = f"exit {result.rc}: {log.read_text(errors='replace')[-400:]}"
    return entry


def phase_result(t: Timed, cap: float) -> dict[str, Any]:
    """A ``bench.child`` phase's entry: its JSON line with wall time and peak RSS."""
    if t.rc is None:
        return {"error": f"stopped at the {cap:g} s cap", "wall_s": t.seconds}
    if t.rc != 0:
        return {"error": f"exit {t.rc}", "wall_s": t.seconds}
    return {**t.json(), "wall_s": t.seconds, "peak_rss_mb": t.max_rss_mb}


def parse_phases(ph: Phases, root: Path, opts: Options, logs: Path, size: int) -> int | None:
    """Parse time per engine; returns the asserted triple count (pyoxigraph's)."""
    cap = opts.caps.parse
    for engine in ("pyoxigraph", "rdflib"):
        if engine == "rdflib" and size > opts.rdflib_max:
            ph[f"parse_{engine}"] = {
                "skipped": f"rdflib parse runs only up to {opts.rdflib_max} generated triples"
            }
            continue
        t = timed(module_cmd("child", "_parse", str(root), engine), cap=cap, log=logs / f"parse-{engine}.log")
        ph[f"parse_{engine}"] = phase_result(t, cap)
    asserted: int | None = ph["parse_pyoxigraph"].get("triples")
    say(f"  parsed {asserted} asserted triples")
    return asserted


def closure_phases(ph: Phases, root: Path, opts: Options, logs: Path, size: int) -> None:
    """Closure per engine. Above --closure-max the native closure is not run on its own:
    the cold build runs the same `infer` on the same triples (1M: 34.1 s alone, 35.1 s as
    the build's step), so its row comes from the build's step timing (``build_phase``).
    """
    cap = opts.caps.closure
    for engine in ("native", "owlrl"):
        if engine == "native" and size > opts.closure_max:
            continue
        if engine == "owlrl" and size > opts.owlrl_max:
            ph[f"closure_{engine}"] = {
                "skipped": f"owlrl runs only up to {opts.owlrl_max} generated "
                "triples (it takes minutes at 100k)"
            }
            continue
        say(f"  closure {engine}")
        t = timed(
            module_cmd("child", "_closure", str(root), engine), cap=cap, log=logs / f"closure-{engine}.log"
        )
        ph[f"closure_{engine}"] = phase_result(t, cap)


@dataclass
class Build:
    """The cold build's cache entry: its manifest (step timings, triple counts) and store."""

    entry: Path
    manifest: BuildManifest

    @property
    def steps(self) -> dict[str, Any]:
        return dict(self.manifest.seconds)

    @property
    def store(self) -> Path:
        return self.entry / "store"


def _itugraph(root: Path, *args: str) -> list[str]:
    return [PY, "-m", "itugraph", "--root", str(root), *args]


def build_phase(ph: Phases, root: Path, opts: Options, logs: Path) -> Build | None:
    """The cold build: what a user runs, and what the 1M build target is about.

    The full build (parse + SHACL + closure + store) first. Only when it fails (a violation
    stops it) is it redone without validation, and validation then runs on its own.
    Returns the build, or None when there is none (later phases cannot run).
    """
    cap = opts.caps.build
    ph["build_cold"] = run_phase("cold build", _itugraph(root, "build", "--force"), cap, logs / "build.log")
    ph["build_cold"]["validated"] = "error" not in ph["build_cold"]
    if not ph["build_cold"]["validated"]:
        say("  the full build failed: building without validation")
        ph["build_cold"] = run_phase(
            "cold build --no-validate",
            _itugraph(root, "build", "--force", "--no-validate"),
            cap,
            logs / "build.log",
        )
        ph["build_cold"]["validated"] = False
    manifests = list((root / ".itugraph").glob("*/manifest.json"))
    if not manifests:
        return None
    build = Build(manifests[0].parent, BuildManifest.read(manifests[0]))
    steps = build.steps
    ph["build_cold"]["steps"] = steps
    ph["build_cold"]["inferred_triples"] = build.manifest.inferred_triples
    if "closure_native" not in ph and "infer" in steps:
        ph["closure_native"] = {
            "seconds": steps["infer"],
            "inferred": build.manifest.inferred_triples,
            "inconsistencies": 0,
            "from_build": True,
        }
    return build


def validate_phase(ph: Phases, root: Path, build: Build, opts: Options, logs: Path, size: int) -> None:
    """SHACL validation, after the build so that it is validation alone.

    `itugraph validate` reuses the cached build (before, it ran first and built the project
    itself: 109 s wall for 52 s of validation at 1M). Above --validate-max a validated cold
    build is the validation (its SHACL step passed: 0 violations; warnings are not itemised
    then); the itemised report runs at every size where the build failed.
    """
    report = logs / "validation.json"
    if ph["build_cold"]["validated"] and size > opts.validate_max:
        ph["validate"] = {"seconds": build.steps.get("validate"), "violations": 0, "from_build": True}
    else:
        ph["validate"] = run_phase(
            "validate",
            _itugraph(root, "validate", "-f", "json", "-o", str(report)),
            opts.caps.validate,
            logs / "validate.log",
            accept_rc=True,
        )
        if report.is_file() and "error" not in ph["validate"]:
            ph["validate"].update(_itemised(report))
    if not ph["build_cold"]["validated"] and "wall_s" in ph["validate"]:
        ph["build_full_estimate_s"] = round(ph["build_cold"]["wall_s"] + ph["validate"]["wall_s"], 3)
    # `serve` validates a cache entry built with --no-validate before serving; a warm start
    # means a complete entry (as `itugraph build` leaves it), so mark it validated here.
    if not build.manifest.validated:
        build.manifest = dataclasses.replace(build.manifest, validated=True)
        build.manifest.write(build.entry)
        ph["build_cold"]["note"] = "manifest marked validated for the warm start (validation timed apart)"


def _itemised(report: Path) -> dict[str, Any]:
    """The validate row's figures from `itugraph validate -f json`: summary, per shape, seconds."""
    data = json.loads(report.read_text(encoding="utf-8"))
    by_shape: dict[str, int] = {}
    for r in data.get("results", []):
        by_shape[r.get("shape_id") or "?"] = by_shape.get(r.get("shape_id") or "?", 0) + 1
    return {**data.get("summary", {}), "by_shape": by_shape, "seconds": data.get("stats", {}).get("seconds")}


def export_phase(ph: Phases, name: str, root: Path, opts: Options, logs: Path) -> Path:
    """The inferred dump the peers serve (N-Quads); returns its path."""
    dump = opts.work / f"{name}.nq"
    ph["export"] = run_phase(
        "export nq",
        _itugraph(root, "export", "--format", "nq", "-o", str(dump)),
        opts.caps.build,
        logs / "export.log",
    )
    return dump


def oxigraph_load_phase(ph: Phases, name: str, dump: Path, opts: Options, logs: Path) -> Path:
    """Oxigraph's own store of the dump; returns its folder."""
    ox_dir = opts.work / f"{name}-oxigraph"
    shutil.rmtree(ox_dir, ignore_errors=True)
    ph["oxigraph_load"] = run_phase(
        "oxigraph load",
        [str(BIN / "oxigraph"), "load", "--location", str(ox_dir), "--file", str(dump)],
        opts.caps.build,
        logs / "oxigraph-load.log",
    )
    return ox_dir


def inprocess_latency(
    name: str, store: Path, query_set: list[qset.BenchQuery], opts: Options, logs: Path, http: HttpResult
) -> dict[str, dict[str, Any]]:
    """Per-query in-process latency; a query over its cap is stopped and the rest go on.

    A query that itugraph's server stopped at its time limit is not run again here (at 1M
    the three such queries cost 60 s of 20 s caps in the run of 2026-11-28).
    """
    out: dict[str, dict[str, Any]] = {}
    todo = []
    for q in query_set:
        cell = cell_of(http.queries.get(q.name, {}), "itugraph")
        if cell.over_limit_s and cell.limit == "server":
            out[q.name] = {"error": f"> {cell.over_limit_s:g} s over HTTP (not rerun)"}
        else:
            todo.append(q)
    if opts.left() < 30:
        for q in todo:
            out[q.name] = {"skipped": "global time budget spent"}
        return out
    say(f"  in-process latency ({len(todo)} queries)")
    per_query_cap = opts.caps.latency_query_cap
    while todo:
        qfile = opts.work / f"{name}-queries.json"
        qfile.write_text(json.dumps([dataclasses.asdict(q) for q in todo]), encoding="utf-8")
        cap = per_query_cap * len(todo) + 10
        t = timed(
            module_cmd(
                "child",
                "_latency",
                str(store),
                str(qfile),
                str(opts.caps.latency_per_query),
                str(opts.caps.slow_query),
            ),
            cap=cap,
            log=logs / "latency.log",
            line_cap=per_query_cap,
        )
        done: dict[str, Any] = {}
        for text in t.stdout.splitlines():
            with contextlib.suppress(ValueError):  # the last line may be cut by the kill
                line = json.loads(text)
                done = line.get("partial", line)
        out.update(done)
        todo = [q for q in todo if q.name not in out]
        if t.ok or not todo:
            break
        stuck = todo.pop(0)
        out[stuck.name] = {"error": f"over {per_query_cap:g} s (stopped)"}
    return out
