"""The ontology is a public API: these tests keep it parseable, documented, closed and in OWL 2 RL.

* every file of ``ontology/`` parses, and ``itu.ttl`` has the header issue 3 asks for;
* every declared ``itu:`` term has an English label, a definition and ``rdfs:isDefinedBy``;
* every ``itu:`` term used in ``graph/``, ``shapes/`` or ``queries/`` is declared (a typo in
  the data or a query would otherwise give silently empty answers);
* the ontology stays inside OWL 2 RL (Table 2 and 3 of the OWL 2 Profiles spec, section 4.2);
* the UN SDG ontology copy is byte-for-byte the file in ``shared/data`` (its licence lets us
  copy it, not change it).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from itugraph import namespaces as ns
from itugraph.load import load_triples
from itugraph.reasoning import infer

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = REPO / "ontology"
ITU_TTL = ONTOLOGY_DIR / "itu.ttl"
IMPORTS_DIR = ONTOLOGY_DIR / "imports"
SDG_ONTOLOGY_SOURCE = REPO.parent / "shared" / "data" / "sdg" / "sdgs-ontology.ttl"
#: sha256 of the UN file as recorded in shared/data/PROVENANCE.md (first 16 hex digits).
SDG_ONTOLOGY_SHA256_PREFIX = "5a00ffa8ae4face4"
KOS_NAME = "sdg-kos-goals-targets-indicators.ttl"

ITU_NS = ns.ITU
ITU_ONTOLOGY = URIRef("https://w3id.org/itugraph/def/itu")
ITU = Namespace(ITU_NS)
ORG = Namespace(ns.ORG)
DCTERMS = Namespace(ns.DCTERMS)
SH = Namespace(ns.SH)

#: rdf:type values that declare a term.
DECLARING_TYPES = {
    OWL.Class,
    OWL.ObjectProperty,
    OWL.DatatypeProperty,
    OWL.AnnotationProperty,
    OWL.NamedIndividual,
    RDFS.Class,
    RDF.Property,
    SKOS.ConceptScheme,
    ITU.FacilitationRoleType,
    RDFS.Datatype,
}

#: The fixed core vocabulary of issue 3: renaming any of these breaks users.
CORE_CLASSES = [
    "Sector",
    "Bureau",
    "StudyGroup",
    "FocusGroup",
    "WorkingGroup",
    "StudyQuestion",
    "Conference",
    "Event",
    "Initiative",
    "Instrument",
    "Resolution",
    "Mandate",
    "WSISActionLine",
    "PolicyTopic",
]
CORE_PROPERTIES = [
    "leadFacilitatorOf",
    "coFacilitatorOf",
    "facilitatorOf",
    "hasLeadFacilitator",
    "hasCoFacilitator",
    "hasFacilitator",
    "addressesActionLine",
    "contributesToSDG",
    "hasPartner",
    "partnerIn",
    "organizer",
    "organizes",
    "hasMandate",
    "mandateOf",
    "legalBasis",
    "studies",
    "studiedBy",
]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def itu_graph() -> Graph:
    """``itu.ttl`` alone: the terms itugraph itself declares."""
    return Graph().parse(ITU_TTL, format="turtle")


@pytest.fixture(scope="module")
def ontology_graph() -> Graph:
    """Everything under ``ontology/`` (itu.ttl and the imports), as the build loads it."""
    graph = Graph()
    for path in sorted(ONTOLOGY_DIR.rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="module")
def declared(itu_graph: Graph) -> set[URIRef]:
    return declared_terms(itu_graph)


def declared_terms(graph: Graph) -> set[URIRef]:
    """The ``itu:`` terms ``graph`` declares (typed as a class, property or individual)."""
    return {
        s
        for s, t in graph.subject_objects(RDF.type)
        if isinstance(s, URIRef) and str(s).startswith(ITU_NS) and t in DECLARING_TYPES
    }


# --------------------------------------------------------------------------- parsing, header


@pytest.mark.parametrize("path", sorted(ONTOLOGY_DIR.rglob("*.ttl")), ids=lambda p: p.name)
def test_every_ontology_file_parses(path: Path) -> None:
    assert len(Graph().parse(path, format="turtle")) > 0


def test_ontology_folder_has_itu_and_its_imports() -> None:
    names = {p.name for p in IMPORTS_DIR.glob("*.ttl")}
    assert ITU_TTL.is_file()
    assert names == {"org.ttl", "skos.ttl", "sdgs-ontology.ttl", "time.ttl", "foaf.ttl"}


@pytest.mark.parametrize(
    "prop",
    [
        DCTERMS.title,
        DCTERMS.description,
        OWL.versionIRI,
        OWL.versionInfo,
        DCTERMS.license,
        DCTERMS.creator,
        DCTERMS.source,
    ],
    ids=lambda p: p.n3().split("/")[-1],
)
def test_header_has(itu_graph: Graph, prop: URIRef) -> None:
    assert (ITU_ONTOLOGY, RDF.type, OWL.Ontology) in itu_graph
    assert itu_graph.value(ITU_ONTOLOGY, prop) is not None, f"ontology header lacks {prop}"


def test_header_source_is_the_profile(itu_graph: Graph) -> None:
    assert itu_graph.value(ITU_ONTOLOGY, DCTERMS.source) == URIRef(
        "https://w3id.org/itugraph/id/source/itu-profile"
    )


def test_version_iri_carries_version_info(itu_graph: Graph) -> None:
    version = str(itu_graph.value(ITU_ONTOLOGY, OWL.versionInfo))
    assert str(itu_graph.value(ITU_ONTOLOGY, OWL.versionIRI)) == f"{ITU_ONTOLOGY}/{version}"


def test_no_owl_imports_to_fetch(ontology_graph: Graph) -> None:
    """Nothing may trigger a network fetch: reused axioms are local files (decision 3)."""
    assert list(ontology_graph.triples((None, OWL.imports, None))) == []


# --------------------------------------------------------------------------- documentation


def test_declares_a_useful_vocabulary(declared: set[URIRef]) -> None:
    assert len(declared) >= 100


@pytest.mark.parametrize("name", CORE_CLASSES)
def test_core_class_is_declared(itu_graph: Graph, name: str) -> None:
    assert (ITU[name], RDF.type, OWL.Class) in itu_graph


@pytest.mark.parametrize("name", CORE_PROPERTIES)
def test_core_property_is_declared(itu_graph: Graph, name: str) -> None:
    assert (ITU[name], RDF.type, OWL.ObjectProperty) in itu_graph


def test_every_term_has_english_label(itu_graph: Graph, declared: set[URIRef]) -> None:
    missing = sorted(
        t
        for t in declared
        if not any(isinstance(o, Literal) and o.language == "en" for o in itu_graph.objects(t, RDFS.label))
    )
    assert not missing, f"no rdfs:label @en: {missing}"


def test_every_term_has_definition(itu_graph: Graph, declared: set[URIRef]) -> None:
    missing = sorted(
        t
        for t in declared
        if itu_graph.value(t, SKOS.definition) is None and itu_graph.value(t, RDFS.comment) is None
    )
    assert not missing, f"no skos:definition or rdfs:comment: {missing}"


def test_every_term_is_defined_by_the_ontology(itu_graph: Graph, declared: set[URIRef]) -> None:
    wrong = sorted(t for t in declared if itu_graph.value(t, RDFS.isDefinedBy) != ITU_ONTOLOGY)
    assert not wrong, f"rdfs:isDefinedBy is not {ITU_ONTOLOGY}: {wrong}"


def test_no_itu_term_is_used_in_the_ontology_without_declaration(
    itu_graph: Graph, declared: set[URIRef]
) -> None:
    used = {t for t in itu_graph.all_nodes() if isinstance(t, URIRef) and str(t).startswith(ITU_NS)}
    used |= {p for p in itu_graph.predicates() if str(p).startswith(ITU_NS)}
    assert used - declared == set()


# --------------------------------------------------------------------------- closed vocabulary


def terms_in_turtle(path: Path) -> set[str]:
    """Local names of every ``itu:`` IRI in a Turtle file, including SPARQL inside SHACL."""
    graph = Graph().parse(path, format="turtle")
    names = {
        str(t)[len(ITU_NS) :]
        for triple in graph
        for t in triple
        if isinstance(t, URIRef) and str(t).startswith(ITU_NS)
    }
    for prop in (SH.select, SH.ask, SH.construct, SH.update):
        for text in graph.objects(None, prop):
            names |= terms_in_sparql(str(text), default_prefix="itu")
    return names


def terms_in_sparql(text: str, *, default_prefix: str | None = None) -> set[str]:
    """Local names of every ``itu:`` term in SPARQL text (any prefix bound to our namespace).

    ``default_prefix`` covers SHACL-SPARQL, whose prefixes come from ``sh:declare``.
    """
    prefixes = set(
        re.findall(r"PREFIX\s+([A-Za-z][\w-]*)?:\s*<" + re.escape(ITU_NS) + ">", text, flags=re.IGNORECASE)
    )
    if default_prefix:
        prefixes.add(default_prefix)
    names = set(re.findall(r"<" + re.escape(ITU_NS) + r"([^>]+)>", text))
    for prefix in prefixes:
        names |= set(re.findall(r"(?<![\w:/#-])" + re.escape(prefix) + r":([A-Za-z_][\w-]*)", text))
    return names


def used_terms(folder: Path) -> Iterator[tuple[Path, str]]:
    """(file, local name) for every ``itu:`` term used by the RDF and SPARQL files of ``folder``."""
    for path in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if path.suffix == ".ttl":
            yield from ((path, name) for name in terms_in_turtle(path))
        elif path.suffix in {".rq", ".sparql"}:
            yield from ((path, name) for name in terms_in_sparql(path.read_text("utf-8")))


def undeclared(usages: Iterable[tuple[Path, str]], declared: set[URIRef]) -> list[str]:
    local = {str(t)[len(ITU_NS) :] for t in declared}
    return sorted(
        f"{path.relative_to(path.parents[1]) if len(path.parents) > 1 else path}: itu:{name}"
        for path, name in usages
        if name not in local
    )


@pytest.mark.parametrize("folder", ["graph", "shapes", "queries"])
def test_every_itu_term_used_is_declared(folder: str, declared: set[URIRef]) -> None:
    """A folder with no RDF or SPARQL file fails loudly rather than passing vacuously."""
    root = REPO / folder
    files = [p for p in root.rglob("*") if p.suffix in {".ttl", ".rq", ".sparql"}] if root.is_dir() else []
    assert files, (
        f"{folder}/ has no .ttl/.rq files, so nothing was checked: the project's "
        f"{folder} is missing (or this test needs updating)"
    )
    missing = undeclared(used_terms(root), declared)
    assert not missing, "itu: terms used but not declared in ontology/itu.ttl:\n" + "\n".join(missing)


def test_checker_reports_an_undeclared_term(tmp_path: Path, declared: set[URIRef]) -> None:
    """The closed-vocabulary check itself must bite: a typo is reported, a real term is not."""
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "bad.ttl").write_text(
        f"@prefix itu: <{ITU_NS}> .\n<urn:x> a itu:StudyGroup ; itu:studdies <urn:q> .\n"
    )
    (tmp_path / "data" / "bad.rq").write_text(
        f"PREFIX i: <{ITU_NS}>\nSELECT * WHERE {{ ?x i:hasPartner ?y ; i:hasParnter ?z }}\n"
    )
    missing = undeclared(used_terms(tmp_path / "data"), declared)
    assert missing == ["data/bad.rq: itu:hasParnter", "data/bad.ttl: itu:studdies"]


# --------------------------------------------------------------------------- OWL 2 RL profile

#: Class-expression constructors allowed on the super-class side in OWL 2 RL
#: (OWL 2 Profiles, 4.2.3 "superClassExpression").
RL_SUPERCLASS = {
    OWL.intersectionOf,
    OWL.complementOf,
    OWL.allValuesFrom,
    OWL.hasValue,
    OWL.maxCardinality,
    OWL.maxQualifiedCardinality,
}
#: ... and on both sides of an equivalence (4.2.3 "equivClassExpression").
RL_EQUIVALENT = {OWL.intersectionOf, OWL.hasValue}
#: Constructs that OWL 2 RL does not have at all.
NOT_RL = {OWL.disjointUnionOf, OWL.hasSelf, OWL.ReflexiveProperty}
#: The OWL 2 RL datatypes (Profiles 4.2.1), plus the two RDF 1.1 types we use on purpose.
RL_DATATYPES = {
    RDF.PlainLiteral,
    RDF.XMLLiteral,
    RDFS.Literal,
    *(
        XSD[n]
        for n in (
            "decimal",
            "integer",
            "nonNegativeInteger",
            "nonPositiveInteger",
            "positiveInteger",
            "negativeInteger",
            "long",
            "int",
            "short",
            "byte",
            "unsignedLong",
            "unsignedInt",
            "unsignedShort",
            "unsignedByte",
            "float",
            "double",
            "string",
            "normalizedString",
            "token",
            "language",
            "Name",
            "NCName",
            "NMTOKEN",
            "boolean",
            "hexBinary",
            "base64Binary",
            "anyURI",
            "dateTime",
            "dateTimeStamp",
        )
    ),
}
#: Outside the OWL 2 datatype map, used for years and days because the data has them
#: (decision 12): OWL 2 RL reasoners treat them as unknown datatypes, SHACL checks them.
DOCUMENTED_NON_RL_DATATYPES = {XSD.gYear, XSD.date}


def constructors(graph: Graph, node: object) -> set[URIRef]:
    """The OWL constructor predicates on an anonymous class expression."""
    return {p for p in graph.predicates(node) if p != RDF.type} if isinstance(node, BNode) else set()


def test_superclass_expressions_are_rl(ontology_graph: Graph) -> None:
    bad = [
        (s, c)
        for prop in (RDFS.subClassOf, RDFS.domain, RDFS.range)
        for s, o in ontology_graph.subject_objects(prop)
        for c in constructors(ontology_graph, o) - RL_SUPERCLASS - {OWL.onProperty, OWL.onClass}
    ]
    assert not bad, f"not allowed as a superclass in OWL 2 RL (e.g. owl:unionOf): {bad}"


def test_equivalent_class_expressions_are_rl(ontology_graph: Graph) -> None:
    bad = [
        (s, c)
        for s, o in ontology_graph.subject_objects(OWL.equivalentClass)
        for side in (s, o)
        for c in constructors(ontology_graph, side) - RL_EQUIVALENT - {OWL.onProperty}
    ]
    assert not bad, f"not allowed in an OWL 2 RL equivalence: {bad}"


def test_no_construct_outside_rl(ontology_graph: Graph) -> None:
    used = {p for p in ontology_graph.predicates() if p in NOT_RL}
    used |= {o for o in ontology_graph.objects(None, RDF.type) if o in NOT_RL}
    assert not used


def test_no_owl_same_as_in_ontology(ontology_graph: Graph) -> None:
    """owl:sameAs would make the reasoner copy triples between IRIs (decision 13)."""
    assert list(ontology_graph.triples((None, OWL.sameAs, None))) == []


def test_ranges_use_rl_datatypes(ontology_graph: Graph) -> None:
    datatypes = {
        o
        for s, o in ontology_graph.subject_objects(RDFS.range)
        if (s, RDF.type, OWL.DatatypeProperty) in ontology_graph
        and str(o).startswith((str(XSD), str(RDF), str(RDFS)))
    }
    assert datatypes - RL_DATATYPES - DOCUMENTED_NON_RL_DATATYPES == set()


def test_property_chains_are_lists_of_named_properties(ontology_graph: Graph) -> None:
    chains = list(ontology_graph.subject_objects(OWL.propertyChainAxiom))
    assert chains, "the SDG chain of issue 3 (a) is missing"
    for _, head in chains:
        members = list(Collection(ontology_graph, head))
        assert len(members) >= 2
        assert all(isinstance(m, URIRef) for m in members)


def test_sdg_chain_is_declared(itu_graph: Graph) -> None:
    head = itu_graph.value(ITU.contributesToSDG, OWL.propertyChainAxiom)
    assert list(Collection(itu_graph, head)) == [ITU.contributesToSDG, SKOS.broader]


@pytest.mark.parametrize(
    "cls",
    [
        "Sector",
        "Bureau",
        "StudyGroup",
        "FocusGroup",
        "WorkingGroup",
        "Conference",
        "GoverningBody",
        "AdvisoryGroup",
        "Board",
        "Secretariat",
    ],
)
def test_units_are_org_units(ontology_graph: Graph, cls: str) -> None:
    supers = set(ontology_graph.transitive_objects(ITU[cls], RDFS.subClassOf))
    assert ORG.OrganizationalUnit in supers


@pytest.mark.parametrize("cls", ["Event", "StudyQuestion", "Mandate", "Instrument", "Initiative"])
def test_non_organisations_are_disjoint_with_org_organization(ontology_graph: Graph, cls: str) -> None:
    groups = [
        set(Collection(ontology_graph, m))
        for d in ontology_graph.subjects(RDF.type, OWL.AllDisjointClasses)
        for m in ontology_graph.objects(d, OWL.members)
    ]
    assert any({ITU[cls], ORG.Organization} <= g for g in groups)


def test_ontology_with_sdg_kos_is_consistent() -> None:
    """The closure of the ontology, its imports and the UN KOS reports no inconsistency.

    The native engine is used here for speed; its agreement with owlrl on the whole graph,
    inconsistencies included, is proved in ``tests/reasoning``.
    """
    files = [*sorted(ONTOLOGY_DIR.rglob("*.ttl")), REPO / "graph" / "sdg" / KOS_NAME]
    closure = infer(load_triples(files))
    assert closure.inconsistencies == []


# --------------------------------------------------------------------------- imports


def test_sdg_ontology_copy_is_byte_identical() -> None:
    copy = (IMPORTS_DIR / "sdgs-ontology.ttl").read_bytes()
    if SDG_ONTOLOGY_SOURCE.is_file():  # the shared reference data sits beside a CI checkout
        assert copy == SDG_ONTOLOGY_SOURCE.read_bytes()
    assert hashlib.sha256(copy).hexdigest().startswith(SDG_ONTOLOGY_SHA256_PREFIX)


@pytest.mark.parametrize(
    "name,spec",
    [("org.ttl", "https://www.w3.org/TR/vocab-org/"), ("skos.ttl", "https://www.w3.org/TR/skos-reference/")],
)
def test_import_cites_its_specification(name: str, spec: str) -> None:
    text = (IMPORTS_DIR / name).read_text("utf-8")
    assert spec in text.split("@prefix", 1)[0], f"{name}'s header comment must cite {spec}"


@pytest.mark.parametrize(
    "name,namespace",
    [("org.ttl", "http://www.w3.org/ns/org#"), ("skos.ttl", "http://www.w3.org/2004/02/skos/core#")],
)
def test_import_only_describes_its_own_vocabulary(name: str, namespace: str) -> None:
    """An import file states axioms about its own terms only (no hijacking of other vocabularies)."""
    graph = Graph().parse(IMPORTS_DIR / name)
    foreign = {
        s
        for s in graph.subjects()
        if isinstance(s, URIRef)
        and not str(s).startswith(namespace)
        and (s, RDF.type, OWL.Ontology) not in graph
    }
    assert foreign == set()


# --------------------------------------------------------------------------- documentation files


def test_readme_documents_every_term(declared: set[URIRef]) -> None:
    """ontology/README.md's tables cover every declared term (regenerate them when adding one)."""
    readme = (ONTOLOGY_DIR / "README.md").read_text("utf-8")
    missing = sorted(
        f"itu:{str(t)[len(ITU_NS) :]}" for t in declared if f"`itu:{str(t)[len(ITU_NS) :]}`" not in readme
    )
    assert not missing, f"not in ontology/README.md: {missing}"


def test_readme_lists_every_query() -> None:
    """Both READMEs name every query file of the catalogue."""
    ontology_readme = (ONTOLOGY_DIR / "README.md").read_text("utf-8")
    queries_readme = (REPO / "queries" / "README.md").read_text("utf-8")
    for path in sorted((REPO / "queries").glob("*.rq")):
        assert path.name in queries_readme, f"queries/README.md does not list {path.name}"
        assert path.name in ontology_readme, f"ontology/README.md does not list {path.name}"
