"""Writing a built graph in any RDF serialisation, to a file or a stream."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox

from itugraph.errors import InputError
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED, PREFIXES
from itugraph.rdf_formats import RdfFormat
from itugraph.store import OxigraphStore

#: What ``export`` can write: the asserted triples, the whole closure, or only what was inferred.
SELECTIONS = ("asserted", "inferred", "inferred-only")


def export_quads(store: OxigraphStore, selection: str) -> Iterator[ox.Quad]:
    """Quads of the selection, each in its named graph (asserted or inferred)."""
    graphs = {"asserted": [GRAPH_ASSERTED], "inferred": [GRAPH_ASSERTED, GRAPH_INFERRED],
              "inferred-only": [GRAPH_INFERRED]}[selection]
    for graph in graphs:
        name = ox.NamedNode(graph)
        for triple in store.triples(graph):
            yield ox.Quad(triple.subject, triple.predicate, triple.object, name)


def write_export(store: OxigraphStore, selection: str, fmt: RdfFormat, out: BinaryIO) -> None:
    """Serialise the selection; dataset formats keep the named graphs, others merge them."""
    if selection not in SELECTIONS:
        raise InputError(f"unknown selection {selection!r}", hint=f"use one of {SELECTIONS}")
    quads = export_quads(store, selection)
    prefixes = PREFIXES if fmt.name in {"ttl", "trig", "xml", "jsonld"} else None
    if fmt.is_dataset:
        ox.serialize(quads, out, format=fmt.oxigraph, prefixes=prefixes)
    else:
        ox.serialize(_unique_triples(quads), out, format=fmt.oxigraph, prefixes=prefixes)


def export_to(store: OxigraphStore, selection: str, fmt: RdfFormat, target: Path | None,
              *, protected: list[Path]) -> None:
    """Export to ``target`` atomically (never over an input file), or to stdout."""
    if target is None:
        write_export(store, selection, fmt, sys.stdout.buffer)
        sys.stdout.buffer.flush()
        return
    resolved = target.resolve()
    if resolved in {p.resolve() for p in protected}:
        raise InputError(f"refusing to overwrite the input file {target}",
                         hint="write the export to another path (e.g. build/itu.ttl)")
    resolved.parent.mkdir(parents=True, exist_ok=True)
    tmp = resolved.with_name(f".{resolved.name}.{os.getpid()}.tmp")
    try:
        with tmp.open("wb") as out:
            write_export(store, selection, fmt, out)
        os.replace(tmp, resolved)
    finally:
        tmp.unlink(missing_ok=True)


def _unique_triples(quads: Iterator[ox.Quad]) -> Iterator[ox.Triple]:
    # Asserted and inferred graphs are disjoint by construction, so no set is needed.
    for quad in quads:
        yield quad.triple
