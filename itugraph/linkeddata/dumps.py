"""Dumps of a build: the asserted, inferred and union graphs in every RDF format, gzipped,
deterministic, with SHA-256 checksums.

A dump is a pure function of the build's store: the same build always gives the same
bytes, so a checksum, an ETag and a release are stable.

* **Canonical form.** Each named graph is read once (``Store.dump`` as N-Triples, in Rust),
  its blank nodes are relabelled by a hash of their description (colour refinement: a
  node's own triples, then its neighbours' colours, until the partition is stable), and
  the lines are sorted. A blank node whose description did not change keeps its label
  from one build (or release) to the next, so ``diff`` of two dumps shows real changes.
  Nodes no description tells apart (true twins) are numbered in the store's order, which
  is fixed within a build. Every other format is written from these sorted lines, so the
  statements come in the same order in every format.
* **Files** are ``{graph}.{suffix}.gz`` (graph: ``asserted``, ``inferred``, ``union``;
  suffix: ``ttl nt nq trig jsonld rdf``), gzip with mtime 0 and no file name, written once
  per build into the build's cache entry (``<entry>/dumps/``), atomically, under a file
  lock so several HTTP worker processes never write the same file twice. N-Quads and TriG
  keep the named graphs; the other formats hold triples.

>>> DumpFile("union", "nq").name, DumpFile("asserted", "ttl").media_type
('union.nq.gz', 'text/turtle')
>>> one = _relabelled([b'_:x <http://e/p> "v" .\\n', b'<http://e/s> <http://e/q> _:x .\\n'])
>>> one == _relabelled([b'_:y <http://e/p> "v" .\\n', b'<http://e/s> <http://e/q> _:y .\\n'])
True
>>> one[1][:3]
b'_:b'
"""

from __future__ import annotations

import contextlib
import fcntl
import gzip
import hashlib
import heapq
import json
import os
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

import pyoxigraph as ox

from itugraph.cache_checksums import checksum_record, matches_record, record_checksum
from itugraph.errors import InputError
from itugraph.linkeddata.negotiate import BY_SUFFIX
from itugraph.namespaces import (
    DCTERMS,
    FOAF,
    GRAPH_ASSERTED,
    GRAPH_INFERRED,
    ORG,
    OWL,
    PREFIXES,
    PROV,
    RDFS,
    SCHEMA,
    SKOS,
)
from itugraph.store import OxigraphStore

#: The graphs a dump holds: each named graph, and their union.
GRAPHS: dict[str, tuple[str, ...]] = {
    "asserted": (GRAPH_ASSERTED,),
    "inferred": (GRAPH_INFERRED,),
    "union": (GRAPH_ASSERTED, GRAPH_INFERRED),
}
#: Formats, by their linked-data suffix (``itugraph.linkeddata.negotiate.BY_SUFFIX``).
SUFFIXES = ("ttl", "nt", "nq", "trig", "jsonld", "rdf")
SUMS = "SHA256SUMS"
CONTEXT = "context.jsonld"
#: gzip level: 6 is zlib's default; 9 saves ~3% for 2-3x the time at 1M triples.
GZIP_LEVEL = 6


@dataclass(frozen=True)
class DumpFile:
    """One dump: a graph in one format."""

    graph: str
    suffix: str

    @property
    def name(self) -> str:
        return f"{self.graph}.{self.suffix}.gz"

    @property
    def media_type(self) -> str:
        """The media type of the content once decompressed."""
        return BY_SUFFIX[self.suffix].media_type


def dump_files() -> list[DumpFile]:
    """Every dump, graphs then formats."""
    return [DumpFile(graph, suffix) for graph in GRAPHS for suffix in SUFFIXES]


def dump_named(name: str) -> DumpFile | None:
    """The dump called ``name`` (``union.ttl.gz``), or None."""
    return next((d for d in dump_files() if d.name == name), None)


# --- canonical form ----------------------------------------------------------------------


