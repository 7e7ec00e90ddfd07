"""itugraph benchmark suite (``make bench``; ``make bench-quick`` skips the 1M workload).

Per workload (the real ITU graph; synthetic graphs of ~10k, ~100k, ~1M generated
triples from ``bench/synth.py``) it measures, each phase in its own subprocess with its
own time cap:

* parse time: pyoxigraph (``itugraph.load``) vs rdflib;
* OWL 2 RL closure per engine: native, and owlrl up to ``--owlrl-max`` triples;
* cold build (``itugraph build --force``: parse + SHACL + closure + store) with its peak
  RSS and its step timings (the build's manifest);
* SHACL validation (``itugraph validate``, itemised), after the build so it reuses it;
* warm start: process start to the first answered query over HTTP, for itugraph and the
  peers;
* HTTP per query (``queries/`` plus join, path, aggregate, regex, OPTIONAL and CONSTRUCT
  queries), for itugraph, ``oxigraph serve-read-only`` and ``rdflib-endpoint`` on the same
  inferred dump (``itugraph export --format nq``): latency at concurrency 1 (median, p99
  from 100 samples on) and, up to ``--c8-max``, throughput and p99 at concurrency 8 on
  distinct queries, and itugraph's cached figure;
* per query, median and p99 latency in-process (pyoxigraph + serialisation, as a worker).

Prints tables and the issue's targets, and writes ``bench/results/<date>.json``. Every
server is started and stopped here (also on Ctrl-C); everything binds to 127.0.0.1.

Time plan (2 cores; the issue asks for the whole suite in under 20 minutes). The run of
2026-11-28 took 19.2 min and had no time left for the 1M HTTP phase: real 3.1 min, 10k
4.3, 100k 5.1, and 1M 6.7 min of build phases alone. Where the 1M time went, and what
changed:

* the work was done several times: the ``closure_native`` phase (38 s), then ``validate``
  (109 s wall: it built the project itself, closure included, before its 52 s of SHACL),
  then the cold build (112 s: parse, SHACL and closure again). Now the cold build runs
  first and once; above ``--closure-max`` and ``--validate-max`` (100k) the closure and
  validation rows are its own step timings (the same code on the same triples: closure
  34.1 s alone vs 35.1 s as the build's step), and below them ``itugraph validate`` runs
  on the cached build, so its wall time is validation alone. Saves ~150 s at 1M.
* "oxigraph load ~2 min": the load itself took 21 s; the next 99 s were the in-process
  latency phase (not announced then), 60 s of it three queries stopped at their 20 s cap
  (02, 07, 21), and 3 runs of 06 (5.5 s each) and 10 (2.5 s). Now in-process runs after
  HTTP, skips the queries itugraph's server stopped at its 10 s limit, and runs a query
  once when it is over 3 s (otherwise 3 runs and 0.5 s at least, 200 runs at most).
* at 1M only c=1 is measured (no target needs c=8 there; a c=8 cell of a 1-3 s query
  costs 6 s plus a drain of up to 10 s), with a per-query sample budget: 5 samples and
  0.25 s at least, no new sample after 3 s, the first answer as the one sample when over
  3 s (``load.run_sequential``), itugraph's 10 s limit reported as such. Oxigraph has no
  limit: the client gives up at 12 s and the server is restarted (0.05 s), since it goes
  on computing the abandoned query on one of the two cores (likewise rdflib-endpoint).
  Measured at 1M: 56 s itugraph, 61 s Oxigraph (the follow-up run of 2026-11-28, with
  the old c=1 cells of 0.5-6 s, took 3.7 min).
* everywhere: the c=1 cells take 0.25 s for a fast query (it was 0.5 s: ~250 samples
  still give the p99) and no drain follows them (a sequential client leaves nothing in
  flight); the in-process budget per query is 0.5 s (it was 1 s); after a c=8 cell whose
  leftover requests would take longer to drain than twice a restart, the server is
  restarted instead (``_settle``: at 100k, 02 drained 8.8 s per server).
* the budget is shared out up front (``SHARES_S``): a workload may use the time earlier
  ones left, never the shares of the workloads after it, so earlier workloads cannot eat
  the 1M part. ``--quick`` skips 1M; ``--sizes`` picks workloads.

Result (partial runs, 2 cores shared with other work): real 178 s, 10k ~232 s (derived),
100k 202 s, 1m 314 s (build 117 s, export 17, Oxigraph load 22, HTTP 56 + 61, in-process
36): ~15.5 min for the whole suite, 1M HTTP latency included.

Each workload records its ``timeline`` (wall seconds per step) and the report prints it,
so a full run's time can be estimated from partial runs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import math
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

import load as loadgen  # noqa: E402
import synth  # noqa: E402

import queries as qset  # noqa: E402

PY = sys.executable
BIN = Path(PY).parent
SERVERS = ("itugraph", "oxigraph", "rdflib-endpoint")
#: itugraph's query time limit in the benchmark (ITUGRAPH_QUERY_TIMEOUT): a query over it
#: is answered 503 QUERY_TIMEOUT and reported as "over the limit".
ITUGRAPH_TIMEOUT_S = 10.0


# ---------------------------------------------------------------------------------------
# Child phases: `python bench/run.py _phase ...` prints one JSON line (the last line).
# ---------------------------------------------------------------------------------------

def _phase_parse(root: str, engine: str) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from itugraph.project import Project

    files = Project.at(root).asserted_files()
    start = time.perf_counter()
    if engine == "pyoxigraph":
        from itugraph.load import load_triples

        count = len(load_triples(files))
    else:
        import rdflib

        graph = rdflib.Graph()
        for path in files:
            graph.parse(str(path), format="nt" if path.suffix == ".nt" else "turtle")
        count = len(graph)
    return {"seconds": round(time.perf_counter() - start, 3), "triples": count}


def _phase_closure(root: str, engine: str) -> dict[str, Any]:
    from itugraph.load import load_triples
    from itugraph.project import Project
    from itugraph.reasoning import infer

    asserted = load_triples(Project.at(root).asserted_files())
    start = time.perf_counter()
    closure = infer(asserted, engine=engine)
    return {"seconds": round(time.perf_counter() - start, 3), "asserted": len(asserted),
            "inferred": len(closure.inferred), "inconsistencies": len(closure.inconsistencies)}


def _phase_latency(store: str, query_file: str, budget: str, slow: str) -> dict[str, Any]:
    """In-process latency of each query, as a worker answers it (query + serialisation).

    Per query: runs until ``budget`` seconds and at least 3 runs (200 at most), but no run
    is started once ``slow`` seconds are spent, so a query slower than ``slow`` runs once.
    """
    from itugraph.executor import QueryRequest, answer
    from itugraph.store import OxigraphStore

    db = OxigraphStore.open_read_only(Path(store), "bench")
    per_query_budget, slow_s = float(budget), float(slow)
    out: dict[str, Any] = {}
    for item in json.loads(Path(query_file).read_text(encoding="utf-8")):
        if out:
            print(json.dumps({"partial": out}), flush=True)
        times: list[float] = []
        count = 0
        n = 0
        try:
            while len(times) < 200 and sum(times) < slow_s and (
                    len(times) < 3 or sum(times) < per_query_budget):
                n += 1
                text = item["text"].replace(qset.MARK, str(n))
                start = time.perf_counter()
                reply = answer(db, QueryRequest(text, results_format="json", rdf_format="nt"))
                times.append(time.perf_counter() - start)
            count = count_results(reply.body, item["form"])
        except Exception as exc:
            out[item["name"]] = {"error": f"{type(exc).__name__}: {exc}"}
            continue
        times.sort()
        out[item["name"]] = {
            "runs": len(times), "rows": count,
            "median_ms": round(statistics.median(times) * 1000, 3),
            "p99_ms": round(times[min(len(times) - 1, int(len(times) * 0.99))] * 1000, 3)}
    return out


def child_main(argv: list[str]) -> int:
    phases = {"_parse": _phase_parse, "_closure": _phase_closure, "_latency": _phase_latency}
    result = phases[argv[0]](*argv[1:])
    print(json.dumps(result))
    return 0


# ---------------------------------------------------------------------------------------
# Process management: every child in its own session, killed on exit and on signals.
# ---------------------------------------------------------------------------------------

_LIVE: set[subprocess.Popen[bytes]] = set()
_LIVE_LOCK = threading.Lock()


def _kill(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    with _LIVE_LOCK:
        _LIVE.discard(proc)


def kill_all() -> None:
    with _LIVE_LOCK:
        procs = list(_LIVE)
    for proc in procs:
        _kill(proc)


def _on_signal(signum: int, _frame: object) -> None:
    kill_all()
    raise KeyboardInterrupt(f"signal {signum}")


def spawn(cmd: list[str], *, log: Path, env: dict[str, str] | None = None,
          cwd: Path | None = None) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                env={**os.environ, **(env or {})}, start_new_session=True)
    with _LIVE_LOCK:
        _LIVE.add(proc)
    return proc


@dataclass
class Timed:
    seconds: float
    rc: int | None  # None: killed at the cap
    max_rss_mb: float
    stdout: str

    @property
    def ok(self) -> bool:
        return self.rc == 0

    def json(self) -> dict[str, Any]:
        line = self.stdout.strip().splitlines()[-1] if self.stdout.strip() else "{}"
        return json.loads(line)


def timed(cmd: list[str], *, cap: float, log: Path, cwd: Path | None = None,
          env: dict[str, str] | None = None, line_cap: float | None = None) -> Timed:
    """Run ``cmd`` to completion or ``cap`` seconds; wall time and the child's peak RSS."""
    out_path = log.with_suffix(".out")
    with out_path.open("wb") as out, log.open("ab") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=cwd, start_new_session=True,
                                env={**os.environ, **(env or {})})
        with _LIVE_LOCK:
            _LIVE.add(proc)
        rc: int | None = None
        rss_kb = 0
        deadline = start + cap
        last_size, last_change = 0, start
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                rc = os.waitstatus_to_exitcode(status)
                rss_kb = usage.ru_maxrss
                proc.returncode = rc
                break
            now = time.perf_counter()
            if line_cap is not None:
                size = out_path.stat().st_size
                if size != last_size:
                    last_size, last_change = size, now
                elif now - last_change > line_cap:
                    _kill(proc)
                    break
            if now > deadline:
                _kill(proc)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
    with _LIVE_LOCK:
        _LIVE.discard(proc)
    return Timed(round(seconds, 3), rc, round(rss_kb / 1024, 1),
                 out_path.read_text(encoding="utf-8", errors="replace"))


