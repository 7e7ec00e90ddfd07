"""The build's SHACL results as the validation graph ``publish`` loads, read back per
resource: the same findings as the build's ``validation.json`` gives the resource pages."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest

from itugraph.build import Build, build
from itugraph.linkeddata.describe import findings_for
from itugraph.linkeddata.validation_graph import findings_in, validation_triples
from itugraph.namespaces import GRAPH_VALIDATION
from itugraph.project import Project
from itugraph.store import OxigraphStore
from tests.helpers import REPO

VERSIONED = GRAPH_VALIDATION + "/v/1"


@pytest.fixture(scope="module")
def built() -> Build:
    return build(Project.at(REPO))


@pytest.fixture(scope="module")
def results_store(built: Build) -> OxigraphStore:
    store = ox.Store()
    graph = ox.NamedNode(VERSIONED)
    store.extend(
        ox.Quad(t.subject, t.predicate, t.object, graph) for t in validation_triples(built.validation_path)
    )
    return OxigraphStore(store, "test")


def test_every_resource_gets_the_findings_of_the_results_file(
    built: Build, results_store: OxigraphStore
) -> None:
    document = json.loads(built.validation_path.read_text(encoding="utf-8"))
    iris = {
        iri
        for result in document["results"]
        for iri in (result.get("owner"), result.get("focus_node"))
        if iri and not iri.startswith("_:")
    }
    assert len(iris) > 10
    for iri in sorted(iris):
        assert findings_in(results_store, VERSIONED, iri) == findings_for(built.validation_path, iri, set())


def test_a_resource_without_results_has_none_and_results_stay_in_their_graph(
    results_store: OxigraphStore,
) -> None:
    assert findings_in(results_store, VERSIONED, "https://w3id.org/itugraph/id/nothing") == []
    assert findings_in(results_store, GRAPH_VALIDATION + "/v/other", "https://w3id.org/itugraph/id/x") == []
