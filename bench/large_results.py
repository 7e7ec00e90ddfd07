"""Large answers over HTTP: time to download, and the server's memory while it answers.

Starts ``itugraph serve`` on a project (by default the 1M synthetic graph of
``bench.synth``), asks ``SELECT ?s ?p ?o … LIMIT n`` for each size in JSON and CSV, and
reports per answer the wall time, the bytes received and the peak resident memory of the
server's whole process tree (granian, the Flask worker, the query workers) above its idle
level, sampled every 20 ms. Issue 13's target: a 1M-row answer costs the server under
200 MB above idle.

    python -m bench.large_results --root bench/results/synth-1m [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

QUERY = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT %d"


def tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (from /proc)."""
    total = 0
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            stat = (proc / "stat").read_text().split()
            if int(proc.name) != pid and not _descends(int(stat[3]), pid):
                continue
            total += int((proc / "statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, ValueError, IndexError):
            continue
    return total


def _descends(ppid: int, root: int) -> bool:
    while ppid > 1:
        if ppid == root:
            return True
        try:
            ppid = int(Path(f"/proc/{ppid}/stat").read_text().split()[3])
        except (OSError, ValueError, IndexError):
            return False
    return False


def measure(url: str, pid: int, size: int, fmt: str) -> tuple[float, int, int]:
    """(seconds, bytes received, peak tree RSS during the request)."""
    peak = [tree_rss(pid)]
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            peak[0] = max(peak[0], tree_rss(pid))
            time.sleep(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    params = urllib.parse.urlencode({"query": QUERY % size, "format": fmt})
    started = time.perf_counter()
    received = 0
    with urllib.request.urlopen(f"{url}/sparql?{params}", timeout=600) as reply:
        while chunk := reply.read(1 << 20):
            received += len(chunk)
    seconds = time.perf_counter() - started
    done.set()
    sampler.join()
    return seconds, received, peak[0]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, required=True, help="project to serve")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--formats", default="json,csv")
    parser.add_argument("--port", type=int, default=8181)
    parser.add_argument(
        "--itugraph",
        default=f"{sys.executable} -m itugraph",
        help="command that runs itugraph (to measure another checkout)",
    )
    parser.add_argument(
        "--max-rows",
        default="0",
        help="ITUGRAPH_MAX_ROWS (0: no limit; before issue 13, give a large "
        "number: 0 meant what it says there)",
    )
    args = parser.parse_args(argv)
    env = {
        **os.environ,
        "ITUGRAPH_MAX_ROWS": args.max_rows,
        "ITUGRAPH_CACHE_BYTES": "0",
        "ITUGRAPH_QUERY_TIMEOUT": "600",
    }
    server = subprocess.Popen(
        [*args.itugraph.split(), "--root", str(args.root), "serve", "--port", str(args.port)],
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{args.port}"
    try:
        _wait(url, server)
        time.sleep(1)
        idle = tree_rss(server.pid)
        print(f"server idle RSS: {idle / 2**20:.0f} MB")
        print(f"{'rows':>9} {'format':>6} {'seconds':>8} {'MB sent':>8} {'peak MB above idle':>19}")
        for size in (int(s) for s in args.sizes.split(",")):
            for fmt in args.formats.split(","):
                seconds, received, peak = measure(url, server.pid, size, fmt)
                print(
                    f"{size:>9,} {fmt:>6} {seconds:>8.2f} {received / 2**20:>8.1f} "
                    f"{(peak - idle) / 2**20:>19.0f}",
                    flush=True,
                )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    return 0


def _wait(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited before it was ready")
        try:
            with urllib.request.urlopen(url + "/readyz", timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the server did not get ready")


if __name__ == "__main__":
    raise SystemExit(main())
