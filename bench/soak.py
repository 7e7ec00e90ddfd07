"""``python -m bench.soak``: a bounded load-and-soak run of ``itugraph serve`` (issue 18).

32 clients, each from its own loopback address, for five minutes (``--seconds``; ``--quick``:
30 s): 30 of them draw requests from the realistic mix of ``bench.soak_mix`` back to back,
2 send runaway queries (each runs into the time limit, then the client pauses). The
server runs with the limits a public deployment sets (:data:`SOAK_SETTINGS`): a time limit,
a row limit, one running query per client, and caches smaller than the defaults so that
they fill up within the run and their bound is what memory is checked against.

Printed and written to ``bench/results/soak-<time>.json``: throughput, p50/p99 per kind and
overall, every status, errors outside the documented limit answers (with examples), and
the RSS of the server's whole process tree (granian's processes and the query workers),
sampled every second: at the start of the load, its middle and its end. Exit 1 when there
was an unexpected error or memory grew beyond the caches' bound (``bench.soak_report``).
Loopback only; it stops by itself.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import random
import signal
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bench import BENCH, REPO, say
from bench import queries as bench_queries
from bench.deref import pick_resources
from bench.procs import PY, kill, kill_all, on_signal, spawn
from bench.servers import ITUGRAPH_TIMEOUT_S, free_port
from bench.soak_mix import RUNAWAY, Catalogue, Mix, SoakRequest, answer_code, outcome, query_link
from bench.soak_report import (
    Tally,
    cache_bound_mb,
    kind_rows,
    memory_points,
    overall,
    render,
    verdicts,
)
from itugraph.linkeddata.urls import path_of
from itugraph.web.config import load_settings

if TYPE_CHECKING:
    import psutil

CLIENTS = 32
RUNAWAY_CLIENTS = 2
#: Seconds a runaway client waits after each answer (a person giving up, then trying again).
RUNAWAY_PAUSE_S = 10.0
SECONDS = 300.0
QUICK_SECONDS = 30.0
#: Per-request client timeout: well above the query time limit plus a queue's wait.
CLIENT_TIMEOUT_S = 120.0
MIB = 2**20
#: The server's limits during the soak (the environment of ``itugraph serve``).
SOAK_SETTINGS = {
    "ITUGRAPH_QUERY_TIMEOUT": f"{ITUGRAPH_TIMEOUT_S:g}",
    "ITUGRAPH_MAX_ROWS": "10000",
    "ITUGRAPH_MAX_QUERIES_PER_CLIENT": "1",
    "ITUGRAPH_CACHE_BYTES": str(16 * MIB),
    "ITUGRAPH_REPLAY_CACHE_BYTES": str(16 * MIB),
}
#: The address every runaway client sends from (one abusive client with two connections).
RUNAWAY_ADDRESS = "127.0.0.9"


def client_address(index: int) -> str:
    """A loopback address of its own for normal client ``index`` (Linux routes all of 127/8)."""
    return f"127.0.{10 + index // 250}.{index % 250 + 1}"


@dataclass
class Target:
    """The server under load."""

    host: str
    port: int

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


def send(conn: http.client.HTTPConnection, req: SoakRequest) -> tuple[int, bytes]:
    """One request; its status and the first bytes of the body (all of it is read)."""
    conn.request(req.method, req.path, body=req.body or None, headers=dict(req.headers))
    reply = conn.getresponse()
    body = reply.read()
    if reply.getheader("Connection", "").lower() == "close":
        conn.close()
    return reply.status, body[:400]


def ask(conn: http.client.HTTPConnection, req: SoakRequest, tally: Tally) -> int:
    """Send ``req`` and tally its answer; a failed connection is an error, then reopened."""
    start = time.perf_counter()
    try:
        status, head = send(conn, req)
    except (OSError, http.client.HTTPException) as exc:
        conn.close()
        tally.add(
            req.kind, "error", f"0 {type(exc).__name__}", (time.perf_counter() - start) * 1000, req.path
        )
        return 0
    verdict = outcome(req.kind, status, head)
    code = answer_code(status, head) if status != 200 else "200"
    tally.add(req.kind, verdict, code, (time.perf_counter() - start) * 1000, req.label or req.path[:80])
    return status


def normal_client(target: Target, index: int, mix: Mix, deadline: float, tally: Tally, seed: int) -> None:
    rng = random.Random(seed * 1000 + index)
    conn = http.client.HTTPConnection(
        target.host, target.port, timeout=CLIENT_TIMEOUT_S, source_address=(client_address(index), 0)
    )
    while time.monotonic() < deadline:
        ask(conn, mix.draw(rng), tally)
    conn.close()


def runaway_client(target: Target, mix: Mix, deadline: float, tally: Tally, pause: float) -> None:
    rng = random.Random(0)
    conn = http.client.HTTPConnection(
        target.host, target.port, timeout=CLIENT_TIMEOUT_S, source_address=(RUNAWAY_ADDRESS, 0)
    )
    while time.monotonic() < deadline:
        ask(conn, mix.build(RUNAWAY, rng), tally)
        time.sleep(max(0.0, min(pause, deadline - time.monotonic())))
    conn.close()


def role_rss_mb(proc: psutil.Process) -> dict[str, float]:
    """RSS (MB) of the server's tree by role: ``http`` (the main process, granian's HTTP
    workers and their helpers: where the caches are) and ``query`` (the query workers,
    which hold the working memory of the queries they run)."""
    import psutil

    mb = {"http": proc.memory_info().rss / MIB, "query": 0.0}
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            role = "query" if "multiprocessing.spawn" in " ".join(child.cmdline()) else "http"
            mb[role] += child.memory_info().rss / MIB
    return mb


class MemorySampler:
    """The server tree's RSS every second: (seconds since start, MB by role)."""

    def __init__(self, pid: int, interval: float = 1.0) -> None:
        import psutil

        self.samples: list[tuple[float, dict[str, float]]] = []
        self._proc = psutil.Process(pid)
        self._interval = interval
        self._t0 = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-memory", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import psutil

        while not self._stop.is_set():
            try:
                self.samples.append((time.monotonic() - self._t0, role_rss_mb(self._proc)))
            except psutil.Error:
                return
            self._stop.wait(self._interval)

    def now(self) -> float:
        return time.monotonic() - self._t0

    def series(self, role: str | None = None) -> list[tuple[float, float]]:
        """(time, MB) of one role, or of the whole tree."""
        return [(t, mb[role] if role else sum(mb.values())) for t, mb in self.samples]

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)


