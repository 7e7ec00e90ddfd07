"""Validate a project's data against its shapes (compiled SPARQL, or pyshacl), and locate each result.

What the data graph is, and why (measured figures in ``docs/validation.md``):

* the asserted data **merged with the ontology**, and no inference. SHACL's
  ``sh:class`` and ``sh:targetClass`` follow ``rdfs:subClassOf*`` *in the data graph*,
  so merging the ontology is all they need to see that an ``itu:StudyGroup`` is an
  ``org:OrganizationalUnit``. pyshacl's ``inference="rdfs"`` would also apply
  ``rdfs:range``, typing every dangling reference with the range class, so the very
  mistake ``sh:class`` exists to catch would pass; it is also several times slower.
* with ``inferred`` given (the OWL 2 RL closure, or only the triples it adds), those
  triples are added as well: that validates the graph the SPARQL endpoint serves.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pyshacl
from pyparsing import ParseException
from pyshacl.errors import ReportableRuntimeError
from rdflib import RDF, RDFS, BNode, Graph, Literal
from rdflib.namespace import OWL, SH
from rdflib.term import Node

from itugraph.errors import ShapesError, UnsupportedShapeError
from itugraph.load import Triple, load_triples
from itugraph.project import Project
from itugraph.validation import sparql_engine
from itugraph.validation.compiler import compile_shapes
from itugraph.validation.fidelity import StoredLiterals, stored_literals
from itugraph.validation.graphs import graph_of, quiet_rdflib_literals, to_rdflib
from itugraph.validation.model import ValidationReport, ValidationResult
from itugraph.validation.pyshacl_input import as_specified
from itugraph.validation.rules import derive
from itugraph.validation.shapes import count_shapes, load_shapes, named_shape, shape_id
from itugraph.validation.source_index import SourceIndex
from itugraph.validation.sparql_engine import RawResult
from itugraph.validation.terms import node_text, path_text, value_text

#: Validation engines: the compiled-SPARQL engine (default) and pyshacl (the reference).
ENGINES = ("sparql", "pyshacl")

log = logging.getLogger(__name__)


def validate_project(
    project: Project,
    *,
    inferred: Iterable[Triple] | None = None,
    strict: bool = False,
    engine: str = "sparql",
    parsed: Parsed | None = None,
) -> ValidationReport:
    """Validate ``project``'s data (plus ontology, plus ``inferred``) against its shapes.

    ``engine="sparql"`` compiles the shapes to SPARQL run by pyoxigraph (fast; shapes it
    cannot compile go to pyshacl, with a logged warning); ``engine="pyshacl"`` runs
    pyshacl on everything, the reference the SPARQL engine is tested against.
    Raises ``RdfSyntaxError`` for a file that does not parse and ``ShapesError`` for
    malformed shapes; data problems are *results* in the returned report, never raised.
    ``parsed`` passes what the build already has (see :class:`Parsed`).
    """
    return validate_files(
        project.data_files(),
        shapes=project.shapes_files(),
        ontology=project.ontology_files(),
        inferred=inferred,
        strict=strict,
        root=project.root,
        engine=engine,
        parsed=parsed,
    )


@dataclass(frozen=True)
class Parsed:
    """The ontology + data triples of the files being validated, and what the shapes' rules
    derived from them: the build has both, and parsing and deriving again costs ~15 s at a
    million triples."""

    asserted: Sequence[Triple]
    derived: dict[Triple, str]


def validate_files(
    data: Sequence[Path],
    *,
    shapes: Sequence[Path] = (),
    ontology: Sequence[Path] = (),
    inferred: Iterable[Triple] | None = None,
    strict: bool = False,
    root: Path | None = None,
    shapes_graph: Graph | None = None,
    engine: str = "sparql",
    parsed: Parsed | None = None,
) -> ValidationReport:
    """Validate explicit files; ``shapes_graph`` (from :func:`load_shapes`) skips reloading,
    ``parsed`` (the files' triples and their rule output) skips parsing and deriving."""
    if engine not in ENGINES:
        raise ValueError(f"unknown validation engine {engine!r} (one of {', '.join(ENGINES)})")
    started = time.perf_counter()
    shapes_graph = load_shapes(list(shapes)) if shapes_graph is None else shapes_graph
    triples = list(parsed.asserted) if parsed is not None else load_triples([*ontology, *data])
    if inferred is not None:
        triples.extend(inferred)
    derived = parsed.derived if parsed is not None and inferred is None else derive(triples, shapes_graph)
    triples.extend(derived)
    with quiet_rdflib_literals():  # every rdflib term made of an ill-typed literal would log
        if engine == "pyshacl":
            data_graph = graph_of(triples)
            raw = raw_results(run_pyshacl(data_graph, shapes_graph), shapes_graph)
            triple_count, fallback = len(data_graph), list[str]()
        else:
            raw, triple_count, fallback = _sparql_results(triples, shapes_graph)
    # Lexing every file for line numbers costs ~25 s at a million triples: only when there
    # is a result to locate (a conforming build at 1M skips it).
    index = SourceIndex.build([*data, *ontology]) if raw else SourceIndex()
    owners = _blank_node_owners(triples) if any(r.focus_node.startswith("_:") for r in raw) else {}
    results = sorted((_located(r, shapes_graph, index, owners) for r in raw), key=lambda r: r.sort_key)
    return ValidationReport(
        conforms=not results,
        results=results,
        root=root,
        strict=strict,
        inferred=inferred is not None,
        data_files=list(data),
        shapes_files=list(shapes),
        triple_count=triple_count,
        shape_count=count_shapes(shapes_graph),
        seconds=time.perf_counter() - started,
        engine=engine,
        fallback_shapes=fallback,
        derived_count=len(derived),
    )


def _sparql_results(triples: list[Triple], shapes_graph: Graph) -> tuple[list[RawResult], int, list[str]]:
    """The SPARQL engine's results, plus pyshacl's for the shapes it could not compile."""
    stored = stored_literals(triples, _target_literals(shapes_graph))
    plan = compile_shapes(shapes_graph, rewritten_datatypes=stored.rewritten_datatypes)
    run = sparql_engine.run(sparql_engine.store_of(triples), shapes_graph, plan)
    raw = _as_in_data(run.results, stored) if stored.originals else list(run.results)
    fallback = sorted(shape_id(named_shape(shapes_graph, s)) for s in run.fallback)
    if run.fallback:
        for shape, reason in sorted(run.fallback.items(), key=lambda item: str(item[0])):
            log.warning(
                "shape %s is validated with pyshacl: %s", shape_id(named_shape(shapes_graph, shape)), reason
            )
        only_fallback = without_targets(shapes_graph, [s.node for s in plan.shapes])
        raw.extend(raw_results(run_pyshacl(graph_of(triples), only_fallback), shapes_graph))
    return raw, run.triple_count, fallback


def _target_literals(shapes: Graph) -> list[ox.Literal]:
    """The literal ``sh:targetNode`` values: the engine writes them into its store too."""
    return [
        ox.Literal(str(node), datatype=ox.NamedNode(str(node.datatype)))
        for node in shapes.objects(None, SH.targetNode)
        if isinstance(node, Literal) and node.datatype is not None
    ]


def _as_in_data(results: Iterable[RawResult], stored: StoredLiterals) -> list[RawResult]:
    """``results`` naming the data's literals where the store holds them differently."""
    texts = {_value_of(s): _value_of(o) for s, o in stored.originals.items()}
    return [
        dataclasses.replace(
            r,
            focus_node=texts.get(r.focus_node, r.focus_node),
            value=texts.get(r.value, r.value) if r.value is not None else None,
        )
        for r in results
    ]


def _value_of(literal: ox.Literal) -> str:
    return value_text(to_rdflib(literal))


def without_targets(shapes: Graph, compiled: Iterable[Node]) -> Graph:
    """A copy of ``shapes`` in which the ``compiled`` shapes select no focus node.

    pyshacl then validates only the other top shapes (and whatever they reference).
    """
    copy = Graph()
    for triple in shapes:
        copy.add(triple)
    for shape in compiled:
        for predicate in (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target):
            copy.remove((shape, predicate, None))
        for cls in (RDFS.Class, OWL.Class):
            copy.remove((shape, RDF.type, cls))
    return copy


def without_rules(shapes: Graph) -> Graph:
    """A copy of ``shapes`` without its ``sh:rule`` values.

    The data handed to pyshacl already holds what the rules derive (:func:`derive`, run
    for both engines), so pyshacl need not run them again: in rdflib they cost minutes on
    the real graph. pyshacl's own rule evaluation is the oracle of
    ``tests/validation/test_precedence_rules.py``.
    """
    copy = Graph()
    rules = set(shapes.objects(None, SH.rule))
    inside = set(rules)
    frontier = list(rules)
    while frontier:
        node = frontier.pop()
        for child in shapes.objects(node, None):
            if isinstance(child, BNode) and child not in inside:
                inside.add(child)
                frontier.append(child)
    for s, p, o in shapes:
        if p != SH.rule and s not in inside:
            copy.add((s, p, o))
    for prefix, namespace in shapes.namespaces():
        copy.bind(prefix, namespace)
    return copy


def run_pyshacl(data_graph: Graph, shapes_graph: Graph) -> Graph:
    """pyshacl's report graph; shape errors found only at run time become ShapesError.

    SHACL-for-SHACL cannot see inside ``sh:select`` strings, so a SPARQL syntax error
    in a constraint surfaces here. Rules are left out (:func:`without_rules`): the data
    already carries what they derive.
    """
    try:
        _conforms, report, _text = pyshacl.validate(
            data_graph,
            shacl_graph=as_specified(without_rules(shapes_graph)),
            inference="none",
            advanced=True,
            inplace=True,
            allow_warnings=True,
            allow_infos=True,
        )
    except (ReportableRuntimeError, ParseException) as exc:
        raise ShapesError(
            f"the SHACL shapes cannot be used: {exc}",
            hint="check the shape's sh:select/sh:path; SHACL-for-SHACL does not parse SPARQL",
        ) from None
    except NotImplementedError:  # $shapesGraph: optional in SHACL (§5.3.1), not in pyshacl
        raise UnsupportedShapeError(
            f"{_shapes_graph_users(shapes_graph)}, which the pyshacl engine does not support",
            hint="validate with the default engine (it supports $shapesGraph), or rewrite the "
            "constraint without $shapesGraph",
        ) from None
    except TypeError as exc:  # pyshacl's property-pair constraints on unorderable values
        raise ShapesError(
            f"a shape compares values pyshacl cannot order ({exc})",
            hint="use a SPARQL constraint instead of sh:lessThan/sh:lessThanOrEquals for "
            "xsd:gYear values or values of mixed types",
        ) from None
    assert isinstance(report, Graph)
    return report


def _shapes_graph_users(shapes: Graph) -> str:
    """Which shapes' SPARQL constraints read ``$shapesGraph`` (for the error message)."""
    users = sorted(
        {
            shape_id(named_shape(shapes, shape))
            for holder, query in shapes.subject_objects(SH.select)
            if "shapesGraph" in str(query)
            for shape in shapes.subjects(SH.sparql, holder)
        }
    )
    return f"shape {', '.join(users)} reads $shapesGraph" if users else "a shape reads $shapesGraph"


def raw_results(report: Graph, shapes: Graph) -> list[RawResult]:
    """pyshacl's report graph as plain results (terms in the form reports print).

    Only the report's own ``sh:result`` values: pyshacl also types the nested results it
    gives as ``sh:detail`` (why a value fails ``sh:node``) ``sh:ValidationResult``.
    """
    return [_raw(report, node) for node in report.objects(None, SH.result)]


def _raw(report: Graph, node: Node) -> RawResult:
    focus = report.value(node, SH.focusNode)
    path = report.value(node, SH.resultPath)
    value = report.value(node, SH.value)
    severity = report.value(node, SH.resultSeverity)
    component = report.value(node, SH.sourceConstraintComponent)
    return RawResult(
        shape=report.value(node, SH.sourceShape),  # type: ignore[arg-type]
        severity=str(severity).rsplit("#", 1)[-1] if severity is not None else "Violation",
        focus_node=node_text(focus) if focus is not None else "",
        path=path_text(report, path) if path is not None else None,
        value=value_text(value) if value is not None else None,
        message=_message(report, node),
        constraint=str(component).rsplit("#", 1)[-1] if component is not None else "",
    )


def _blank_node_owners(triples: Iterable[Triple]) -> dict[str, str]:
    """Each blank node's owner: the IRI that (through other blank nodes) refers to it.

    A claim written ``itu:hasClaim [ … ]`` has no location of its own; its owner's
    file and line are where a maintainer finds it.
    """
    parent: dict[str, str] = {}
    for s, _p, o in triples:
        if isinstance(o, ox.BlankNode) and isinstance(s, ox.NamedNode | ox.BlankNode):
            parent.setdefault(str(o), str(s))
    owners: dict[str, str] = {}
    for node in parent:
        seen, current = {node}, parent[node]
        while current.startswith("_:") and current in parent and parent[current] not in seen:
            seen.add(current)
            current = parent[current]
        if current.startswith("<"):
            owners[node] = current[1:-1]
    return owners


def _located(raw: RawResult, shapes: Graph, index: SourceIndex, owners: dict[str, str]) -> ValidationResult:
    owner = owners.get(raw.focus_node) if raw.focus_node.startswith("_:") else None
    where = index.locate(owner or raw.focus_node)
    return ValidationResult(
        shape_id=_shape_id(shapes, raw.shape),
        severity=raw.severity,
        focus_node=raw.focus_node,
        path=raw.path,
        value=raw.value,
        message=raw.message,
        file=where.path if where else None,
        line=where.line if where else None,
        constraint=raw.constraint or None,
        owner=owner,
    )


def _shape_id(shapes: Graph, source: Node | None) -> str:
    return shape_id(named_shape(shapes, source)) if source is not None else "anonymous-shape"


def _message(report: Graph, node: Node) -> str:
    """The English ``sh:resultMessage`` (else an untagged one, else any)."""
    messages = [m for m in report.objects(node, SH.resultMessage) if isinstance(m, Literal)]
    for wanted in ("en", None):
        for message in messages:
            if message.language == wanted:
                return str(message)
    return str(messages[0]) if messages else "(no message)"
