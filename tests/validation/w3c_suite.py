"""The W3C SHACL test suite (``tests/w3c_shacl/``): its entries, as projects, and their verdicts.

Each ``sht:Validate`` entry of the manifests names a data graph and a shapes graph (often
the entry's own file) and the expected report, or ``sht:Failure`` for malformed shapes.
:func:`write_project` turns an entry into an itugraph project (``graph/`` the data graph,
``shapes/`` the shapes graph, an empty ``ontology/``) so it runs through the CLI like
any user's project; :func:`differences` compares the JSON report the CLI printed with the
expected one.

Results are compared as a multiset of (focus node, constraint component, severity, value,
path, source shape). Terms are compared in rdflib's normal form, so ``"01"^^xsd:integer``
from pyoxigraph equals rdflib's ``"1"^^xsd:integer``. A blank node is compared as ``_:``
(the report names it by a fresh label; how many results have a blank focus or value still
counts). The path is compared when the expected one is an IRI, the source shape when the
expected one is an IRI: blank-node property shapes are reported by the nearest shape with
an IRI, which in a file that is data, shapes and manifest at once is ambiguous.
"""

from __future__ import annotations

import logging
import shutil
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import SH
from rdflib.term import Node
from rdflib.util import from_n3

SUITE = Path(__file__).resolve().parent.parent / "w3c_shacl"
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
SHT = Namespace("http://www.w3.org/ns/shacl-test#")

#: One result as compared: focus, component, severity, value, path (or None), shape (or None).
ResultKey = tuple[str, str, str, str | None, str | None, str | None]


@dataclass(frozen=True)
class SuiteEntry:
    """One ``sht:Validate`` entry: its id (``core/node/datatype-001``) and its files."""

    id: str
    manifest: Path
    iri: str
    data: Path
    shapes: Path
    failure: bool

    def project_data(self, root: Path) -> Path:
        """Where :func:`write_project` puts the data graph under ``root``."""
        return root / "graph" / self.data.name


def entries() -> list[SuiteEntry]:
    """Every ``sht:Validate`` entry of the suite, in manifest order."""
    return list(_entries(SUITE / "manifest.ttl"))


def _entries(manifest: Path) -> Iterator[SuiteEntry]:
    graph = _parse(manifest, manifest.as_uri())
    for include in graph.objects(None, MF.include):
        yield from _entries(_file(include))
    for listing in graph.objects(None, MF.entries):
        for entry in Collection(graph, listing):
            if (entry, RDF.type, SHT.Validate) not in graph:
                continue
            action = graph.value(entry, MF.action)
            name = str(entry).rsplit("/", 1)[-1]
            yield SuiteEntry(
                id=f"{manifest.parent.relative_to(SUITE).as_posix()}/{name}",
                manifest=manifest,
                iri=str(entry),
                data=_file(graph.value(action, SHT.dataGraph)),
                shapes=_file(graph.value(action, SHT.shapesGraph)),
                failure=graph.value(entry, MF.result) == SHT.Failure,
            )


def _parse(path: Path, base: str) -> Graph:
    """``path`` read by rdflib, quietly: the suite's ill-typed literals are on purpose."""
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message="Parsing weird boolean")
            return Graph().parse(path, format="turtle", publicID=base)
    finally:
        logger.setLevel(level)


def _file(iri: Node | None) -> Path:
    assert isinstance(iri, URIRef) and str(iri).startswith("file://"), iri
    return Path(str(iri)[len("file://") :])


def write_project(entry: SuiteEntry, root: Path) -> Path:
    """An itugraph project for ``entry`` at ``root``: data in graph/, shapes in shapes/."""
    for folder, source in (("graph", entry.data), ("shapes", entry.shapes)):
        (root / folder).mkdir(parents=True)
        shutil.copyfile(source, root / folder / source.name)
    (root / "ontology").mkdir()
    return root


@dataclass(frozen=True)
class Expected:
    """The expected report of an entry, read with the data file's base where it is the manifest."""

    conforms: bool
    results: Counter[ResultKey]


