"""A resource's description: what the graph holds about one IRI, as a typed record.

* its outgoing and incoming triples, each told asserted or inferred (the two named graphs
  are read separately; a triple in both counts as asserted);
* the blank nodes nested in it (claims ``itu:hasClaim [ … ]``, lists), as a closure in the
  manner of a Concise Bounded Description;
* the labels of every thing it links to, in every language (a page picks one with
  :func:`pick_label`);
* its sources (``dcterms:source``), its claims with the precedence rule's outcome
  (prevailing, not prevailing, open conflict) and the WSIS facilitation roles it takes part
  in;
* its SHACL status from the build's validation results (``validation.json``).

:meth:`Description.quads` gives the triples of a description for the RDF representations.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from itugraph.namespaces import (
    DCTERMS,
    FOAF,
    GRAPH_ASSERTED,
    GRAPH_INFERRED,
    ITU,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
)
from itugraph.store import GraphStore

Subject = ox.NamedNode | ox.BlankNode
Object = ox.NamedNode | ox.BlankNode | ox.Literal

#: Predicates that name a thing, in order of preference.
LABEL_PREDICATES: tuple[str, ...] = (
    SKOS + "prefLabel",
    RDFS + "label",
    SCHEMA + "name",
    FOAF + "name",
    DCTERMS + "title",
)
#: The predicates a label search looks at.
SEARCH_PREDICATES: tuple[str, ...] = (
    RDFS + "label",
    SKOS + "prefLabel",
    SKOS + "altLabel",
    SKOS + "notation",
)
SOURCE = DCTERMS + "source"
HAS_CLAIM = ITU + "hasClaim"
#: Most blank nodes a closure follows (a guard against a pathological graph).
MAX_CLOSURE = 2000
#: Incoming triples kept per description (a hub such as a class has thousands).
MAX_INCOMING = 2000

_ASSERTED, _INFERRED = ox.NamedNode(GRAPH_ASSERTED), ox.NamedNode(GRAPH_INFERRED)


@dataclass(frozen=True)
class Statement:
    """One triple of a description, and whether the build inferred it."""

    subject: Subject
    predicate: ox.NamedNode
    object: Object
    inferred: bool

    @property
    def graph(self) -> str:
        return GRAPH_INFERRED if self.inferred else GRAPH_ASSERTED


@dataclass(frozen=True)
class Claim:
    """A claim (``itu:hasClaim [ … ]``) about one property, and how the rule ranked it.

    ``status``: ``prevails`` (the rule chose it), ``superseded`` (another claim on the same
    property prevails), ``open`` (disagreeing claims, none prevails: an open conflict) or
    ``uncontested`` (the only claim on its property, and the rule did not mark it).
    """

    node: ox.BlankNode | ox.NamedNode
    property: str
    value: Object | None
    sources: tuple[str, ...]
    confidence: str | None
    precedence: str | None
    prevails: bool
    status: str


@dataclass(frozen=True)
class Role:
    """A WSIS facilitation role (``itu:FacilitationRole``) this resource takes part in."""

    iri: str
    holder: str | None
    action_line: str | None
    role_type: str | None
    sources: tuple[str, ...]
    prevails: bool
    status: str  # prevails, superseded, open, uncontested


@dataclass(frozen=True)
class Finding:
    """One SHACL result about this resource (or a blank node it owns)."""

    severity: str
    shape_id: str
    message: str
    path: str | None
    value: str | None


@dataclass
class Description:
    """What the graph holds about ``iri`` (see the module docstring)."""

    iri: str
    outgoing: list[Statement] = field(default_factory=list)
    incoming: list[Statement] = field(default_factory=list)
    #: Incoming triples not listed (beyond :data:`MAX_INCOMING`).
    incoming_omitted: int = 0
    #: The nested blank nodes: each node's own statements, in the order they were reached.
    closure: dict[str, list[Statement]] = field(default_factory=dict)
    #: Label statements of the resource and of every IRI it links to.
    label_statements: list[Statement] = field(default_factory=list)
    #: Whether the IRI is used as a predicate somewhere in the graph.
    used_as_predicate: bool = False
    claims: list[Claim] = field(default_factory=list)
    roles: list[Role] = field(default_factory=list)
    #: SHACL results for this resource; None when the build recorded no validation.
    findings: list[Finding] | None = None

    @property
    def exists(self) -> bool:
        """Whether the graph mentions the IRI at all."""
        return bool(self.outgoing or self.incoming or self.used_as_predicate)

    @property
    def types(self) -> list[str]:
        return sorted(
            {
                s.object.value
                for s in self.outgoing
                if s.predicate.value == RDF + "type" and isinstance(s.object, ox.NamedNode)
            }
        )

    @property
    def sources(self) -> list[str]:
        """The IRIs of the resource's own sources (``dcterms:source``)."""
        return sorted(
            {
                s.object.value
                for s in self.outgoing
                if s.predicate.value == SOURCE and isinstance(s.object, ox.NamedNode)
            }
        )

    def labels(self) -> dict[str, dict[str, list[str]]]:
        """Labels by IRI, then language (``""`` for none), values in preference order."""
        table: dict[str, dict[str, list[str]]] = {}
        rank = {p: i for i, p in enumerate(LABEL_PREDICATES)}
        for s in sorted(self.label_statements, key=lambda s: rank[s.predicate.value]):
            if isinstance(s.object, ox.Literal):
                values = table.setdefault(s.subject.value, {}).setdefault(s.object.language or "", [])
                if s.object.value not in values:
                    values.append(s.object.value)
        return table

    def statements(self) -> Iterator[Statement]:
        """Every statement of the description, once (outgoing, closure, incoming, labels)."""
        seen: set[tuple[Subject, ox.NamedNode, Object]] = set()
        nested = (s for group in self.closure.values() for s in group)
        for s in (*self.outgoing, *nested, *self.incoming, *self.label_statements):
            key = (s.subject, s.predicate, s.object)
            if key not in seen:
                seen.add(key)
                yield s

    def quads(self) -> list[ox.Quad]:
        """The description as quads in the asserted and inferred named graphs."""
        return [ox.Quad(s.subject, s.predicate, s.object, ox.NamedNode(s.graph)) for s in self.statements()]


