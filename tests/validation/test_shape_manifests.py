"""Every shape's valid and invalid examples, run from tests/manifests/shapes/manifest.ttl.

The manifest uses the W3C SHACL test-suite vocabulary (sht:Validate, mf:action,
mf:result); each entry's IRI fragment is its test id. Only the results of the shape a
file is named after are compared (see the manifest header for why).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node

from itugraph.project import EMBEDDED_ROOT, Project
from itugraph.validation import validate_files
from itugraph.validation.engine import ENGINES
from itugraph.validation.terms import path_text
from tests.helpers import REFERENCE_ENGINE

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")
MANIFEST_DIR = EMBEDDED_ROOT / "tests" / "manifests" / "shapes"
MANIFEST = MANIFEST_DIR / "manifest.ttl"
SHAPE_ID = re.compile(r"^S(\d{2})[a-z]?-[A-Z][A-Za-z]+-[a-zA-Z]+$")
RULE_ID = re.compile(r"^R(\d{2})-[A-Z][A-Za-z]+-[a-zA-Z]+$")

Expected = tuple[str, str, str | None]


@dataclass(frozen=True)
class Entry:
    """One sht:Validate entry: its id, data file, and the results expected from its shape."""

    name: str
    data: Path
    conforms: bool
    expected: frozenset[Expected]

    @property
    def shape_number(self) -> str:
        return self.name[1:3]


def _entries() -> list[Entry]:
    graph = Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    return [_entry(graph, e) for e in Collection(graph, graph.value(manifest, MF.entries))]


def _entry(graph: Graph, node: Node) -> Entry:
    action = graph.value(node, MF.action)
    result = graph.value(node, MF.result)
    data = Path(str(graph.value(action, SHT.dataGraph)).removeprefix("file://"))
    expected = frozenset(
        (
            str(graph.value(r, SH.sourceShape)).rsplit("#", 1)[1],
            str(graph.value(r, SH.focusNode)),
            _path(graph, graph.value(r, SH.resultPath)),
        )
        for r in graph.objects(result, SH.result)
    )
    return Entry(str(graph.value(node, MF.name)), data, graph.value(result, SH.conforms).toPython(), expected)


def _path(graph: Graph, node: Node | None) -> str | None:
    return None if node is None else path_text(graph, node)


ENTRIES = _entries()


def _shape_ids(shapes: Graph) -> dict[str, str]:
    """Shape number → shape ID, for every constraint shape (S…) with an IRI.

    Rule shapes (R…, shapes/itu.rules.ttl) constrain nothing; tests/validation/
    test_precedence_rules.py pins what they derive.
    """
    ids = {}
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if isinstance(shape, URIRef):
                shape_id = str(shape).rsplit("#", 1)[1]
                if shape_id.startswith("S"):
                    ids[shape_id[1:3]] = shape_id
    return ids


@pytest.mark.parametrize(
    "engine", [pytest.param(e, marks=REFERENCE_ENGINE) if e == "pyshacl" else e for e in ENGINES]
)
@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_entry(entry: Entry, engine: str, project: Project, shapes: Graph) -> None:
    shape_id = _shape_ids(shapes)[entry.shape_number]
    report = validate_files(
        [entry.data], ontology=project.ontology_files(), shapes_graph=shapes, engine=engine
    )
    got = {(r.shape_id, r.focus_node, r.path) for r in report.results if r.shape_id == shape_id}
    if entry.conforms:
        assert got == set(), f"{entry.data.name} should give no {shape_id} result"
    else:
        assert got == set(entry.expected)
        located = [r for r in report.results if r.shape_id == shape_id]
        assert all(r.file == entry.data and r.line for r in located), "results must carry file:line"


def test_manifest_is_not_empty() -> None:
    assert len(ENTRIES) >= 2 * 40
    assert all(e.data.is_file() for e in ENTRIES), "every entry's data file exists"


def test_every_shape_has_a_valid_and_an_invalid_example(shapes: Graph) -> None:
    files = sorted(p.name for p in MANIFEST_DIR.glob("S*.ttl"))
    assert files, f"no examples in {MANIFEST_DIR}"
    listed = {e.data.name for e in ENTRIES}
    assert set(files) == listed, "every example file is a manifest entry and vice versa"
    for number, shape_id in _shape_ids(shapes).items():
        assert f"S{number}-valid.ttl" in files, f"{shape_id} has no valid example"
        assert any(f.startswith(f"S{number}-invalid-") for f in files), f"{shape_id} has no invalid example"


def test_shape_ids_and_messages(shapes: Graph) -> None:
    """Every named shape has an ID like S07-StudyQuestion-studyGroup, a unique number,
    an English sh:message and a deliberate sh:severity (the OGC validator.ttl lesson)."""
    numbers: list[str] = []
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in shapes.subjects(RDF.type, kind):
            if not isinstance(shape, URIRef):
                continue
            shape_id = str(shape).rsplit("#", 1)[1]
            assert str(shape).startswith("https://w3id.org/itugraph/def/shapes#")
            if RULE_ID.match(shape_id):
                assert shapes.value(shape, SH.rule) is not None, f"{shape_id} has no sh:rule"
                assert shapes.value(shape, RDFS.label) is not None, f"{shape_id} has no label"
                continue
            assert SHAPE_ID.match(shape_id), shape_id
            numbers.append(shape_id[1:3])
            messages = [m for m in shapes.objects(shape, SH.message) if m.language == "en"]
            assert messages, f"{shape_id} has no English sh:message"
            assert shapes.value(shape, SH.severity) is not None, f"{shape_id} has no sh:severity"
    assert len(numbers) == len(set(numbers)), "shape numbers are unique"


def test_readme_lists_every_shape(shapes: Graph) -> None:
    readme = (EMBEDDED_ROOT / "shapes" / "README.md").read_text(encoding="utf-8")
    for shape_id in _shape_ids(shapes).values():
        assert f"`ish:{shape_id}`" in readme, f"shapes/README.md does not list {shape_id}"
