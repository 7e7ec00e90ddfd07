"""The corpus files made at test time: binary, wrongly encoded, or too big to commit.

Each maker writes its file at ``path`` (the name in ``manifest.tsv`` says which maker and
which extension); the big ones write a few tens of megabytes at most, and the 2 GiB file is
sparse (``truncate``), so no test fills the disk or takes long to write.
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path

EX = "http://example.org/"
TRIPLE = f"<{EX}id/bom-ok> <{EX}p> <{EX}o> .\n"
RDF = 'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns:ex="http://example.org/"'
#: Longer than pyoxigraph's 16 MiB token buffer.
HUGE = 20 * 2**20
DEEP = 100_000


def _bytes(data: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(data)


def _sparse(size: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with path.open("wb") as stream:
            stream.write(TRIPLE.encode())
            stream.truncate(size)

    return make


def _blowup() -> bytes:
    """One plain 64 KiB entity referenced 300 times: 19 MiB of text from a 65 KiB file."""
    refs = "&big;" * 300
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n  <!ENTITY big "{"x" * 2**16}">\n]>\n'
        f'<rdf:RDF {RDF}>\n  <rdf:Description rdf:about="{EX}s"><ex:p>{refs}</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    ).encode()


MAKERS: dict[str, Callable[[Path], None]] = {
    "bom-utf8.ttl": _bytes(b"\xef\xbb\xbf" + TRIPLE.encode()),
    "bom-utf8.rdf": _bytes(
        b"\xef\xbb\xbf"
        + f'<?xml version="1.0"?>\n<rdf:RDF {RDF}><rdf:Description rdf:about="{EX}id/bom-ok-xml">'
        f"<ex:p>x</ex:p></rdf:Description></rdf:RDF>\n".encode()
    ),
    "utf16.ttl": _bytes(TRIPLE.encode("utf-16")),
    "utf32.nt": _bytes(TRIPLE.encode("utf-32")),
    "latin1.ttl": _bytes(f'<{EX}s> <{EX}p> "café" .\n'.encode("latin-1")),
    "nul-in-literal.ttl": _bytes(f'<{EX}s> <{EX}p> "a\0b" .\n'.encode()),
    "gzip-renamed.ttl": _bytes(gzip.compress(TRIPLE.encode() * 100, mtime=0)),
    "ttl-iri-control-char.ttl": _bytes(f"<{EX}a\x01b> <{EX}p> <{EX}o> .\n".encode()),
    "huge-literal.ttl": _bytes(f'<{EX}s> <{EX}p> "'.encode() + b"a" * HUGE + b'" .\n'),
    "long-line.nt": _bytes(f"<{EX}".encode() + b"a" * HUGE + f"> <{EX}p> <{EX}o> .\n".encode()),
    "huge-literal.jsonld": _bytes(f'{{"@id": "{EX}s", "{EX}p": "'.encode() + b"a" * HUGE + b'"}\n'),
    "deep-collection.ttl": _bytes(f"<{EX}s> <{EX}p> ".encode() + b"(" * DEEP),
    "deep-blank-nodes.ttl": _bytes(f"<{EX}s> <{EX}p> ".encode() + f"[ <{EX}p> ".encode() * DEEP),
    "deep-objects.jsonld": _bytes(
        f'{{"@id": "{EX}s", "{EX}p": '.encode() + f'{{"{EX}p": '.encode() * DEEP + b"1" + b"}" * (DEEP + 1)
    ),
    "deep-arrays.jsonld": _bytes(
        f'{{"@id": "{EX}s", "{EX}p": '.encode() + b"[" * DEEP + b"1" + b"]" * DEEP + b"}"
    ),
    "deep-elements.rdf": _bytes(
        f'<rdf:RDF {RDF}><rdf:Description rdf:about="{EX}s">'.encode() + b"<ex:p><rdf:Description>" * 20_000
    ),
    "rdfxml-quadratic-blowup.rdf": _bytes(_blowup()),
    "big-sparse.nt": _sparse(2 * 2**30),
}


def _amplification() -> bytes:
    """Entities expanding to 18 MiB from 200 KiB: under expat's own 100x amplification guard, over ours."""
    padding = f"<!-- {'p' * 100_000} -->\n"
    refs = "&big;" * 180
    return (
        f'<?xml version="1.0"?>\n<!DOCTYPE rdf:RDF [\n  <!ENTITY big "{"x" * 100_000}">\n]>\n{padding}'
        f'<rdf:RDF {RDF}>\n  <rdf:Description rdf:about="{EX}s"><ex:p>{refs}</ex:p></rdf:Description>\n'
        "</rdf:RDF>\n"
    ).encode()


MAKERS["rdfxml-entity-amplification.rdf"] = _bytes(_amplification())
