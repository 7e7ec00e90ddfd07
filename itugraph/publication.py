"""Which published version an external store serves: the pointer graph.

``itugraph publish`` loads each named graph of a build under a new versioned name
(``…/graph/asserted/v/<publication>``) and, once every copy is verified, replaces the
small pointer graph ``…/graph/current`` in one Graph Store PUT. Front ends read the
pointer and query the versioned graphs it names, so a reader sees the old version or the
new one, never a mix, and never a half-loaded graph.

The pointer, in Turtle::

    <https://w3id.org/itugraph/graph/current> dcterms:identifier "20261206T051500123-3f2a…" ;
        owl:versionInfo "3f2a…" .   # the build's dataset version
    <https://w3id.org/itugraph/graph/asserted/v/20261206T051500123-3f2a…>
        dcterms:isVersionOf <https://w3id.org/itugraph/graph/asserted> .
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import pyoxigraph as ox

from itugraph.namespaces import DCTERMS, GRAPH_BASE, GRAPH_CURRENT, OWL
from itugraph.sparql_client import ProtocolClient

#: Versioned graph names are ``<stable name>/v/<publication id>``.
VERSION_SEGMENT = "/v/"

_POINTER_QUERY = f"""
SELECT ?id ?version ?graph ?stable WHERE {{
  GRAPH <{GRAPH_CURRENT}> {{
    <{GRAPH_CURRENT}> <{DCTERMS}identifier> ?id ; <{OWL}versionInfo> ?version .
    OPTIONAL {{ ?graph <{DCTERMS}isVersionOf> ?stable }}
  }}
}}"""

_VERSIONED_GRAPHS_QUERY = f"""
SELECT DISTINCT ?g WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?g), "{GRAPH_BASE}") && CONTAINS(STR(?g), "{VERSION_SEGMENT}"))
}}"""


@dataclass(frozen=True)
class Publication:
    """One published version: its id, the build's dataset version, and the versioned name
    of each stable graph name (``stable → versioned``)."""

    id: str
    dataset_version: str
    graphs: dict[str, str]

    @classmethod
    def new(cls, dataset_version: str, stable_graphs: list[str]) -> Publication:
        """A fresh publication of a build: a new id even for a build published before, so
        publishing again never writes into the graphs readers are using."""
        now = time.time()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now * 1000) % 1000:03d}"
        pid = f"{stamp}-{dataset_version}"
        return cls(pid, dataset_version, {g: f"{g}{VERSION_SEGMENT}{pid}" for g in stable_graphs})

    def pointer_ntriples(self) -> bytes:
        """The pointer graph naming this publication, as N-Triples."""
        current = ox.NamedNode(GRAPH_CURRENT)
        triples = [
            ox.Triple(current, ox.NamedNode(DCTERMS + "identifier"), ox.Literal(self.id)),
            ox.Triple(current, ox.NamedNode(OWL + "versionInfo"), ox.Literal(self.dataset_version)),
        ]
        triples += [
            ox.Triple(ox.NamedNode(versioned), ox.NamedNode(DCTERMS + "isVersionOf"), ox.NamedNode(stable))
            for stable, versioned in sorted(self.graphs.items())
        ]
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def read_publication(client: ProtocolClient) -> Publication | None:
    """The publication the store's pointer graph names, or None if nothing is published."""
    rows = client.select(_POINTER_QUERY)
    if not rows:
        return None
    graphs = {
        row["stable"].value: row["graph"].value
        for row in rows
        if isinstance(row.get("stable"), ox.NamedNode) and isinstance(row.get("graph"), ox.NamedNode)
    }
    return Publication(rows[0]["id"].value, rows[0]["version"].value, graphs)


def versioned_graphs(client: ProtocolClient) -> set[str]:
    """Every versioned itugraph graph in the store (live, old, or left by a failed publish)."""
    return {row["g"].value for row in client.select(_VERSIONED_GRAPHS_QUERY) if "g" in row}