class RssSampler:
    """Peak RSS of a process tree, sampled every 0.2 s in a thread."""

    def __init__(self, pid: int) -> None:
        import psutil

        self._proc = psutil.Process(pid)
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                procs = [self._proc, *self._proc.children(recursive=True)]
                total = 0
                for p in procs:
                    with contextlib.suppress(psutil.Error):
                        total += p.memory_info().rss
                self.peak_mb = max(self.peak_mb, total / 2**20)
            except psutil.Error:
                return
            self._stop.wait(0.2)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join(2)
        return round(self.peak_mb, 1)


# ---------------------------------------------------------------------------------------
# HTTP helpers
# ---------------------------------------------------------------------------------------

def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post_query(url: str, text: str, accept: str, timeout: float = 60) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=text.encode(), method="POST", headers={
        "Content-Type": "application/sparql-query", "Accept": accept})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return reply.status, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def wait_answer(url: str, proc: subprocess.Popen[bytes], start: float, cap: float) -> float:
    """Seconds from ``start`` to the first 200 answer to a query; raises on exit or cap."""
    probe = "ASK { ?s ?p ?o }"
    while time.perf_counter() - start < cap:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            status, _ = post_query(url, probe, "application/sparql-results+json", timeout=5)
            if status == 200:
                return round(time.perf_counter() - start, 3)
        except (OSError, urllib.error.URLError):
            pass
        time.sleep(0.02)
    raise TimeoutError(f"no answer within {cap} s")


def count_results(body: bytes, form: str) -> int:
    if form in {"construct", "describe"}:
        return sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))
    data = json.loads(body)
    if "boolean" in data:
        return 1
    return len(data["results"]["bindings"])


@dataclass
class Server:
    name: str
    url: str
    proc: subprocess.Popen[bytes]
    start_s: float
    sampler: RssSampler
    peak_rss_mb: float = 0.0

    def stop(self) -> None:
        self.peak_rss_mb = max(self.peak_rss_mb, self.sampler.stop())
        _kill(self.proc)


def start_server(name: str, *, root: Path, store_dir: Path, dump: Path, log: Path,
                 cap: float, cores: str | None = None) -> Server:
    port = free_port()
    # rdflib-endpoint answers SPARQL at its root path.
    url = f"http://127.0.0.1:{port}" + ("/" if name == "rdflib-endpoint" else "/sparql")
    if name == "itugraph":
        cmd = [PY, "-m", "itugraph", "--root", str(root), "serve", "--host", "127.0.0.1",
               "--port", str(port)]
        # Defaults (no row limit, as for the peers) but the time limit.
        env = {"ITUGRAPH_QUERY_TIMEOUT": f"{ITUGRAPH_TIMEOUT_S:g}"}
    elif name == "oxigraph":
        cmd = [str(BIN / "oxigraph"), "serve-read-only", "--location", str(store_dir),
               "--bind", f"127.0.0.1:{port}", "--union-default-graph"]
        # No --timeout-s: it halves Oxigraph's throughput here (measured), and the peer is
        # benchmarked as a user would run it.
        env = {}
    else:
        cmd = [str(BIN / "rdflib-endpoint"), "serve", str(dump), "--host", "127.0.0.1",
               "--port", str(port)]
        env = {}
    if cores is not None:  # the whole server (its children inherit the CPU set)
        cmd = ["taskset", "-c", cores, *cmd]
    start = time.perf_counter()
    proc = spawn(cmd, log=log, env=env)
    sampler = RssSampler(proc.pid)
    try:
        seconds = wait_answer(url, proc, start, cap)
    except BaseException:
        sampler.stop()
        _kill(proc)
        raise
    return Server(name, url, proc, seconds, sampler)


