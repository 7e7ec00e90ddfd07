"""`itugraph serve` as a process: where it listens, how it survives a crash, how it stops; and,
in-process, what it does before granian takes over."""

from __future__ import annotations

import logging
import os
import signal
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from itugraph.errors import InputError
from itugraph.project import Project
from itugraph.web.serve import serve
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


# --- in-process: what `serve` does before granian takes over ---------------------------------


@contextmanager
def _log_levels_kept() -> Iterator[None]:
    """``serve`` turns on INFO logging for itugraph: the levels are restored afterwards."""
    loggers = [logging.getLogger(name) for name in ("itugraph", "itugraph.access")]
    levels = [logger.level for logger in loggers]
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def test_serve_refuses_a_busy_port_before_building(tiny_root: Path) -> None:
    with _log_levels_kept(), socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        with pytest.raises(InputError, match=f"cannot listen on 127.0.0.1:{port}") as caught:
            serve(Project.at(tiny_root), {"PORT": port})
    assert "--port" in (caught.value.hint or "")
    assert not (tiny_root / ".itugraph").exists()


def test_serve_builds_then_gives_granian_a_loader_of_the_app(
    tiny_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """granian's server is replaced by a stand-in that records its options and loads the
    app as a granian worker process would."""
    started: dict[str, Any] = {}

    class StandIn:
        def __init__(self, target: str, **options: Any) -> None:
            started.update(options, target=target)

        def serve(self, *, target_loader: Any, wrap_loader: bool) -> None:
            started["app"], started["wrap_loader"] = target_loader(), wrap_loader
            started["metrics_dir"] = Path(started["app"].extensions["itugraph"].settings.metrics_dir)
            started["metrics_dir_existed"] = started["metrics_dir"].is_dir()
            started["ready"] = started["app"].test_client().get("/readyz").get_json()

    monkeypatch.setattr("granian.server.MPServer", StandIn)
    port = free_port()
    with _log_levels_kept():
        serve(Project.at(tiny_root), {"PORT": port, "HTTP_WORKERS": 3, "THREADS": 2, "WORKERS": 1})
        access_logged = logging.getLogger("itugraph.access").isEnabledFor(logging.INFO)
    app = started["app"]
    try:
        assert (started["address"], started["port"], started["workers"]) == ("127.0.0.1", port, 3)
        assert started["blocking_threads"] == 2 and started["respawn_failed_workers"] is True
        assert started["target"] == "itugraph.web:create_app" and started["wrap_loader"] is False
        assert started["metrics_dir_existed"] and not started["metrics_dir"].exists()  # removed
        assert [p for p in (tiny_root / ".itugraph").iterdir() if p.is_dir()]  # built first
        assert started["ready"]["status"] == "ready" and started["ready"]["workers"] == 1
        assert access_logged
    finally:
        app.extensions["itugraph"].executor.close()
