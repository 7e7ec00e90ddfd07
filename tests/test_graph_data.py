"""Integrity of the ITU data in ``graph/``: parsing, labels, provenance, SDG IRIs, conflicts.

Each test states one rule of issue 4 as an anti-pattern query (schemaorg style): it fails
with the offending resources listed, so a data maintainer sees what to fix.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

from itugraph import namespaces as ns
from itugraph.namespaces import ITUID
from itugraph.store import OxigraphStore
from tests.helpers import REFERENCE_ENGINE

ROOT = Path(__file__).resolve().parent.parent
GRAPH_DIR = ROOT / "graph"
ONTOLOGY_DIR = ROOT / "ontology"
KOS = GRAPH_DIR / "sdg" / "sdg-kos-goals-targets-indicators.ttl"
#: The UN SDG KOS as copied from UNStats/LOD4Stats @ 0ae578b (PROVENANCE.md, source S01).
KOS_SHA256 = "cb6b5600333b3a4f6498f9817db1a41244dd6b5758c274c42c6240a20259503e"
SHARED_KOS = ROOT.parent / "shared" / "data" / "sdg" / KOS.name

ITU = Namespace(ns.ITU)
ID = ITUID
SRC = Namespace(ID + "source/")
SDG = "http://metadata.un.org/sdg/"
SDGO = Namespace(ns.SDGO)
ORG = Namespace(ns.ORG)
ITU_ORG = URIRef(ID + "organization/itu")
LINE = Namespace(ID + "wsis-action-line/")

#: The roots of provenance: the profile and the reference-data register cite no source.
PROVENANCE_ROOTS = {SRC["itu-profile"], SRC["reference-data"], SRC["source-research-2026"]}

DATA_FILES = sorted(p for p in GRAPH_DIR.rglob("*.ttl") if p != KOS)
YEAR_PROPERTIES = (
    "eventYear",
    "launchYear",
    "establishedYear",
    "adoptionYear",
    "activeFrom",
    "activeUntil",
    "targetYear",
    "referenceYear",
)


@cache
def data_graph() -> Graph:
    """Our own data (every ``graph/`` file but the UN KOS)."""
    graph = Graph()
    for path in DATA_FILES:
        graph.parse(path, format="turtle")
    return graph


@cache
def kos_graph() -> Graph:
    return Graph().parse(KOS, format="turtle")


@cache
def ontology_graph() -> Graph:
    graph = Graph()
    for path in sorted(ONTOLOGY_DIR.rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def _show(rows: Iterable[object]) -> str:
    return "\n  ".join(sorted(str(r) for r in rows))


def test_data_files_exist() -> None:
    assert len(DATA_FILES) >= 10, DATA_FILES


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_file_parses_and_has_source_header(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# "), f"{path.name}: must start with a # comment block"
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "Source" in header, f"{path.name}: the header comment must name its sources"
    assert len(Graph().parse(data=text, format="turtle")) > 0


@pytest.mark.parametrize("path", DATA_FILES, ids=lambda p: p.name)
def test_file_is_canonical(path: Path) -> None:
    """Each data file is in the form `itugraph fmt` writes (run it to fix a failure)."""
    fmt = pytest.importorskip("itugraph.fmt")
    assert fmt.canonical_text(path) == path.read_text(encoding="utf-8"), (
        f"{path.name} is not canonical: run `itugraph fmt`"
    )


def test_kos_copy_is_byte_identical() -> None:
    data = KOS.read_bytes()
    assert hashlib.sha256(data).hexdigest() == KOS_SHA256
    if SHARED_KOS.is_file():
        assert data == SHARED_KOS.read_bytes()


@pytest.mark.parametrize(("cls", "count"), [("Goal", 17), ("Target", 169), ("Indicator", 232)])
def test_kos_counts(cls: str, count: int) -> None:
    assert len(set(kos_graph().subjects(RDF.type, SDGO[cls]))) == count


#: What graph/ may say about the UN's SDG IRIs (graph/sdg-current-codes.ttl): today's code,
#: the revision that deleted an indicator, and the source of either. Nothing else.
SDG_ANNOTATIONS = {SKOS.notation, ITU.deletedInRevision, DCTERMS.source}


def test_no_sdg_iri_is_minted() -> None:
    """SDG IRIs are the UN's: we only annotate them (current codes, deletions), every one we
    annotate or cite exists in the KOS, and the only notations we add are current codes."""
    graph = data_graph()
    described = {(s, p) for s, p, _o in graph if str(s).startswith(SDG) and p not in SDG_ANNOTATIONS}
    assert not described, f"SDG IRIs described in graph/:\n  {_show(described)}"
    notations = {o for s, o in graph.subject_objects(SKOS.notation) if str(s).startswith(SDG)}
    assert all(getattr(o, "datatype", None) == ITU.SDGCodeCurrent for o in notations)
    unknown_subjects = {s for s, _p, _o in graph if str(s).startswith(SDG)} - set(kos_graph().subjects())
    assert not unknown_subjects, f"annotated SDG IRIs not in the UN KOS:\n  {_show(unknown_subjects)}"
    kos_subjects = set(kos_graph().subjects())
    cited = {o for o in data_graph().objects() if isinstance(o, URIRef) and str(o).startswith(SDG)}
    unknown = cited - kos_subjects
    assert not unknown, f"SDG IRIs not in the UN KOS:\n  {_show(unknown)}"


def test_typed_subjects_have_english_label_and_source() -> None:
    graph = data_graph()
    no_label, no_source = set(), set()
    for subject in set(graph.subjects(RDF.type, None)):
        if isinstance(subject, BNode):  # claims nested in their resource (graph/README.md)
            continue
        labels = list(graph.objects(subject, RDFS.label)) + list(graph.objects(subject, SKOS.prefLabel))
        if not any(isinstance(x, Literal) and x.language == "en" for x in labels):
            no_label.add(subject)
        if subject not in PROVENANCE_ROOTS and (subject, DCTERMS.source, None) not in graph:
            no_source.add(subject)
    assert not no_label, f"no rdfs:label/skos:prefLabel @en:\n  {_show(no_label)}"
    assert not no_source, f"no dcterms:source:\n  {_show(no_source)}"


def test_concepts_have_pref_label() -> None:
    graph = data_graph()
    missing = {
        s
        for cls in (ITU.PolicyTopic, ITU.WSISActionLine, SKOS.Concept, SKOS.ConceptScheme)
        for s in graph.subjects(RDF.type, cls)
        if (s, SKOS.prefLabel, None) not in graph
    }
    assert not missing, f"SKOS concepts without skos:prefLabel:\n  {_show(missing)}"


def test_every_source_is_a_source_resource() -> None:
    graph = data_graph()
    kinds = {ITU.Source, ITU.ProfileSection, ITU.ReferenceDataset}
    bad = {
        o for o in graph.objects(None, DCTERMS.source) if not any((o, RDF.type, k) in graph for k in kinds)
    }
    assert not bad, f"dcterms:source objects that are not source resources:\n  {_show(bad)}"


def test_profile_sections_are_part_of_the_profile() -> None:
    graph = data_graph()
    sections = set(graph.subjects(RDF.type, ITU.ProfileSection))
    assert len(sections) >= 20
    orphans = {s for s in sections if (s, DCTERMS.isPartOf, SRC["itu-profile"]) not in graph}
    assert not orphans, _show(orphans)


def test_no_dangling_references() -> None:
    """Every resource of ours that is pointed to is described (has a type) somewhere."""
    graph = data_graph()
    typed = set(graph.subjects(RDF.type, None))
    dangling = {o for s, p, o in graph if isinstance(o, URIRef) and str(o).startswith(ID) and o not in typed}
    assert not dangling, f"pointed to but never described:\n  {_show(dangling)}"


def test_itu_terms_are_declared_in_the_ontology() -> None:
    onto = ontology_graph()
    declared = {s for s in onto.subjects() if str(s).startswith(str(ITU))}
    used = {
        t for triple in data_graph() for t in triple if isinstance(t, URIRef) and str(t).startswith(str(ITU))
    }
    assert not used - declared, f"itu: terms not declared:\n  {_show(used - declared)}"


@pytest.mark.parametrize("name", YEAR_PROPERTIES)
def test_years_are_gyear(name: str) -> None:
    bad = {
        (s, o)
        for s, o in data_graph().subject_objects(ITU[name])
        if not (isinstance(o, Literal) and o.datatype == XSD.gYear)
    }
    assert not bad, _show(bad)


@pytest.mark.parametrize("name", ("startDate", "endDate"))
def test_dates_are_xsd_date(name: str) -> None:
    bad = {
        (s, o)
        for s, o in data_graph().subject_objects(ITU[name])
        if not (isinstance(o, Literal) and o.datatype == XSD.date)
    }
    assert not bad, _show(bad)


def test_itu_facts() -> None:
    graph = data_graph()
    # 194 since Palau acceded on 19 September 2024 (S458); the profile's 193 is an older figure.
    assert graph.value(ITU_ORG, ITU.memberStateCount) == Literal(194)
    assert graph.value(ITU_ORG, ITU.minOtherMemberCount) == Literal(900)
    assert (ITU_ORG, RDF.type, ORG.FormalOrganization) in graph
    assert str(graph.value(ITU_ORG, ITU.seat)).startswith("Place des Nations")


def _role_sources(line: str, role: str) -> set[str]:
    """The source ids of the ITU's role nodes of one type in one action line."""
    query = """
        SELECT ?src WHERE {
          ?r a itu:FacilitationRole ; itu:roleHolder ?itu ; itu:roleActionLine ?line ;
             itu:roleType ?type ; dcterms:source ?src .
        }"""
    rows = data_graph().query(
        query,
        initNs={"itu": ITU, "dcterms": DCTERMS},
        initBindings={"itu": ITU_ORG, "line": LINE[line], "type": ITU[role]},
    )
    return {str(row[0]).rsplit("/", 1)[-1] for row in rows}  # type: ignore[index]