# ---------------------------------------------------------------------------------------
# The suite
# ---------------------------------------------------------------------------------------

#: Each workload's share of the budget in seconds: its expected wall time on the 2-core
#: machine plus a margin. A workload may use the time earlier ones left unused, never the
#: shares of the workloads after it, so the 1M part (its HTTP latency above all) is
#: reserved up front. Measured with this plan (partial runs of 2026-11-29, machine shared):
#: real 178 s, 100k 202 s, 1m 314 s; 10k ~232 s derived (257 s on 2026-11-28, less 17 s
#: of c=1 cells and 7 s of in-process latency). So the default budget of 19 min leaves
#: real 260 s, real+10k 520 s, up to 100k 780 s, and 1M at least 360 s.
SHARES_S = {"real": 210.0, "10k": 260.0, "100k": 260.0, "1m": 360.0}


@dataclass
class Options:
    work: Path
    sizes: list[str]
    owlrl_max: int
    rdflib_max: int
    validate_max: int
    closure_max: int
    c8_max: int
    http_seconds: int
    budget: float
    caps: dict[str, float]
    concurrency: tuple[int, ...] = (1, 8)
    #: The workload whose servers are also measured pinned to 1 core and to 2 cores.
    scaling_on: str = "10k"
    started: float = field(default_factory=time.perf_counter)
    #: End of the current workload's window, in perf_counter seconds (see ``SHARES_S``).
    window_end: float | None = None

    def left(self) -> float:
        """Seconds left in the current workload's window (the whole budget outside one)."""
        end = self.started + self.budget if self.window_end is None else self.window_end
        return end - time.perf_counter()

    def open_window(self, name: str) -> None:
        """Start ``name``'s window: the budget minus the shares of the workloads after it."""
        later = self.sizes[self.sizes.index(name) + 1:]
        reserved = sum(SHARES_S.get(n, 300.0) for n in later)
        self.window_end = self.started + self.budget - reserved


def say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def prepare(name: str, opts: Options) -> tuple[Path, dict[str, Any]]:
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


def run_phase(label: str, cmd: list[str], cap: float, log: Path, **kw: Any) -> dict[str, Any]:
    say(f"  {label} (cap {cap:g} s)")
    accept_rc = kw.pop("accept_rc", False)
    result = timed(cmd, cap=cap, log=log, **kw)
    entry: dict[str, Any] = {"wall_s": result.seconds, "peak_rss_mb": result.max_rss_mb}
    if result.rc is None:
        entry["error"] = f"stopped at the {cap:g} s cap"
    elif result.rc != 0 and not (accept_rc and result.rc == 1):
        entry["error"] = f"exit {result.rc}: {log.read_text(errors='replace')[-400:]}"
    return entry


def workload(name: str, opts: Options, query_set: list[qset.BenchQuery]) -> dict[str, Any]:
    say(f"workload {name} (window {opts.left():.0f} s)")
    res: dict[str, Any] = {"phases": {}, "timeline": {}}
    clock = time.perf_counter()

    def lap(step: str) -> None:
        """Wall seconds of each step, so a full run's time can be read off any run."""
        nonlocal clock
        now = time.perf_counter()
        res["timeline"][step] = round(now - clock, 1)
        clock = now

    root, info = prepare(name, opts)
    res["info"] = info
    lap("prepare")
    logs = opts.work / "logs" / name
    logs.mkdir(parents=True, exist_ok=True)
    ph = res["phases"]
    me = [PY, str(BENCH / "run.py")]
    caps = opts.caps
    size = synth.SIZES.get(name, 0)

    # Parse.
    for engine in ("pyoxigraph", "rdflib"):
        if engine == "rdflib" and size > opts.rdflib_max:
            ph[f"parse_{engine}"] = {"skipped": f"rdflib parse runs only up to {opts.rdflib_max} "
                                                "generated triples"}
            continue
        t = timed([*me, "_parse", str(root), engine], cap=caps["parse"], log=logs / f"parse-{engine}.log")
        ph[f"parse_{engine}"] = _phase_result(t, caps["parse"])
    asserted = ph["parse_pyoxigraph"].get("triples")
    res["asserted_triples"] = asserted
    say(f"  parsed {asserted} asserted triples")
    lap("parse")

    # Closure per engine. Above --closure-max the native closure is not run on its own:
    # the cold build runs the same `infer` on the same triples (1M: 34.1 s alone, 35.1 s as
    # the build's step), so its row comes from the build's step timing (below).
    for engine in ("native", "owlrl"):
        if engine == "native" and size > opts.closure_max:
            continue
        if engine == "owlrl" and size > opts.owlrl_max:
            ph[f"closure_{engine}"] = {"skipped": f"owlrl runs only up to {opts.owlrl_max} generated "
                                                  "triples (it takes minutes at 100k)"}
            continue
        say(f"  closure {engine}")
        t = timed([*me, "_closure", str(root), engine], cap=caps["closure"],
                  log=logs / f"closure-{engine}.log")
        ph[f"closure_{engine}"] = _phase_result(t, caps["closure"])
    lap("closure")

    # Cold build first: the full build (parse + SHACL + closure + store), which is what a
    # user runs and what the 1M build target is about. Only when it fails (a violation
    # stops it) is it redone without validation, and validation then runs on its own.
    ph["build_cold"] = run_phase("cold build", [PY, "-m", "itugraph", "--root", str(root), "build",
                                                "--force"], caps["build"], logs / "build.log")
    ph["build_cold"]["validated"] = "error" not in ph["build_cold"]
    if not ph["build_cold"]["validated"]:
        say("  the full build failed: building without validation")
        ph["build_cold"] = run_phase("cold build --no-validate",
                                     [PY, "-m", "itugraph", "--root", str(root), "build", "--force",
                                      "--no-validate"], caps["build"], logs / "build.log")
        ph["build_cold"]["validated"] = False
    manifests = list((root / ".itugraph").glob("*/manifest.json"))
    if not manifests:
        res["error"] = "no build: later phases skipped"
        return res
    build_dir = manifests[0].parent
    manifest = json.loads(manifests[0].read_text(encoding="utf-8"))
    steps = manifest.get("seconds") or {}
    ph["build_cold"]["steps"] = steps
    ph["build_cold"]["inferred_triples"] = manifest.get("inferred_triples")
    if "closure_native" not in ph and "infer" in steps:
        ph["closure_native"] = {"seconds": steps["infer"], "inferred": manifest.get("inferred_triples"),
                                "inconsistencies": 0, "from_build": True}
    lap("build_cold")

    # SHACL validation. After the build, `itugraph validate` reuses the cached build, so
    # its wall time is the validation alone (before, it ran first and built the project
    # itself: 109 s wall for 52 s of validation at 1M). Above --validate-max a validated
    # cold build is the validation (its SHACL step passed: 0 violations; warnings are not
    # itemised then); the itemised report runs at every size where the build failed.
    report = logs / "validation.json"
    if ph["build_cold"]["validated"] and size > opts.validate_max:
        ph["validate"] = {"seconds": steps.get("validate"), "violations": 0, "from_build": True}
    else:
        ph["validate"] = run_phase("validate", [PY, "-m", "itugraph", "--root", str(root), "validate",
                                                "-f", "json", "-o", str(report)], caps["validate"],
                                   logs / "validate.log", accept_rc=True)
        if report.is_file() and "error" not in ph["validate"]:
            data = json.loads(report.read_text(encoding="utf-8"))
            ph["validate"].update(data.get("summary", {}))
            by_shape: dict[str, int] = {}
            for r in data.get("results", []):
                by_shape[r.get("shape_id") or "?"] = by_shape.get(r.get("shape_id") or "?", 0) + 1
            ph["validate"]["by_shape"] = by_shape
            ph["validate"]["seconds"] = data.get("stats", {}).get("seconds")
    if not ph["build_cold"]["validated"] and "wall_s" in ph["validate"]:
        ph["build_full_estimate_s"] = round(ph["build_cold"]["wall_s"] + ph["validate"]["wall_s"], 3)
    # `serve` validates a cache entry built with --no-validate before serving; a warm start
    # means a complete entry (as `itugraph build` leaves it), so mark it validated here.
    if not manifest.get("validated"):
        manifest["validated"] = True
        manifests[0].write_text(json.dumps(manifest, indent=2), encoding="utf-8")
        ph["build_cold"]["note"] = "manifest marked validated for the warm start (validation timed apart)"
    lap("validate")

    # The dump for the peers, and Oxigraph's own store.
    dump = opts.work / f"{name}.nq"
    ph["export"] = run_phase("export nq", [PY, "-m", "itugraph", "--root", str(root), "export",
                                           "--format", "nq", "-o", str(dump)], caps["build"],
                             logs / "export.log")
    lap("export")
    ox_dir = opts.work / f"{name}-oxigraph"
    shutil.rmtree(ox_dir, ignore_errors=True)
    ph["oxigraph_load"] = run_phase("oxigraph load", [str(BIN / "oxigraph"), "load", "--location",
                                                      str(ox_dir), "--file", str(dump)],
                                    caps["build"], logs / "oxigraph-load.log")
    lap("oxigraph_load")

    # HTTP (before the in-process latency: the HTTP figures carry the targets, so they get
    # the time first; and a query itugraph stopped at its time limit need not be run again).
    res["http"] = http_phase(name, root, build_dir / "store", ox_dir, dump, opts, query_set,
                             logs, size, lap)
    if name == opts.scaling_on:
        res["scaling"] = scaling_phase(root, ox_dir, dump, opts, query_set, logs, res["http"])
        lap("scaling")

    # In-process latency.
    res["inprocess"] = inprocess_latency(name, build_dir / "store", query_set, opts, logs,
                                         res["http"])
    lap("inprocess")
    return res