def canonical_lines(store: ox.Store | OxigraphStore) -> dict[str, list[bytes]]:
    """Sorted N-Triples lines of each named graph, blank nodes labelled canonically.

    Labels are computed over both graphs together, so a blank node has the same label in
    every dump.
    """

    def read(graph: str) -> bytes:
        if isinstance(store, OxigraphStore):
            return ox.serialize(store.triples(graph), format=ox.RdfFormat.N_TRIPLES) or b""
        return store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph)) or b""

    return canonical_lines_of({graph: read(graph) for graph in (GRAPH_ASSERTED, GRAPH_INFERRED)})


def canonical_lines_of(ntriples: dict[str, bytes]) -> dict[str, list[bytes]]:
    """Sorted, canonically labelled lines of each graph given as N-Triples (as oxigraph
    writes them: one triple a line, single spaces)."""
    raw = {graph: body.splitlines(keepends=True) for graph, body in ntriples.items()}
    labels = _labels([(graph.encode(), lines) for graph, lines in raw.items()])
    out = {}
    for graph, lines in raw.items():
        if labels:
            lines = [_rename(line, labels) if b"_:" in line else line for line in lines]
        lines.sort()
        out[graph] = lines
    return out


def _relabelled(lines: list[bytes]) -> list[bytes]:
    """Lines of one graph with canonical labels, sorted (for doctests and tests)."""
    labels = _labels([(b"g", lines)])
    return sorted(_rename(line, labels) if b"_:" in line else line for line in lines)


def split_line(line: bytes) -> tuple[bytes, bytes, bytes]:
    """Subject, predicate and object of an N-Triples line (as oxigraph writes them)."""
    subject, predicate, rest = line.split(b" ", 2)
    return subject, predicate, rest[:-3]  # rest ends with b" .\n"


def _labels(graphs: list[tuple[bytes, list[bytes]]]) -> dict[bytes, bytes]:
    """Blank node label -> canonical label, by colour refinement over their descriptions."""
    edges: dict[bytes, list[tuple[bytes, bytes, bytes, bytes]]] = defaultdict(list)
    for tag, lines in graphs:
        for line in lines:
            if b"_:" not in line:
                continue
            subject, predicate, obj = split_line(line)
            if subject.startswith(b"_:"):
                edges[subject].append((tag, b">", predicate, obj))
            if obj.startswith(b"_:"):
                edges[obj].append((tag, b"<", predicate, subject))
            elif obj.startswith(b"<<("):  # an RDF 1.2 triple term: its blank nodes are nodes too
                for inner in _blank_nodes(_parsed(line).object):
                    edges[inner].append((tag, b"^", predicate, subject))
    if not edges:
        return {}
    colour = dict.fromkeys(edges, b"")
    classes = 1
    for round_ in range(32):  # the partition is stable within the depth of the deepest nesting
        new = {}
        for node, items in edges.items():
            digest = hashlib.sha256(colour[node])
            for tag, direction, predicate, other in sorted(
                (t, d, p, b"_:" + colour[o] if o in colour else o) for t, d, p, o in items
            ):
                digest.update(b"\0".join((tag, direction, predicate, other)) + b"\n")
            new[node] = digest.digest()
        colour = new
        count = len(set(new.values()))
        if count == classes and round_ > 0:
            break
        classes = count
    labels: dict[bytes, bytes] = {}
    taken: dict[bytes, int] = {}
    for node in sorted(colour, key=lambda n: (colour[n], n)):
        base = b"_:b" + colour[node].hex()[:24].encode()
        twin = taken.get(base, 0)
        taken[base] = twin + 1
        labels[node] = base if twin == 0 else base + b"_" + str(twin).encode()
    return labels


def _rename(line: bytes, labels: dict[bytes, bytes]) -> bytes:
    subject, predicate, obj = split_line(line)
    if obj.startswith(b"<<("):  # rare: parsed, so a literal inside that reads "_:x" stays as it is
        return ox.serialize([_renamed(_parsed(line), labels)], format=ox.RdfFormat.N_TRIPLES) or b""
    return b" ".join((labels.get(subject, subject), predicate, labels.get(obj, obj))) + b" .\n"


def _parsed(line: bytes) -> ox.Triple:
    (quad,) = ox.parse(line, format=ox.RdfFormat.N_TRIPLES)
    return quad.triple


