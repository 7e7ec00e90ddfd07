"""Checks a file passes before the parser sees it: hostile or broken files fail here, clearly.

pyoxigraph parses well-formed files safely, but some files attack the parser itself: an
RDF/XML file whose internal DTD nests entities (the "billion laughs" pattern) makes it
allocate gigabytes and abort the process with a Rust backtrace, and a file of several
gigabytes is read into a list of triples until the machine runs out of memory. These checks
refuse such files first, reading each file as a stream in fixed-size chunks so that memory
stays bounded whatever the file holds:

* a size limit per file (:data:`MAX_FILE_SIZE_ENV`, default :data:`DEFAULT_MAX_FILE_SIZE`),
  checked on the file's metadata before anything is read;
* UTF-16/UTF-32 byte order marks (RDF files are UTF-8) and NUL bytes (a binary file);
* RDF/XML must be well-formed XML (pyoxigraph silently keeps half of a truncated file), and
  its DTD may only declare internal entities whose text names no other entity,
  and their total expansion is bounded (:data:`MAX_ENTITY_EXPANSION`): no parameter or
  external entities, so no file is ever read and no URL fetched through an entity (XXE).

A UTF-8 byte order mark is allowed (editors on Windows write one); :func:`check_file` says
how many bytes to skip so the parser never sees it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

from itugraph.errors import InputError, RdfSyntaxError, SourceLocation

#: Environment variable with the largest input file loaded, in bytes or with a unit
#: (``512M``, ``2G``); ``0`` turns the limit off.
MAX_FILE_SIZE_ENV = "ITUGRAPH_MAX_FILE_SIZE"
DEFAULT_MAX_FILE_SIZE = 256 * 2**20

#: The most text the entities of one RDF/XML file may expand to, in total.
MAX_ENTITY_EXPANSION = 16 * 2**20

CHUNK = 2**20
UTF8_BOM = b"\xef\xbb\xbf"
_WIDE_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}
_SIZE = re.compile(r"\s*(\d+)\s*([KMGT]?)(?:I?B)?\s*", re.IGNORECASE)
#: An entity reference (``&name;``); a match is never longer than :data:`_REF_SPAN` bytes.
_ENTITY_REF = re.compile(rb"&([A-Za-z_:][\w.:-]{0,62});")
_REF_SPAN = 66
_INVALID_TOKEN = expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]
_CONTINUATION = bytes(range(0x80, 0xC0))
_DTD_HINT = (
    'declare entities only as plain text (<!ENTITY name "http://…">), or write the IRIs '
    "out in full; external, parameter and nested entities are never expanded"
)


def max_file_size() -> int:
    """The largest input file loaded, from ``$ITUGRAPH_MAX_FILE_SIZE`` (0: no limit)."""
    text = os.environ.get(MAX_FILE_SIZE_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_FILE_SIZE
    match = _SIZE.fullmatch(text)
    if match is None:
        raise InputError(
            f"{MAX_FILE_SIZE_ENV}={text!r} is not a size",
            hint="give bytes or a number with a unit, e.g. 512M or 2G (0 turns the limit off)",
        )
    return int(match[1]) * _UNITS[match[2].upper()]


def check_size(path: Path) -> None:
    """Refuse a file larger than :func:`max_file_size`, before reading any of it."""
    limit = max_file_size()
    size = path.stat().st_size
    if limit and size > limit:
        raise InputError(
            f"{path}: file too large to load ({_human(size)}, the limit is {_human(limit)})",
            hint=f"split the file, or raise the limit with {MAX_FILE_SIZE_ENV}=<size> "
            "(loading holds every triple in memory)",
        )


def check_file(path: Path, *, xml: bool) -> int:
    """Refuse a hostile or binary file; the number of leading bytes to skip (a UTF-8 BOM)."""
    check_size(path)
    skip = _check_bytes(path)
    if xml:
        _check_dtd(path)
    return skip


def _check_bytes(path: Path) -> int:
    """Refuse UTF-16/32 files and NUL bytes; 3 for a UTF-8 byte order mark, else 0."""
    skip, line, column = 0, 1, 0
    for offset, chunk in _chunks(path):
        if offset == 0:
            _refuse_wide_encoding(path, chunk)
            skip = len(UTF8_BOM) if chunk.startswith(UTF8_BOM) else 0
        nul = chunk.find(b"\0")
        line, column = _advance(line, column, chunk if nul < 0 else chunk[:nul])
        if nul >= 0:
            raise RdfSyntaxError(
                SourceLocation(path, line, column + 1),
                "NUL byte: this is not a text file (binary data or a broken encoding)",
                hint="write U+0000 as an escape (\\u0000) in a literal, or remove the binary data",
            )
    return skip


def _advance(line: int, column: int, text: bytes) -> tuple[int, int]:
    """The line and the characters read on it after ``text`` (UTF-8 continuation bytes not counted)."""
    if (newlines := text.count(b"\n")) == 0:
        return line, column + len(text.translate(None, _CONTINUATION))
    return line + newlines, len(text[text.rfind(b"\n") + 1 :].translate(None, _CONTINUATION))


def _refuse_wide_encoding(path: Path, head: bytes) -> None:
    for bom, encoding in _WIDE_BOMS.items():
        if head.startswith(bom):
            raise RdfSyntaxError(
                SourceLocation(path, 1, 1),
                f"the file is {encoding}-encoded; RDF files must be UTF-8",
                hint=f"save the file as UTF-8 (e.g. `iconv -f {encoding} -t UTF-8`)",
            )


class _EntityRefused(Exception):  # noqa: N818 (a signal to stop parsing, not the error shown)
    """A DTD declared an entity we refuse: stop reading there."""


class _Dtd:
    """What the internal DTD of an RDF/XML file declares, read by the expat ``parser`` given."""

    def __init__(self, parser: expat.XMLParserType) -> None:
        self.parser = parser
        self.entities: dict[str, str] = {}
        #: Where each entity is declared (line, column), for the error that names it.
        self.declared_at: dict[str, tuple[int, int]] = {}
        self.refused: str | None = None
        #: Whether the root element has started (the DTD, if any, was read whole).
        self.root_started = False
        parser.EntityDeclHandler = self.declared
        parser.StartElementHandler = self.started

    def started(self, *_: object) -> None:
        """expat's ``StartElementHandler``, for the root element only (it then removes itself)."""
        self.root_started = True
        self.parser.StartElementHandler = None

    def declared(
        self, name: str, parameter: int, value: str | None, _base: object, system: object, *_: object
    ) -> None:
        """expat's ``EntityDeclHandler``: keep a plain internal entity, refuse any other."""
        self.declared_at[name] = (self.parser.CurrentLineNumber, self.parser.CurrentColumnNumber + 1)
        if parameter:
            self.refused = f"parameter entity %{name}; refused (DTD parameter entities are not supported)"
        elif value is None:
            self.refused = f"external entity &{name}; ({system}) refused: loading never reads files or URLs"
        elif "&" in value or "%" in value:
            self.refused = f"entity &{name}; refers to another entity (nested entities are refused)"
        else:
            self.entities[name] = value
            return
        raise _EntityRefused(name)


