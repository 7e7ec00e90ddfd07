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
        dcterms:isVersionOf <https://w3id.org/itugraph/graph/asserted> ;
        void:triples 21685 .        # what publish verified: front ends check their copies
    <https://w3id.org/itugraph/graph/validation/v/20261206T051500123-3f2a…>
        dcterms:isVersionOf <https://w3id.org/itugraph/graph/validation> .

The validation graph (the build's SHACL results) is switched with the data graphs but is
no part of the dataset queries see: :attr:`Publication.graphs` holds the data graphs only.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import pyoxigraph as ox

from itugraph.namespaces import DCTERMS, GRAPH_BASE, GRAPH_CURRENT, GRAPH_VALIDATION, OWL, XSD
from itugraph.sparql_client import ProtocolClient

#: Versioned graph names are ``<stable name>/v/<publication id>``.
VERSION_SEGMENT = "/v/"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"

_POINTER_QUERY = f"""
SELECT ?id ?version ?created ?graph ?stable ?triples WHERE {{
  GRAPH <{GRAPH_CURRENT}> {{
    <{GRAPH_CURRENT}> <{DCTERMS}identifier> ?id ; <{OWL}versionInfo> ?version .
    OPTIONAL {{ <{GRAPH_CURRENT}> <{DCTERMS}created> ?created }}
    OPTIONAL {{ ?graph <{DCTERMS}isVersionOf> ?stable OPTIONAL {{ ?graph <{VOID_TRIPLES}> ?triples }} }}
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
    of each stable data graph (``stable → versioned``).

    ``validation`` is the versioned name of the SHACL results graph (None: a publication
    without one); ``triples`` the verified triples per stable graph name (empty before the
    verify step, and in a pointer written before front ends checked them); ``built_at``
    when the published build was made."""

    id: str
    dataset_version: str
    graphs: dict[str, str]
    validation: str | None = None
    triples: dict[str, int] = field(default_factory=dict)
    built_at: str = ""

    @classmethod
    def new(
        cls, dataset_version: str, stable_graphs: list[str], *, validation: bool = False, built_at: str = ""
    ) -> Publication:
        """A fresh publication of a build: a new id even for a build published before, so
        publishing again never writes into the graphs readers are using."""
        now = time.time()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now)) + f"{int(now * 1000) % 1000:03d}"
        pid = f"{stamp}-{dataset_version}"
        graphs = {g: f"{g}{VERSION_SEGMENT}{pid}" for g in stable_graphs}
        checked = f"{GRAPH_VALIDATION}{VERSION_SEGMENT}{pid}" if validation else None
        return cls(pid, dataset_version, graphs, checked, built_at=built_at)

    @property
    def all_graphs(self) -> dict[str, str]:
        """Every graph the publication loads, the validation graph included."""
        if self.validation is None:
            return self.graphs
        return {**self.graphs, GRAPH_VALIDATION: self.validation}

    def pointer_ntriples(self) -> bytes:
        """The pointer graph naming this publication, as N-Triples."""
        current = ox.NamedNode(GRAPH_CURRENT)
        triples = [
            ox.Triple(current, ox.NamedNode(DCTERMS + "identifier"), ox.Literal(self.id)),
            ox.Triple(current, ox.NamedNode(OWL + "versionInfo"), ox.Literal(self.dataset_version)),
        ]
        if self.built_at:
            triples.append(ox.Triple(current, ox.NamedNode(DCTERMS + "created"), ox.Literal(self.built_at)))
        integer = ox.NamedNode(XSD + "integer")
        for stable, versioned in sorted(self.all_graphs.items()):
            node = ox.NamedNode(versioned)
            triples.append(ox.Triple(node, ox.NamedNode(DCTERMS + "isVersionOf"), ox.NamedNode(stable)))
            if stable in self.triples:
                count = ox.Literal(str(self.triples[stable]), datatype=integer)
                triples.append(ox.Triple(node, ox.NamedNode(VOID_TRIPLES), count))
        return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def read_publication(client: ProtocolClient) -> Publication | None:
    """The publication the store's pointer graph names, or None if nothing is published."""
    rows = client.select(_POINTER_QUERY)
    if not rows:
        return None
    named = {
        row["stable"].value: row["graph"].value
        for row in rows
        if isinstance(row.get("stable"), ox.NamedNode) and isinstance(row.get("graph"), ox.NamedNode)
    }
    triples = {
        row["stable"].value: int(row["triples"].value)
        for row in rows
        if isinstance(row.get("triples"), ox.Literal) and row["triples"].value.isdigit() and "stable" in row
    }
    created = rows[0].get("created")
    return Publication(
        rows[0]["id"].value,
        rows[0]["version"].value,
        {stable: graph for stable, graph in named.items() if stable != GRAPH_VALIDATION},
        named.get(GRAPH_VALIDATION),
        triples,
        created.value if isinstance(created, ox.Literal) else "",
    )


def versioned_graphs(client: ProtocolClient) -> set[str]:
    """Every versioned itugraph graph in the store (live, old, or left by a failed publish)."""
    return {row["g"].value for row in client.select(_VERSIONED_GRAPHS_QUERY) if "g" in row}
