"""`itugraph serve` as a process: where it listens, how it survives a crash, how it stops."""

from __future__ import annotations

import os
import signal
import socket
import time
from pathlib import Path

from tests.helpers import free_port, http, live_server, run_cli

ASK = "/sparql?query=ASK%7B%3Fs%20%3Fp%20%3Fo%7D"


def _children(pid: int) -> list[int]:
    """Direct child processes of ``pid`` (from /proc: no extra dependency)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def _running(pid: int) -> bool:
    """Alive and not a zombie (a zombie has exited; only its parent has not reaped it yet)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _descendants(pid: int) -> list[int]:
    out = []
    for child in _children(pid):
        out += [child, *_descendants(child)]
    return out


def _ready(url: str) -> bool:
    try:
        return http("GET", url + "/readyz", timeout=2).status == 200
    except OSError:  # refused while the replacement starts
        return False


def test_busy_port_is_a_clear_error_before_any_work(tiny_root: Path) -> None:
    port = free_port()
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", port))
        holder.listen()
        result = run_cli("--root", tiny_root, "serve", "--port", str(port), timeout=60)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "--port" in result.stderr  # the hint says how to fix it
    assert "Traceback" not in result.stderr
    assert not (tiny_root / ".itugraph").exists()  # refused before building anything


def test_a_crashed_http_worker_is_replaced(tiny_root: Path, tmp_path: Path) -> None:
    with live_server(tiny_root, tmp_path) as server:
        assert http("GET", server.url + ASK).status == 200
        workers = _children(server.process.pid)  # granian's HTTP worker processes
        assert len(workers) == len(os.sched_getaffinity(0))  # one per core by default
        worker = workers[0]
        os.kill(worker, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            now = _children(server.process.pid)
            if worker not in now and len(now) == len(workers) and _ready(server.url):
                break
            time.sleep(0.3)
        else:
            raise AssertionError(f"no replacement worker answered:\n{server.log()}")
        reply = http("GET", server.url + ASK)
        assert reply.status == 200 and reply.json() == {"head": {}, "boolean": True}


def test_sigterm_stops_the_server_and_all_its_processes(tiny_root: Path, tmp_path: Path) -> None:
    with live_server(tiny_root, tmp_path) as server:
        assert http("GET", server.url + ASK).status == 200
        family = _descendants(server.process.pid)
        assert len(family) >= 3  # the HTTP worker and its query workers
        server.process.send_signal(signal.SIGTERM)
        assert server.process.wait(timeout=20) == 0
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(_running(p) for p in family):
            time.sleep(0.2)
        left = [p for p in family if _running(p)]
        assert not left, f"processes left running after SIGTERM: {left}"
        assert "Traceback" not in server.log()