def inprocess_latency(name: str, store: Path, query_set: list[qset.BenchQuery], opts: Options,
                      logs: Path, http: dict[str, Any]) -> dict[str, Any]:
    """Per-query in-process latency; a query over its cap is stopped and the rest go on.

    A query that itugraph's server stopped at its time limit is not run again here (at 1M
    the three such queries cost 60 s of 20 s caps in the run of 2026-11-28).
    """
    out: dict[str, Any] = {}
    todo = []
    for q in query_set:
        cell = http.get("queries", {}).get(q.name, {}).get("itugraph", {})
        if cell.get("over_limit_s") and cell.get("limit") == "server":
            out[q.name] = {"error": f"> {cell['over_limit_s']:g} s over HTTP (not rerun)"}
        else:
            todo.append(q)
    if opts.left() < 30:
        for q in todo:
            out[q.name] = {"skipped": "global time budget spent"}
        return out
    say(f"  in-process latency ({len(todo)} queries)")
    per_query_cap = opts.caps["latency_query_cap"]
    while todo:
        qfile = opts.work / f"{name}-queries.json"
        qfile.write_text(json.dumps([q.__dict__ for q in todo]), encoding="utf-8")
        cap = per_query_cap * len(todo) + 10
        t = timed([PY, str(BENCH / "run.py"), "_latency", str(store), str(qfile),
                   str(opts.caps["latency_per_query"]), str(opts.caps["slow_query"])], cap=cap,
                  log=logs / "latency.log", line_cap=per_query_cap)
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


def _phase_result(t: Timed, cap: float) -> dict[str, Any]:
    if t.rc is None:
        return {"error": f"stopped at the {cap:g} s cap", "wall_s": t.seconds}
    if t.rc != 0:
        return {"error": f"exit {t.rc}", "wall_s": t.seconds}
    return {**t.json(), "wall_s": t.seconds, "peak_rss_mb": t.max_rss_mb}


class Live:
    """A running server, restarted on demand: a fresh process has nothing in flight."""

    def __init__(self, starter: Callable[[], Server]) -> None:
        self._starter = starter
        self.server = starter()
        self.warm_start_s = self.server.start_s
        self.peak_rss_mb = 0.0
        self.restarts = 0

    def restart(self) -> None:
        self.server.stop()
        self.peak_rss_mb = max(self.peak_rss_mb, self.server.peak_rss_mb)
        self.restarts += 1
        self.server = self._starter()

    def stop(self) -> float:
        self.server.stop()
        self.peak_rss_mb = max(self.peak_rss_mb, self.server.peak_rss_mb)
        return self.peak_rss_mb


def http_phase(name: str, root: Path, store: Path, ox_dir: Path, dump: Path, opts: Options,
               query_set: list[qset.BenchQuery], logs: Path, size: int,
               lap: Callable[[str], None]) -> dict[str, Any]:
    # Above --c8-max only concurrency 1 is measured: the 1M targets are about the c=1
    # median latency, and c=8 cells of multi-second queries cost minutes there.
    levels = opts.concurrency if size <= opts.c8_max else (1,)
    out: dict[str, Any] = {"servers": {}, "queries": {}, "levels": list(levels)}
    for server_name in SERVERS:
        srv_info: dict[str, Any] = {}
        out["servers"][server_name] = srv_info
        if server_name == "rdflib-endpoint" and size > opts.rdflib_max:
            srv_info["skipped"] = (f"rdflib-endpoint runs only up to {opts.rdflib_max} generated "
                                   "triples (loading takes minutes and GBs beyond)")
            continue
        if opts.left() < 60:
            srv_info["skipped"] = "global time budget spent"
            continue
        say(f"  HTTP {server_name} (c={'/'.join(map(str, levels))})")
        log = logs / f"server-{server_name}.log"

        def starter(server_name: str = server_name, log: Path = log) -> Server:
            return start_server(server_name, root=root, store_dir=ox_dir, dump=dump, log=log,
                                cap=opts.caps["start"])

        try:
            live = Live(starter)
        except (RuntimeError, TimeoutError) as exc:
            srv_info["error"] = str(exc)
            continue
        srv_info["warm_start_s"] = live.warm_start_s
        try:
            for q in query_set:
                cell = out["queries"].setdefault(q.name, {}).setdefault(server_name, {})
                _http_query(live, q, cell, opts, levels, cached=server_name == "itugraph")
                if cell.get("limit") == "client" or cell.get("c1", {}).get("errors"):
                    # The client gave up but the server may still be computing (rdflib cannot
                    # stop a query; Oxigraph runs without --timeout-s): restart it, so the next
                    # query is not measured against a busy core.
                    live.restart()
        except (RuntimeError, TimeoutError) as exc:  # a restart that failed
            srv_info["error"] = f"restart failed: {exc}"
        finally:
            srv_info["peak_rss_mb"] = live.stop()
        if live.restarts:
            srv_info["restarts"] = live.restarts
        lap(f"http_{server_name}")
    return out


