"""Derivation trees (``explain``) and the derivations file.

The trees are checked on the three kinds of derived link the ITU ontology relies on: a
transitive unit link (prp-trp), an inverse (prp-inv1) and a property chain (prp-spo2).
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from itugraph.errors import ItuGraphError
from itugraph.reasoning import Derivations, NotInferredError, explain, infer
from itugraph.reasoning.errors import DerivationsFileError

EX = "https://example.org/"
OWL = "http://www.w3.org/2002/07/owl#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"


def n(name: str) -> ox.NamedNode:
    return ox.NamedNode(name if ":" in name else EX + name)


def nt(*terms: str) -> list[str]:
    return [str(n(t)) for t in terms]


ORG_GRAPH = [
    (n("subOrganizationOf"), n(RDFS + "subPropertyOf"), n("transitiveSubOrganizationOf")),
    (n("transitiveSubOrganizationOf"), n(RDF + "type"), n(OWL + "TransitiveProperty")),
    (n("hasUnit"), n(OWL + "inverseOf"), n("unitOf")),
    (n("sg17"), n("subOrganizationOf"), n("itu-t")),
    (n("itu-t"), n("subOrganizationOf"), n("itu")),
    (n("itu"), n("hasUnit"), n("itu-t")),
    (n("contributesToSDG"), n(OWL + "propertyChainAxiom"), n("_chain")),
    (n("sg17"), n("contributesToSDG"), n("sdg-9.c")),
    (n("sdg-9.c"), n("partOf"), n("sdg-9")),
]


@pytest.fixture(scope="module")
def closure():  # type: ignore[no-untyped-def]
    chain = ox.BlankNode("c1"), ox.BlankNode("c2")
    graph = [t for t in ORG_GRAPH if t[2] != n("_chain")] + [
        (n("contributesToSDG"), n(OWL + "propertyChainAxiom"), chain[0]),
        (chain[0], n(RDF + "first"), n("contributesToSDG")),
        (chain[0], n(RDF + "rest"), chain[1]),
        (chain[1], n(RDF + "first"), n("partOf")),
        (chain[1], n(RDF + "rest"), n(RDF + "nil")),
    ]
    return infer(graph)


def test_prp_trp_explains_transitive_unit_link(closure) -> None:  # type: ignore[no-untyped-def]
    """prp-trp: sg17 is transitively under ITU through ITU-T, each step from prp-spo1."""
    tree = explain(closure.derivations, (n("sg17"), n("transitiveSubOrganizationOf"), n("itu")))
    data = tree.to_dict()
    assert data["rule"] == "prp-trp" and data["asserted"] is False
    assert data["triple"] == nt("sg17", "transitiveSubOrganizationOf", "itu")
    steps = [p for p in data["premises"] if p["rule"] == "prp-spo1"]  # type: ignore[union-attr]
    assert {tuple(s["triple"]) for s in steps} == {
        tuple(nt("sg17", "transitiveSubOrganizationOf", "itu-t")),
        tuple(nt("itu-t", "transitiveSubOrganizationOf", "itu")),
    }
    assert _leaves(data) <= {tuple(map(str, t)) for t in ORG_GRAPH}


def test_prp_inv1_explains_inverse_link(closure) -> None:  # type: ignore[no-untyped-def]
    """prp-inv1: itu hasUnit itu-t gives itu-t unitOf itu."""
    data = explain(closure.derivations, (n("itu-t"), n("unitOf"), n("itu"))).to_dict()
    assert data == {
        "triple": nt("itu-t", "unitOf", "itu"),
        "rule": "prp-inv1",
        "asserted": False,
        "premises": [
            {
                "triple": [str(n("hasUnit")), f"<{OWL}inverseOf>", str(n("unitOf"))],
                "rule": None,
                "asserted": True,
                "premises": [],
            },
            {"triple": nt("itu", "hasUnit", "itu-t"), "rule": None, "asserted": True, "premises": []},
        ],
    }


def test_prp_spo2_explains_property_chain(closure) -> None:  # type: ignore[no-untyped-def]
    """prp-spo2: contributing to target 9.c, part of goal 9, is contributing to goal 9."""
    data = explain(closure.derivations, (n("sg17"), n("contributesToSDG"), n("sdg-9"))).to_dict()
    assert data["rule"] == "prp-spo2"
    assert [p["triple"] for p in data["premises"]][1:] == [  # type: ignore[union-attr]
        nt("sg17", "contributesToSDG", "sdg-9.c"),
        nt("sdg-9.c", "partOf", "sdg-9"),
    ]
    assert all(p["asserted"] for p in data["premises"])  # type: ignore[union-attr]


def test_explain_refuses_asserted_and_unknown_triples(closure) -> None:  # type: ignore[no-untyped-def]
    for triple in [ORG_GRAPH[3], (n("a"), n("b"), n("c"))]:
        with pytest.raises(NotInferredError) as info:
            explain(closure.derivations, triple)
        assert isinstance(info.value, ItuGraphError)


def test_every_inferred_triple_has_a_derivation(closure) -> None:  # type: ignore[no-untyped-def]
    assert all(t in closure.derivations for t in closure.inferred)
    assert len(closure.derivations) == len(closure.inferred)


def test_derivations_round_trip_through_a_file(closure, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "derivations.bin"
    closure.derivations.save(path)
    loaded = Derivations.load(path)
    assert not list(tmp_path.glob("*.tmp")), "the temp file must be renamed away"
    for triple in closure.inferred:
        assert triple in loaded
        assert json.dumps(explain(loaded, triple).to_dict()) == json.dumps(
            explain(closure.derivations, triple).to_dict()
        )


def test_truncated_derivations_file_is_a_clear_error(closure, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "derivations.bin"
    closure.derivations.save(path)
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(DerivationsFileError):
        Derivations.load(path)
    path.write_bytes(b"something else")
    with pytest.raises(DerivationsFileError):
        Derivations.load(path)


def _leaves(node: dict) -> set[tuple[str, ...]]:  # type: ignore[type-arg]
    if node["asserted"]:
        return {tuple(node["triple"])}
    return set().union(*(_leaves(p) for p in node["premises"]))
