"""Compiling a SHACL shapes graph into SPARQL that pyoxigraph evaluates.

Each shape with targets (a *top shape*) becomes:

* target updates that write its focus nodes into a private named graph, once
  (``GRAPH <urn:itugraph:validation:focus> { <key> <focusOf> ?this }``);
* one query per constraint, joined with that graph, whose rows are the results
  (``?this`` the focus node, ``?value`` the value node where SHACL reports one).

Value-level constraints (class, datatype, nodeKind, pattern, in, languageIn, lengths,
ranges, and not/and/or/xone/node over shapes made only of those) become one boolean
SPARQL expression, so nested shapes cost no extra query. Anything else raises
:class:`~itugraph.validation.sparql_terms.Unsupported`; the caller then validates that
top shape with pyshacl. The semantics are the spec's, checked by the W3C SHACL test
suite (``tests/validation/test_w3c_shacl_suite.py``), e.g. ``sh:pattern`` as SPARQL
``REGEX`` (:func:`sparql_terms.pattern_regex`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import OWL, SH, XSD
from rdflib.term import Node

from itugraph import sparql_text
from itugraph.validation import batching
from itugraph.validation.sparql_terms import (
    Unsupported,
    iri,
    path,
    pattern_regex,
    rdf_list,
    string,
    term,
)

FOCUS_GRAPH = "urn:itugraph:validation:focus"
#: The named graph holding the shapes graph, for constraints that read ``$shapesGraph``.
SHAPES_GRAPH = "urn:itugraph:validation:shapes"
FOCUS_OF = "urn:itugraph:validation:focusOf"
_INSTANCE_OF = f"{iri(str(RDF.type))}/{iri(str(RDFS.subClassOf))}*"

#: Parameters whose value is checked per value node (SHACL §4.1–4.6, 4.8 minus property-level).
_VALUE_PARAMETERS = {
    SH["class"],
    SH.datatype,
    SH.nodeKind,
    SH.pattern,
    SH["in"],
    SH.languageIn,
    SH.minLength,
    SH.maxLength,
    SH.minInclusive,
    SH.maxInclusive,
    SH.minExclusive,
    SH.maxExclusive,
    SH["not"],
    SH["and"],
    SH["or"],
    SH.xone,
    SH.node,
}
#: Parameters that look at all values of a property shape together.
_SET_PARAMETERS = {
    SH.minCount,
    SH.maxCount,
    SH.uniqueLang,
    SH.qualifiedValueShape,
    SH.qualifiedMinCount,
    SH.qualifiedMaxCount,
    SH.qualifiedValueShapesDisjoint,
    SH.hasValue,
}
#: sh: predicates that carry no constraint (or are handled with another parameter).
_INERT = {
    SH.path,
    SH.severity,
    SH.message,
    SH.name,
    SH.description,
    SH.order,
    SH.group,
    SH.defaultValue,
    SH.deactivated,
    SH.flags,
    SH.ignoredProperties,
    SH.prefixes,
    SH.declare,
    SH.targetClass,
    SH.targetNode,
    SH.targetSubjectsOf,
    SH.targetObjectsOf,
    SH.target,
    SH.property,
    SH.closed,
    SH.sparql,
    SH.rule,
}
_TARGETS = (SH.targetClass, SH.targetNode, SH.targetSubjectsOf, SH.targetObjectsOf, SH.target)

_NODE_KINDS: dict[Node, str] = {
    SH.IRI: "isIRI({v})",
    SH.BlankNode: "isBlank({v})",
    SH.Literal: "isLiteral({v})",
    SH.BlankNodeOrIRI: "(isBlank({v}) || isIRI({v}))",
    SH.BlankNodeOrLiteral: "(isBlank({v}) || isLiteral({v}))",
    SH.IRIOrLiteral: "(isIRI({v}) || isLiteral({v}))",
}
#: Datatypes whose lexical form oxigraph checks on a cast to themselves (rdflib flags
#: the same ill-typed literals, which pyshacl then rejects).
_CHECKED_DATATYPES = {
    XSD[t]
    for t in (
        "boolean",
        "float",
        "double",
        "decimal",
        "integer",
        "date",
        "time",
        "dateTime",
        "gYear",
        "gYearMonth",
        "gMonthDay",
        "gDay",
        "gMonth",
        "duration",
    )
}


@dataclass(frozen=True)
class SparqlConstraint:
    """An ``sh:sparql`` constraint, batched (focus pattern injected) or run per focus node."""

    node: Node
    query: str
    prefixes: dict[str, str]
    messages: tuple[Literal, ...]
    batched: bool
    why_not_batched: str | None = None
    #: Whether the query reads ``$shapesGraph`` (the engine then loads it as :data:`SHAPES_GRAPH`).
    shapes_graph: bool = False


@dataclass(frozen=True)
class Check:
    """One query over a top shape's focus nodes; each row (``?this`` [``?value``]) is a result."""

    shape: Node
    component: str
    query: str
    value_is_focus: bool = False
    sparql: SparqlConstraint | None = None