def _http_query(live: Live, q: qset.BenchQuery, cell: dict[str, Any], opts: Options,
                levels: tuple[int, ...], *, cached: bool) -> None:
    if opts.left() < 30:
        cell["skipped"] = "global time budget spent"
        return
    server = live.server
    try:
        start = time.perf_counter()
        status, body = post_query(server.url, q.render(0), q.accept, timeout=opts.caps["query"])
        first = time.perf_counter() - start
    except (OSError, urllib.error.URLError) as exc:
        cell["error"] = f"{type(exc).__name__}: {exc}"
        if "timed out" in str(exc):
            cell["over_limit_s"], cell["limit"] = opts.caps["query"], "client"
        return
    if status != 200:
        cell["error"] = f"HTTP {status}: {body[:200]!r}"
        if status == 503 and b"TIMEOUT" in body:  # itugraph's own time limit
            cell["over_limit_s"], cell["limit"] = opts.caps["server_timeout"], "server"
        return
    cell["rows"] = count_results(body, q.form)
    cell["first_ms"] = round(first * 1000, 2)
    # rdflib-endpoint only at c=8: the 10x target is about throughput, and it is slow.
    if server.name == "rdflib-endpoint":
        levels = tuple(c for c in levels if c != 1)
    for c in levels:
        if opts.left() < 30:
            cell[f"c{c}"] = {"skipped": "global time budget spent"}
            continue
        if c == 1:
            # Sequential distinct requests under a sample budget (bench/load.py): 5 samples
            # and 0.25 s at least, 3 s at most; the first answer is a sample when it took
            # 1 s or more, and the only one when it took over 3 s. So every answered query
            # has a median, and a fast one a p99 from hundreds of samples.
            result = loadgen.run_sequential(live.server.url, q.text, q.accept, first_s=first,
                                            min_seconds=opts.caps["c1_min_seconds"],
                                            max_seconds=opts.caps["slow_query"],
                                            timeout=opts.caps["query"])
            cell["c1"] = result.to_dict()
            if result.errors:
                cell["c1"]["note"] = "stopped at an error"
            continue
        slow = opts.caps["slow_query"] / (3 if server.name == "rdflib-endpoint" else 1)
        if first > slow:
            # Slower than the whole cell: a load run would leave the server busy for long
            # after it (abandoned requests keep running), spoiling the next measurement.
            cell[f"c{c}"] = {"skipped": f"one answer takes {first:.1f} s",
                             "rps": round(1 / first, 3), "estimated": True}
            continue
        # A cell lasts long enough for a few answers per connection (wrk, 1-6 s).
        seconds = min(6, max(opts.http_seconds, math.ceil(first * c * 3 / 2)))
        result = loadgen.run_load(live.server.url, q.text, q.accept, concurrency=c,
                                  seconds=seconds, distinct=True, timeout=opts.caps["query"],
                                  tool="auto")
        cell[f"c{c}"] = result.to_dict()
        # rdflib evaluates under the GIL: one query at a time, whatever the concurrency.
        if _settle(live, first, c, parallel=1 if server.name == "rdflib-endpoint" else 2):
            cell[f"c{c}"]["then"] = "server restarted (cheaper than draining)"
    if cached and q.kind == "extra" and 8 in levels and opts.left() > 30:
        if live.server is not server:  # restarted: warm its result cache again
            post_query(live.server.url, q.render(0), q.accept, timeout=opts.caps["query"])
        result = loadgen.run_load(live.server.url, q.text, q.accept, concurrency=8,
                                  seconds=opts.http_seconds, distinct=False,
                                  timeout=opts.caps["query"])
        cell["c8_cached"] = result.to_dict()


def _settle(live: Live, first: float, concurrency: int, parallel: int) -> bool:
    """Let the requests a load run left in flight finish before the next measurement.

    wrk leaves up to ``concurrency`` requests in flight, ``first * concurrency / parallel``
    seconds of work. Past twice a restart's cost (warm start + ~0.3 s to stop; Oxigraph
    0.03 s, itugraph 0.3-0.9 s) the server is restarted instead of waited for: at 100k
    that turns 02's 8.8 s drains (and 21, 06, x-path's 1.6-3 s) into well under a second.
    Returns whether it restarted. Nothing follows the sequential c=1 client (it waits for
    every answer, so nothing is left in flight).
    """
    backlog = first * concurrency / parallel
    if backlog > 2 * (live.server.start_s + 0.3) + 0.5:
        live.restart()
        return True
    if backlog > 0.02:
        time.sleep(min(backlog, 10.0))
    return False


#: Queries in the scaling table: this many, spread over the range of Oxigraph's latency.
SCALING_QUERIES = 6
SCALING_CORES = ("0", "0,1")