def pick_label(labels: dict[str, list[str]] | None, language: str) -> tuple[str, str] | None:
    """``(label, language)`` for a reader of ``language``: that language, then English,
    then no language, then any (alphabetically by language); None without labels.

    >>> pick_label({"en": ["Goal 9"], "fr": ["Objectif 9"]}, "fr")
    ('Objectif 9', 'fr')
    >>> pick_label({"en": ["Goal 9"], "fr": ["Objectif 9"]}, "de")
    ('Goal 9', 'en')
    >>> pick_label({"es": ["Objetivo 9"]}, "de")
    ('Objetivo 9', 'es')
    """
    if not labels:
        return None
    for wanted in (language, "en", ""):
        for lang in sorted(labels):
            if lang.lower() == wanted or (lang.lower().split("-")[0] == wanted and wanted):
                return labels[lang][0], lang
    lang = sorted(labels)[0]
    return labels[lang][0], lang


#: The SHACL results about an IRI or the blank nodes it owns (None: no validation recorded).
FindingSource = Callable[[str, set[str]], "list[Finding] | None"]


def describe(store: GraphStore, iri: str, *, validation: Path | FindingSource | None = None) -> Description:
    """The description of ``iri`` in ``store``; ``validation`` gives its SHACL status: the
    build's results file, or a function reading them elsewhere (a store's validation graph)."""
    node = ox.NamedNode(iri)
    desc = Description(iri)
    if store.blank_nodes_persist:
        desc.outgoing = _statements(store, node, outgoing=True)
        desc.closure = _closure(store, desc.outgoing)
    else:
        desc.outgoing, desc.closure = _tree(store, node)
    incoming = _statements(store, node, outgoing=False, limit=MAX_INCOMING + 1)
    nested = {ox.BlankNode(b) for b in desc.closure}
    incoming = [s for s in incoming if s.subject not in nested]
    desc.incoming_omitted = max(0, len(incoming) - MAX_INCOMING)
    desc.incoming = incoming[:MAX_INCOMING]
    if not desc.outgoing and not desc.incoming:
        desc.used_as_predicate = _used_as_predicate(store, node)
    linked = {iri} | {
        t.value
        for s in desc.statements()
        for t in (s.subject, s.predicate, s.object)
        if isinstance(t, ox.NamedNode)
    }
    desc.label_statements = labels_of(store, sorted(linked))
    desc.claims = _claims(desc)
    desc.roles = _roles(store, node, desc)
    role_terms = {
        t
        for r in desc.roles
        for t in (r.iri, r.holder, r.action_line, r.role_type, *r.sources)
        if t is not None
    } - linked
    desc.label_statements += labels_of(store, sorted(role_terms))
    if validation is not None:
        owned = {f"_:{b}" for b in desc.closure}
        if isinstance(validation, Path):
            desc.findings = findings_for(validation, iri, owned)
        else:
            desc.findings = validation(iri, owned)
    return desc