@pytest.mark.parametrize(
    ("line", "claims"),
    [
        (
            "C4",
            {
                "leadFacilitatorRole": {"S12", "S20"},
                "coFacilitatorRole": {"S05", "profile-wsis-process"},
                "facilitatorRole": {"profile-gender-rights-online"},
            },
        ),
        ("C8", {"coFacilitatorRole": {"profile-wsis-process"}, "partnerRole": {"S05"}}),
        ("C9", {"coFacilitatorRole": {"profile-wsis-process"}, "partnerRole": {"S05"}}),
    ],
)
def test_conflicts_are_kept_with_both_sources(line: str, claims: dict[str, set[str]]) -> None:
    """Every role a source claims stays a role node with that source, whichever prevails."""
    for role, sources in claims.items():
        assert sources <= _role_sources(line, role), (line, role)


def test_no_direct_role_is_asserted() -> None:
    """Direct roles come only from the precedence rule (graph/README.md), never from a file."""
    graph = data_graph()
    for prop in (
        ITU.leadFacilitatorOf,
        ITU.coFacilitatorOf,
        ITU.facilitatorOf,
        ITU.actionLinePartnerOf,
        ITU.hasLeadFacilitator,
        ITU.hasCoFacilitator,
        ITU.hasFacilitator,
        ITU.hasActionLinePartner,
    ):
        assert not list(graph.triples((None, prop, None))), prop


