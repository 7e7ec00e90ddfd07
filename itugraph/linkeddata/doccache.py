"""Rendered documents, kept for the life of a build: a document cannot change within one.

Each (path, representation, variant) is rendered once per build and kept twice: in this
process (a small LRU bounded by bytes) and on disk under the build's cache entry
(``linkeddata-docs/``, written to a temporary file and renamed, so the several HTTP
processes of a server share the renders and none reads a half-written file; sealed with
their SHA-256, so a damaged file is rendered again, ``itugraph.cache_checksums``). The key
includes a fingerprint of the renderer (the linked-data modules and templates), so a
new itugraph version never serves an old page from the same build entry.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from itugraph.cache_checksums import read_sealed, write_sealed

DOCS_DIR = "linkeddata-docs"


def fingerprint(paths: list[Path]) -> str:
    """A hash of the renderer's files (sources and templates)."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.name.encode())
        try:
            digest.update(path.read_bytes())
        except OSError:
            continue
    return digest.hexdigest()[:16]


class DocumentCache:
    """Rendered bodies by key: ``(status, body)``; memory first, then the build's folder."""

    def __init__(self, max_bytes: int = 32 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._memory: OrderedDict[str, tuple[int, bytes]] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()

    def get_or_render(
        self, folder: Path | None, key: str, render: Callable[[], tuple[int, bytes]]
    ) -> tuple[int, bytes]:
        """The cached ``(status, body)`` for ``key``, rendering it the first time."""
        name = hashlib.sha256(key.encode()).hexdigest()
        with self._lock:
            if name in self._memory:
                self._memory.move_to_end(name)
                return self._memory[name]
        found = self._read(folder, name)
        if found is None:
            found = render()
            self._write(folder, name, found)
        self._remember(name, found)
        return found

    def _remember(self, name: str, value: tuple[int, bytes]) -> None:
        size = len(value[1])
        if size > self.max_bytes // 4:
            return
        with self._lock:
            if name in self._memory:
                return
            self._memory[name] = value
            self._size += size
            while self._size > self.max_bytes and self._memory:
                _, (_, dropped) = self._memory.popitem(last=False)
                self._size -= len(dropped)

    @staticmethod
    def _read(folder: Path | None, name: str) -> tuple[int, bytes] | None:
        if folder is None:
            return None
        data = read_sealed(folder / DOCS_DIR / name[:2] / name)  # None when damaged: rendered again
        if data is None:
            return None
        status, _, body = data.partition(b"\n")
        return (int(status), body) if status.isdigit() else None

    @staticmethod
    def _write(folder: Path | None, name: str, value: tuple[int, bytes]) -> None:
        if folder is not None:  # a read-only or full build folder: memory only
            data = str(value[0]).encode() + b"\n" + value[1]
            write_sealed(folder / DOCS_DIR / name[:2] / name, data, warn=False)