def _get_json(url: str) -> Any:
    with urllib.request.urlopen(url, timeout=CLIENT_TIMEOUT_S) as reply:
        return json.loads(reply.read())


def discover(target: Target, root: Path) -> tuple[Catalogue, list[str]]:
    """What the mix draws from, read from the server and the project's queries; named
    queries that do not answer 200 with their defaults (none should) are left out and named."""
    named, left_out = [], []
    for query in _get_json(target.base + "/api/queries"):
        status = _status(target.base + query_link(query["name"]))
        if status == 200:
            named.append(query["name"])
        else:
            left_out.append(f"{query['name']} ({status})")
    edits, _ = bench_queries.load(root / "queries")
    resources = [path_of(iri) for iri in pick_resources(target.base + "/sparql", CLIENT_TIMEOUT_S)]
    dumps = ["/dumps/" + f["name"] for f in _get_json(target.base + "/dumps/index.json")["files"]]
    max_bytes = load_settings(environ=SOAK_SETTINGS).max_query_bytes
    return Catalogue(named, edits, resources, dumps, max_bytes), left_out


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=CLIENT_TIMEOUT_S) as reply:
            reply.read()
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def wait_ready(target: Target, proc: Any, cap: float) -> None:
    deadline = time.monotonic() + cap
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"itugraph serve exited with {proc.returncode}")
        if _ready(target):
            return
        time.sleep(0.5)
    raise TimeoutError(f"itugraph serve not ready within {cap:g} s")


def _ready(target: Target) -> bool:
    try:
        return _status(target.base + "/readyz") == 200
    except OSError:
        return False