def test_itu_roles_after_the_precedence_rule(itu_store: OxigraphStore) -> None:
    """What ITU's own sources say prevails: facilitator (lead) of C2, C5, C6; co-facilitator
    of C1, C3, C4, C7, C11; partner of C8, C9; facilitator of C7 e-environment; no C10."""

    def lines(prop: str) -> set[str]:
        rows = itu_store.query(f"SELECT ?l WHERE {{ <{ITU_ORG}> <{ITU[prop]}> ?l }}").rows
        return {row[0].value.rsplit("/", 1)[-1] for row in rows if row[0] is not None}

    assert lines("leadFacilitatorOf") == {"C2", "C5", "C6"}
    assert lines("coFacilitatorOf") == {"C1", "C3", "C4", "C7", "C11"}
    assert lines("actionLinePartnerOf") == {"C8", "C9"}
    assert lines("facilitatorOf") == {"C1", "C2", "C3", "C4", "C5", "C6", "C7", "C11", "C7-e-environment"}


def test_action_lines() -> None:
    graph = data_graph()
    lines = set(graph.subjects(RDF.type, ITU.WSISActionLine))
    assert len(lines) == 19
    subs = set(graph.subjects(SKOS.broader, LINE.C7))
    assert len(subs) == 8


def test_itu_custodian_indicators() -> None:
    custodian = {str(o)[len(SDG) :] for o in data_graph().objects(ITU_ORG, ITU.custodianOf)}
    from_kos = {str(s)[len(SDG) :] for s in kos_graph().subjects(SDGO.custodianAgency, Literal("ITU"))}
    assert custodian == from_kos == {"C040401", "C050b01", "C090c01", "C170602", "C170801"}


