"""Child processes: every child in its own session, killed on exit and on signals.

``timed`` runs a command to completion or its cap and reports wall time and peak RSS;
``spawn`` starts a long-running one (a server); ``RssSampler`` follows a process tree's
memory. Everything started here is in ``_LIVE`` until it is reaped, so ``kill_all``
(called on SIGTERM and at the end of a run) leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psutil

PY = sys.executable
BIN = Path(PY).parent

_LIVE: set[subprocess.Popen[bytes]] = set()
_LIVE_LOCK = threading.Lock()


def module_cmd(module: str, *args: str) -> list[str]:
    """The command line of ``python -m bench.<module> args…`` (children run the package)."""
    return [PY, "-m", f"bench.{module}", *args]


def kill(proc: subprocess.Popen[bytes]) -> None:
    """Stop ``proc``'s whole session: SIGTERM, then SIGKILL after 5 s."""
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
        kill(proc)


def on_signal(signum: int, _frame: object) -> None:
    kill_all()
    raise KeyboardInterrupt(f"signal {signum}")


def spawn(
    cmd: list[str], *, log: Path, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=cwd,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
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
        result: dict[str, Any] = json.loads(line)
        return result


def timed(
    cmd: list[str],
    *,
    cap: float,
    log: Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    line_cap: float | None = None,
) -> Timed:
    """Run ``cmd`` to completion or ``cap`` seconds; wall time and the child's peak RSS.

    With ``line_cap``, the child is also stopped when its stdout has not grown for that
    many seconds (one query of the in-process phase stuck).
    """
    out_path = log.with_suffix(".out")
    with out_path.open("wb") as out, log.open("ab") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            cmd, stdout=out, stderr=err, cwd=cwd, start_new_session=True, env={**os.environ, **(env or {})}
        )
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
                    kill(proc)
                    break
            if now > deadline:
                kill(proc)
                break
            time.sleep(0.02)
        seconds = time.perf_counter() - start
    with _LIVE_LOCK:
        _LIVE.discard(proc)
    return Timed(
        round(seconds, 3), rc, round(rss_kb / 1024, 1), out_path.read_text(encoding="utf-8", errors="replace")
    )


def tree_rss_mb(proc: psutil.Process) -> float:
    """RSS of ``proc`` and all its descendants, in MB (raises ``psutil.Error`` once it is gone).

    A descendant that exits while it is being read counts as nothing.
    """
    import psutil

    total = proc.memory_info().rss
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):
            total += child.memory_info().rss
    return total / 2**20


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
                self.peak_mb = max(self.peak_mb, tree_rss_mb(self._proc))
            except psutil.Error:
                return
            self._stop.wait(0.2)

    def stop(self) -> float:
        self._stop.set()
        self._thread.join(2)
        return round(self.peak_mb, 1)