def expected(entry: SuiteEntry, data_copy: Path) -> Expected:
    """The expected report; relative IRIs resolve as they do in the project's copy of the data."""
    base = data_copy.resolve().as_uri() if entry.manifest == entry.data else entry.manifest.as_uri()
    graph = _parse(entry.manifest, base)
    node = URIRef(entry.iri) if entry.manifest != entry.data else _same_entry(graph, entry)
    report = graph.value(node, MF.result)
    conforms = graph.value(report, SH.conforms)
    assert isinstance(conforms, Literal), f"{entry.id}: no sh:conforms in the expected report"
    results = Counter(_expected_key(graph, r) for r in graph.objects(report, SH.result))
    return Expected(bool(conforms.toPython()), results)


def _same_entry(graph: Graph, entry: SuiteEntry) -> Node:
    name = entry.iri.rsplit("/", 1)[-1]
    found = [e for e in graph.subjects(RDF.type, SHT.Validate) if str(e).rsplit("/", 1)[-1] == name]
    assert len(found) == 1, f"{entry.id}: entry not found in its manifest"
    return found[0]


def _expected_key(graph: Graph, result: Node) -> ResultKey:
    def text(predicate: URIRef) -> str | None:
        value = graph.value(result, predicate)
        return None if value is None else _normal(value)

    path = graph.value(result, SH.resultPath)
    shape = graph.value(result, SH.sourceShape)
    return (
        text(SH.focusNode) or "",
        local_name(graph.value(result, SH.sourceConstraintComponent)),
        local_name(graph.value(result, SH.resultSeverity)),
        text(SH.value),
        str(path) if isinstance(path, URIRef) else None,
        str(shape) if isinstance(shape, URIRef) else None,
    )


def actual_key(result: dict[str, str | None], shape_iris: dict[str, str], want: ResultKey) -> ResultKey:
    """A result of the CLI's JSON report as a key, keeping the optional parts ``want`` has."""
    value = result["value"]
    return (
        _normal_text(result["focus_node"] or ""),
        result["constraint"] or "",
        result["severity"] or "",
        _normal_text(value) if value is not None and want[3] is not None else None,
        result["path"] if want[4] is not None else None,
        shape_iris.get(result["shape_id"] or "", result["shape_id"]) if want[5] is not None else None,
    )


def differences(report: dict[str, object], want: Expected, shape_iris: dict[str, str]) -> list[str]:
    """What differs between the CLI's JSON ``report`` and the expected one (empty: it passes)."""
    problems = []
    if report["conforms"] != want.conforms:
        problems.append(f"conforms is {report['conforms']}, expected {want.conforms}")
    results = report["results"]
    assert isinstance(results, list)
    got = Counter(_matching_key(r, want, shape_iris) for r in results)
    for key in sorted(set(got) | set(want.results), key=str):
        if got[key] != want.results[key]:
            problems.append(f"{got[key]} result(s), expected {want.results[key]}: {key}")
    return problems


def _matching_key(result: dict[str, str | None], want: Expected, shape_iris: dict[str, str]) -> ResultKey:
    """The key of ``result`` with the optional parts of the expected result it can match."""
    plain = actual_key(result, shape_iris, ("", "", "", None, None, None))
    for key in want.results:
        if key[:3] == plain[:3] and actual_key(result, shape_iris, key) == key:
            return key
    return actual_key(result, shape_iris, next((k for k in want.results if k[:3] == plain[:3]), plain))


def shape_ids(shapes_file: Path) -> dict[str, str]:
    """Report shape id (the IRI's fragment or last segment) → the shape's IRI."""
    graph = _parse(shapes_file, shapes_file.as_uri())
    return {local_name(s): str(s) for s in set(graph.subjects()) if isinstance(s, URIRef)}


def local_name(node: Node | None) -> str:
    """The part of an IRI after ``#`` (else after the last ``/``): how reports name shapes."""
    text = str(node) if node is not None else ""
    return text.rsplit("#", 1)[-1] if "#" in text else text.rsplit("/", 1)[-1]


def _normal(node: Node) -> str:
    if isinstance(node, BNode):
        return "_:"
    if isinstance(node, URIRef):
        return str(node)
    return node.n3()


def _normal_text(text: str) -> str:
    """A term as the report prints it (IRI bare, ``_:x``, N-Triples literal) in normal form."""
    if text.startswith("_:"):
        return "_:"
    if text.startswith('"'):
        term = from_n3(text)
        assert isinstance(term, Node), f"not an RDF term: {text}"
        return _normal(term)
    return text.strip("<>")
