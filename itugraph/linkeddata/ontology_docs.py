"""The documentation of the ontology served at ``/def/itu``: every term with its label,
definition, axioms and its use in the data.

:func:`ontology_document` reads the ontology of a project (the file(s) that declare
``<https://w3id.org/itugraph/def/itu> a owl:Ontology``; the other files of ``ontology/``,
the imports, give the labels of reused terms) and :func:`document_model` turns it into
what the template ``ontology.html`` prints: one :class:`TermDoc` per class, property,
datatype and named individual, each with its axioms in words and, from the build's
store, how often it is used (a SPARQL count over the union of the asserted and inferred
graphs, with the query itself, and a few examples). Nothing on the page is typed by hand:
change ``ontology/itu.ttl`` and the next build's page follows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from itugraph.linkeddata.ontology_docs_graph import (
    DISPLAY_PREFIXES,
    RDF_TYPE,
    Index,
    Parts,
    Shown,
    Term,
    Triple,
    curie,
    link,
    show,
)
from itugraph.load import load_triples
from itugraph.namespaces import ITU, ITU_ONTOLOGY, OWL, RDF, RDFS, SKOS
from itugraph.store import OxigraphStore

#: How many examples each term shows.
EXAMPLES = 3

#: Sections of terms: (anchor, heading, the rdf:type that puts a term there).
KINDS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("sec-classes", "Classes", (OWL + "Class", RDFS + "Class")),
    ("sec-object-properties", "Object properties", (OWL + "ObjectProperty",)),
    ("sec-datatype-properties", "Datatype properties", (OWL + "DatatypeProperty",)),
    ("sec-annotation-properties", "Annotation properties", (OWL + "AnnotationProperty",)),
    ("sec-datatypes", "Datatypes", (RDFS + "Datatype",)),
    ("sec-individuals", "Concept schemes and named individuals", ()),
)
_KIND_NAMES = {
    "sec-classes": "class",
    "sec-object-properties": "object property",
    "sec-datatype-properties": "datatype property",
    "sec-annotation-properties": "annotation property",
    "sec-datatypes": "datatype",
    "sec-individuals": "individual",
}

#: The vocabularies whose terms the ontology reuses, in display order.
REUSED_VOCABULARIES: tuple[tuple[str, str], ...] = (
    ("org", "W3C Organization Ontology (ORG)"),
    ("skos", "SKOS"),
    ("dcterms", "DCMI Metadata Terms (DCTERMS)"),
    ("prov", "PROV-O"),
    ("sdgo", "UN SDG ontology"),
    ("foaf", "FOAF"),
    ("time", "OWL-Time"),
    ("schema", "schema.org"),
)

_CHARACTERISTICS = {
    OWL + name
    for name in (
        "TransitiveProperty",
        "SymmetricProperty",
        "AsymmetricProperty",
        "FunctionalProperty",
        "InverseFunctionalProperty",
        "ReflexiveProperty",
        "IrreflexiveProperty",
    )
}
_KIND_TYPES = {t for _, _, types in KINDS for t in types} | {OWL + "NamedIndividual"}

#: Statements shown as text, in this order, before the axioms.
_TEXTS: tuple[tuple[str, str], ...] = (
    (SKOS + "definition", "Definition"),
    (RDFS + "comment", "Comment"),
    (SKOS + "scopeNote", "Scope note"),
    (SKOS + "note", "Note"),
    (SKOS + "example", "Example"),
    (SKOS + "editorialNote", "Editorial note"),
)
#: Statements shown as axioms, in this order (others follow under their property's name).
_AXIOMS: tuple[tuple[str, str], ...] = (
    (RDFS + "subClassOf", "Subclass of"),
    (RDFS + "subPropertyOf", "Subproperty of"),
    (OWL + "equivalentClass", "Equivalent to"),
    (OWL + "equivalentProperty", "Equivalent to"),
    (OWL + "inverseOf", "Inverse of"),
    (RDFS + "domain", "Domain"),
    (RDFS + "range", "Range"),
    (OWL + "disjointWith", "Disjoint with"),
    (OWL + "propertyDisjointWith", "Disjoint with"),
    (OWL + "hasKey", "Keys"),
    (RDFS + "isDefinedBy", "Defined by"),
    (RDFS + "seeAlso", "See also"),
)
_SYMMETRIC = {
    OWL + "equivalentClass",
    OWL + "equivalentProperty",
    OWL + "inverseOf",
    OWL + "disjointWith",
    OWL + "propertyDisjointWith",
}
_SKIP = {RDFS + "label", OWL + "propertyChainAxiom"} | {p for p, _ in _TEXTS}


@dataclass
class Row:
    """One line of a term's table: a name and its values (each a list of pieces)."""

    name: str
    values: list[Parts] = field(default_factory=list)


