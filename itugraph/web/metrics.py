"""Prometheus text-format metrics, correct when several HTTP worker processes serve.

Each process adds to its own counters in a memory-mapped file of ``float64`` slots in a
directory the server shares among its processes (``METRICS_DIR``); ``/metrics``, answered by
whichever process the request reached, sums the files of all of them. This is the scheme of
the Prometheus client's multiprocess mode, in a few lines and without its process-global
registry (tests make many apps in one process). An update is a lock and two struct calls
(~1 µs), no system call. A respawned process starts a new file, so counters never go back.
Without a directory (an app made in-process, e.g. by a test) the slots live in anonymous
memory and only this process counts.
"""

from __future__ import annotations

import bisect
import itertools
import json
import mmap
import os
import struct
import threading
import uuid
from collections import Counter
from pathlib import Path

#: Latency histogram buckets in seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

#: Counters each process can hold; beyond it, new (endpoint, status) pairs are not counted.
SLOTS = 1024
_SLOT = struct.Struct("<d")
#: Slot names of the latency buckets; the last one is for requests over the largest bound.
_BUCKET_KEYS = [f"bucket\t{index}" for index in range(len(BUCKETS) + 1)]
_SIMPLE = (
    ("query_timeouts_total", "timeouts", "Queries stopped at the time limit."),
    ("result_cache_hits_total", "cache_hits", "Answers served from the cache."),
    ("result_cache_misses_total", "cache_misses", "Answers computed."),
)


class Metrics:
    """Request counts by status, a latency histogram, timeouts and result-cache hits."""

    def __init__(self, directory: Path | None = None) -> None:
        self._lock = threading.Lock()
        self._index: dict[str, int] = {}
        self._directory = directory
        if directory is None:
            self._map = mmap.mmap(-1, SLOTS * _SLOT.size)
            self._keys_path: Path | None = None
            return
        directory.mkdir(parents=True, exist_ok=True)
        name = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        data = directory / f"{name}.bin"
        with data.open("wb") as handle:
            handle.truncate(SLOTS * _SLOT.size)
        with data.open("r+b") as handle:
            self._map = mmap.mmap(handle.fileno(), SLOTS * _SLOT.size)
        self._keys_path = directory / f"{name}.keys"

    def observe(self, endpoint: str, status: int, seconds: float) -> None:
        with self._lock:
            self._add(f"requests\t{endpoint}\t{status}", 1)
            self._add("latency_sum", seconds)
            self._add("latency_count", 1)
            # One slot per request: the first bucket it fits (render() makes them cumulative).
            self._add(_BUCKET_KEYS[bisect.bisect_left(BUCKETS, seconds)], 1)

    def count(self, name: str) -> None:
        """Add one to a simple counter: ``timeouts``, ``cache_hits`` or ``cache_misses``."""
        with self._lock:
            self._add(name, 1)

    def _add(self, key: str, amount: float) -> None:
        slot = self._index.get(key)
        if slot is None:
            if len(self._index) >= SLOTS:
                return
            slot = self._index[key] = len(self._index)
            self._publish_keys()  # before the value: a reader never sees a nameless slot
        offset = slot * _SLOT.size
        _SLOT.pack_into(self._map, offset, _SLOT.unpack_from(self._map, offset)[0] + amount)

    def _publish_keys(self) -> None:
        if self._keys_path is None:
            return
        temporary = self._keys_path.with_suffix(".tmp")
        temporary.write_text(json.dumps(self._index), encoding="utf-8")
        os.replace(temporary, self._keys_path)  # readers see the old or the new list, whole

    def totals(self) -> Counter[str]:
        """Every counter summed over all processes sharing the directory."""
        with self._lock:
            own = Counter(
                {key: _SLOT.unpack_from(self._map, slot * _SLOT.size)[0] for key, slot in self._index.items()}
            )
        if self._directory is None:
            return own
        totals: Counter[str] = Counter()
        for keys_path in self._directory.glob("*.keys"):
            if keys_path == self._keys_path:
                totals.update(own)
                continue
            try:
                index = json.loads(keys_path.read_text(encoding="utf-8"))
                values = keys_path.with_suffix(".bin").read_bytes()
            except (OSError, ValueError):
                continue  # a process being set up or cleaned away
            totals.update(
                {
                    key: _SLOT.unpack_from(values, slot * _SLOT.size)[0]
                    for key, slot in index.items()
                    if (slot + 1) * _SLOT.size <= len(values)
                }
            )
        return totals

    def render(self) -> str:
        totals = self.totals()
        requests = sorted(
            (tuple(key.split("\t")[1:]), value)
            for key, value in totals.items()
            if key.startswith("requests\t")
        )
        lines = [
            "# HELP itugraph_requests_total HTTP requests by endpoint and status.",
            "# TYPE itugraph_requests_total counter",
        ]
        lines += [f'itugraph_requests_total{{endpoint="{e}",status="{s}"}} {n:.0f}' for (e, s), n in requests]
        lines += [
            "# HELP itugraph_request_seconds Request latency.",
            "# TYPE itugraph_request_seconds histogram",
        ]
        buckets = list(itertools.accumulate(totals[key] for key in _BUCKET_KEYS[:-1]))
        lines += [
            f'itugraph_request_seconds_bucket{{le="{bound}"}} {count:.0f}'
            for bound, count in zip(BUCKETS, buckets, strict=True)
        ]
        lines += [
            f'itugraph_request_seconds_bucket{{le="+Inf"}} {totals["latency_count"]:.0f}',
            f"itugraph_request_seconds_sum {totals['latency_sum']:.6f}",
            f"itugraph_request_seconds_count {totals['latency_count']:.0f}",
        ]
        for name, key, help_text in _SIMPLE:
            lines += [
                f"# HELP itugraph_{name} {help_text}",
                f"# TYPE itugraph_{name} counter",
                f"itugraph_{name} {totals[key]:.0f}",
            ]
        return "\n".join(lines) + "\n"
