"""The parses the test processes share (``tests.helpers.shared_sparql_parses``) change no result.

Every manifest example of ``tests/manifests/shapes/`` is validated at once, by both engines,
three times: with rdflib's own parsing (each text parsed anew), then with shared parses,
first filling them and then reusing them. The results must be the same each time.
"""

from __future__ import annotations

import pytest
from engine_equality import key  # tests/validation/engine_equality.py
from rdflib import Graph
from rdflib.plugins.sparql import processor
from test_shape_manifests import ENTRIES

from itugraph.project import Project
from itugraph.validation import ValidationReport, batching, validate_files
from tests.helpers import RDFLIB_PARSING, REFERENCE_ENGINE, shared_sparql_parses


def _results(report: ValidationReport) -> list[tuple[object, ...]]:
    return sorted(((*key(r), r.message) for r in report.results), key=repr)


def _validate(project: Project, shapes: Graph, engine: str) -> ValidationReport:
    data = sorted({entry.data for entry in ENTRIES})
    return validate_files(data, ontology=project.ontology_files(), shapes_graph=shapes, engine=engine)


@REFERENCE_ENGINE
@pytest.mark.parametrize("engine", ["sparql", "pyshacl"])
def test_shared_parses_give_the_results_of_fresh_ones(
    engine: str, project: Project, shapes: Graph, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as rdflib_alone:
        rdflib_alone.setattr(batching, "prepareQuery", RDFLIB_PARSING["prepareQuery"])
        rdflib_alone.setattr(processor.SPARQLProcessor, "query", RDFLIB_PARSING["SPARQLProcessor.query"])
        fresh = _validate(project, shapes, engine)
        with shared_sparql_parses():  # empty at first: it fills, then serves
            filling, reusing = (_validate(project, shapes, engine) for _ in range(2))
    assert len(fresh.results) > 50, "the examples reach many shapes"
    assert _results(filling) == _results(fresh)
    assert _results(reusing) == _results(fresh)