def run_load(target: Target, mix: Mix, opts: argparse.Namespace, sampler: MemorySampler) -> dict[str, Any]:
    """The clients from now for ``opts.seconds``; the tally and the load's start and end."""
    tally = Tally()
    load_before = os.getloadavg()[0]
    start = sampler.now()
    deadline = time.monotonic() + opts.seconds
    normal = opts.clients - opts.runaway_clients
    threads = [
        threading.Thread(target=normal_client, args=(target, i, mix, deadline, tally, opts.seed), daemon=True)
        for i in range(normal)
    ]
    threads += [
        threading.Thread(
            target=runaway_client, args=(target, mix, deadline, tally, opts.runaway_pause), daemon=True
        )
        for _ in range(opts.runaway_clients)
    ]
    for thread in threads:
        thread.start()
    time.sleep(opts.seconds)
    end = sampler.now()
    load_during = os.getloadavg()[0]
    for thread in threads:
        thread.join(CLIENT_TIMEOUT_S + 10)
    seconds = time.monotonic() - deadline + opts.seconds
    time.sleep(3)  # idle again: what the load left behind
    return {
        "tally": tally,
        "start": start,
        "end": end,
        "after": sampler.now(),
        "seconds": seconds,
        "load_average": [load_before, load_during],
    }


def report(run: dict[str, Any], sampler: MemorySampler, opts: argparse.Namespace) -> dict[str, Any]:
    tally: Tally = run["tally"]
    http_workers = load_settings(environ=SOAK_SETTINGS).http_workers
    bound = cache_bound_mb(SOAK_SETTINGS, http_workers)
    summary = overall(tally, run["seconds"])
    memory = {
        name: memory_points(sampler.series(role), run["start"], run["end"], run["after"])
        for name, role in (("tree", None), ("http", "http"), ("query", "query"))
    }
    return {
        "clients": opts.clients,
        "runaway_clients": opts.runaway_clients,
        "seconds": round(run["seconds"], 1),
        #: The machine's 1-minute load average before the load and at its end (with the
        #: clients, which share the machine: a shared machine shows here).
        "load_average": [round(x, 2) for x in run["load_average"]],
        "settings": ", ".join(f"{k}={v}" for k, v in SOAK_SETTINGS.items())
        + f"; {http_workers} HTTP workers",
        "kinds": kind_rows(tally, run["seconds"]),
        "overall": summary,
        "memory": memory,
        "memory_samples": [
            (round(t, 1), {k: round(v, 1) for k, v in mb.items()}) for t, mb in sampler.samples
        ],
        "cache_bound_mb": bound,
        "verdicts": verdicts(summary, memory["http"], bound),
        "error_examples": tally.error_examples,
        "limit_examples": dict(tally.limit_examples.most_common()),
    }


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=SECONDS, help=f"load time (default {SECONDS:g})")
    parser.add_argument("--quick", action="store_true", help=f"a {QUICK_SECONDS:g} s run")
    parser.add_argument("--clients", type=int, default=CLIENTS, help=f"all clients (default {CLIENTS})")
    parser.add_argument(
        "--runaway-clients", type=int, default=RUNAWAY_CLIENTS, help="of them, sending runaway queries"
    )
    parser.add_argument("--runaway-pause", type=float, default=RUNAWAY_PAUSE_S, help="seconds between")
    parser.add_argument("--seed", type=int, default=18, help="seed of the clients' draws")
    parser.add_argument("--root", type=Path, default=REPO, help="project served (default: the ITU graph)")
    parser.add_argument("--out", type=Path, help="JSON output (default bench/results/soak-<time>.json)")
    return parser


def main(argv: list[str] | None = None) -> int:
    opts = parser().parse_args(argv)
    if opts.quick:
        opts.seconds = min(opts.seconds, QUICK_SECONDS)
    signal.signal(signal.SIGTERM, on_signal)
    out = opts.out or BENCH / "results" / f"soak-{time.strftime('%Y%m%d-%H%M%S')}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    target = Target("127.0.0.1", free_port())
    log = out.with_suffix(".log")
    cmd = [PY, "-m", "itugraph", "--root", str(opts.root), "serve", "--host", target.host]
    server = spawn([*cmd, "--port", str(target.port)], log=log, env=SOAK_SETTINGS)
    try:
        wait_ready(target, server, 900)
        catalogue, left_out = discover(target, opts.root)
        if left_out:
            say(f"soak: named queries left out of the mix: {', '.join(left_out)}")
        sampler = MemorySampler(server.pid)
        say(f"soak: {opts.clients} clients for {opts.seconds:g} s (server log: {log})")
        run = run_load(target, Mix(catalogue), opts, sampler)
        sampler.stop()
    finally:
        kill(server)
        kill_all()
    result = report(run, sampler, opts)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(render(result))
    print(f"\n(written to {out})")
    return 0 if all(result["verdicts"].values()) else 1


if __name__ == "__main__":
    sys.exit(main())