def test_every_unit_reaches_itu() -> None:
    """Every org:OrganizationalUnit has an org:unitOf/org:subOrganizationOf path to the ITU.

    The classes come from the ontology (rdfs:subClassOf*), the structure from the data plus
    W3C ORG's axiom org:unitOf ⊑ org:subOrganizationOf (so both links are followed).
    """
    graph = data_graph() + ontology_graph()
    query = """
        SELECT DISTINCT ?unit WHERE {
          ?unit a/rdfs:subClassOf* org:OrganizationalUnit .
          FILTER NOT EXISTS { ?unit (org:unitOf|org:subOrganizationOf)+ ?itu }
        }"""
    rows = graph.query(query, initNs={"org": ORG, "rdfs": RDFS}, initBindings={"itu": ITU_ORG})
    orphans = {row[0] for row in rows}  # type: ignore[index]
    assert not orphans, f"units without a path to the ITU:\n  {_show(orphans)}"
    units = set(
        graph.query(
            "SELECT ?u WHERE { ?u a/rdfs:subClassOf* org:OrganizationalUnit }",
            initNs={"org": ORG, "rdfs": RDFS},
        )
    )
    assert len(units) >= 40


def test_org_unit_of_points_to_a_formal_organization() -> None:
    """ORG gives org:unitOf the range org:FormalOrganization: only the ITU may be its object."""
    bad = {(s, o) for s, o in data_graph().subject_objects(ORG.unitOf) if o != ITU_ORG}
    assert not bad, _show(bad)


@pytest.mark.slow
@REFERENCE_ENGINE
def test_owl_rl_closure_is_consistent() -> None:
    """The OWL 2 RL closure (owlrl) of ontology + data reports no inconsistency."""
    owlrl = pytest.importorskip("owlrl")
    graph = ontology_graph() + data_graph() + kos_graph()
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    errors = Namespace("http://www.daml.org/2002/03/agents/agent-ont#")
    messages = set(graph.objects(None, errors.error))
    assert not messages, _show(messages)
    assert (
        URIRef(ID + "study-group/itu-t-sg17-2025-2028"),
        ORG.transitiveSubOrganizationOf,
        ITU_ORG,
    ) in graph
    assert (ITU_ORG, ITU.contributesToSDG, URIRef(SDG + "17")) in graph