def scaling_phase(root: Path, ox_dir: Path, dump: Path, opts: Options,
                  query_set: list[qset.BenchQuery], logs: Path,
                  http: dict[str, Any]) -> dict[str, Any]:
    """c=8 distinct throughput of itugraph and Oxigraph with the server pinned to 1, then 2 cores.

    Issue 13 asks whether the request path grows with cores. ``taskset`` pins the server's
    whole process tree (granian, the query workers; Oxigraph's threads); ``itugraph serve``
    sizes its HTTP worker processes to the cores it may use, as it would in a container.
    The load client (wrk) is not pinned: on a 2-core machine it shares the cores with the
    2-core servers, which is why figures are read as ratios between the two servers.
    """
    if not shutil.which("taskset") or (os.cpu_count() or 1) < 2:
        return {"skipped": "needs taskset and 2 cores"}
    if opts.left() < 90:
        return {"skipped": "global time budget spent"}
    queries = http.get("queries", {})
    timed_queries = sorted((cells.get("oxigraph", {}).get("c1", {}).get("p50_ms"), q.name)
                           for q in query_set
                           if (cells := queries.get(q.name, {})).get("oxigraph", {}).get("c1", {})
                           .get("p50_ms") and cells.get("itugraph", {}).get("c1", {}).get("p50_ms"))
    step = max(1, len(timed_queries) // SCALING_QUERIES)
    chosen = {n for _, n in timed_queries[::step][:SCALING_QUERIES]}
    picked = [q for q in query_set if q.name in chosen]
    say(f"  scaling: {len(picked)} queries, servers pinned to cores {' then '.join(SCALING_CORES)}")
    out: dict[str, Any] = {"cores": list(SCALING_CORES), "queries": {}}
    for cores in SCALING_CORES:
        for server_name in ("itugraph", "oxigraph"):
            if opts.left() < 30:
                out["skipped"] = "global time budget spent"
                return out
            server = start_server(server_name, root=root, store_dir=ox_dir, dump=dump,
                                  log=logs / f"scaling-{server_name}.log",
                                  cap=opts.caps["start"], cores=cores)
            try:
                for q in picked:
                    post_query(server.url, q.render(0), q.accept, timeout=opts.caps["query"])
                    result = loadgen.run_load(server.url, q.text, q.accept, concurrency=8,
                                              seconds=max(2, opts.http_seconds), distinct=True,
                                              timeout=opts.caps["query"], tool="auto")
                    out["queries"].setdefault(q.name, {})[f"{server_name}@{cores}"] = result.rps
            finally:
                server.stop()
    return out


# ---------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------

def geomean(values: list[float]) -> float | None:
    vals = [v for v in values if v and v > 0]
    return round(math.exp(sum(math.log(v) for v in vals) / len(vals)), 3) if vals else None


def ratios(res: dict[str, Any], catalogue_names: set[str]) -> dict[str, Any]:
    """itugraph / peer ratios of c=8 throughput and of c=1 median latency."""
    out: dict[str, Any] = {}
    queries = res.get("http", {}).get("queries", {})
    for peer in ("oxigraph", "rdflib-endpoint"):
        thr: dict[str, float] = {}
        lat: dict[str, float] = {}
        p99: dict[str, float] = {}
        for qname, cells in queries.items():
            mine, theirs = cells.get("itugraph", {}), cells.get(peer, {})
            a, b = mine.get("c8", {}).get("rps"), theirs.get("c8", {}).get("rps")
            if a and b:
                thr[qname] = round(a / b, 3)
            a, b = mine.get("c1", {}).get("p50_ms"), theirs.get("c1", {}).get("p50_ms")
            if a and b:
                lat[qname] = round(a / b, 3)
            a, b = mine.get("c8", {}).get("p99_ms"), theirs.get("c8", {}).get("p99_ms")
            if a and b:
                p99[qname] = round(a / b, 3)
        out[peer] = {
            "c8_throughput_ratio": thr, "c1_median_latency_ratio": lat, "c8_p99_ratio": p99,
            "geomean_c8_throughput_slow": geomean([v for k, v in thr.items() if _slow(queries, k)]),
            "geomean_c8_throughput_all": geomean(list(thr.values())),
            "geomean_c8_throughput_catalogue": geomean([v for k, v in thr.items()
                                                        if k in catalogue_names]),
        }
    overhead = {}
    for qname, cells in queries.items():
        p50 = cells.get("itugraph", {}).get("c1", {}).get("p50_ms")
        inproc = res.get("inprocess", {}).get(qname, {}).get("median_ms")
        if p50 is not None and inproc is not None:
            overhead[qname] = round(p50 - inproc, 3)
    out["overhead_ms"] = overhead
    catalogue_overhead = [v for k, v in overhead.items() if k in catalogue_names]
    out["median_overhead_ms_catalogue"] = (round(statistics.median(catalogue_overhead), 3)
                                           if catalogue_overhead else None)
    return out


#: Issue 13: on queries where Oxigraph spends this long (c=1 median), itugraph must reach 0.9x.
SLOW_MS = 2.0


def _slow(queries: dict[str, Any], qname: str) -> bool:
    p50 = queries.get(qname, {}).get("oxigraph", {}).get("c1", {}).get("p50_ms")
    return p50 is not None and p50 >= SLOW_MS


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


def _latency_table(w: Callable[[str], None], name: str, res: dict[str, Any]) -> None:
    """The c=1 per-query latency table of a workload measured at c=1 only (1M)."""
    queries = res.get("http", {}).get("queries", {})
    inproc = res.get("inprocess", {})
    w("")
    w(f"### {name}: per-query latency (HTTP, concurrency 1, distinct requests)")
    w("")
    w(f"itugraph's query time limit is {ITUGRAPH_TIMEOUT_S:g} s (503 QUERY_TIMEOUT); Oxigraph has "
      "none, so the client gives up at its timeout and the server is restarted. The tail is "
      f"the p99 from {loadgen.P99_MIN_SAMPLES} samples on, else the slowest answer.")
    w("")
    w("| query | rows | in-process median ms | itugraph c1 p50 ms | itugraph tail ms | "
      "oxigraph c1 p50 ms | oxigraph tail ms | itu/oxi | samples itu/oxi |")
    w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for qname, cells in queries.items():
        itu, oxi = cells.get("itugraph", {}), cells.get("oxigraph", {})
        rows = {c.get("rows") for c in (itu, oxi)} - {None}
        rows_txt = "/".join(map(str, sorted(rows))) + (" MISMATCH" if len(rows) > 1 else "")
        ip = inproc.get(qname, {})
        ip_txt = fmt(ip["median_ms"], 2) if "median_ms" in ip else \
            (ip.get("error") or ip.get("skipped") or "–")[:40]
        a, b = itu.get("c1", {}).get("p50_ms"), oxi.get("c1", {}).get("p50_ms")
        ratio = f"{a / b:.2f}" if a and b else "–"
        n = "/".join(str(c.get("c1", {}).get("requests", 0) - c.get("c1", {}).get("errors", 0))
                     if "c1" in c else "–" for c in (itu, oxi))
        w(f"| {qname} | {rows_txt} | {ip_txt} | {_c1_text(itu)} | {_c1_tail(itu)} | "
          f"{_c1_text(oxi)} | {_c1_tail(oxi)} | {ratio} | {n} |")
    lat = res.get("ratios", {}).get("oxigraph", {}).get("c1_median_latency_ratio", {})
    if lat:
        w("")
        w(f"- itugraph/oxigraph c=1 median latency, geometric mean over the {len(lat)} queries "
          f"both answered: {fmt(geomean(list(lat.values())), 2)}")


def _scaling_table(w: Callable[[str], None], name: str, scaling: dict[str, Any]) -> None:
    one, two = scaling["cores"]
    w("")
    w(f"### {name}: c=8 distinct req/s with the server pinned to cores {one} vs {two} (taskset)")
    w("")
    w("| query | itugraph 1 core | itugraph 2 cores | itugraph x | oxigraph 1 core | "
      "oxigraph 2 cores | oxigraph x | itu/oxi 1 core | itu/oxi 2 cores |")
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
    w("- 2 cores / 1 core, geometric mean: " + ", ".join(
        f"{server} {fmt(geomean(v), 2)}" for server, v in gains.items()))


def print_tables(results: dict[str, Any]) -> str:
    lines: list[str] = []
    w = lines.append
    w(f"# itugraph benchmark — {results['date']} — {results['machine']['summary']}")
    for name, res in results["workloads"].items():
        ph = res.get("phases", {})
        w("")
        w(f"## {name}: {fmt(res.get('asserted_triples'))} asserted triples, "
          f"{fmt(ph.get('build_cold', {}).get('inferred_triples'))} inferred")
        w("")
        w("| phase | seconds | peak RSS MB | note |")
        w("|---|---:|---:|---|")
        for key in ("parse_pyoxigraph", "parse_rdflib", "closure_native", "closure_owlrl", "validate",
                    "build_cold", "export", "oxigraph_load"):
            e = ph.get(key, {})
            secs = e.get("seconds", e.get("wall_s"))
            note = e.get("skipped") or e.get("error") or ""
            if key == "validate" and e.get("from_build"):
                note = ("0 violations: the cold build's SHACL step (not run twice; warnings "
                        "not itemised at this size)")
            elif key == "validate" and "violations" in e:
                note = f"{e['violations']} violations, {e.get('warnings', 0)} warnings " + \
                    ", ".join(f"{k}×{v}" for k, v in sorted(e.get("by_shape", {}).items()))
            if key == "build_cold" and "wall_s" in e and not note:
                note = ("full build: parse + SHACL + closure + store" if e.get("validated")
                        else "parse + closure + store (no validation)")
            if key.startswith("closure") and "inferred" in e:
                note = f"{e['inferred']} inferred, {e['inconsistencies']} inconsistencies"
                if e.get("from_build"):
                    note += " (the cold build's infer step: not run twice)"
            w(f"| {key} | {fmt(secs, 2)} | {fmt(e.get('peak_rss_mb'))} | {note[:160]} |")
        if "build_full_estimate_s" in ph:
            w(f"| full build (cold build + validation) | {fmt(ph['build_full_estimate_s'], 2)} | | |")
        servers = res.get("http", {}).get("servers", {})
        w("")
        w("| server | warm start s | peak RSS MB | note |")
        w("|---|---:|---:|---|")
        for s in SERVERS:
            e = servers.get(s, {})
            w(f"| {s} | {fmt(e.get('warm_start_s'), 2)} | {fmt(e.get('peak_rss_mb'))} | "
              f"{e.get('skipped') or e.get('error') or ''} |")
        queries = res.get("http", {}).get("queries", {})
        inproc = res.get("inprocess", {})
        if queries and not _has_c8(res):
            _latency_table(w, name, res)
        elif queries:
            w("")
            overhead = res.get("ratios", {}).get("overhead_ms", {})
            w("| query | rows | in-proc med/p99 ms | itugraph c1 p50 | overhead ms | "
              "oxigraph c1 p50 | itugraph c8 req/s (p99 ms) | oxigraph c8 req/s (p99 ms) | "
              "rdflib-ep c8 req/s | itu/oxi | itu/rdflib | itugraph cached c8 req/s |")
            w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
            for qname, cells in queries.items():
                itu, oxi, rdf = (cells.get(s, {}) for s in SERVERS)
                ip = inproc.get(qname, {})

                def c8(cell: dict[str, Any]) -> str:
                    e = cell.get("c8", {})
                    if "rps" not in e:
                        return cell.get("error", "–")[:30] if "error" in cell else "–"
                    return f"{fmt(e['rps'])}" + (f" ({fmt(e.get('p99_ms'))})" if e.get("p99_ms") else "")

                def r(a: dict[str, Any], b: dict[str, Any]) -> str:
                    x, y = a.get("c8", {}).get("rps"), b.get("c8", {}).get("rps")
                    return f"{x / y:.2f}" if x and y else "–"

                rows = {cells.get(s, {}).get("rows") for s in SERVERS} - {None}
                rows_txt = "/".join(map(str, sorted(rows))) + (" MISMATCH" if len(rows) > 1 else "")
                w(f"| {qname} | {rows_txt} | {fmt(ip.get('median_ms'), 2)}/{fmt(ip.get('p99_ms'), 2)} | "
                  f"{fmt(itu.get('c1', {}).get('p50_ms'), 2)} | {fmt(overhead.get(qname), 2)} | "
                  f"{fmt(oxi.get('c1', {}).get('p50_ms'), 2)} | "
                  f"{c8(itu)} | {c8(oxi)} | {c8(rdf)} | {r(itu, oxi)} | {r(itu, rdf)} | "
                  f"{fmt(itu.get('c8_cached', {}).get('rps'))} |")
            rat = res.get("ratios", {})
            w("")
            for peer in ("oxigraph", "rdflib-endpoint"):
                e = rat.get(peer, {})
                w(f"- itugraph/{peer}, c=8 distinct queries, geometric mean: catalogue "
                  f"{fmt(e.get('geomean_c8_throughput_catalogue'), 2)}, all queries "
                  f"{fmt(e.get('geomean_c8_throughput_all'), 2)}, queries where Oxigraph "
                  f"spends {SLOW_MS:g} ms or more {fmt(e.get('geomean_c8_throughput_slow'), 2)}")
            w(f"- per-request overhead (itugraph c=1 median minus in-process median), median "
              f"over the catalogue: {fmt(rat.get('median_overhead_ms_catalogue'), 3)} ms")
        if res.get("scaling", {}).get("queries"):
            _scaling_table(w, name, res["scaling"])
        if res.get("timeline"):
            total = res.get("wall_s", sum(res["timeline"].values()))
            w("")
            w(f"Wall time {fmt(float(total), 0)} s: " + ", ".join(
                f"{k} {fmt(float(v), 0)}" for k, v in res["timeline"].items() if v >= 1))
    text = "\n".join(lines)
    print(text)
    return text


def evaluate_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Issues 8 and 13's targets, each met or missed with its figure, from one run's results."""
    out: list[dict[str, Any]] = []
    loads = results.get("workloads", {})

    def add(target: str, met: bool | None, figure: str) -> None:
        out.append({"target": target, "met": met, "figure": figure})

    for name, res in loads.items():
        rat = res.get("ratios", {}).get("oxigraph", {})
        gm = rat.get("geomean_c8_throughput_catalogue")
        if gm is None:
            continue
        thr = {k: v for k, v in rat.get("c8_throughput_ratio", {}).items()
               if results["queries"].get(k, {}).get("kind") == "catalogue"}
        low = sorted((v, k) for k, v in thr.items() if v < 0.8)
        p99 = rat.get("c8_p99_ratio", {})
        worse = sum(1 for k, v in p99.items() if v > 1.0 and k in thr)
        every = rat.get("c8_throughput_ratio", {})
        gm_all = rat.get("geomean_c8_throughput_all")
        add(f"{name}: c=8 distinct throughput, geomean over the catalogue and x- queries "
            ">= 0.7x Oxigraph", gm_all is not None and gm_all >= 0.7,
            f"{gm_all:.2f}x ({len(every)} queries; catalogue alone {gm:.2f}x)")
        queries = res.get("http", {}).get("queries", {})
        slow = sorted((v, k) for k, v in every.items() if _slow(queries, k))
        under = [(v, k) for v, k in slow if v < 0.9]
        add(f"{name}: >= 0.9x Oxigraph on every query where it spends {SLOW_MS:g} ms or more",
            not under if slow else None,
            f"{len(slow)} such queries" + (f"; {len(under)} below: " + ", ".join(
                f"{k.split('-', 1)[0]} {v:.2f}x" for v, k in under) if under else ""))
        overhead = res.get("ratios", {}).get("median_overhead_ms_catalogue")
        if overhead is not None:
            add(f"{name}: per-request overhead, median over the catalogue <= 0.3 ms",
                overhead <= 0.3, f"{overhead:.3f} ms")
        add(f"{name}: no catalogue query below 0.8x Oxigraph (issue 8)", not low,
            f"{len(low)} below" + (f", lowest {low[0][1]} {low[0][0]:.2f}x" if low else ""))
        add(f"{name}: c=8 p99 no worse than Oxigraph", worse == 0,
            f"{worse} of {len(p99)} queries with a higher p99")
        rdf = res.get("ratios", {}).get("rdflib-endpoint", {}).get("geomean_c8_throughput_catalogue")
        if rdf is not None:
            add(f"{name}: >= 10x rdflib-endpoint (geomean, catalogue)", rdf >= 10, f"{rdf:.1f}x")
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
        add("1m: full build under 3 min and 6 GB", ok if build.get("validated") else None,
            f"{build['wall_s']:.0f} s, {build.get('peak_rss_mb', 0):.0f} MB"
            + ("" if build.get("validated") else " (without validation: see the validate row)"))
    for name, res in loads.items():
        start = res.get("http", {}).get("servers", {}).get("itugraph", {}).get("warm_start_s")
        if start is not None:
            add(f"{name}: warm start under 2 s", start < 2, f"{start:.2f} s")
    return out


def _latency_targets(add: Callable[[str, bool | None, str], None], results: dict[str, Any],
                     queries: dict[str, Any]) -> None:
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
    add("1m: median latency within 2x of Oxigraph for every catalogue query",
        False if over2 else (None if missing else True),
        (f"{len(over2)} over 2x: " + ", ".join(over2) if over2 else "all within 2x" + worst) + note)
    add("1m: no catalogue query over 1 s", False if over1s else (None if missing else True),
        (", ".join(over1s) or "none") + (f"; not measured: {', '.join(missing)}" if missing else ""))


def print_targets(targets: list[dict[str, Any]]) -> str:
    lines = ["", "## Targets (issues 8 and 13)", "", "| target | status | figure |",
             "|---|---|---|"]
    for t in targets:
        status = {True: "met", False: "**missed**", None: "not measured"}[t["met"]]
        lines.append(f"| {t['target']} | {status} | {t['figure']} |")
    text = "\n".join(lines)
    print(text)
    return text


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
    for pkg in ("itugraph", "pyoxigraph", "oxigraph", "rdflib", "rdflib-endpoint", "owlrl", "pyshacl",
                "flask", "granian", "waitress", "uvicorn"):
        with contextlib.suppress(md.PackageNotFoundError):
            versions[pkg] = md.version(pkg)
    summary = f"{os.cpu_count()} cores ({cpu}), {mem:.0f} GB RAM, Python {platform.python_version()}"
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_gb": round(mem, 1),
            "python": platform.python_version(), "versions": versions,
            "load_tool": "wrk" if loadgen.have_wrk() else "python", "summary": summary}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0].startswith("_"):
        return child_main(argv)
    if argv and argv[0] == "report":
        return report([Path(p) for p in argv[1:]])
    parser = argparse.ArgumentParser(description="itugraph benchmark suite")
    parser.add_argument("--quick", action="store_true", help="skip the 1M-triple workload")
    parser.add_argument("--sizes", help="comma-separated workloads (real,10k,100k,1m)")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--http-seconds", type=int, default=1, help="seconds per HTTP load cell")
    parser.add_argument("--owlrl-max", type=int, default=10_000,
                        help="largest generated size the owlrl closure runs on")
    parser.add_argument("--rdflib-max", type=int, default=10_000,
                        help="largest generated size rdflib parse and rdflib-endpoint run on")
    parser.add_argument("--validate-max", type=int, default=100_000,
                        help="largest generated size the separate, itemised `validate` phase runs "
                             "on; above it the validate row is the cold build's SHACL step")
    parser.add_argument("--closure-max", type=int, default=100_000,
                        help="largest generated size the native closure runs on its own; above it "
                             "the row is the cold build's infer step")
    parser.add_argument("--c8-max", type=int, default=100_000,
                        help="largest generated size with c=8 throughput cells (c=1 only above)")
    parser.add_argument("--budget", type=float, default=19 * 60,
                        help="whole-run time budget (s), shared out per workload (SHARES_S)")
    parser.add_argument("--scaling-on", default="10k",
                        help="workload whose servers are also measured pinned to 1 and 2 cores")
    parser.add_argument("--out", type=Path, help="JSON output (default bench/results/<date>.json)")
    args = parser.parse_args(argv)

    sizes = args.sizes.split(",") if args.sizes else ["real", "10k", "100k"] + ([] if args.quick else ["1m"])
    work = args.work or Path(tempfile.mkdtemp(prefix="itugraph-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    # query: the HTTP client's timeout (Oxigraph and rdflib-endpoint have no limit of their
    # own here); server_timeout: itugraph's query time limit (ITUGRAPH_QUERY_TIMEOUT).
    caps = {"parse": 240.0, "closure": 300.0, "validate": 240.0, "build": 400.0, "start": 300.0,
            "latency_per_query": 0.5, "latency_query_cap": 20.0, "query": 12.0,
            "server_timeout": ITUGRAPH_TIMEOUT_S, "slow_query": 3.0, "c1_min_seconds": 0.25}
    opts = Options(work=work, sizes=sizes, owlrl_max=args.owlrl_max, rdflib_max=args.rdflib_max,
                   validate_max=args.validate_max, closure_max=args.closure_max,
                   c8_max=args.c8_max, http_seconds=args.http_seconds, budget=args.budget,
                   caps=caps, scaling_on=args.scaling_on)
    signal.signal(signal.SIGTERM, _on_signal)
    query_set, notes = qset.load(REPO / "queries")
    catalogue = {q.name for q in query_set if q.kind == "catalogue"}
    date = dt.date.today().isoformat()
    results: dict[str, Any] = {"date": date, "started": dt.datetime.now().isoformat(timespec="seconds"),
                               "machine": machine(), "args": vars(args) | {"work": str(work)},
                               "caps_s": caps, "queries": {q.name: {"kind": q.kind, "text": q.text}
                                                           for q in query_set},
                               "query_notes": notes, "workloads": {}}
    say(f"{len(query_set)} queries ({len(catalogue)} from the catalogue); scratch {work}")
    out_path = args.out or BENCH / "results" / f"{date}.json"
    out_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        plan = ", ".join(f"{n} {SHARES_S.get(n, 300.0):.0f} s" for n in sizes)
        say(f"budget {args.budget:.0f} s; shares: {plan}")
        for name in sizes:
            opts.open_window(name)
            if opts.left() < 120:
                results["workloads"][name] = {"skipped": "global time budget spent"}
                continue
            started = time.perf_counter()
            try:
                res = workload(name, opts, query_set)
            except Exception as exc:
                res = {"error": f"{type(exc).__name__}: {exc}"}
            res["wall_s"] = round(time.perf_counter() - started, 1)
            res["ratios"] = ratios(res, catalogue)
            results["workloads"][name] = res
            out_path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    except KeyboardInterrupt:
        say("interrupted: stopping servers")
        results["interrupted"] = True
    finally:
        kill_all()
        results["total_s"] = round(time.perf_counter() - opts.started, 1)
        out_path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
        if not args.keep and args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    results["table"] = print_tables(results)
    results["targets"] = evaluate_targets(results)
    results["table"] += "\n" + print_targets(results["targets"])
    out_path.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    say(f"wrote {out_path} in {results['total_s']} s")
    return 130 if results.get("interrupted") else 0


if __name__ == "__main__":
    raise SystemExit(main())
