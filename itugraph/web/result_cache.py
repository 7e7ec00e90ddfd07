"""A bounded in-memory LRU of serialised query answers.

The dataset never changes while it is served, so an answer keyed by (dataset version,
normalised query, format, graphs, bindings, limit) stays correct until the process ends.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable

from itugraph.executor import QueryResponse


class ResultCache:
    """LRU bounded by the total size of the cached bodies."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        #: Larger answers are streamed without being kept: one must not flush the rest.
        self.max_entry_bytes = max_bytes // 4
        self._entries: OrderedDict[Hashable, QueryResponse] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> QueryResponse | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: Hashable, response: QueryResponse) -> None:
        size = len(response.body)
        if size > self.max_entry_bytes:
            return  # one huge answer must not flush everything else
        with self._lock:
            if key in self._entries:
                return
            self._entries[key] = response
            self._bytes += size
            while self._bytes > self.max_bytes and self._entries:
                _, old = self._entries.popitem(last=False)
                self._bytes -= len(old.body)
