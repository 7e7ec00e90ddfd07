"""Parsing RDF files into triples, with errors that name the file and line.

pyoxigraph does the parsing: it is 10-25x faster than rdflib on our files (see
``docs/engines.md``) and reports the line and column of a syntax error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph as ox

from itugraph.errors import InputError, RdfSyntaxError, SourceLocation
from itugraph.input_guard import check_file
from itugraph.rdf_formats import format_for_path

#: Control characters a message quotes from a file, shown escaped (``\x01``), never raw on a terminal.
_CONTROL_ESCAPES = {code: f"\\x{code:02x}" for code in [*range(32), 127] if code not in (9, 10)}

Triple = tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, ox.NamedNode | ox.BlankNode | ox.Literal]


def parse_file(path: Path) -> Iterator[ox.Quad]:
    """Quads of one file, in the format its extension names.

    Blank nodes are renamed per file so that ``_:b1`` in two files are two nodes, as
    RDF merge semantics require. Raises :class:`RdfSyntaxError` with line and column.
    Hostile files (entity bombs, XXE, binary or oversized files) are refused before parsing
    (:mod:`itugraph.input_guard`); nothing is fetched: JSON-LD remote contexts are refused by
    the parser and ``owl:imports`` is a triple like any other.
    """
    if not path.is_file():
        raise InputError(f"{path}: no such file", hint="check the path or the --root folder")
    fmt = format_for_path(path)
    skip = check_file(path, xml=fmt.oxigraph == ox.RdfFormat.RDF_XML)
    with path.open("rb") as stream:
        stream.seek(skip)
        try:
            yield from ox.parse(
                stream, format=fmt.oxigraph, base_iri=path.resolve().as_uri(), rename_blank_nodes=True
            )
        except SyntaxError as exc:
            line, column = _position(exc)
            raise RdfSyntaxError(SourceLocation(path, line, column), _detail(exc)) from None
        except MemoryError:
            raise InputError(
                f"{path}: a single literal, IRI or line is longer than the parser's 16 MiB buffer",
                hint="split the value, or keep large text out of the graph (link to it instead)",
            ) from None
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: cannot read as {fmt.name}: {exc}") from None


def load_triples(paths: Iterable[Path]) -> list[Triple]:
    """The merged triples of ``paths`` (graph names of dataset formats are dropped)."""
    triples: list[Triple] = []
    for path in paths:
        triples.extend((q.subject, q.predicate, q.object) for q in parse_file(path))  # type: ignore[misc]
    return triples


def _position(exc: SyntaxError) -> tuple[int | None, int | None]:
    return (exc.lineno, exc.offset) if exc.lineno else (None, None)


def _detail(exc: SyntaxError) -> str:
    message = str(exc.msg if exc.msg else exc)
    if "LoadDocumentCallback" in message:  # pyoxigraph's words for a remote JSON-LD context
        return "remote JSON-LD @context refused: loading never fetches URLs (put the context inline)"
    # pyoxigraph prefixes "Parser error between line L column C and …: " — the location is
    # already in our message, so keep only what went wrong.
    if message.startswith("Parser error") and ": " in message:
        message = message.split(": ", 1)[1]
    return message.translate(_CONTROL_ESCAPES)