def _rows(
    store: GraphStore, query: str, **bindings: ox.NamedNode | ox.BlankNode
) -> Iterator[ox.QuerySolution]:
    result = store.evaluate(query, substitutions=bindings)
    assert isinstance(result, ox.QuerySolutions)
    yield from result


def _statements(
    store: GraphStore, node: Subject, *, outgoing: bool, limit: int | None = None
) -> list[Statement]:
    """The triples with ``node`` as subject (or object), asserted first, each once."""
    pattern = "?node ?p ?x" if outgoing else "?x ?p ?node"
    query = f"SELECT * WHERE {{ GRAPH ?g {{ {pattern} }} }}"
    if limit is not None:
        query += f" LIMIT {limit * 2}"
    found: dict[tuple[Subject, ox.NamedNode, Object], bool] = {}
    for row in _rows(store, query, node=node):
        x, p, g = row["x"], row["p"], row["g"]
        if x is None or isinstance(x, ox.Triple) or not isinstance(p, ox.NamedNode):
            continue
        key = (node, p, x) if outgoing else (x, p, node)
        inferred = g == _INFERRED
        if g in (_ASSERTED, _INFERRED):
            found[key] = found.get(key, True) and inferred
    statements = [Statement(s, p, o, inferred) for (s, p, o), inferred in found.items()]
    statements.sort(key=_order)
    return statements[:limit] if limit is not None else statements


#: Blank nodes nested this deep under a resource are found when the store cannot be asked
#: about a blank node by its label (claims and their lists nest two or three deep).
TREE_DEPTH = 4


def _tree(store: GraphStore, node: ox.NamedNode) -> tuple[list[Statement], dict[str, list[Statement]]]:
    """The outgoing statements of ``node`` and of the blank nodes under it, from one answer:
    a store behind the SPARQL protocol labels blank nodes afresh in every answer, so the
    closure cannot be walked one blank node per query (``_closure``)."""
    resource = str(node)  # in the text, not bound: a VALUES binding is not seen inside UNION arms
    arms = [f"{{ BIND({resource} AS ?s) }}"]
    for depth in range(1, TREE_DEPTH + 1):
        hops, previous = [], resource
        for hop in range(depth):
            current = "?s" if hop == depth - 1 else f"?b{hop}"
            hops.append(f"GRAPH ?h{hop} {{ {previous} ?q{hop} {current} }} FILTER(isBlank({current}))")
            previous = current
        arms.append("{ " + " ".join(hops) + " }")
    query = f"SELECT DISTINCT ?s ?p ?x ?g WHERE {{ {' UNION '.join(arms)} GRAPH ?g {{ ?s ?p ?x }} }}"
    found: dict[tuple[Subject, ox.NamedNode, Object], bool] = {}
    for row in _rows(store, query):
        s, x, p, g = row["s"], row["x"], row["p"], row["g"]
        if not isinstance(s, ox.NamedNode | ox.BlankNode) or not isinstance(p, ox.NamedNode):
            continue
        if x is None or isinstance(x, ox.Triple) or g not in (_ASSERTED, _INFERRED):
            continue
        found[(s, p, x)] = found.get((s, p, x), True) and g == _INFERRED
    by_subject: dict[Subject, list[Statement]] = {}
    for (s, p, o), inferred in found.items():
        by_subject.setdefault(s, []).append(Statement(s, p, o, inferred))
    for statements in by_subject.values():
        statements.sort(key=_order)
    outgoing = by_subject.pop(node, [])
    return outgoing, {blank.value: own for blank, own in by_subject.items()}


def _order(s: Statement) -> tuple[int, str, str, str]:
    p = s.predicate.value
    first = 0 if p == RDF + "type" else 1 if p in LABEL_PREDICATES else 2
    return (first, p, s.object.value if not isinstance(s.object, ox.BlankNode) else "~", s.subject.value)


