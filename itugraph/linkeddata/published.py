"""The dumps and dataset description of a store's publication (``serve --backend sparql``).

A front end over a store serves the dumps of what the store serves, not of its own build:
the graphs are read from the store once per publication, by ``CONSTRUCT`` over the
versioned graphs the publication names (through a store pinned to it), checked against
the triple counts ``itugraph publish`` verified and wrote into the pointer graph, and
written by the same canonical writer as a build's dumps. A publication dropped while it
is read (its ``publish --grace`` passed) gives fewer triples than stated: the writing
fails, is logged, and the next request writes the new publication's dumps instead.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from itugraph.build import Build
from itugraph.errors import StoreError
from itugraph.linkeddata.dumps import Dumps, canonical_lines_of
from itugraph.linkeddata.urls import PUBLIC_BASE
from itugraph.linkeddata.void import facts_for, void_bytes
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED
from itugraph.publication import Publication
from itugraph.remote_store import RemoteSparqlStore, RemoteStoreConfig


def published_lines(store: RemoteSparqlStore, publication: Publication) -> dict[str, list[bytes]]:
    """The canonical lines of the publication's asserted and inferred graphs."""
    ntriples = {}
    for graph in (GRAPH_ASSERTED, GRAPH_INFERRED):
        triples = list(store.triples(graph))
        stated = publication.triples.get(graph)
        if stated is not None and len(triples) != stated:
            raise StoreError(
                f"the store sent {len(triples):,} triples of {publication.graphs.get(graph, graph)}; "
                f"the publication states {stated:,}",
                hint="the publication was dropped while it was read (publish --grace too short?), "
                "or the store cut the answer (Virtuoso: raise [SPARQL] ResultSetMaxRows)",
            )
        ntriples[graph] = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""
    return canonical_lines_of(ntriples)


def published_dumps(built: Build, store: RemoteSparqlStore, publication: Publication, folder: Path) -> Dumps:
    """The dumps of ``publication`` in ``folder``, ``void.ttl`` among them."""

    def void_file(sizes: dict[str, tuple[int, str]]) -> bytes:
        return void_bytes(
            facts_for(built, folder, store, publication),
            ox.RdfFormat.TURTLE,
            server=PUBLIC_BASE,
            dumps=PUBLIC_BASE + "dumps/",
            sizes=sizes,
        )

    return Dumps(folder, None, void=void_file, read_lines=lambda: published_lines(store, publication))


def write_published_dumps(
    built: Build, config: RemoteStoreConfig, publication: Publication, folder: Path
) -> None:
    """In the dump-writing child process: every dump of ``publication``, read from the store."""
    store = RemoteSparqlStore(config).pinned(publication, bulk=True)
    published_dumps(built, store, publication, folder).write_all()
