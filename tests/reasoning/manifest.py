"""Reads ``tests/manifests/inference/manifest.ttl`` into pytest parameters.

Each entry becomes one ``pytest.param`` whose id is the entry name (``prp-inv1-01``),
as rdflib's W3C manifest runner does, so a failure names the OWL 2 RL rule at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest

from itugraph.load import Triple, load_triples

MANIFEST_DIR = Path(__file__).resolve().parent.parent / "manifests" / "inference"
MF = "http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#"
ITT = "https://w3id.org/itugraph/def/tests#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"

KINDS = {
    MF + "PositiveEntailmentTest": "positive",
    MF + "NegativeEntailmentTest": "negative",
    ITT + "InconsistencyTest": "inconsistent",
}


@dataclass(frozen=True)
class Entry:
    """One manifest entry: its kind, rule, premise triples and (optional) conclusion."""

    name: str
    kind: str
    rule: str
    comment: str
    premise: Path
    conclusion: Path | None

    def premise_triples(self) -> list[Triple]:
        return load_triples([self.premise])

    def conclusion_triples(self) -> list[Triple]:
        return load_triples([self.conclusion]) if self.conclusion else []


def entries(manifest: Path = MANIFEST_DIR / "manifest.ttl") -> list[Entry]:
    """Every entry of ``manifest`` in manifest order."""
    store = ox.Store()
    store.load(path=manifest, format=ox.RdfFormat.TURTLE, base_iri=manifest.as_uri())
    rows = store.query(f"""
        PREFIX mf: <{MF}> PREFIX itt: <{ITT}> PREFIX rdfs: <{RDFS}>
        PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
        SELECT ?e ?type ?name ?rule ?comment ?action ?result WHERE {{
          ?m mf:entries/rdf:rest*/rdf:first ?e .
          ?e a ?type ; mf:name ?name ; itt:rule ?rule ; rdfs:comment ?comment ;
             mf:action ?action .
          OPTIONAL {{ ?e mf:result ?result }}
        }}""")
    # The property path gives no order (it differs between processes, and xdist workers
    # must collect the same list): sort by the entry's position in the mf:entries list.
    position = {entry: i for i, entry in enumerate(_list(store, _entries_head(store)))}
    return [_entry(row) for row in sorted(rows, key=lambda row: position[row["e"]])]  # type: ignore[union-attr,index]


def _entries_head(store: ox.Store) -> ox.NamedNode | ox.BlankNode:
    (quad,) = store.quads_for_pattern(None, ox.NamedNode(MF + "entries"), None)
    return quad.object  # type: ignore[return-value]


def _list(store: ox.Store, node: ox.NamedNode | ox.BlankNode) -> list[object]:
    """The members of an RDF list, in order."""
    members: list[object] = []
    while node != ox.NamedNode(RDF + "nil"):
        (first,) = store.quads_for_pattern(node, ox.NamedNode(RDF + "first"), None)
        (rest,) = store.quads_for_pattern(node, ox.NamedNode(RDF + "rest"), None)
        members.append(first.object)
        node = rest.object  # type: ignore[assignment]
    return members


def _entry(row: ox.QuerySolution) -> Entry:
    result = row["result"]
    return Entry(
        name=row["name"].value,  # type: ignore[union-attr]
        kind=KINDS[row["type"].value],  # type: ignore[union-attr]
        rule=row["rule"].value,  # type: ignore[union-attr]
        comment=row["comment"].value,  # type: ignore[union-attr]
        premise=_path(row["action"]),
        conclusion=_path(result) if result is not None else None,
    )


def _path(term: object) -> Path:
    from urllib.parse import unquote, urlparse

    return Path(unquote(urlparse(term.value).path))  # type: ignore[attr-defined]


def params(*, marks: dict[str, pytest.MarkDecorator] | None = None) -> list[object]:
    """``pytest.param(entry, id=entry.name)`` for every entry, with per-entry marks."""
    marks = marks or {}
    return [
        pytest.param(entry, id=entry.name, marks=[marks[entry.name]] if entry.name in marks else [])
        for entry in entries()
    ]
