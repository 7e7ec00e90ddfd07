"""The documentation of the SHACL shapes served at ``/def/shapes``: every shape with its ID,
target, severity, message, constraints in words, its SPARQL, and how many results it gives
on the current build when the build saved its validation results.

The shapes are the project's ``shapes/`` files as written; a shape is every named subject
typed ``sh:NodeShape``/``sh:PropertyShape`` or carrying ``sh:rule`` (the SHACL-AF rules of
the precedence rule). Counts come from ``validation.json`` in the build's cache entry (the
``itugraph validate -f json`` document: ``results[].shape_id``) and are left out when the
build has none.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from itugraph.linkeddata.ontology_docs_graph import (
    RDF_TYPE,
    Index,
    Node,
    Parts,
    Shown,
    Term,
    Triple,
    curie,
    link,
    show,
)
from itugraph.namespaces import ISH, RDFS, SH

#: The IRI of the shapes document (``ish:`` without its ``#``).
SHAPES_DOCUMENT = ISH.rstrip("#")
#: The file a build may save its validation report in (``render_json``'s shape).
VALIDATION_FILE = "validation.json"

_COUNTS = {
    "minCount": "at least {} value(s)",
    "maxCount": "at most {} value(s)",
    "minLength": "at least {} characters",
    "maxLength": "at most {} characters",
    "minInclusive": "≥ {}",
    "maxInclusive": "≤ {}",
    "minExclusive": "> {}",
    "maxExclusive": "< {}",
    "qualifiedMinCount": "at least {} such value(s)",
    "qualifiedMaxCount": "at most {} such value(s)",
}
_LINKED = {
    "class": "values are instances of",
    "datatype": "values have the datatype",
    "nodeKind": "values are of the kind",
    "node": "values conform to",
    "hasValue": "has the value",
    "equals": "values equal those of",
    "disjoint": "values differ from those of",
    "lessThan": "values are less than those of",
    "lessThanOrEquals": "values are at most those of",
}
_LISTS = {
    "in": ("one of", ", "),
    "languageIn": ("language tag one of", ", "),
    "or": ("at least one of", " or "),
    "and": ("all of", " and "),
    "xone": ("exactly one of", " or "),
    "ignoredProperties": ("ignoring", ", "),
}
_SHOWN_ELSEWHERE = {
    "path",
    "severity",
    "message",
    "targetClass",
    "targetNode",
    "targetSubjectsOf",
    "targetObjectsOf",
    "target",
    "sparql",
    "rule",
    "prefixes",
    "declare",
    "name",
    "description",
    "order",
    "deactivated",
    "flags",
    "qualifiedValueShapesDisjoint",
}


@dataclass
class ShapeRow:
    name: str
    values: list[Parts] = field(default_factory=list)


@dataclass
class ShapeDoc:
    iri: str
    anchor: str
    curie: str
    kind: str
    severity: str | None
    messages: list[Shown]
    targets: list[ShapeRow]
    constraints: list[ShapeRow]
    queries: list[tuple[str, str]]  # (what it is, SPARQL text)
    used_by: list[Shown]
    results: int | None = None


@dataclass
class ShapesModel:
    iri: str
    title: str
    metadata: list[ShapeRow]
    shapes: list[ShapeDoc]
    results_known: bool
    results_total: int | None


def validation_counts(build_path: Path) -> Counter[str] | None:
    """Results per shape ID from the build's ``validation.json``, or None if it has none.

    >>> validation_counts(Path("/nonexistent")) is None
    True
    """
    file = build_path / VALIDATION_FILE
    try:
        document = json.loads(file.read_text(encoding="utf-8"))
        results = document["results"]
        return Counter(str(r["shape_id"]) for r in results)
    except (OSError, ValueError, KeyError, TypeError):
        return None


def shapes_model(triples: list[Triple], counts: Counter[str] | None) -> ShapesModel:
    """What ``shapes.html`` prints for the shapes ``triples``; ``counts`` per shape ID."""
    index = Index(triples)
    names = sorted(
        {
            s.value
            for s, p, o in triples
            if isinstance(s, ox.NamedNode)
            and (
                (p == RDF_TYPE and o.value in (SH + "NodeShape", SH + "PropertyShape"))
                or p.value == SH + "rule"
            )
        }
    )
    document = ox.NamedNode(SHAPES_DOCUMENT)
    title = index.first(document, RDFS + "label")
    metadata: dict[str, ShapeRow] = {}
    for p, o in index.statements(document):
        if p.value not in (SH + "declare", RDF_TYPE.value, RDFS + "label"):
            metadata.setdefault(p.value, ShapeRow(curie(p.value))).values.append(show(index, o))
    shapes = [_shape(index, iri, counts) for iri in names]
    return ShapesModel(
        iri=SHAPES_DOCUMENT,
        title=title.value if title else "SHACL shapes",
        metadata=list(metadata.values()),
        shapes=shapes,
        results_known=counts is not None,
        results_total=sum(counts.values()) if counts is not None else None,
    )


def anchor_of(iri: str) -> str:
    """The page anchor of a shape: its ID (the part after ``#``).

    >>> anchor_of("https://w3id.org/itugraph/def/shapes#S23-StudyQuestion-numberMatchesStudyGroup")
    'S23-StudyQuestion-numberMatchesStudyGroup'
    """
    return iri.rsplit("#", 1)[-1] if "#" in iri else iri.rsplit("/", 1)[-1]


def _shape(index: Index, iri: str, counts: Counter[str] | None) -> ShapeDoc:
    node = ox.NamedNode(iri)
    kind = (
        "rule"
        if index.objects(node, SH + "rule")
        else "property shape"
        if index.has_type(node, SH + "PropertyShape") or index.objects(node, SH + "path")
        else "node shape"
    )
    severity = index.first(node, SH + "severity")
    anchor = anchor_of(iri)
    queries = []
    for target in index.objects(node, SH + "target"):
        for select in index.objects(target, SH + "select"):
            queries.append(("SPARQL target", select.value))
    for constraint in index.objects(node, SH + "sparql"):
        for select in index.objects(constraint, SH + "select"):
            queries.append(("SPARQL constraint", select.value))
    for rule in index.objects(node, SH + "rule"):
        order = index.first(rule, SH + "order")
        label = "SPARQL rule" + (f" (order {order.value})" if order is not None else "")
        for construct in index.objects(rule, SH + "construct"):
            queries.append((label, construct.value))
    used_by = sorted(
        {
            s.value
            for p in ("property", "node")
            for s in index.subjects(SH + p, node)
            if isinstance(s, ox.NamedNode)
        }
    )
    return ShapeDoc(
        iri=iri,
        anchor=anchor,
        curie=curie(iri),
        kind=kind,
        severity=curie(severity.value).removeprefix("sh:") if severity is not None else None,
        messages=[
            Shown(m.value, lang=m.language or None)
            for m in index.objects(node, SH + "message")
            if isinstance(m, ox.Literal)
        ],
        targets=_targets(index, node, used_by),
        constraints=_constraints(index, node),
        queries=queries,
        used_by=[link(u) for u in used_by],
        results=counts.get(anchor, 0) if counts is not None else None,
    )


def _targets(index: Index, node: ox.NamedNode, used_by: list[str]) -> list[ShapeRow]:
    rows = []
    words = {
        "targetClass": "every instance of",
        "targetNode": "the node",
        "targetSubjectsOf": "every subject of",
        "targetObjectsOf": "every object of",
    }
    for key, word in words.items():
        values = [[Shown(word + " "), *show(index, v)] for v in index.objects(node, SH + key)]
        if values:
            rows.append(ShapeRow("Target", values))
    for target in index.objects(node, SH + "target"):
        select = index.first(target, SH + "select")
        text = "the focus nodes of the SPARQL target below" if select is not None else ""
        rows.append(ShapeRow("Target", [[Shown(text)] if text else show(index, target)]))
    if index.has_type(node, RDFS + "Class"):
        rows.append(ShapeRow("Target", [[Shown("every instance of this shape (it is a class)")]]))
    if not rows and used_by:
        rows.append(ShapeRow("Target", [[Shown("the focus nodes of "), link(u)] for u in used_by]))
    return rows


def _constraints(index: Index, node: Node) -> list[ShapeRow]:
    rows: dict[str, ShapeRow] = {}
    path = index.first(node, SH + "path")
    if path is not None:
        rows["Path"] = ShapeRow("Path", [path_words(index, path)])
    for p, o in index.statements(node):
        if not p.value.startswith(SH):
            continue
        key = p.value[len(SH) :]
        if key in _SHOWN_ELSEWHERE:
            continue
        rows.setdefault("Constraints", ShapeRow("Constraints")).values.append(
            _constraint(index, node, key, o)
        )
    return list(rows.values())


def _constraint(index: Index, node: Node, key: str, value: Term) -> Parts:
    if key in _COUNTS:
        return [Shown(_COUNTS[key].format(value.value))]
    if key in _LINKED:
        return [Shown(_LINKED[key] + " "), *_shape_or_term(index, value)]
    if key in _LISTS:
        word, joiner = _LISTS[key]
        parts: Parts = [Shown(word + " ")]
        for i, member in enumerate(index.items(value)):
            parts += ([Shown(joiner)] if i else []) + _shape_or_term(index, member)
        return parts
    if key == "not":
        return [Shown("not "), *_shape_or_term(index, value)]
    if key == "pattern":
        flags = index.first(node, SH + "flags")
        return [
            Shown("values match the regular expression "),
            Shown(value.value, code=True),
            *([Shown(f" (flags {flags.value})")] if flags is not None else []),
        ]
    if key == "uniqueLang":
        return [
            Shown(
                "at most one value per language"
                if value.value == "true"
                else "several values per language allowed"
            )
        ]
    if key == "closed":
        return [Shown("closed: no properties other than those declared" if value.value == "true" else "open")]
    if key == "property":
        return [Shown("property shape "), *_shape_or_term(index, value)]
    if key == "qualifiedValueShape":
        return [Shown("counted values conform to "), *_shape_or_term(index, value)]
    return [link(SH + key), Shown(" "), *_shape_or_term(index, value)]


def _shape_or_term(index: Index, value: Term) -> Parts:
    """A nested anonymous shape in words ``[…]``, else the term."""
    if isinstance(value, ox.BlankNode) and any(p.value.startswith(SH) for p, _ in index.statements(value)):
        parts: Parts = [Shown("[")]
        path = index.first(value, SH + "path")
        if path is not None:
            parts += [Shown("path "), *path_words(index, path)]
        first = path is None
        for p, o in index.statements(value):
            key = p.value[len(SH) :] if p.value.startswith(SH) else None
            if key is None or key in _SHOWN_ELSEWHERE:
                continue
            parts += ([] if first else [Shown("; ")]) + _constraint(index, value, key, o)
            first = False
        return [*parts, Shown("]")]
    return show(index, value)


def path_words(index: Index, path: Term) -> Parts:
    """A SHACL property path in SPARQL's syntax (``a|b``, ``^p``, ``a/b``, ``p*``)."""
    if isinstance(path, ox.NamedNode):
        return [link(path.value)]
    if not isinstance(path, ox.BlankNode):
        return show(index, path)
    for key, joiner in (("alternativePath", "|"),):
        head = index.first(path, SH + key)
        if head is not None:
            return _joined_paths(index, index.items(head), joiner)
    for key, mark in (("zeroOrMorePath", "*"), ("oneOrMorePath", "+"), ("zeroOrOnePath", "?")):
        inner = index.first(path, SH + key)
        if inner is not None:
            return [Shown("("), *path_words(index, inner), Shown(")" + mark)]
    inverse = index.first(path, SH + "inversePath")
    if inverse is not None:
        return [Shown("^"), *path_words(index, inverse)]
    members = index.items(path)
    return _joined_paths(index, members, "/") if members else show(index, path)


def _joined_paths(index: Index, members: list[Term], joiner: str) -> Parts:
    parts: Parts = []
    for i, member in enumerate(members):
        parts += ([Shown(joiner)] if i else []) + path_words(index, member)
    return parts