def _closure(store: GraphStore, outgoing: list[Statement]) -> dict[str, list[Statement]]:
    """Blank nodes reachable from ``outgoing`` through blank nodes, with their statements."""
    closure: dict[str, list[Statement]] = {}
    todo = [s.object for s in outgoing if isinstance(s.object, ox.BlankNode)]
    while todo and len(closure) < MAX_CLOSURE:
        blank = todo.pop(0)
        assert isinstance(blank, ox.BlankNode)
        if blank.value in closure:
            continue
        closure[blank.value] = own = _statements(store, blank, outgoing=True)
        todo.extend(s.object for s in own if isinstance(s.object, ox.BlankNode))
    return closure


def _used_as_predicate(store: GraphStore, node: ox.NamedNode) -> bool:
    result = store.evaluate("ASK { ?s ?node ?o }", substitutions={"node": node})
    return bool(result)


def labels_of(store: GraphStore, iris: Iterable[str]) -> list[Statement]:
    """The label statements (:data:`LABEL_PREDICATES`) of ``iris``, asserted or inferred."""
    values = " ".join(f"<{i}>" for i in iris if ">" not in i and " " not in i)
    if not values:
        return []
    # FILTER(?p IN …), not VALUES ?p: with both VALUES, the engine scans every label of the
    # graph (5 s for 500 IRIs at 1M triples, against 0.1 s).
    predicates = ", ".join(f"<{p}>" for p in LABEL_PREDICATES)
    query = (
        f"SELECT ?s ?p ?o ?g WHERE {{ VALUES ?s {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} "
        f"FILTER(?p IN ({predicates}) && isLiteral(?o)) }}"
    )
    found: dict[tuple[Subject, ox.NamedNode, Object], bool] = {}
    result = store.evaluate(query)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        s, p, o, g = row["s"], row["p"], row["o"], row["g"]
        assert isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode)
        assert isinstance(o, ox.Literal)
        key = (s, p, o)
        found[key] = found.get(key, True) and g == _INFERRED
    return [Statement(s, p, o, inferred) for (s, p, o), inferred in found.items()]


def _value(statements: list[Statement], predicate: str) -> Object | None:
    return next((s.object for s in statements if s.predicate.value == predicate), None)


def _values(statements: list[Statement], predicate: str) -> tuple[str, ...]:
    return tuple(sorted(s.object.value for s in statements if s.predicate.value == predicate))


def _claims(desc: Description) -> list[Claim]:
    """The resource's claims with the precedence rule's outcome (graph/README.md, rule 1)."""
    raw: list[Claim] = []
    for s in desc.outgoing:
        if s.predicate.value != HAS_CLAIM or not isinstance(s.object, ox.BlankNode):
            continue
        own = desc.closure.get(s.object.value, [])
        prop = _value(own, ITU + "claimProperty")
        confidence = _value(own, ITU + "confidence")
        precedence = _value(own, ITU + "precedence")
        prevails = _value(own, ITU + "prevails")
        raw.append(
            Claim(
                s.object,
                prop.value if prop is not None else "",
                _value(own, ITU + "claimValue"),
                _values(own, SOURCE),
                confidence.value if confidence is not None else None,
                precedence.value if precedence is not None else None,
                prevails is not None and prevails.value == "true",
                "",
            )
        )
    claims = []
    for claim in raw:
        lang = _language_of(claim.value)
        rivals = [
            r
            for r in raw
            if r.property == claim.property and r.node != claim.node and _language_of(r.value) == lang
        ]
        if claim.prevails:
            status = "prevails"
        elif any(r.prevails for r in rivals):
            status = "superseded"
        elif any(r.value != claim.value for r in rivals):
            status = "open"
        else:
            status = "uncontested"
        claims.append(dataclasses.replace(claim, status=status))
    claims.sort(
        key=lambda c: (c.property, c.status != "prevails", c.value.value if c.value is not None else "")
    )
    return claims


def _language_of(value: Object | None) -> str | None:
    return value.language if isinstance(value, ox.Literal) else None