@dataclass(frozen=True)
class Target:
    """A SPARQL update that adds some of a top shape's focus nodes to the focus graph."""

    update: str
    prefixes: dict[str, str] = field(default_factory=dict)


@dataclass
class TopShape:
    """A shape with targets: how to fill its focus graph and the checks that read it."""

    node: Node
    key: str
    targets: list[Target]
    checks: list[Check] = field(default_factory=list)


@dataclass
class Plan:
    """The compiled shapes, and the top shapes left to pyshacl with the reason."""

    shapes: list[TopShape]
    fallback: dict[Node, str]


def compile_shapes(graph: Graph, *, rewritten_datatypes: frozenset[str] = frozenset()) -> Plan:
    """Compile every active top shape of ``graph``, recording those that must fall back.

    ``rewritten_datatypes``: datatypes the store holds as another (see
    :mod:`~itugraph.validation.fidelity`); ``sh:datatype`` on them is not compiled.
    """
    plan = Plan(shapes=[], fallback={})
    custom = _custom_parameters(graph)
    for number, shape in enumerate(top_shapes(graph)):
        compiler = _ShapeCompiler(
            graph, f"urn:itugraph:validation:shape:{number}", custom, rewritten_datatypes
        )
        try:
            plan.shapes.append(compiler.top(shape))
        except Unsupported as exc:
            plan.fallback[shape] = str(exc)
    return plan


def target_updates(graph: Graph, shape: Node, key: str) -> list[Target]:
    """The updates that put ``shape``'s focus nodes into the focus graph under ``key``."""
    return _ShapeCompiler(graph, key, set())._targets(shape)


def top_shapes(graph: Graph) -> list[Node]:
    """Shapes with a target (explicit, or implicit: a shape that is also a class)."""
    found = {s for predicate in _TARGETS for s in graph.subjects(predicate, None)}
    for kind in (SH.NodeShape, SH.PropertyShape):
        for shape in graph.subjects(RDF.type, kind):
            if {RDFS.Class, OWL.Class} & set(graph.objects(shape, RDF.type)):
                found.add(shape)
    return sorted((s for s in found if not _deactivated(graph, s)), key=str)


def _deactivated(graph: Graph, node: Node) -> bool:
    return any(is_true(v) for v in graph.objects(node, SH.deactivated))


def is_true(value: Node) -> bool:
    """Whether ``value`` is the literal ``true``: SHACL's boolean parameters (``sh:closed``,
    ``sh:uniqueLang``, ``sh:deactivated``…) take effect on ``true`` only, not on
    ``"1"^^xsd:boolean`` (the W3C suite's ``uniqueLang-002``)."""
    return isinstance(value, Literal) and value.datatype == XSD.boolean and str(value) == "true"


