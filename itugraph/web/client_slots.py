"""How many queries one client may have evaluating at once, in this HTTP process.

Query workers are few (``ITUGRAPH_WORKERS`` per HTTP process); one client sending ten
runaway queries would hold every worker until the time limit and starve everyone else. With
``ITUGRAPH_MAX_QUERIES_PER_CLIENT`` set, a client (by its address, ``client_address.py``:
behind a proxy listed in ``ITUGRAPH_TRUSTED_PROXIES``, the address it forwards) holding that
many slots gets 429 ``CLIENT_BUSY`` at once, with ``Retry-After``: refused, not queued, so
its requests do not hold the HTTP threads either. Off by default (0): behind a reverse proxy
not declared trusted every client has the proxy's address.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class ClientSlots:
    """Per-client counters of queries being evaluated (thread-safe; one per HTTP process)."""

    def __init__(self, per_client: int) -> None:
        self.per_client = per_client
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    @contextmanager
    def slot(self, client: str) -> Iterator[bool]:
        """Hold one of ``client``'s slots while the block runs; yields False (and holds
        nothing) when the client has all its slots already. With no limit, always True."""
        if not self.per_client:
            yield True
            return
        with self._lock:
            taken = self._held.get(client, 0) < self.per_client
            if taken:
                self._held[client] = self._held.get(client, 0) + 1
        try:
            yield taken
        finally:
            if taken:
                with self._lock:
                    left = self._held[client] - 1
                    if left:
                        self._held[client] = left
                    else:
                        del self._held[client]
