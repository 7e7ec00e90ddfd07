"""The SPARQL engine gives exactly pyshacl's results (pyshacl is the reference oracle).

Evidence, each compared result for result (see ``engine_equality.py``): every fixture of
``tests/manifests/shapes/`` (both engines also meet the expected results there, in
``test_shape_manifests.py``); the real graph, asserted and inferred; the editing
mistakes of ``test_mutations.py`` (there); a damaged ~10k synthetic graph from
``bench/synth.py``. Plus: no shape of ours falls back to pyshacl, and every SHACL-SPARQL
constraint of ours is evaluated once for all focus nodes, which gives the same rows as
pyshacl's once-per-node evaluation (checked here on the real and synthetic graphs).
"""

from __future__ import annotations

import sys
from dataclasses import replace

import pyoxigraph as ox
import pytest
from engine_equality import differences  # tests/validation/engine_equality.py
from rdflib import Graph
from rdflib.namespace import SH
from test_shape_manifests import ENTRIES, Entry

from itugraph.build import build
from itugraph.load import Triple, load_triples
from itugraph.project import EMBEDDED_ROOT, Project
from itugraph.validation import ValidationReport, sparql_engine, validate_files, validate_project
from itugraph.validation.compiler import compile_shapes
from tests.helpers import REFERENCE_ENGINE

sys.path.insert(0, str(EMBEDDED_ROOT / "bench"))

import synth


def _both(shapes: Graph, **kwargs: object) -> tuple[ValidationReport, ValidationReport]:
    fast = validate_files(shapes_graph=shapes, engine="sparql", **kwargs)  # type: ignore[arg-type]
    reference = validate_files(shapes_graph=shapes, engine="pyshacl", **kwargs)  # type: ignore[arg-type]
    return fast, reference


def test_every_shape_of_ours_compiles(shapes: Graph) -> None:
    plan = compile_shapes(shapes)
    assert plan.fallback == {}
    assert len(plan.shapes) >= 40


def test_every_sparql_constraint_of_ours_is_batched(shapes: Graph) -> None:
    plan = compile_shapes(shapes)
    constraints = [c.sparql for top in plan.shapes for c in top.checks if c.sparql is not None]
    assert len(constraints) >= 10
    assert all(c.batched for c in constraints), [c.why_not_batched for c in constraints]


@REFERENCE_ENGINE
@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_fixture(entry: Entry, project: Project, shapes: Graph) -> None:
    fast, reference = _both(shapes, data=[entry.data], ontology=project.ontology_files())
    assert differences(fast, reference, shapes) == []


@pytest.mark.slow
@REFERENCE_ENGINE
def test_real_graph_asserted(project: Project, shapes: Graph) -> None:
    fast, reference = _both(shapes, data=project.data_files(), ontology=project.ontology_files())
    assert differences(fast, reference, shapes) == []
    assert fast.triple_count == reference.triple_count


@pytest.mark.slow
@REFERENCE_ENGINE
def test_real_graph_inferred(project: Project, shapes: Graph) -> None:
    inferred = list(build(project, validate=False).open_store().triple_tuples())
    fast = validate_project(project, inferred=inferred, engine="sparql")
    reference = validate_project(project, inferred=inferred, engine="pyshacl")
    assert differences(fast, reference, shapes) == []
    # Triple counts may differ by a few: the store keeps one canonical term for equal
    # decimals ("150.0" and "150" from the closure), rdflib keeps both lexical forms.
    assert fast.inferred and abs(fast.triple_count - reference.triple_count) < 50


@pytest.fixture(scope="module")
def damaged_synthetic(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A ~10k synthetic project with every 23rd triple dropped and some literals retyped,
    so that most shapes have something to report."""
    root = tmp_path_factory.mktemp("synth") / "p"
    synth.write_project(root, 10_000)
    data = root / "graph" / "synthetic.nt"
    lines = data.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for i, line in enumerate(lines) if i % 23 != 7]
    damaged = [
        line.replace("^^<http://www.w3.org/2001/XMLSchema#gYear>", "") if i % 5 == 0 else line
        for i, line in enumerate(kept)
    ]
    data.write_text("".join(damaged), encoding="utf-8")
    return Project.at(root)


@pytest.mark.slow
@REFERENCE_ENGINE
def test_damaged_synthetic_graph(damaged_synthetic: Project, shapes: Graph) -> None:
    fast, reference = _both(
        shapes, data=damaged_synthetic.data_files(), ontology=damaged_synthetic.ontology_files()
    )
    assert len({r.shape_id for r in reference.results}) >= 8, "the damage reaches many shapes"
    assert differences(fast, reference, shapes) == []


def _per_node_equals_batched(triples: list[Triple], shapes: Graph) -> None:
    """Each batched SPARQL constraint gives the rows of its per-focus-node evaluation
    (pyoxigraph's SEP-0007 pre-binding of $this, as pyshacl pre-binds it in rdflib)."""
    plan = compile_shapes(shapes)
    batched = sparql_engine.run(sparql_engine.store_of(triples), shapes, plan).results
    for top in plan.shapes:
        top.checks = [
            c
            if c.sparql is None
            else replace(
                c, sparql=replace(c.sparql, batched=False, query=str(shapes.value(c.sparql.node, SH.select)))
            )
            for c in top.checks
        ]
    per_node = sparql_engine.run(sparql_engine.store_of(triples), shapes, plan).results
    assert sorted(map(repr, batched)) == sorted(map(repr, per_node))


@pytest.mark.slow
def test_batching_equals_per_node_on_the_real_graph(project: Project, shapes: Graph) -> None:
    _per_node_equals_batched(load_triples([*project.ontology_files(), *project.data_files()]), shapes)


@pytest.mark.slow
def test_batching_equals_per_node_on_the_damaged_synthetic_graph(
    damaged_synthetic: Project, shapes: Graph
) -> None:
    _per_node_equals_batched(
        load_triples([*damaged_synthetic.ontology_files(), *damaged_synthetic.data_files()]), shapes
    )


def test_store_left_clean(project: Project, shapes: Graph) -> None:
    """The focus graph is private scratch space: the caller's store is left as it was."""
    store = sparql_engine.store_of(load_triples(project.ontology_files()))
    before = len(store)
    sparql_engine.run(store, shapes)
    assert len(store) == before and list(store.named_graphs()) == []
    assert isinstance(store, ox.Store)
