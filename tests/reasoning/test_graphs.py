"""The native engine equals owlrl on whole graphs: a synthetic ORG-shaped graph and the
real ITU graph (ontology/** + graph/**), and both flag the same inconsistencies.
"""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from itugraph.load import load_triples
from itugraph.project import Project
from itugraph.reasoning import UnsupportedConstructError, infer
from tests.helpers import REFERENCE_ENGINE
from tests.reasoning.helpers import assert_same_closure
from tests.reasoning.synthetic import ID, ORG, org_graph

TRANSITIVE_SUB = ox.NamedNode(ORG + "transitiveSubOrganizationOf")
ITU = ox.NamedNode(ID + "organization/itu")
UNIT = ox.NamedNode(ORG + "OrganizationalUnit")
TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


@REFERENCE_ENGINE
def test_synthetic_org_graph_native_equals_owlrl() -> None:
    """~1.1k triples nested units: prp-trp, prp-inv1/2, prp-spo1/2, prp-dom/rng, cax-sco."""
    graph = org_graph(120)
    native, reference = infer(graph), infer(graph, engine="owlrl")
    assert_same_closure(native.inferred, reference.inferred)
    assert native.inconsistencies == reference.inconsistencies == []
    units = {s for s, p, o in native.inferred | set(graph) if p == TYPE and o == UNIT}
    assert units and all((u, TRANSITIVE_SUB, ITU) in native.inferred for u in units)


def test_synthetic_inconsistency_flagged_by_both_engines() -> None:
    """cax-dw: a unit that is also a study question clashes in both engines."""
    unit = ox.NamedNode(ID + "unit/u5")
    question = ox.NamedNode("https://w3id.org/itugraph/def/itu#StudyQuestion")
    graph = [*org_graph(20), (unit, TYPE, question)]
    native, reference = infer(graph), infer(graph, engine="owlrl")
    assert [i.rule for i in native.inconsistencies] == ["cax-dw"]
    assert [i.rule for i in reference.inconsistencies] == ["cax-dw"]
    assert str(unit) in native.inconsistencies[0].resources


def test_axioms_about_owl_same_as_are_refused() -> None:
    """eq-ref is not materialised, so input that reasons about owl:sameAs itself is refused."""
    same = ox.NamedNode("http://www.w3.org/2002/07/owl#sameAs")
    dom = ox.NamedNode("http://www.w3.org/2000/01/rdf-schema#domain")
    with pytest.raises(UnsupportedConstructError):
        infer([(same, dom, UNIT)])


@pytest.mark.slow
@REFERENCE_ENGINE
def test_real_graph_native_equals_owlrl() -> None:
    """The ITU ontology + data: identical inferred-only triples and inconsistencies."""
    project = Project.at()
    asserted = load_triples(project.asserted_files())
    if not asserted:
        pytest.skip("the project has no ontology or data yet")
    native, reference = infer(asserted), infer(asserted, engine="owlrl")
    assert_same_closure(native.inferred, reference.inferred)
    assert sorted(i.rule for i in native.inconsistencies) == sorted(i.rule for i in reference.inconsistencies)


def test_id_level_junk_filter_agrees_with_is_junk() -> None:
    """The native engine's fast junk filter is exactly ``is_junk`` on every derived triple."""
    from itugraph.reasoning import is_junk
    from itugraph.reasoning.junk import JunkIds
    from itugraph.reasoning.native import run
    from tests.reasoning.manifest import entries

    graph = org_graph(40) + [t for entry in entries() for t in entry.premise_triples()]
    try:
        e = run(graph)
    except UnsupportedConstructError:
        pytest.fail("fixtures must not use unsupported constructs")
    junk = JunkIds(e.terms)  # type: ignore[arg-type]
    for s, p, o in e.derivations:
        triple = (e.terms[s], e.terms[p], e.terms[o])
        assert junk((s, p, o)) == is_junk(triple), triple
