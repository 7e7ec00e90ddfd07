"""Query answers written by the engine's own serialisers, chunk by chunk.

pyoxigraph writes SPARQL JSON/XML/CSV/TSV results and every RDF syntax in Rust, to the
letter of the specifications (blank nodes as ``_:b`` in CSV, quoted triples, language
tags, datatypes), and much faster than Python could. It writes into a file-like object;
ours cuts what it writes into chunks and hands each one on (to the HTTP response through
the worker's pipe, or to stdout), so an answer of any size streams in bounded memory.

Nothing is ever cut: a server that limits answers (``ITUGRAPH_MAX_ROWS``) counts the rows
first and refuses with :class:`ResultTooLargeError` before a byte is written.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from itertools import islice
from typing import IO, cast

import pyoxigraph as ox

from itugraph.errors import QueryError
from itugraph.formats import Format
from itugraph.namespaces import PREFIXES

#: Bytes handed on at a time: large enough that the per-chunk cost (a pipe message, an
#: HTTP chunk) is negligible, small enough to keep memory flat.
CHUNK_BYTES = 64 * 1024

Result = ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples
Emit = Callable[[bytes], None]

#: RDF formats whose writer uses our prefixes (the others have no prefix syntax).
_PREFIXED = frozenset({"ttl", "trig", "xml", "jsonld"})


class ResultTooLargeError(QueryError):
    """The answer has more rows (or triples) than the server is configured to send."""

    code = "RESULT_TOO_LARGE"


def kind_of(result: Result) -> str:
    """``select``, ``ask`` or ``graph`` (CONSTRUCT/DESCRIBE)."""
    if isinstance(result, ox.QuerySolutions):
        return "select"
    if isinstance(result, ox.QueryBoolean):
        return "ask"
    return "graph"


class ChunkWriter(io.RawIOBase):
    """A binary file-like object that hands on what is written in chunks of CHUNK_BYTES."""

    def __init__(self, emit: Emit) -> None:
        super().__init__()
        self._emit = emit
        self._buffer = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._buffer += data
        if len(self._buffer) >= CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buffer:
            self._emit(bytes(self._buffer))
            self._buffer.clear()


def write_answer(result: Result, *, results: Format, rdf: Format, emit: Emit) -> None:
    """Serialise ``result`` with the engine's writer of ``results`` (SELECT/ASK) or ``rdf``
    (CONSTRUCT/DESCRIBE), handing the bytes to ``emit`` chunk by chunk."""
    writer = ChunkWriter(emit)
    output = cast("IO[bytes]", writer)
    if isinstance(result, ox.QuerySolutions | ox.QueryBoolean):
        assert results.results is not None, f"{results.name} is not a query results format"
        result.serialize(output, results.results)
    else:
        prefixes = PREFIXES if rdf.name in _PREFIXED else None
        ox.serialize(result, output, rdf.oxigraph, prefixes=prefixes)
    writer.flush()


def check_size(result: Result, max_rows: int) -> None:
    """Raise :class:`ResultTooLargeError` if ``result`` has more than ``max_rows`` rows or
    triples (it is consumed: evaluate the query again to serialise it)."""
    if isinstance(result, ox.QueryBoolean):
        return
    count = sum(1 for _ in islice(result, max_rows + 1))
    if count > max_rows:
        what = "triples" if isinstance(result, ox.QueryTriples) else "rows"
        raise ResultTooLargeError(
            f"the answer has more than {max_rows:,} {what}, the most this server sends",
            hint="narrow the query: add a LIMIT (and ORDER BY with OFFSET to page through "
            "the answer), more specific patterns or a FILTER; or COUNT the rows first",
        )
