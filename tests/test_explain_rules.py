"""``explain`` names the SHACL rule behind a triple the precedence rule derived (issue 12)."""

from __future__ import annotations

import pyoxigraph as ox

from itugraph.build import Build
from itugraph.explain import explain_triple
from itugraph.namespaces import ITUID

ID = ITUID
ITU = "https://w3id.org/itugraph/def/itu#"
ITU_ORG = ox.NamedNode(ID + "organization/itu")
C4 = ox.NamedNode(ID + "wsis-action-line/C4")


def test_a_rule_derived_triple_names_its_rule(itu_build: Build) -> None:
    tree = explain_triple(itu_build, (ITU_ORG, ox.NamedNode(ITU + "coFacilitatorOf"), C4))
    assert tree.rule == "sh:rule R03-FacilitationRole-prevailingRole"
    assert tree.asserted is False and tree.premises == []


def test_an_owl_inference_over_a_rule_derived_triple_shows_the_rule_at_its_leaf(itu_build: Build) -> None:
    tree = explain_triple(itu_build, (ITU_ORG, ox.NamedNode(ITU + "facilitatorOf"), C4))
    assert tree.rule == "prp-spo1"
    leaves = [p for p in tree.premises if not p.premises]
    assert any(
        leaf.rule == "sh:rule R03-FacilitationRole-prevailingRole" and leaf.asserted is False
        for leaf in leaves
    )


def test_a_derived_title_names_the_claims_rule(itu_build: Build) -> None:
    sg17 = ox.NamedNode(ID + "study-group/itu-t-sg17-2025-2028")
    title = ox.Literal("Security", language="en")
    tree = explain_triple(itu_build, (sg17, ox.NamedNode("http://purl.org/dc/terms/title"), title))
    assert tree.rule == "sh:rule R02-Claim-prevailingValue"
