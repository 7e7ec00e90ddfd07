"""Prometheus text-format metrics kept in process (no client library needed for a handful)."""

from __future__ import annotations

import threading
from collections import Counter

#: Latency histogram buckets in seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    """Request counts by status, a latency histogram, timeouts and result-cache hits."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: Counter[tuple[str, int]] = Counter()
        self.bucket_counts = [0] * len(BUCKETS)
        self.latency_sum = 0.0
        self.latency_count = 0
        self.timeouts = 0
        self.cache_hits = 0
        self.cache_misses = 0

    def observe(self, endpoint: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(endpoint, status)] += 1
            self.latency_sum += seconds
            self.latency_count += 1
            for index, bound in enumerate(BUCKETS):
                if seconds <= bound:
                    self.bucket_counts[index] += 1

    def count(self, name: str) -> None:
        with self._lock:
            setattr(self, name, getattr(self, name) + 1)

    def render(self) -> str:
        with self._lock:
            lines = ["# HELP itugraph_requests_total HTTP requests by endpoint and status.",
                     "# TYPE itugraph_requests_total counter"]
            lines += [f'itugraph_requests_total{{endpoint="{e}",status="{s}"}} {n}'
                      for (e, s), n in sorted(self.requests.items())]
            lines += ["# HELP itugraph_request_seconds Request latency.",
                      "# TYPE itugraph_request_seconds histogram"]
            lines += [f'itugraph_request_seconds_bucket{{le="{b}"}} {c}'
                      for b, c in zip(BUCKETS, self.bucket_counts, strict=True)]
            lines += [f'itugraph_request_seconds_bucket{{le="+Inf"}} {self.latency_count}',
                      f"itugraph_request_seconds_sum {self.latency_sum:.6f}",
                      f"itugraph_request_seconds_count {self.latency_count}"]
            for name, value, help_text in (
                ("query_timeouts_total", self.timeouts, "Queries stopped at the time limit."),
                ("result_cache_hits_total", self.cache_hits, "Answers served from the cache."),
                ("result_cache_misses_total", self.cache_misses, "Answers computed."),
            ):
                lines += [f"# HELP itugraph_{name} {help_text}", f"# TYPE itugraph_{name} counter",
                          f"itugraph_{name} {value}"]
            return "\n".join(lines) + "\n"
