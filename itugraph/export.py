"""Writing a built graph in any RDF serialisation, to a file or a stream."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from itugraph.build import pid_alive
from itugraph.errors import InputError, OutputWriteError
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, PREFIXES
from itugraph.rdf_formats import RdfFormat
from itugraph.store import OxigraphStore

#: What ``export`` can write: the asserted triples, the whole closure, or only what was inferred.
SELECTIONS = ("asserted", "inferred", "inferred-only")


def export_quads(store: OxigraphStore, selection: str) -> Iterator[ox.Quad]:
    """Quads of the selection, each in its named graph (asserted or inferred)."""
    graphs = {
        "asserted": [GRAPH_ASSERTED],
        "inferred": [GRAPH_ASSERTED, GRAPH_INFERRED],
        "inferred-only": [GRAPH_INFERRED],
    }[selection]
    for graph in graphs:
        name = ox.NamedNode(graph)
        for triple in store.triples(graph):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, name)


#: The dump graph (``itugraph.linkeddata.dumps.GRAPHS``) of each selection.
_DUMP_GRAPH = {"asserted": "asserted", "inferred": "union", "inferred-only": "inferred"}


def write_export(
    store: OxigraphStore, selection: str, fmt: RdfFormat, out: BinaryIO, *, canonical: bool = True
) -> None:
    """Serialise the selection; dataset formats keep the named graphs, others merge them.

    ``canonical`` (the default) writes what the dumps write: statements sorted, blank
    nodes labelled by a hash of their description, so two exports of the same build are
    byte-identical (real graph: +0.5 s; 1M triples: ~40 s more and the sorted lines held in
    memory). ``canonical=False`` streams in the store's order.
    """
    if selection not in SELECTIONS:
        raise InputError(f"unknown selection {selection!r}", hint=f"use one of {SELECTIONS}")
    if canonical:
        from itugraph.linkeddata.dumps import DumpFile, canonical_lines, write_dump

        suffix = "rdf" if fmt.name == "xml" else fmt.name
        write_dump(canonical_lines(store), DumpFile(_DUMP_GRAPH[selection], suffix), out)
        return
    quads = export_quads(store, selection)
    prefixes = PREFIXES if fmt.name in {"ttl", "trig", "xml", "jsonld"} else None
    if fmt.is_dataset:
        ox.serialize(quads, out, format=fmt.oxigraph, prefixes=prefixes)
    else:
        ox.serialize(_unique_triples(quads), out, format=fmt.oxigraph, prefixes=prefixes)


def export_to(
    store: OxigraphStore,
    selection: str,
    fmt: RdfFormat,
    target: Path | None,
    *,
    protected: list[Path],
    canonical: bool = True,
) -> None:
    """Export to ``target`` atomically (never over an input file), or to stdout."""
    if target is None:
        write_export(store, selection, fmt, sys.stdout.buffer, canonical=canonical)
        sys.stdout.buffer.flush()
        return
    resolved = target.resolve()
    if resolved in {p.resolve() for p in protected}:
        raise InputError(
            f"refusing to overwrite the input file {target}",
            hint="write the export to another path (e.g. build/itu.ttl)",
        )
    tmp = resolved.with_name(f".{resolved.name}.{os.getpid()}.tmp")
    try:
        resolved.parent.mkdir(parents=True, exist_ok=True)
        _remove_stale(resolved)
        with tmp.open("wb") as out:
            write_export(store, selection, fmt, out, canonical=canonical)
        os.replace(tmp, resolved)
    except OSError as exc:  # a full disk, a read-only folder: the target is as it was
        raise OutputWriteError.writing(target, exc) from None
    finally:
        tmp.unlink(missing_ok=True)


def _remove_stale(target: Path) -> None:
    """Delete what exports killed mid-write (SIGKILL: no ``finally``) left beside ``target``:
    ``.NAME.PID.tmp`` files whose process is gone. The output itself is never half-written."""
    for stale in target.parent.glob(f".{target.name}.*.tmp"):
        pid = stale.name[len(target.name) + 2 : -len(".tmp")]
        if pid.isdigit() and not pid_alive(pid):
            stale.unlink(missing_ok=True)


def _unique_triples(quads: Iterator[ox.Quad]) -> Iterator[ox.Triple]:
    # Asserted and inferred graphs are disjoint by construction, so no set is needed.
    for quad in quads:
        yield quad.triple
