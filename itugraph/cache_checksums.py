"""SHA-256 of the files a build writes into its cache entry, checked when the entry is reused.

Why: a disk error or a stray edit that flips one byte of a store file or of the derivations
would otherwise be served as the graph (or crash RocksDB later, mid-request). The check
reads every file of the entry's build (the store's files, derivations, rule derivations,
validation results): 14 MB and 25-50 ms for the ITU graph, 85 MB and 75-110 ms at 100k
triples (``python -m bench.cache_checksums``; ``docs/decisions.md``, "Issue 18: checksums
of the build cache"). Renders the server adds to the entry later
(linked-data documents, dumps, ontology pages) are not covered: they are rebuilt from the
store when missing, not trusted as the graph.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

_CHUNK = 1 << 20


def file_checksums(folder: Path, *, skip: frozenset[str] = frozenset()) -> dict[str, str]:
    """``{relative path: sha256 hex}`` of every file under ``folder`` except the names in ``skip``."""
    return {
        path.relative_to(folder).as_posix(): file_sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.relative_to(folder).as_posix() not in skip
    }


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def damaged_files(folder: Path, checksums: dict[str, str]) -> list[str]:
    """The files of ``checksums`` that are missing under ``folder`` or whose bytes changed.

    Files not listed (RocksDB may add an info log when it opens a store) are not checked."""
    return [
        name
        for name, expected in sorted(checksums.items())
        if not (folder / name).is_file() or file_sha256(folder / name) != expected
    ]