@dataclass
class Usage:
    """How often a term is used in the build's graph, the query that says so, examples."""

    count: int
    noun: str  # "resources of this class", "triples with this property", …
    query: str
    examples: list[Parts]


@dataclass
class TermDoc:
    iri: str
    anchor: str  # the fragment of the IRI: id="StudyGroup"
    curie: str
    kind: str
    heading: str
    heading_lang: str | None
    texts: list[Row]
    axioms: list[Row]
    usage: Usage | None = None


@dataclass
class Section:
    anchor: str
    title: str
    terms: list[TermDoc]


@dataclass
class ReusedTerm:
    iri: str
    shown: Shown
    label: str | None
    used_by: list[Shown]
    usage: Usage | None


@dataclass
class Vocabulary:
    anchor: str
    title: str
    namespace: str
    terms: list[ReusedTerm]


@dataclass
class OntologyModel:
    iri: str
    title: str
    title_lang: str | None
    metadata: list[Row]
    sections: list[Section]
    reused: list[Vocabulary]
    term_count: int


def ontology_document(ontology_files: Iterable[Path]) -> tuple[list[Triple], list[Triple]]:
    """(the triples of the ontology document, the triples of every ontology file).

    The document is the file(s) declaring ``<…/def/itu> a owl:Ontology``; empty if none does.
    """
    declaration = (ox.NamedNode(ITU_ONTOLOGY), RDF_TYPE, ox.NamedNode(OWL + "Ontology"))
    own: list[Triple] = []
    every: list[Triple] = []
    for path in ontology_files:
        triples = load_triples([path])
        every.extend(triples)
        if declaration in triples:
            own.extend(triples)
    return own, every


def document_model(own: list[Triple], every: list[Triple], store: OxigraphStore | None) -> OntologyModel:
    """What the page shows; ``store`` (the build's) gives the counts and examples."""
    doc = Index(own)
    full = Index(every)
    ontology = ox.NamedNode(ITU_ONTOLOGY)
    title = next(
        (o for o in doc.objects(ontology, "http://purl.org/dc/terms/title") if isinstance(o, ox.Literal)),
        None,
    )
    metadata = _rows(doc, ontology, skip={RDF + "type", "http://purl.org/dc/terms/title"})
    counter = _Counter(store, full)
    placed: set[str] = set()
    sections = []
    ours = sorted(
        {t.value for triple in own for t in triple if isinstance(t, ox.NamedNode) and t.value.startswith(ITU)}
    )
    for anchor, heading, types in KINDS:
        members = [
            iri
            for iri in ours
            if iri not in placed and (not types or doc.has_type(ox.NamedNode(iri), *types))
        ]
        placed.update(members)
        terms = [_term(doc, iri, anchor, counter) for iri in members]
        sections.append(Section(anchor, heading, sorted(terms, key=lambda t: t.anchor.lower())))
    return OntologyModel(
        iri=ITU_ONTOLOGY,
        title=title.value if title else ITU_ONTOLOGY,
        title_lang=title.language if title else None,
        metadata=metadata,
        sections=[s for s in sections if s.terms],
        reused=_reused(doc, full, counter),
        term_count=len(ours),
    )


def _term(doc: Index, iri: str, section: str, counter: _Counter) -> TermDoc:
    node = ox.NamedNode(iri)
    labels = [
        o
        for o in doc.objects(node, RDFS + "label") + doc.objects(node, SKOS + "prefLabel")
        if isinstance(o, ox.Literal)
    ]
    english = next((lab for lab in labels if (lab.language or "en").startswith("en")), None)
    chosen = english or (labels[0] if labels else None)
    texts = (
        [Row("Label", [[Shown(lab.value, lang=lab.language or None)] for lab in labels])]
        if len(labels) > 1
        else []
    )
    for predicate, name in _TEXTS:
        values = [show(doc, o) for o in doc.objects(node, predicate)]
        if values:
            texts.append(Row(name, values))
    axioms = _axioms(doc, node, section)
    return TermDoc(
        iri=iri,
        anchor=iri[len(ITU) :],
        curie=curie(iri),
        kind=_KIND_NAMES[section],
        heading=chosen.value if chosen else curie(iri),
        heading_lang=(chosen.language or None) if chosen else None,
        texts=texts,
        axioms=axioms,
        usage=counter.usage(iri, section),
    )