def _blank_nodes(term: object) -> Iterator[bytes]:
    """The labels (``_:x``) of the blank nodes in a term, triple terms searched to any depth."""
    if isinstance(term, ox.BlankNode):
        yield b"_:" + term.value.encode()
    elif isinstance(term, ox.Triple):
        yield from _blank_nodes(term.subject)
        yield from _blank_nodes(term.object)


def _renamed(term: Any, labels: dict[bytes, bytes]) -> Any:
    if isinstance(term, ox.BlankNode):
        label = labels.get(b"_:" + term.value.encode())
        return ox.BlankNode(label[2:].decode()) if label else term
    if isinstance(term, ox.Triple):
        return ox.Triple(_renamed(term.subject, labels), term.predicate, _renamed(term.object, labels))
    return term


# --- writing -----------------------------------------------------------------------------


def _nt(lines: dict[str, list[bytes]], graph: str) -> Iterator[bytes]:
    """N-Triples of a dump graph (the union merges two sorted, disjoint graphs)."""
    return heapq.merge(*(lines[g] for g in GRAPHS[graph]))


def _nq(lines: dict[str, list[bytes]], graph: str) -> Iterator[bytes]:
    for name in GRAPHS[graph]:
        tail = b"<" + name.encode() + b"> .\n"
        for line in lines[name]:
            yield line[:-2] + tail


def write_dump(lines: dict[str, list[bytes]], dump: DumpFile, out: BinaryIO) -> None:
    """Write ``dump`` (uncompressed) from the canonical lines to ``out``."""
    if dump.suffix == "nt":
        out.writelines(_nt(lines, dump.graph))
        return
    if dump.suffix == "nq":
        out.writelines(_nq(lines, dump.graph))
        return
    rep = BY_SUFFIX[dump.suffix]
    assert rep.format is not None
    if rep.is_dataset:
        parsed = ox.parse(b"".join(_nq(lines, dump.graph)), format=ox.RdfFormat.N_QUADS)
    else:
        text = b"".join(_nt(lines, dump.graph))
        if dump.suffix == "rdf":
            _refuse_xml_illegal(text, dump)
        parsed = ox.parse(text, format=ox.RdfFormat.N_TRIPLES)
    prefixes = None if dump.suffix == "jsonld" else PREFIXES  # JSON-LD: no @context written
    try:
        ox.serialize(parsed, out, format=rep.format.oxigraph, prefixes=prefixes)
    except OSError as exc:  # e.g. "JSON-LD does not support RDF 1.2 yet" (triple terms)
        if exc.errno is not None:  # the output failed (a full disk, a closed pipe): not the format
            raise
        raise InputError(
            f"cannot write the {dump.graph} graph as {rep.format.name}: {exc}",
            hint="export in a format that can hold the whole graph (nt, ttl, nq or trig)",
        ) from None


#: An N-Triples escape of a character XML 1.0 cannot hold (C0 controls but tab, LF, CR, and
#: U+FFFE/U+FFFF), not itself escaped (``\\\\u0001`` is a backslash and text); raw U+FFFE/FFFF.
_XML_ILLEGAL = re.compile(
    rb"(?<!\\)(?:\\\\)*\\(u00(?:0[0-8BCEF]|1[0-9A-F])|uFFF[EF]|[bf])|\xef\xbf[\xbe\xbf]", re.IGNORECASE
)
_SHORT_ESCAPES = {"b": "0008", "f": "000C"}


def _refuse_xml_illegal(text: bytes, dump: DumpFile) -> None:
    """pyoxigraph writes such characters raw into RDF/XML: a file no XML parser reads back."""
    if (found := _XML_ILLEGAL.search(text)) is not None:
        escape = found[1].decode() if found[1] else "uFFFE"
        code = _SHORT_ESCAPES.get(escape) or escape[1:].upper()
        raise InputError(
            f"cannot write the {dump.graph} graph as RDF/XML: a literal or IRI holds U+{code}, "
            "which XML 1.0 cannot represent",
            hint="export as ttl, nt, nq, trig or jsonld, or remove the control character from the data",
        )


