"""SHA-256 of the files a build writes into its cache entry, checked when the entry is reused.

Why: a disk error or a stray edit that flips one byte of a store file or of the derivations
would otherwise be served as the graph (or crash RocksDB later, mid-request). The check
reads every file of the entry's build (the store's files, derivations, rule derivations,
validation results): 14 MB and 25-50 ms for the ITU graph, 85 MB and 75-110 ms at 100k
triples (``python -m bench.cache_checksums``; ``docs/decisions.md``, "Issue 18: checksums
of the build cache").

What the server adds to the entry later is checked too, each file on its own, since it is
written one file at a time by whichever process needs it first. Small files (rendered
documents, the ontology pages, the site index, the dataset facts) are *sealed*: a first
line with the SHA-256 of the rest (``write_sealed``/``read_sealed``). Dumps are served to
clients byte for byte (their checksums are published), so their SHA-256 is kept *beside*
them in ``.NAME.sha256``, written before the dump is renamed into place
(``record_checksum``/``matches_record``). A file that does not match is logged, removed and
made again from the store, never served.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
from pathlib import Path

log = logging.getLogger("itugraph")

_CHUNK = 1 << 20
_SEAL = b"itugraph-sha256 "


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


def _temporary(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")


def write_sealed(path: Path, body: bytes, *, warn: bool = True) -> bool:
    """Write ``body`` after a line with its SHA-256, atomically; False (and a warning, with
    ``warn``) when the folder cannot be written (a full disk, read-only): the caller keeps
    ``body`` in memory anyway."""
    tmp = _temporary(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(_SEAL + hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
        os.replace(tmp, path)
        return True
    except OSError as exc:
        if warn:
            log.warning("cannot keep %s in the build cache: %s", path, exc.strerror or exc)
        _remove(tmp)
        return False


def read_sealed(path: Path) -> bytes | None:
    """The body written by ``write_sealed``; None when missing, or damaged (then removed)."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    header, _, body = data.partition(b"\n")
    if header.startswith(_SEAL) and header[len(_SEAL) :].decode("ascii", "replace") == _hex(body):
        return body
    _discard(path, "its checksum does not match")
    return None


def record_checksum(path: Path, of: Path | None = None) -> str:
    """Keep the SHA-256 of ``of`` (default ``path``; a temporary file about to become
    ``path``) beside ``path``, atomically; returns it."""
    digest = file_sha256(of or path)
    record = checksum_record(path)
    tmp = _temporary(record)
    try:
        tmp.write_text(digest + "\n", encoding="ascii")
        os.replace(tmp, record)
    finally:
        _remove(tmp)
    return digest


def matches_record(path: Path) -> str | None:
    """``path``'s SHA-256 if it matches the one recorded beside it; None when the file is
    missing, or has no record, or differs (then both are removed, to be written again)."""
    if not path.is_file():
        return None
    try:
        expected = checksum_record(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        expected = ""
    actual = file_sha256(path)
    if actual == expected:
        return actual
    _discard(path, "its checksum does not match" if expected else "it has no checksum")
    checksum_record(path).unlink(missing_ok=True)
    return None


def checksum_record(path: Path) -> Path:
    return path.with_name(f".{path.name}.sha256")


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):  # gone, or its folder never made
        path.unlink(missing_ok=True)


def _hex(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def _discard(path: Path, why: str) -> None:
    log.warning("%s is damaged (%s): made again from the store, not served", path, why)
    _remove(path)
