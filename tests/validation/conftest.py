"""Fixtures for the validation tests: a tiny project written to ``tmp_path``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from rdflib import Graph

from itugraph.project import EMBEDDED_ROOT, Project
from itugraph.validation import load_shapes

ONTOLOGY = """\
@prefix ex: <http://ex.org/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
ex:Sub rdfs:subClassOf ex:Super .
"""

DATA = """\
@prefix ex: <http://ex.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

ex:a a ex:Sub ; ex:code "C12" ; ex:n "abc"^^xsd:integer .
ex:b a ex:Super ; ex:code "C3" ; ex:ref ex:a .
ex:c a ex:Super ;
    ex:code "C1" ;
    ex:ref ex:nothing .
"""

SHAPES = """\
@prefix ex: <http://ex.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ish: <https://w3id.org/itugraph/def/shapes#> .

ish:S01-Super a sh:NodeShape ;
    sh:targetClass ex:Super ;
    sh:property ish:S01-Super-code , ish:S02-Super-ref ,
        [ sh:path ex:n ; sh:datatype xsd:integer ; sh:message "n must be an integer"@en ] .
ish:S01-Super-code a sh:PropertyShape ; sh:path ex:code ;
    sh:pattern "^C([1-9]|1[01])$" ; sh:message "code must be C1..C11"@en .
ish:S02-Super-ref a sh:PropertyShape ; sh:path ex:ref ; sh:class ex:Super ;
    sh:severity sh:Warning ; sh:message "ref must be a Super"@en .
"""


def write_project(root: Path, *, data: str = DATA, shapes: str = SHAPES, ontology: str = ONTOLOGY) -> Project:
    """A project folder with one ontology, one data and one shapes file."""
    for folder, name, text in (
        ("ontology", "o.ttl", ontology),
        ("graph", "d.ttl", data),
        ("shapes", "s.ttl", shapes),
    ):
        (root / folder).mkdir(parents=True, exist_ok=True)
        (root / folder / name).write_text(text, encoding="utf-8")
    return Project.at(root)


@pytest.fixture
def tiny_project(tmp_path: Path) -> Project:
    return write_project(tmp_path)


@pytest.fixture
def make_project(tmp_path: Path) -> Callable[..., Project]:
    """``make_project(data=…, shapes=…, ontology=…)``: the tiny project with parts replaced."""
    return lambda **parts: write_project(tmp_path, **parts)


@pytest.fixture(scope="session")
def project() -> Project:
    """The repository's own project (the real ITU graph and shapes)."""
    return Project.at(EMBEDDED_ROOT)


@pytest.fixture(scope="session")
def shapes(project: Project) -> Graph:
    """The real shapes graph, parsed once for every module that needs it."""
    return load_shapes(project.shapes_files())