def gzip_writer(raw: BinaryIO) -> gzip.GzipFile:
    """A deterministic gzip stream: no file name, mtime 0."""
    return gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=GZIP_LEVEL)


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def atomic_write(path: Path, writer: Callable[[BinaryIO], object]) -> None:
    """Write ``path`` via a temporary file in its folder, renamed into place; its SHA-256 is
    recorded beside it first (``.NAME.sha256``), so a reader never sees a file without one."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as out:
            writer(out)
        record_checksum(path, of=tmp)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_gzipped(lines: dict[str, list[bytes]], dump: DumpFile, path: Path) -> None:
    def body(out: BinaryIO) -> None:
        with gzip_writer(out) as packed:
            write_dump(lines, dump, packed)  # type: ignore[arg-type]

    atomic_write(path, body)


def context_document() -> dict[str, object]:
    """The JSON-LD ``@context`` published beside the dumps: our prefixes, and short keys
    for the properties most descriptions use (IRIs as ``@id`` where the value is a thing).

    >>> ctx = context_document()["@context"]; ctx["label"], ctx["source"]
    ('rdfs:label', {'@id': 'dcterms:source', '@type': '@id'})
    """

    def ref(curie: str) -> dict[str, str]:
        return {"@id": curie, "@type": "@id"}

    terms: dict[str, object] = {
        "id": "@id",
        "type": "@type",
        "label": "rdfs:label",
        "comment": "rdfs:comment",
        "seeAlso": ref("rdfs:seeAlso"),
        "prefLabel": "skos:prefLabel",
        "altLabel": "skos:altLabel",
        "notation": "skos:notation",
        "definition": "skos:definition",
        "broader": ref("skos:broader"),
        "narrower": ref("skos:narrower"),
        "inScheme": ref("skos:inScheme"),
        "title": "dcterms:title",
        "description": "dcterms:description",
        "identifier": "dcterms:identifier",
        "date": "dcterms:date",
        "source": ref("dcterms:source"),
        "subject": ref("dcterms:subject"),
        "publisher": ref("dcterms:publisher"),
        "license": ref("dcterms:license"),
        "unitOf": ref("org:unitOf"),
        "hasUnit": ref("org:hasUnit"),
        "subOrganizationOf": ref("org:subOrganizationOf"),
        "hasSubOrganization": ref("org:hasSubOrganization"),
        "name": "foaf:name",
        "page": ref("foaf:page"),
        "sameAs": ref("schema:sameAs"),
        "wasDerivedFrom": ref("prov:wasDerivedFrom"),
    }
    used = {DCTERMS, FOAF, ORG, OWL, PROV, RDFS, SCHEMA, SKOS}
    assert used <= set(PREFIXES.values())
    return {"@context": {**PREFIXES, **terms}}


# --- a build's dumps folder --------------------------------------------------------------

#: Writes the dataset description (``void.ttl``) given the dumps' (bytes, SHA-256) by name.
VoidWriter = Callable[[dict[str, tuple[int, str]]], bytes]
VOID_FILE = "void.ttl"


class Dumps:
    """The dumps of one build, written into ``folder`` on first need, once."""

    def __init__(
        self,
        folder: Path,
        store_path: Path | None,
        *,
        void: VoidWriter | None = None,
        read_lines: Callable[[], dict[str, list[bytes]]] | None = None,
    ) -> None:
        """The dumps of the store at ``store_path``, or of what ``read_lines`` reads (the
        canonical lines of each graph: a publication read from an external store)."""
        self.folder = folder
        self.store_path = store_path
        self.void = void
        self.read_lines = read_lines
        self._sums: dict[str, str] = {}

    @contextlib.contextmanager
    def _locked(self, *, wait: bool = True) -> Iterator[bool]:
        """The writers' lock; yields False (not held) when ``wait`` is off and a writer has it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with (self.folder / ".lock").open("ab") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def _lines(self) -> dict[str, list[bytes]]:
        if self.read_lines is not None:
            return self.read_lines()
        assert self.store_path is not None
        store = ox.Store.read_only(str(self.store_path))
        try:
            return canonical_lines(store)
        finally:
            del store

    def sound(self, name: str, *, wait: bool = True) -> bool:
        """Whether the file ``name`` is written and matches its recorded checksum (checked
        once per process); a damaged one is removed, under the writers' lock, so the next
        ``path`` or ``write_all`` (or the server's writer) writes it again. Without ``wait``,
        a damaged file a writer's lock keeps from removing is left (and False returned)."""
        if name in self._sums:
            return True
        target = self.folder / name
        if not target.is_file():
            return False
        digest = _recorded(target)
        if digest is None:  # damaged or unrecorded: look again under the lock, then remove
            with self._locked(wait=wait) as held:
                digest = matches_record(target) if held else None
        if digest is not None:
            self._sums[name] = digest
        return digest is not None

    def path(self, name: str) -> Path:
        """The file ``name`` (a dump, ``context.jsonld``, ``void.ttl`` or ``SHA256SUMS``),
        written if need be (or written again, if damaged)."""
        target = self.folder / name
        if self.sound(name):
            return target
        if name in {SUMS, VOID_FILE}:
            self.write_all()
            return target
        dump = dump_named(name)
        if dump is None and name != CONTEXT:
            raise InputError(f"no dump called {name!r}", hint="see /dumps/ for the list")
        with self._locked():
            if not target.is_file():
                if dump is None:
                    atomic_write(target, lambda out: out.write(_context_bytes()))
                else:
                    write_gzipped(self._lines(), dump, target)
        return target

    def write_all(self) -> list[Path]:
        """Every dump, the context, ``void.ttl`` (with each dump's size and checksum) and
        ``SHA256SUMS`` of them all, reading the store at most once."""
        with self._locked():
            missing = [d for d in dump_files() if not self._sound_locked(d.name)]
            if missing:
                lines = self._lines()
                for dump in missing:
                    write_gzipped(lines, dump, self.folder / dump.name)
                del lines
            if not self._sound_locked(CONTEXT):
                atomic_write(self.folder / CONTEXT, lambda out: out.write(_context_bytes()))
            names = [d.name for d in dump_files()] + [CONTEXT]
            if self.void is not None:
                if not self._sound_locked(VOID_FILE):
                    sizes = {
                        d.name: ((self.folder / d.name).stat().st_size, sha256_file(self.folder / d.name))
                        for d in dump_files()
                    }
                    text = self.void(sizes)
                    atomic_write(self.folder / VOID_FILE, lambda out: out.write(text))
                names.append(VOID_FILE)
            if not self._sound_locked(SUMS):
                sums = sums_text(self.folder, names).encode()
                atomic_write(self.folder / SUMS, lambda out: out.write(sums))
        return [self.folder / n for n in [*names, SUMS]]

    def _sound_locked(self, name: str) -> bool:
        """``sound`` for a caller holding the lock (a damaged file is removed here)."""
        if name in self._sums:
            return True
        digest = matches_record(self.folder / name)
        if digest is not None:
            self._sums[name] = digest
        return digest is not None

    def checksum(self, name: str) -> str:
        """SHA-256 of a written file, checked against its record (read once per process)."""
        if name not in self._sums:
            self.path(name)
        return self._sums.get(name) or sha256_file(self.folder / name)


def _recorded(path: Path) -> str | None:
    """``path``'s SHA-256 if it equals its record; None otherwise (nothing removed)."""
    try:
        expected = checksum_record(path).read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    actual = sha256_file(path)
    return actual if actual == expected else None


def sums_text(folder: Path, names: Iterable[str]) -> str:
    """``sha256sum`` format: ``<hex>  <name>`` per line, names sorted."""
    return "".join(f"{sha256_file(folder / n)}  {n}\n" for n in sorted(names))


def _context_bytes() -> bytes:
    return (json.dumps(context_document(), indent=2) + "\n").encode()


def read_gzip_lines(path: Path) -> list[bytes]:
    """The lines of a gzipped line-based dump (N-Triples or N-Quads)."""
    with gzip.open(path, "rb") as f:
        return f.read().splitlines(keepends=True)
