"""The query workers' memory limit (``ITUGRAPH_WORKER_MEMORY_MB``): applied once the store is
open, and refused with a clear error when it leaves a worker no room to answer.

The limit is an address-space limit (``RLIMIT_AS``), the one Linux enforces on every
allocation. Opening a RocksDB store reserves far more address space than it uses: on a
2-core machine a worker holds ~440 MB of address space (~40 MB resident) once the store is
open, with a peak of ~530 MB while RocksDB starts its threads. Set before the store was
opened, a limit of 400-600 MB made RocksDB fail to start a thread (``std::system_error``,
``terminate``): every query worker died at once, and every query got ``QUERY_WORKER_CRASHED``.
So the limit is set after the store is open, where it bounds what queries allocate, and a
limit below the worker's address space plus ``QUERY_HEADROOM_MB`` is refused at start
(``itugraph serve`` exits 2 naming the setting and the lowest value that works here).

Most of that address space is glibc's malloc arenas: each thread that allocates may reserve
a 64 MB arena of its own (up to 8 per core). A worker with a limit caps them at two
(``mallopt(M_ARENA_MAX)``, before the store opens): its address space once open falls from
450-640 MB (varying from run to run with the threads' timing) to ~200 MB, stable, so a
400 MB limit works. Without a limit nothing changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import resource
from pathlib import Path

from itugraph.errors import InputError

#: Address space a worker must have left for queries above what it holds once its store is
#: open (a small SELECT needs a few MB; the rest is what the operator chose to allow).
QUERY_HEADROOM_MB = 64


class WorkerMemoryError(InputError):
    """``ITUGRAPH_WORKER_MEMORY_MB`` is below what a query worker needs before any query."""

    code = "WORKER_MEMORY_TOO_LOW"

    def __init__(self, limit_mb: int, used_mb: int) -> None:
        lowest = used_mb + QUERY_HEADROOM_MB
        super().__init__(
            f"ITUGRAPH_WORKER_MEMORY_MB={limit_mb} is too low: a query worker already holds "
            f"{used_mb} MB of address space once its store is open (RocksDB's threads and "
            f"caches), before any query",
            hint=f"set ITUGRAPH_WORKER_MEMORY_MB to at least {lowest} (address space, not "
            "resident memory), or 0 for no limit",
        )
        self.limit_mb, self.used_mb = limit_mb, used_mb

    def __reduce__(self) -> tuple[type[WorkerMemoryError], tuple[int, int]]:
        return (WorkerMemoryError, (self.limit_mb, self.used_mb))  # sent from the worker by pickle


def address_space_mb(status: Path = Path("/proc/self/status")) -> int:
    """This process's address space (``VmSize``) in MB; 0 where /proc is not there."""
    try:
        for line in status.read_text(encoding="ascii").splitlines():
            if line.startswith("VmSize:"):
                return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


def cap_malloc_arenas(arenas: int = 2) -> None:
    """Cap glibc's malloc arenas (call it before the threads start); nothing elsewhere."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(_M_ARENA_MAX, arenas)
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to cap
        pass


_M_ARENA_MAX = -8  # from glibc's malloc.h


def apply_limit(limit_mb: int) -> None:
    """Limit this process's address space to ``limit_mb`` (call it once the store is open);
    ``WorkerMemoryError`` when that leaves less than ``QUERY_HEADROOM_MB`` for queries."""
    used = address_space_mb()
    if limit_mb < used + QUERY_HEADROOM_MB:
        raise WorkerMemoryError(limit_mb, used)
    limit = limit_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