_ROLES_QUERY = f"""
SELECT ?role ?holder ?line ?type ?prevails ?source WHERE {{
  ?role a <{ITU}FacilitationRole> .
  {{ BIND(?node AS ?role) }} UNION {{ ?role <{ITU}roleHolder> ?node }}
  UNION {{ ?role <{ITU}roleActionLine> ?node }}
  OPTIONAL {{ ?role <{ITU}roleHolder> ?holder }}
  OPTIONAL {{ ?role <{ITU}roleActionLine> ?line }}
  OPTIONAL {{ ?role <{ITU}roleType> ?type }}
  OPTIONAL {{ ?role <{ITU}prevails> ?prevails }}
  OPTIONAL {{ ?role <{DCTERMS}source> ?source }}
}}"""

_BROADER_QUERY = f"SELECT ?a ?b WHERE {{ ?a <{SKOS}broader> ?b }}"


def _roles(store: GraphStore, node: ox.NamedNode, desc: Description) -> list[Role]:
    """The facilitation roles ``node`` holds, is the Action Line of, or is; each with the
    precedence rule's outcome among the roles of the same holder and Action Line."""
    found: dict[str, dict[str, object]] = {}
    query = _ROLES_QUERY.replace("?node", f"<{node.value}>")
    result = store.evaluate(query)
    assert isinstance(result, ox.QuerySolutions)
    for row in result:
        role = row["role"]
        if not isinstance(role, ox.NamedNode):
            continue
        entry = found.setdefault(role.value, {"sources": set()})
        for key in ("holder", "line", "type"):
            term = row[key]
            if term is not None:
                entry[key] = term.value
        prevails = row["prevails"]
        entry["prevails"] = bool(entry.get("prevails")) or (prevails is not None and prevails.value == "true")
        source = row["source"]
        if source is not None:
            sources = entry["sources"]
            assert isinstance(sources, set)
            sources.add(source.value)
    if not found:
        return []
    broader_result = store.evaluate(_BROADER_QUERY)
    assert isinstance(broader_result, ox.QuerySolutions)
    broader = {
        (r["a"].value, r["b"].value) for r in broader_result if r["a"] is not None and r["b"] is not None
    }
    roles = []
    for iri, entry in found.items():
        group = [
            e
            for e in found.values()
            if e.get("holder") == entry.get("holder") and e.get("line") == entry.get("line")
        ]
        kind = entry.get("type")
        disagree = [
            e
            for e in group
            if e.get("type") != kind
            and (e.get("type"), kind) not in broader
            and (kind, e.get("type")) not in broader
        ]
        if entry["prevails"]:
            status = "prevails"
        elif any(e["prevails"] for e in group):
            status = "superseded"
        elif disagree:
            status = "open"
        else:
            status = "uncontested"
        sources = entry["sources"]
        assert isinstance(sources, set)
        roles.append(
            Role(
                iri,
                _str(entry.get("holder")),
                _str(entry.get("line")),
                _str(entry.get("type")),
                tuple(sorted(sources)),
                bool(entry["prevails"]),
                status,
            )
        )
    roles.sort(key=lambda r: (r.holder or "", r.action_line or "", r.status != "prevails", r.iri))
    return roles


def _str(value: object) -> str | None:
    return value if isinstance(value, str) else None


_FINDINGS_CACHE: dict[tuple[str, float], dict[str, list[Finding]]] = {}


def findings_for(path: Path, iri: str, blank_nodes: set[str]) -> list[Finding] | None:
    """The SHACL results of the build's ``validation.json`` whose focus (or owner) is
    ``iri`` or one of its ``blank_nodes``; None when the file is missing."""
    try:
        stamp = path.stat().st_mtime
    except OSError:
        return None
    key = (str(path), stamp)
    if key not in _FINDINGS_CACHE:
        _FINDINGS_CACHE.clear()
        document = json.loads(path.read_text(encoding="utf-8"))
        by_focus: dict[str, list[Finding]] = {}
        for r in document.get("results", []):
            finding = Finding(r["severity"], r["shape_id"], r["message"], r.get("path"), r.get("value"))
            for focus in {r.get("focus_node"), r.get("owner")} - {None}:
                by_focus.setdefault(focus, []).append(finding)
        _FINDINGS_CACHE[key] = by_focus
    by_focus = _FINDINGS_CACHE[key]
    found = [f for focus in (iri, *sorted(blank_nodes)) for f in by_focus.get(focus, [])]
    return list(dict.fromkeys(found))
