"""The benchmark's synthetic graph generator: deterministic, ITU-shaped, and valid."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from bench import synth
from itugraph.project import Project
from itugraph.reasoning import infer

ORG = "http://www.w3.org/ns/org#"
ITU_ORG = "https://w3id.org/itugraph/id/organization/itu"


def _store(lines: list[str]) -> ox.Store:
    store = ox.Store()
    store.load("".join(lines).encode(), format=ox.RdfFormat.N_TRIPLES)
    return store


def test_same_size_and_seed_give_identical_output() -> None:
    assert synth.generate(3000, seed=1) == synth.generate(3000, seed=1)
    assert synth.generate(3000, seed=1) != synth.generate(3000, seed=2)


def test_size_is_close_to_the_request() -> None:
    lines = synth.generate(5000)
    assert 5000 <= len(lines) < 5400
    assert len(set(lines)) == len(lines)  # every line a distinct triple


def test_units_nest_four_to_six_levels_below_the_itu_and_unit_of_points_only_to_it() -> None:
    store = _store(synth.generate(5000))
    depths = [
        int(row["depth"].value)
        for row in store.query(f"""
        PREFIX org: <{ORG}>
        SELECT ?leaf (COUNT(?mid) AS ?depth) WHERE {{
          ?leaf (org:unitOf|org:subOrganizationOf)* ?mid .
          ?mid (org:unitOf|org:subOrganizationOf) ?up .
          FILTER NOT EXISTS {{ ?child org:subOrganizationOf ?leaf }}
        }} GROUP BY ?leaf""")
    ]  # type: ignore[union-attr, index]
    assert set(depths) == {4, 5, 6}
    targets = {
        row["o"].value
        for row in store.query(f"""
        SELECT DISTINCT ?o WHERE {{ ?s <{ORG}unitOf> ?o }}""")
    }  # type: ignore[union-attr, index]
    assert targets == {ITU_ORG}


def test_sdg_links_use_the_un_iris_of_the_kos() -> None:
    kos = set(synth.sdg_targets(synth.REPO / "graph" / "sdg" / "sdg-kos-goals-targets-indicators.ttl"))
    store = _store(synth.generate(3000))
    linked = {
        row["o"].value
        for row in store.query(
            "SELECT DISTINCT ?o WHERE { ?s <https://w3id.org/itugraph/def/itu#contributesToSDG> ?o }"
        )
    }  # type: ignore[union-attr, index]
    assert linked and linked <= kos


def test_the_project_is_consistent_under_the_real_ontology(tmp_path: Path) -> None:
    root = tmp_path / "synthetic"
    synth.write_project(root, 3000)
    project = Project.at(root)
    from itugraph.load import load_triples

    closure = infer(load_triples(project.asserted_files()))
    assert closure.inconsistencies == []
    assert closure.inferred


@pytest.mark.slow
def test_the_project_conforms_to_the_real_shapes(tmp_path: Path) -> None:
    from itugraph.validation import validate_project

    root = tmp_path / "synthetic"
    synth.write_project(root, 3000)
    report = validate_project(Project.at(root))
    violations = [r for r in report.results if r.severity == "Violation"]
    assert violations == [], violations[:3]
