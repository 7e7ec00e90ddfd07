"""A run's settings: the size limits of each phase, the time caps, and the time budget.

The budget is shared out up front (``SHARES_S``): a workload may use the time earlier ones
left, never the shares of the workloads after it, so earlier workloads cannot eat the 1M
part.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.servers import ITUGRAPH_TIMEOUT_S

#: Each workload's share of the budget in seconds: its expected wall time on the 2-core
#: machine plus a margin. A workload may use the time earlier ones left unused, never the
#: shares of the workloads after it, so the 1M part (its HTTP latency above all) is
#: reserved up front. Measured with this plan (partial runs of 2026-11-29, machine shared):
#: real 178 s, 100k 202 s, 1m 314 s; 10k ~232 s derived (257 s on 2026-11-28, less 17 s
#: of c=1 cells and 7 s of in-process latency). So the default budget of 19 min leaves
#: real 260 s, real+10k 520 s, up to 100k 780 s, and 1M at least 360 s.
SHARES_S = {"real": 210.0, "10k": 260.0, "100k": 260.0, "1m": 360.0}


@dataclass(frozen=True)
class Caps:
    """Time caps in seconds (written to the results as ``caps_s``, in this order)."""

    parse: float = 240.0
    closure: float = 300.0
    validate: float = 240.0
    build: float = 400.0
    start: float = 300.0
    #: In-process latency: runs of one query until this long (at least 3 runs).
    latency_per_query: float = 0.5
    #: In-process latency: a query is stopped after this long.
    latency_query_cap: float = 20.0
    #: The HTTP client's timeout (Oxigraph and rdflib-endpoint have no limit of their own
    #: here).
    query: float = 12.0
    #: itugraph's query time limit (ITUGRAPH_QUERY_TIMEOUT).
    server_timeout: float = ITUGRAPH_TIMEOUT_S
    #: A query slower than this is answered once per cell (c=1 sample budget, in-process).
    slow_query: float = 3.0
    #: A c=1 cell samples for this long at least.
    c1_min_seconds: float = 0.25


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
    caps: Caps
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
        later = self.sizes[self.sizes.index(name) + 1 :]
        reserved = sum(SHARES_S.get(n, 300.0) for n in later)
        self.window_end = self.started + self.budget - reserved
