"""The SPARQL servers under test: itugraph, ``oxigraph serve-read-only``, ``rdflib-endpoint``.

Each is started on a free port of 127.0.0.1 (optionally pinned to cores with ``taskset``),
is ready when it answers a first query, and is stopped with its whole process tree.
``Live`` restarts a server on demand: a fresh process has nothing in flight.
"""

from __future__ import annotations

import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bench.procs import BIN, PY, RssSampler, kill, spawn

SERVERS = ("itugraph", "oxigraph", "rdflib-endpoint")
#: itugraph's query time limit in the benchmark (ITUGRAPH_QUERY_TIMEOUT): a query over it
#: is answered 503 QUERY_TIMEOUT and reported as "over the limit".
ITUGRAPH_TIMEOUT_S = 10.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def post_query(url: str, text: str, accept: str, timeout: float = 60) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url,
        data=text.encode(),
        method="POST",
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
    )
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
        kill(self.proc)


def _command(
    name: str, port: int, *, root: Path, store_dir: Path, dump: Path
) -> tuple[list[str], dict[str, str]]:
    """The command line and extra environment that serve ``name`` on ``port``."""
    if name == "itugraph":
        cmd = [PY, "-m", "itugraph", "--root", str(root), "serve", "--host", "127.0.0.1", "--port", str(port)]
        # Defaults (no row limit, as for the peers) but the time limit.
        return cmd, {"ITUGRAPH_QUERY_TIMEOUT": f"{ITUGRAPH_TIMEOUT_S:g}"}
    if name == "oxigraph":
        # No --timeout-s: it halves Oxigraph's throughput here (measured), and the peer is
        # benchmarked as a user would run it.
        return [
            str(BIN / "oxigraph"),
            "serve-read-only",
            "--location",
            str(store_dir),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ], {}
    return [str(BIN / "rdflib-endpoint"), "serve", str(dump), "--host", "127.0.0.1", "--port", str(port)], {}


def start_server(
    name: str, *, root: Path, store_dir: Path, dump: Path, log: Path, cap: float, cores: str | None = None
) -> Server:
    port = free_port()
    # rdflib-endpoint answers SPARQL at its root path.
    url = f"http://127.0.0.1:{port}" + ("/" if name == "rdflib-endpoint" else "/sparql")
    cmd, env = _command(name, port, root=root, store_dir=store_dir, dump=dump)
    if cores is not None:  # the whole server (its children inherit the CPU set)
        cmd = ["taskset", "-c", cores, *cmd]
    start = time.perf_counter()
    proc = spawn(cmd, log=log, env=env)
    sampler = RssSampler(proc.pid)
    try:
        seconds = wait_answer(url, proc, start, cap)
    except BaseException:
        sampler.stop()
        kill(proc)
        raise
    return Server(name, url, proc, seconds, sampler)


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