def _custom_parameters(graph: Graph) -> set[Node]:
    """Parameter predicates of user-defined constraint components (not compiled).

    A component is whatever declares ``sh:parameter``: its type may be a subclass of
    ``sh:ConstraintComponent`` (the W3C suite's ``validator-001``).
    """
    return {
        p
        for component in set(graph.subjects(SH.parameter, None))
        for parameter in graph.objects(component, SH.parameter)
        for p in graph.objects(parameter, SH.path)
    }


class _ShapeCompiler:
    """Compiles one top shape; raises Unsupported for anything it cannot express."""

    def __init__(
        self, graph: Graph, key: str, custom: set[Node], rewritten: frozenset[str] = frozenset()
    ) -> None:
        self.g = graph
        self.key = key
        self.custom = custom
        self.rewritten = rewritten
        self.focus = f"GRAPH {iri(FOCUS_GRAPH)} {{ {iri(key)} {iri(FOCUS_OF)} ?this }}"

    # --- targets ----------------------------------------------------------------------

    def top(self, shape: Node) -> TopShape:
        compiled = TopShape(shape, self.key, self._targets(shape))
        compiled.checks = self._checks(shape)
        return compiled

    def _targets(self, shape: Node) -> list[Target]:
        into = f"INSERT {{ {self.focus} }} WHERE "
        updates = []
        classes = list(self.g.objects(shape, SH.targetClass))
        if {RDFS.Class, OWL.Class} & set(self.g.objects(shape, RDF.type)):
            classes.append(shape)
        for cls in classes:
            updates.append(Target(f"{into}{{ ?this {_INSTANCE_OF} {term(cls)} }}"))
        for node in self.g.objects(shape, SH.targetNode):
            updates.append(
                Target(
                    f"INSERT DATA {{ GRAPH {iri(FOCUS_GRAPH)} {{ "
                    f"{iri(self.key)} {iri(FOCUS_OF)} {term(node)} }} }}"
                )
            )
        for predicate in self.g.objects(shape, SH.targetSubjectsOf):
            updates.append(Target(f"{into}{{ ?this {term(predicate)} ?object }}"))
        for predicate in self.g.objects(shape, SH.targetObjectsOf):
            updates.append(Target(f"{into}{{ ?subject {term(predicate)} ?this }}"))
        for target in self.g.objects(shape, SH.target):
            updates.append(self._sparql_target(target, into))
        return updates

    def _sparql_target(self, target: Node, into: str) -> Target:
        if SH.SPARQLTarget not in set(self.g.objects(target, RDF.type)):
            raise Unsupported("sh:target that is not a sh:SPARQLTarget")
        select = self.g.value(target, SH.select)
        if not isinstance(select, Literal) or not str(select).lstrip().upper().startswith("SELECT"):
            raise Unsupported("sh:SPARQLTarget whose sh:select does not start with SELECT")
        return Target(f"{into}{{ {{ {select} }} }}", declared_prefixes(self.g, target))

    # --- constraints ------------------------------------------------------------------

    def _checks(self, shape: Node) -> list[Check]:
        """Every check of ``shape`` and of its ``sh:property`` shapes, on the same focus nodes."""
        if _deactivated(self.g, shape):
            return []
        self._refuse_unknown(shape)
        shape_path = self.g.value(shape, SH.path)
        checks: list[Check] = []
        for parameter, value in sorted(self.g.predicate_objects(shape), key=str):
            if parameter in _VALUE_PARAMETERS:
                checks.append(self._value_check(shape, shape_path, parameter, value))
        if shape_path is not None:
            checks.extend(self._set_checks(shape, shape_path))
        elif self.g.value(shape, SH.hasValue) is not None:
            for value in self.g.objects(shape, SH.hasValue):
                checks.append(self._value_check(shape, None, SH.hasValue, value))
        checks.extend(self._closed(shape, shape_path))
        for child in self.g.objects(shape, SH.property):
            if shape_path is not None:
                raise Unsupported("sh:property inside a property shape")
            if self.g.value(child, SH.path) is None:
                raise Unsupported("sh:property value without sh:path")
            checks.extend(self._checks(child))
        for constraint in self.g.objects(shape, SH.sparql):
            if not _deactivated(self.g, constraint):
                checks.append(self._sparql_check(shape, shape_path, constraint))
        return checks

    def _refuse_unknown(self, shape: Node) -> None:
        for predicate in set(self.g.predicates(shape, None)):
            if predicate in self.custom:
                raise Unsupported(f"custom constraint component parameter <{predicate}>")
            if str(predicate).startswith(str(SH)) and predicate not in (
                _VALUE_PARAMETERS | _SET_PARAMETERS | _INERT
            ):
                raise Unsupported(f"sh:{str(predicate)[len(str(SH)) :]} is not compiled")
        if self.g.value(shape, SH.qualifiedValueShape) is not None and any(
            is_true(v) for v in self.g.objects(shape, SH.qualifiedValueShapesDisjoint)
        ):
            raise Unsupported("sh:qualifiedValueShapesDisjoint true")

    def _values(self, shape_path: Node | None) -> str:
        """The pattern binding ?value: the path's values, or the focus node itself."""
        if shape_path is None:
            return "BIND(?this AS ?value)"
        return f"?this {path(self.g, shape_path)} ?value ."

    def _value_check(self, shape: Node, shape_path: Node | None, parameter: Node, value: Node) -> Check:
        condition = self.value_condition(parameter, value, "?value", shape)
        distinct = "DISTINCT " if shape_path is not None else ""
        query = (
            f"SELECT {distinct}?this ?value WHERE {{ {self.focus} {self._values(shape_path)} "
            f"FILTER(!({condition})) }}"
        )
        return Check(shape, _component(parameter), query, value_is_focus=shape_path is None)

    def _set_checks(self, shape: Node, shape_path: Node) -> list[Check]:
        steps = f"?this {path(self.g, shape_path)} ?value"
        checks = []
        for bound in self.g.objects(shape, SH.minCount):
            checks.extend(self._count(shape, "MinCountConstraintComponent", steps, "true", _int(bound), "<"))
        for bound in self.g.objects(shape, SH.maxCount):
            checks.extend(self._count(shape, "MaxCountConstraintComponent", steps, "true", _int(bound), ">"))
        for unique in self.g.objects(shape, SH.uniqueLang):
            if is_true(unique):
                checks.append(
                    Check(
                        shape,
                        "UniqueLangConstraintComponent",
                        (
                            f"SELECT ?this WHERE {{ {self.focus} {steps} "
                            'FILTER(isLiteral(?value) && LANG(?value) != "") } '
                            "GROUP BY ?this (LCASE(LANG(?value)) AS ?lang) "
                            "HAVING (COUNT(DISTINCT ?value) > 1)"
                        ),
                    )
                )
        for value in self.g.objects(shape, SH.hasValue):
            checks.append(
                Check(
                    shape,
                    "HasValueConstraintComponent",
                    (
                        f"SELECT ?this WHERE {{ {self.focus} FILTER NOT EXISTS {{ {steps} "
                        f"FILTER(sameTerm(?value, {term(value)})) }} }}"
                    ),
                )
            )
        for qualified in self.g.objects(shape, SH.qualifiedValueShape):
            condition = self.conforms(qualified, "?value")
            for bound in self.g.objects(shape, SH.qualifiedMinCount):
                checks.extend(
                    self._count(
                        shape, "QualifiedMinCountConstraintComponent", steps, condition, _int(bound), "<"
                    )
                )
            for bound in self.g.objects(shape, SH.qualifiedMaxCount):
                checks.extend(
                    self._count(
                        shape, "QualifiedMaxCountConstraintComponent", steps, condition, _int(bound), ">"
                    )
                )
        return checks

    def _count(
        self, shape: Node, component: str, steps: str, condition: str, bound: int, op: str
    ) -> list[Check]:
        """Focus nodes whose number of distinct (qualifying) values is ``op`` ``bound``."""
        if op == "<" and bound <= 0:
            return []
        if op == "<" and bound == 1:
            query = (
                f"SELECT ?this WHERE {{ {self.focus} FILTER NOT EXISTS {{ {steps} FILTER({condition}) }} }}"
            )
        elif op == "<":
            query = (
                f"SELECT ?this WHERE {{ {self.focus} OPTIONAL {{ {steps} "
                f"FILTER({condition}) }} }} GROUP BY ?this "
                f"HAVING (COUNT(DISTINCT ?value) < {bound})"
            )
        else:
            query = (
                f"SELECT ?this WHERE {{ {self.focus} {steps} FILTER({condition}) }} "
                f"GROUP BY ?this HAVING (COUNT(DISTINCT ?value) > {bound})"
            )
        return [Check(shape, component, query)]

    def _closed(self, shape: Node, shape_path: Node | None) -> list[Check]:
        if not any(is_true(v) for v in self.g.objects(shape, SH.closed)):
            return []
        if shape_path is not None:
            raise Unsupported("sh:closed on a property shape")
        allowed: list[Node] = [
            p
            for child in self.g.objects(shape, SH.property)
            for p in self.g.objects(child, SH.path)
            if isinstance(p, URIRef)
        ]
        for ignored in self.g.objects(shape, SH.ignoredProperties):
            allowed.extend(rdf_list(self.g, ignored))
        listed = ", ".join(term(p) for p in allowed)
        keep = f"FILTER(?path NOT IN ({listed}))" if allowed else ""
        return [
            Check(
                shape,
                "ClosedConstraintComponent",
                f"SELECT ?this ?path ?value WHERE {{ {self.focus} ?this ?path ?value {keep} }}",
            )
        ]

    def _sparql_check(self, shape: Node, shape_path: Node | None, constraint: Node) -> Check:
        select = self.g.value(constraint, SH.select)
        if not isinstance(select, Literal):
            raise Unsupported("sh:sparql without sh:select (ASK validators are not compiled)")
        text, shapes_graph = self._shape_variables(str(select), shape)
        if _FAILURE.search(text):
            raise Unsupported("?failure in a SPARQL constraint")
        if _PATH_VAR.search(text):
            if shape_path is None:
                raise Unsupported("$PATH in a node shape's SPARQL constraint")
            sparql_path = path(self.g, shape_path)
            text = _PATH_VAR.sub(lambda m: m.group(1) + sparql_path, text)
        prefixes = declared_prefixes(self.g, constraint)
        messages = tuple(m for m in self.g.objects(constraint, SH.message) if isinstance(m, Literal))
        refusal = batching.batch_refusal(text, prefixes)
        if refusal is None:
            try:
                query = sparql_text.inject(text, self.focus)
            except ValueError as exc:
                refusal = str(exc)
        sparql = SparqlConstraint(
            constraint,
            query if refusal is None else text,
            prefixes,
            messages,
            refusal is None,
            refusal,
            shapes_graph,
        )
        return Check(shape, "SPARQLConstraintComponent", "", value_is_focus=shape_path is None, sparql=sparql)

    @staticmethod
    def _shape_variables(text: str, shape: Node) -> tuple[str, bool]:
        """``text`` with ``$currentShape`` and ``$shapesGraph`` pre-bound (constants per shape);
        True when it reads the shapes graph."""
        if _CURRENT_SHAPE.search(text):
            if not isinstance(shape, URIRef):
                raise Unsupported("$currentShape of a blank-node shape")
            text = sparql_text.prebind(text, "currentShape", term(shape))
        if not _SHAPES_GRAPH.search(text):
            return text, False
        return sparql_text.prebind(text, "shapesGraph", iri(SHAPES_GRAPH)), True

    # --- value conditions -------------------------------------------------------------

    def value_condition(self, parameter: Node, value: Node, v: str, shape: Node) -> str:
        """A SPARQL expression true when value ``v`` satisfies ``parameter value`` (never errors)."""
        if parameter == SH.datatype and str(value) in self.rewritten:
            raise Unsupported(f"sh:datatype <{value}>: the store rewrites such literals (oxigraph#526)")
        build = _CONDITIONS.get(parameter)
        if build is not None:
            return f"COALESCE({build(value, v)}, false)"
        if parameter == SH.pattern:
            flags = self.g.value(shape, SH.flags)
            regex, kept = pattern_regex(str(value), str(flags) if flags is not None else None)
            return f"COALESCE(!isBlank({v}) && REGEX(STR({v}), {string(regex)}, {string(kept)}), false)"
        if parameter == SH["in"]:
            members = [f"sameTerm({v}, {term(m)})" for m in rdf_list(self.g, value)]
            return "(" + (" || ".join(members) or "false") + ")"
        if parameter == SH.languageIn:
            return self._language_in(value, v)
        if parameter in (SH["not"], SH.node):
            inner = self.conforms(value, v)
            return f"!({inner})" if parameter == SH["not"] else inner
        if parameter in (SH["and"], SH["or"], SH.xone):
            parts = [self.conforms(member, v) for member in rdf_list(self.g, value)]
            if parameter == SH["and"]:
                return "(" + (" && ".join(parts) or "true") + ")"
            if parameter == SH["or"]:
                return "(" + (" || ".join(parts) or "false") + ")"
            return "((" + " + ".join(f"IF({p}, 1, 0)" for p in parts) + ") = 1)"
        if parameter == SH.hasValue:
            return f"sameTerm({v}, {term(value)})"
        raise Unsupported(f"{parameter} as a value condition")

    def conforms(self, shape: Node, v: str) -> str:
        """A SPARQL expression true when ``v`` conforms to a nested, value-only shape."""
        if _deactivated(self.g, shape):
            return "true"
        self._refuse_unknown(shape)
        if self.g.value(shape, SH.path) is not None:
            raise Unsupported("a property shape nested in sh:not/and/or/xone/node/qualifiedValueShape")
        parts = []
        for parameter, value in sorted(self.g.predicate_objects(shape), key=str):
            if parameter in _VALUE_PARAMETERS or parameter == SH.hasValue:
                parts.append(self.value_condition(parameter, value, v, shape))
            elif parameter in (_SET_PARAMETERS | {SH.property, SH.sparql, SH.closed}):
                raise Unsupported(f"{parameter} in a nested shape")
        return "(" + (" && ".join(parts) or "true") + ")"

    def _language_in(self, value: Node, v: str) -> str:
        """pyshacl: a tagged literal whose tag, or its first subtag, is listed (any case)."""
        wanted = [str(x).lower() for x in rdf_list(self.g, value)]
        if "*" in wanted:
            return f'COALESCE(isLiteral({v}) && LANG({v}) != "", false)'
        listed = ", ".join(string(w) for w in wanted)
        return (
            f'COALESCE(isLiteral({v}) && LANG({v}) != "" && (LCASE(LANG({v})) IN ({listed}) '
            f'|| LCASE(STRBEFORE(LANG({v}), "-")) IN ({listed})), false)'
        )