def _check_dtd(path: Path) -> None:
    """Refuse entities that read files, fetch URLs or expand without bound (see the module doc)."""
    dtd = _read_xml(path)
    if dtd.refused is not None:
        where = SourceLocation(path, *dtd.declared_at[next(reversed(dtd.declared_at))])
        raise RdfSyntaxError(where, dtd.refused, hint=_DTD_HINT)
    if not dtd.entities:
        return
    expansion = _expansion(path, dtd.entities)
    if (total := sum(expansion.values())) > MAX_ENTITY_EXPANSION:
        largest = max(expansion, key=expansion.__getitem__)
        raise RdfSyntaxError(
            SourceLocation(path, *dtd.declared_at[largest]),
            f"the DTD's entities expand to {_human(total)} of text, {_human(expansion[largest])} of "
            f"it &{largest}; (the limit is {_human(MAX_ENTITY_EXPANSION)}): an entity-expansion bomb?",
            hint=_DTD_HINT,
        )


def _read_xml(path: Path) -> _Dtd:
    """The DTD's entities, or the one refused (reading stops there).

    expat checks the whole file is well-formed XML: pyoxigraph loads a truncated RDF/XML
    file without a word, keeping the triples before the cut. With no handler but the DTD's,
    expat keeps nothing of the text (memory stays bounded) and never loads an external DTD
    or entity (no handler for them is set); its own amplification guard stops most bombs.
    """
    parser = expat.ParserCreate()
    dtd = _Dtd(parser)
    try:
        for _offset, chunk in _chunks(path):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _EntityRefused:
        pass
    except expat.ExpatError as exc:
        if exc.code == _INVALID_TOKEN and dtd.root_started:
            # expat knows XML 1.0's 4th-edition name characters only; a newer letter in an
            # element name (pyoxigraph writes and reads them) is for the RDF/XML parser to judge.
            return dtd
        where = SourceLocation(path, exc.lineno, exc.offset + 1)
        raise RdfSyntaxError(where, f"not well-formed XML: {expat.ErrorString(exc.code)}") from None
    return dtd


def _expansion(path: Path, entities: dict[str, str]) -> dict[str, int]:
    """Bytes the references to each of ``entities`` expand to, counted over the whole file."""
    sizes = {name.encode(): len(value.encode()) for name, value in entities.items()}
    totals = dict.fromkeys(entities, 0)
    carry = b""
    for _offset, chunk in _chunks(path):
        data = carry + chunk
        cut = max(len(data) - _REF_SPAN, 0)  # a reference starting later may go on in the next chunk
        for match in _ENTITY_REF.finditer(data):
            if match.start() < cut and match[1] in sizes:
                totals[match[1].decode()] += sizes[match[1]]
        carry = data[cut:]
    for match in _ENTITY_REF.finditer(carry):
        if match[1] in sizes:
            totals[match[1].decode()] += sizes[match[1]]
    return totals


def _chunks(path: Path) -> Iterator[tuple[int, bytes]]:
    with path.open("rb") as stream:
        offset = 0
        while chunk := stream.read(CHUNK):
            yield offset, chunk
            offset += len(chunk)


def _human(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    value, unit = size / 1024, "KiB"
    for bigger in ("MiB", "GiB", "TiB"):
        if value < 1024:
            break
        value, unit = value / 1024, bigger
    return f"{value:.1f} {unit}"