def _axioms(doc: Index, node: ox.NamedNode, section: str) -> list[Row]:
    rows: dict[str, Row] = {}

    def add(name: str, parts: Parts) -> None:
        row = rows.setdefault(name, Row(name))
        if parts not in row.values:
            row.values.append(parts)

    types = [t for t in doc.objects(node, RDF_TYPE.value) if isinstance(t, ox.NamedNode)]
    for t in types:
        if t.value in _CHARACTERISTICS:
            add(
                "Characteristics",
                [
                    Shown(t.value[len(OWL) :].removesuffix("Property").lower(), href=None),
                    Shown(" ("),
                    *show(doc, t),
                    Shown(")"),
                ],
            )
    if section == "sec-individuals":
        for t in types:
            if t.value not in _KIND_TYPES:
                add("Type", show(doc, t))
    for predicate, name in _AXIOMS:
        for value in doc.objects(node, predicate):
            if predicate == RDFS + "isDefinedBy" and value.value == ITU_ONTOLOGY:
                continue  # every term is: said once, at the top
            add(name, show(doc, value))
        if predicate in _SYMMETRIC:
            for subject in doc.subjects(predicate, node):
                add(name, show(doc, subject))
    for chain in doc.objects(node, OWL + "propertyChainAxiom"):
        members = doc.items(chain)
        parts: Parts = []
        for i, member in enumerate(members):
            parts += ([Shown(" then ")] if i else []) + show(doc, member)
        add("Property chain", [*parts, Shown(" implies "), *show(doc, node)])
    for group in doc.subjects(RDF_TYPE.value, ox.NamedNode(OWL + "AllDisjointClasses")):
        members = [m for head in doc.objects(group, OWL + "members") for m in doc.items(head)]
        if node in members:
            for other in members:
                if other != node:
                    add("Disjoint with", show(doc, other))
    for predicate, name in (
        (RDFS + "subClassOf", "Subclasses"),
        (RDFS + "subPropertyOf", "Subproperties"),
        (RDFS + "domain", "Domain of"),
        (RDFS + "range", "Range of"),
    ):
        for subject in sorted(doc.subjects(predicate, node), key=lambda s: s.value):
            if isinstance(subject, ox.NamedNode):
                add(name, show(doc, subject))
    for head in doc.lists_containing(node):
        for owner in doc.subjects(OWL + "propertyChainAxiom", head):
            if owner != node:
                add("In the property chain of", show(doc, owner))
    known = {p for p, _ in _AXIOMS} | _SKIP | {RDF + "type"}
    for p, o in doc.statements(node):
        if p.value not in known:
            add(curie(p.value), show(doc, o))
    return list(rows.values())


def _rows(doc: Index, node: ox.NamedNode, skip: set[str]) -> list[Row]:
    rows: dict[str, Row] = {}
    for p, o in doc.statements(node):
        if p.value not in skip:
            rows.setdefault(p.value, Row(curie(p.value))).values.append(show(doc, o))
    return list(rows.values())


def _reused(doc: Index, full: Index, counter: _Counter) -> list[Vocabulary]:
    users: dict[str, set[str]] = {}
    for s, p, o in doc.triples:
        owner = _owner_term(doc, s)
        for term in (p, o):
            if isinstance(term, ox.NamedNode) and owner is not None:
                users.setdefault(term.value, set()).add(owner)
    vocabularies = []
    for prefix, title in REUSED_VOCABULARIES:
        namespace = DISPLAY_PREFIXES[prefix]
        terms = []
        for iri in sorted(i for i in users if i.startswith(namespace)):
            node = ox.NamedNode(iri)
            is_class = full.has_type(node, OWL + "Class", RDFS + "Class") or any(
                p.value in (RDFS + "subClassOf", RDFS + "domain", RDFS + "range")
                for s, p, o in doc.triples
                if o == node
            )
            terms.append(
                ReusedTerm(
                    iri=iri,
                    shown=link(iri),
                    label=full.label(node),
                    used_by=[link(u) for u in sorted(users[iri])],
                    usage=counter.usage(iri, "sec-classes" if is_class else "sec-object-properties"),
                )
            )
        if terms:
            vocabularies.append(Vocabulary(f"vocab-{prefix}", title, namespace, terms))
    return vocabularies