#: pyshacl's own test for $PATH (it substitutes the path's SPARQL text).
_PATH_VAR = re.compile(r"([\s{}()])[$?]PATH\b")
_CURRENT_SHAPE = re.compile(r"[$?]currentShape\b")
_SHAPES_GRAPH = re.compile(r"[$?]shapesGraph\b")
_FAILURE = re.compile(r"[$?]failure\b")


def declared_prefixes(graph: Graph, holder: Node) -> dict[str, str]:
    """The prefixes ``sh:prefixes`` makes available to a SPARQL-based constraint or target."""
    prefixes: dict[str, str] = {}
    for ontology in imports_closure(graph, list(graph.objects(holder, SH.prefixes))):
        for declaration in graph.objects(ontology, SH.declare):
            prefix = graph.value(declaration, SH.prefix)
            namespace = graph.value(declaration, SH.namespace)
            if prefix is not None and namespace is not None:
                if prefixes.get(str(prefix), str(namespace)) != str(namespace):
                    raise Unsupported(f"prefix {prefix}: declared with two namespaces")
                prefixes[str(prefix)] = str(namespace)
    return prefixes


def imports_closure(graph: Graph, ontologies: list[Node]) -> list[Node]:
    """``ontologies`` and those they ``owl:imports``, transitively: SHACL §5.2.1 (prefix
    declarations) takes the ``sh:declare`` values of each ``sh:prefixes`` value *and of
    its imports closure*."""
    seen: list[Node] = []
    while ontologies:
        ontology = ontologies.pop()
        if ontology not in seen:
            seen.append(ontology)
            ontologies.extend(graph.objects(ontology, OWL.imports))
    return seen


