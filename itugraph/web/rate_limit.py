"""An optional per-client request rate limit, one budget per client across every HTTP
worker process.

``ITUGRAPH_RATE_LIMIT`` requests per second per client (by address, ``client_address.py``),
with bursts of up to ``ITUGRAPH_RATE_BURST`` requests (a page and its scripts, a notebook's
first queries). A request over the budget gets ``429 RATE_LIMITED`` with ``Retry-After``
before anything else runs: no body is read, no document replayed, no query started.
``/healthz`` and ``/readyz`` are not counted (a load balancer probes them from one address).

The algorithm is GCRA (the generic cell rate algorithm, a token bucket held as one number):
each client has a "theoretical arrival time" (TAT); a request at ``now`` moves it to
``max(TAT, now) + 1/rate`` and is refused if that is more than ``burst/rate`` ahead of now.
One float per client, so the table is a fixed array of (client hash, TAT) entries in a
memory-mapped file of the folder the HTTP worker processes already share for ``/metrics``:
granian hands each connection to any process, and per-process budgets would multiply the
limit by their number. A process-wide lock plus ``flock`` on the file make each update
atomic across processes (~5 µs a request). Entries are found by open addressing over
``PROBES`` slots; an entry whose TAT has passed is free (the client is back to a full
budget anyway). When all of them are active (more than ``ENTRIES`` clients within a
burst period), the entry with the oldest TAT, the client nearest a full budget, is reused.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import math
import mmap
import os
import struct
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from werkzeug.wrappers import Request

from itugraph.web.client_address import client_address, client_key
from itugraph.web.errors import render_error
from itugraph.web.metrics import Metrics
from itugraph.web.security import DATA_POLICY

log = logging.getLogger("itugraph.access")

#: Clients the table holds at once (within a burst period), and how many entries a lookup tries.
ENTRIES = 16384
PROBES = 8
#: Each entry: the client's 64-bit hash (0 = never used) and its TAT (``time.monotonic``,
#: one clock for every process of the machine).
_ENTRY = struct.Struct("<Qd")
#: Paths never limited: the load balancer's probes.
EXEMPT_PATHS = frozenset({"/healthz", "/readyz"})
TABLE_NAME = "rate-limit.table"

StartResponse = Callable[..., Any]
WSGIApp = Callable[[dict[str, Any], StartResponse], Iterable[bytes]]


class RateTable:
    """The GCRA state of every client, in memory shared by the processes using ``directory``
    (anonymous memory, this process alone, without one)."""

    def __init__(
        self,
        per_second: float,
        burst: int,
        directory: Path | None = None,
        *,
        entries: int = ENTRIES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if per_second <= 0 or burst < 1:
            raise ValueError("a rate limit needs a rate above 0 and a burst of at least 1")
        self.interval = 1.0 / per_second
        self.tolerance = burst * self.interval
        self._entries = entries
        self._clock = clock
        self._lock = threading.Lock()
        self._fd: int | None = None
        size = entries * _ENTRY.size
        if directory is None:
            self._map = mmap.mmap(-1, size)
            return
        directory.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(directory / TABLE_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self._fd).st_size < size:  # the first process sizes it; zeros = empty
            os.ftruncate(self._fd, size)
        self._map = mmap.mmap(self._fd, size)

    def admit(self, client: str) -> float:
        """0.0 if ``client`` may make a request now (and counts it), else the seconds until it may."""
        key = int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest(), "little") or 1
        with self._locked():
            now = self._clock()
            slot, tat = self._find(key, now)
            next_tat = max(tat, now) + self.interval
            if next_tat - now > self.tolerance:
                return next_tat - now - self.tolerance
            _ENTRY.pack_into(self._map, slot * _ENTRY.size, key, next_tat)
            return 0.0

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """Threads of this process (``flock`` is per open file: they would share it), then processes."""
        with self._lock:
            if self._fd is None:
                yield
                return
            fcntl.flock(self._fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(self._fd, fcntl.LOCK_UN)

    def _find(self, key: int, now: float) -> tuple[int, float]:
        """The client's entry and TAT; else a free entry, else the one nearest a full budget."""
        start = key % self._entries
        free: int | None = None
        oldest, oldest_tat = start, math.inf
        for probe in range(PROBES):
            slot = (start + probe) % self._entries
            held, tat = _ENTRY.unpack_from(self._map, slot * _ENTRY.size)
            if held == key:
                return slot, tat
            if free is None and (held == 0 or tat <= now):
                free = slot
            if tat < oldest_tat:
                oldest, oldest_tat = slot, tat
        return (oldest if free is None else free), now


class RateLimit:
    """WSGI middleware, outermost: refuse a client over its budget before the app sees the request."""

    def __init__(self, app: WSGIApp, table: RateTable, trusted: frozenset[str], metrics: Metrics) -> None:
        self._app = app
        self._table = table
        self._trusted = trusted
        self._metrics = metrics

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        if environ.get("PATH_INFO") in EXEMPT_PATHS:
            return self._app(environ, start_response)
        started = time.perf_counter()
        address = client_address(environ, self._trusted)
        wait = self._table.admit(client_key(address))
        if not wait:
            return self._app(environ, start_response)
        return self._refuse(environ, start_response, address, wait, started)

    def _refuse(
        self,
        environ: dict[str, Any],
        start_response: StartResponse,
        address: str,
        wait: float,
        started: float,
    ) -> Iterable[bytes]:
        retry = max(1, math.ceil(wait))
        per_minute = 60 / self._table.interval
        response = render_error(
            Request(environ).accept_mimetypes,
            429,
            "RATE_LIMITED",
            f"too many requests from this client: the limit is {per_minute:g} a minute "
            f"(bursts of {round(self._table.tolerance / self._table.interval)})",
            f"retry in {retry} s (ITUGRAPH_RATE_LIMIT, ITUGRAPH_RATE_BURST)",
            {
                "Retry-After": str(retry),
                "X-Content-Type-Options": "nosniff",
                "Content-Security-Policy": DATA_POLICY,
                "Referrer-Policy": "strict-origin-when-cross-origin",
                "Cache-Control": "no-store",
            },
        )
        seconds = time.perf_counter() - started
        self._metrics.observe("rate_limited", 429, seconds)
        if log.isEnabledFor(logging.INFO):
            path = environ.get("PATH_INFO")
            log.info(
                json.dumps(
                    {"method": environ.get("REQUEST_METHOD"), "path": path, "status": 429, "remote": address}
                )
            )
        return response(environ, start_response)