def _owner_term(doc: Index, subject: Term) -> str | None:
    """The itu: term a statement is about (through blank nodes: restrictions, lists)."""
    seen: set[Term] = set()
    frontier = [subject]
    while frontier:
        node = frontier.pop()
        if node in seen:
            continue
        seen.add(node)
        if isinstance(node, ox.NamedNode):
            if node.value.startswith(ITU):
                return node.value
            continue
        frontier.extend(s for _, s in doc._in.get(node, []))
        for group_type in doc.objects(node, RDF_TYPE.value):
            if group_type.value == OWL + "AllDisjointClasses":
                return None
    return None


class _Counter:
    """Counts and examples from the build's store (union of asserted and inferred graphs)."""

    def __init__(self, store: OxigraphStore | None, full: Index) -> None:
        self.store = store
        self.full = full

    def usage(self, iri: str, section: str) -> Usage | None:
        if self.store is None:
            return None
        query, examples, noun = usage_queries(iri, section)
        rows = self.store.query(query).rows
        first = rows[0][0] if rows else None
        count = int(first.value) if isinstance(first, ox.Literal) else 0
        shown = [self._example(row) for row in self.store.query(examples).rows] if count else []
        return Usage(count, noun, query, shown)

    def _example(self, row: tuple[object, ...]) -> Parts:
        parts: Parts = []
        terms = [t for t in row if isinstance(t, (ox.NamedNode, ox.BlankNode, ox.Literal))]
        for i, term in enumerate(terms):
            if i:
                parts.append(Shown(" → "))
            parts.append(self._value(term))
        return parts

    def _value(self, term: ox.NamedNode | ox.BlankNode | ox.Literal) -> Shown:
        if isinstance(term, ox.BlankNode):
            return Shown("(a blank node)")
        if isinstance(term, ox.Literal):
            text = term.value if len(term.value) <= 80 else term.value[:77] + "…"
            return Shown(text, lang=term.language or None)
        label = self._label(term)
        shown = link(term.value)
        return (
            Shown(label.value, href=shown.href, iri=term.value, lang=label.language or None)
            if label
            else shown
        )

    def _label(self, node: ox.NamedNode) -> ox.Literal | None:
        assert self.store is not None
        query = (
            f"SELECT ?l WHERE {{ VALUES ?p {{ <{RDFS}label> <{SKOS}prefLabel> }} "
            f'<{node.value}> ?p ?l FILTER(LANGMATCHES(LANG(?l), "en")) }} '
            "ORDER BY ?l LIMIT 1"
        )
        rows = self.store.query(query).rows
        first = rows[0][0] if rows else None
        return first if isinstance(first, ox.Literal) else None


def usage_queries(iri: str, section: str) -> tuple[str, str, str]:
    """(the count query, the examples query, what is counted) for a term of ``section``.

    >>> usage_queries("https://w3id.org/itugraph/def/itu#StudyGroup", "sec-classes")[0]
    'SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a <https://w3id.org/itugraph/def/itu#StudyGroup> }'
    """
    if section == "sec-classes":
        where = f"?s a <{iri}>"
        return (
            f"SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ {where} }}",
            f"SELECT DISTINCT ?s WHERE {{ {where} }} ORDER BY isBlank(?s) ?s LIMIT {EXAMPLES}",
            "resources of this class",
        )
    if section == "sec-datatypes":
        where = f"?s ?p ?o FILTER(isLiteral(?o) && DATATYPE(?o) = <{iri}>)"
        return (
            f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p ?o WHERE {{ {where} }} }}",
            f"SELECT DISTINCT ?s ?o WHERE {{ {where} }} ORDER BY isBlank(?s) ?s ?o LIMIT {EXAMPLES}",
            "values of this datatype",
        )
    if section == "sec-individuals":
        where = f"?s ?p <{iri}>"
        return (
            f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?p WHERE {{ {where} }} }}",
            f"SELECT DISTINCT ?s ?p WHERE {{ {where} }} ORDER BY isBlank(?s) ?s ?p LIMIT {EXAMPLES}",
            "triples with this value",
        )
    where = f"?s <{iri}> ?o"
    return (
        f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT DISTINCT ?s ?o WHERE {{ {where} }} }}",
        f"SELECT DISTINCT ?s ?o WHERE {{ {where} }} ORDER BY isBlank(?s) ?s ?o LIMIT {EXAMPLES}",
        "triples with this property",
    )