def _int(node: Node) -> int:
    if not isinstance(node, Literal) or not isinstance(node.toPython(), int):
        raise Unsupported(f"count {node!r} is not an integer")
    return int(node.toPython())


def _component(parameter: Node) -> str:
    """The constraint component a parameter belongs to (``sh:class`` → ``ClassConstraintComponent``)."""
    local = str(parameter)[len(str(SH)) :]
    names = {
        "in": "In",
        "not": "Not",
        "and": "And",
        "or": "Or",
        "xone": "Xone",
        "node": "Node",
        "class": "Class",
    }
    name = names.get(local, local[:1].upper() + local[1:])
    return f"{name}ConstraintComponent"


def _datatype(value: Node, v: str) -> str:
    """pyshacl: a literal of exactly that datatype, and well-formed when rdflib can tell."""
    if value == RDF.langString:
        return f'isLiteral({v}) && LANG({v}) != ""'
    if value == RDFS.Literal:
        return f"isLiteral({v})"
    check = f"isLiteral({v}) && DATATYPE({v}) = {term(value)}"
    if value in _CHECKED_DATATYPES:
        check += f" && sameTerm(DATATYPE({term(value)}({v})), {term(value)})"
    return check


def _range(op: str) -> Callable[[Node, str], str]:
    return lambda value, v: f"isLiteral({v}) && {v} {op} {term(value)}"


def _length(op: str) -> Callable[[Node, str], str]:
    return lambda value, v: f"!isBlank({v}) && STRLEN(STR({v})) {op} {_int(value)}"


_CONDITIONS: dict[Node, Callable[[Node, str], str]] = {
    SH["class"]: lambda value, v: f"EXISTS {{ {v} {_INSTANCE_OF} {term(value)} }}",
    SH.datatype: _datatype,
    SH.nodeKind: lambda value, v: _node_kind(value).format(v=v),
    SH.minInclusive: _range(">="),
    SH.maxInclusive: _range("<="),
    SH.minExclusive: _range(">"),
    SH.maxExclusive: _range("<"),
    SH.minLength: _length(">="),
    SH.maxLength: _length("<="),
}


def _node_kind(value: Node) -> str:
    if value not in _NODE_KINDS:
        raise Unsupported(f"sh:nodeKind {value}")
    return _NODE_KINDS[value]


__all__ = [
    "FOCUS_GRAPH",
    "Check",
    "Plan",
    "SparqlConstraint",
    "Target",
    "TopShape",
    "Unsupported",
    "compile_shapes",
    "declared_prefixes",
    "top_shapes",
]
