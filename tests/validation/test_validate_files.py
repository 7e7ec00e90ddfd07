"""validate_project on a tiny project: results, locations, severities and errors."""

from __future__ import annotations

from collections.abc import Callable

import pyoxigraph as ox
import pytest
from conftest import SHAPES  # tests/validation/conftest.py

from itugraph.errors import InputError, RdfSyntaxError
from itugraph.project import Project
from itugraph.validation import ValidationReport, validate_project


def _by_shape(report: ValidationReport) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for r in report.results:
        found.setdefault(r.shape_id, []).append(r.focus_node)
    return found


def test_results_name_shape_focus_and_path(tiny_project: Project) -> None:
    report = validate_project(tiny_project)
    assert not report.conforms
    assert _by_shape(report) == {
        "S01-Super": ["http://ex.org/a"],  # anonymous property shape → its node shape
        "S01-Super-code": ["http://ex.org/a"],
        "S02-Super-ref": ["http://ex.org/c"],
    }
    code = next(r for r in report.results if r.shape_id == "S01-Super-code")
    assert (code.path, code.value, code.severity) == ("http://ex.org/code", '"C12"', "Violation")


def test_subclass_instances_are_targeted_through_the_ontology(tiny_project: Project) -> None:
    """ex:a is only typed ex:Sub: the merged ontology makes it an ex:Super target."""
    report = validate_project(tiny_project)
    assert any(r.focus_node == "http://ex.org/a" for r in report.results)
    # and ex:b's reference to ex:a (an ex:Sub) satisfies sh:class ex:Super
    assert all(r.focus_node != "http://ex.org/b" for r in report.results)


def test_results_carry_file_and_line(tiny_project: Project) -> None:
    report = validate_project(tiny_project)
    ref = next(r for r in report.results if r.shape_id == "S02-Super-ref")
    assert ref.file == tiny_project.data_dir / "d.ttl"
    assert ref.line == 6


def test_failed_depends_on_strict(make_project: Callable[..., Project]) -> None:
    data = '@prefix ex: <http://ex.org/> .\nex:c a ex:Super ; ex:code "C1" ; ex:ref ex:x .\n'
    report = validate_project(make_project(data=data))
    assert [r.severity for r in report.results] == ["Warning"]
    assert not report.conforms
    assert not report.failed(strict=False)
    assert report.failed(strict=True)


def test_conforming_project(make_project: Callable[..., Project]) -> None:
    data = '@prefix ex: <http://ex.org/> .\nex:c a ex:Super ; ex:code "C11" .\n'
    report = validate_project(make_project(data=data))
    assert report.conforms and report.results == []
    assert report.shape_count == 3
    assert report.triple_count == 3  # 2 data + 1 ontology


def test_inferred_triples_are_validated(make_project: Callable[..., Project]) -> None:
    data = '@prefix ex: <http://ex.org/> .\nex:c ex:code "C99" .\n'
    project = make_project(data=data)
    assert validate_project(project).conforms  # untyped: not a target
    typed = (
        ox.NamedNode("http://ex.org/c"),
        ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("http://ex.org/Super"),
    )
    report = validate_project(project, inferred=[typed])
    assert report.inferred
    assert [r.shape_id for r in report.results] == ["S01-Super-code"]


def test_syntax_error_raises_with_location(make_project: Callable[..., Project]) -> None:
    project = make_project(data="@prefix ex: <http://ex.org/> .\nex:a ex:b .\n")
    with pytest.raises(RdfSyntaxError) as caught:
        validate_project(project)
    assert caught.value.location.line == 2


def test_missing_shapes_is_an_input_error(make_project: Callable[..., Project]) -> None:
    project = make_project()
    (project.shapes_dir / "s.ttl").unlink()
    with pytest.raises(InputError, match="no shapes"):
        validate_project(project)


def test_unsupported_construct_falls_back_to_pyshacl(
    make_project: Callable[..., Project], caplog: pytest.LogCaptureFixture
) -> None:
    """A shape the SPARQL engine does not compile (sh:lessThan) is validated by pyshacl,
    with a warning naming it, never skipped; the other shapes stay compiled."""
    shapes = (
        SHAPES
        + """
ish:S03-Pair a sh:PropertyShape ; sh:targetClass ex:Super ; sh:path ex:n ;
    sh:lessThan ex:m ; sh:message "n < m"@en .
"""
    )
    data = '@prefix ex: <http://ex.org/> .\nex:c a ex:Super ; ex:code "C1" ; ex:n 5 ; ex:m 3 .\n'
    project = make_project(data=data, shapes=shapes)
    with caplog.at_level("WARNING"):
        report = validate_project(project)
    assert report.fallback_shapes == ["S03-Pair"]
    assert "S03-Pair is validated with pyshacl" in caplog.text
    assert [r.shape_id for r in report.results] == ["S03-Pair"]
    assert report.results == validate_project(project, engine="pyshacl").results


def test_unknown_engine_is_refused(tiny_project: Project) -> None:
    with pytest.raises(ValueError, match="unknown validation engine"):
        validate_project(tiny_project, engine="jena")
