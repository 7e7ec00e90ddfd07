"""Each derived link of the ontology, proved on a small fixture, named after its OWL 2 RL rule.

The rules are those of W3C OWL 2 Profiles, section 4.3 (tables 4-9); each test writes its
rule out in the docstring (as RDFLib/OWL-RL's own tests do), so a failure says which
inference broke and why it should have held. Every test runs against the whole of
``ontology/`` (itu.ttl plus the ORG/SKOS/SDG imports) and a few data triples, on each
engine:

* ``owlrl`` — ``owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(g)``, the reference;
* ``native`` — the project's engine, ``itugraph.reasoning.infer(triples, engine="native")``,
  when that module is importable.

Negative tests prove the links the ontology deliberately does NOT make (ontology/README.md).
"""

from __future__ import annotations

import functools
from pathlib import Path

import owlrl
import pyoxigraph as ox
import pytest
from rdflib import Graph, URIRef

from tests.helpers import REFERENCE_ENGINE

REPO = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = REPO / "ontology"
OWLRL_ERROR = URIRef("http://www.daml.org/2002/03/agents/agent-ont#error")

PREFIXES = """
@prefix itu: <https://w3id.org/itugraph/def/itu#> .
@prefix orgn: <https://w3id.org/itugraph/id/organization/> .
@prefix sector: <https://w3id.org/itugraph/id/sector/> .
@prefix sg: <https://w3id.org/itugraph/id/study-group/> .
@prefix al: <https://w3id.org/itugraph/id/wsis-action-line/> .
@prefix topic: <https://w3id.org/itugraph/id/policy-topic/> .
@prefix ev: <https://w3id.org/itugraph/id/event/> .
@prefix ini: <https://w3id.org/itugraph/id/initiative/> .
@prefix role: <https://w3id.org/itugraph/id/wsis-role/> .
@prefix gb: <https://w3id.org/itugraph/id/governing-body/> .
@prefix sess: <https://w3id.org/itugraph/id/conference-session/> .
@prefix q: <https://w3id.org/itugraph/id/question/> .
@prefix org: <http://www.w3.org/ns/org#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix sdg: <http://metadata.un.org/sdg/> .
@prefix sdgo: <http://metadata.un.org/sdg/ontology#> .
@prefix foaf: <http://xmlns.com/foaf/0.1/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
"""
ASK_PREFIXES = "\n".join(
    f"PREFIX {line.split()[1]} {line.split()[2]}" for line in PREFIXES.strip().splitlines()
)


def _native_available() -> bool:
    try:
        from itugraph.reasoning import infer  # noqa: F401
    except ImportError:
        return False
    return True


ENGINES = ["owlrl", *(["native"] if _native_available() else [])]


@functools.cache
def ontology_ntriples() -> str:
    """The whole ontology folder as N-Triples, parsed once per session."""
    graph = Graph()
    for path in sorted(ONTOLOGY_DIR.rglob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph.serialize(format="nt")


class Closed:
    """A fixture graph after inference, with the inconsistencies the engine reported."""

    def __init__(self, graph: Graph, errors: list[str]) -> None:
        self.graph = graph
        self.errors = errors

    def holds(self, pattern: str) -> bool:
        """Whether the (prefixed, Turtle-like) basic graph pattern holds in the closure."""
        return bool(self.graph.query(f"{ASK_PREFIXES}\nASK {{ {pattern} }}").askAnswer)


def close(data: str, engine: str) -> Closed:
    """Ontology + ``data`` (Turtle, using PREFIXES) closed under OWL 2 RL by ``engine``."""
    graph = Graph().parse(data=ontology_ntriples(), format="nt")
    graph.parse(data=PREFIXES + data, format="turtle")
    if engine == "owlrl":
        owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
        return Closed(graph, [str(o) for o in graph.objects(None, OWLRL_ERROR)])
    from itugraph.reasoning import infer

    triples = [
        (q.subject, q.predicate, q.object)
        for q in ox.parse(graph.serialize(format="nt").encode(), format=ox.RdfFormat.N_TRIPLES)
    ]
    closure = infer(triples, engine="native")  # type: ignore[arg-type]
    inferred = "".join(f"{s} {p} {o} .\n" for s, p, o in closure.inferred)
    graph.parse(data=inferred, format="nt")
    return Closed(graph, [f"[{i.rule}] {i.message}" for i in closure.inconsistencies])


@pytest.fixture(params=[pytest.param(e, marks=REFERENCE_ENGINE) if e == "owlrl" else e for e in ENGINES])
def engine(request: pytest.FixtureRequest) -> str:
    return str(request.param)


UNITS = """
orgn:itu a org:FormalOrganization .
sector:itu-t a itu:Sector ; org:unitOf orgn:itu .
sg:itu-t-sg17 a itu:StudyGroup ; org:subOrganizationOf sector:itu-t .
"""


# --------------------------------------------------------------------------- (b) structure


def test_prp_inv1_unit_of_gives_has_unit(engine: str) -> None:
    """prp-inv1: T(?p1, owl:inverseOf, ?p2), T(?x, ?p1, ?y) ⇒ T(?y, ?p2, ?x).

    ORG: org:unitOf owl:inverseOf org:hasUnit, so ITU has the sector as a unit.
    """
    closed = close(UNITS, engine)
    assert closed.holds("orgn:itu org:hasUnit sector:itu-t")
    assert closed.errors == []


def test_prp_inv2_has_sub_organization_from_sub_organization_of(engine: str) -> None:
    """prp-inv2: T(?p1, owl:inverseOf, ?p2), T(?x, ?p2, ?y) ⇒ T(?y, ?p1, ?x).

    ORG declares org:hasSubOrganization owl:inverseOf org:subOrganizationOf (and the
    converse), so the sector has the study group as a sub-organisation.
    """
    closed = close(UNITS, engine)
    assert closed.holds("sector:itu-t org:hasSubOrganization sg:itu-t-sg17")


def test_prp_spo1_unit_of_is_sub_organization_of(engine: str) -> None:
    """prp-spo1: T(?p1, rdfs:subPropertyOf, ?p2), T(?x, ?p1, ?y) ⇒ T(?x, ?p2, ?y).

    ORG: org:unitOf ⊑ org:subOrganizationOf; with prp-inv1, ITU org:hasSubOrganization
    the sector (issue 3's "ITU org:hasSubOrganization each sector").
    """
    closed = close(UNITS, engine)
    assert closed.holds("sector:itu-t org:subOrganizationOf orgn:itu")
    assert closed.holds("orgn:itu org:hasSubOrganization sector:itu-t")


def test_prp_trp_study_group_is_transitively_part_of_itu(engine: str) -> None:
    """prp-trp: T(?p, rdf:type, owl:TransitiveProperty), T(?x, ?p, ?y), T(?y, ?p, ?z) ⇒ T(?x, ?p, ?z).

    org:subOrganizationOf ⊑ org:transitiveSubOrganizationOf (prp-spo1), which is
    transitive: a study group of a sector is a transitive sub-organisation of ITU.
    """
    closed = close(UNITS, engine)
    assert closed.holds("sg:itu-t-sg17 org:transitiveSubOrganizationOf orgn:itu")
    assert not closed.holds("sg:itu-t-sg17 org:subOrganizationOf orgn:itu")


def test_prp_trp_skos_broader_transitive(engine: str) -> None:
    """prp-trp on skos:broaderTransitive (SKOS S22, S24): indicator → target → goal."""
    closed = close("sdg:C090c01 skos:broader sdg:9.c . sdg:9.c skos:broader sdg:9 .", engine)
    assert closed.holds("sdg:C090c01 skos:broaderTransitive sdg:9")
    assert closed.holds("sdg:9 skos:narrowerTransitive sdg:C090c01")


def test_cax_sco_study_group_is_an_organisation(engine: str) -> None:
    """cax-sco: T(?c1, rdfs:subClassOf, ?c2), T(?x, rdf:type, ?c1) ⇒ T(?x, rdf:type, ?c2).

    itu:StudyGroup ⊑ org:OrganizationalUnit ⊑ org:Organization ⊑ foaf:Agent.
    """
    closed = close(UNITS, engine)
    for cls in ("org:OrganizationalUnit", "org:Organization", "foaf:Agent"):
        assert closed.holds(f"sg:itu-t-sg17 a {cls}")


def test_cax_sco_conference_is_a_governing_body_unit(engine: str) -> None:
    """cax-sco: itu:Conference ⊑ itu:GoverningBody ⊑ org:OrganizationalUnit (decision 5)."""
    closed = close("gb:wrc a itu:Conference .", engine)
    assert closed.holds("gb:wrc a itu:GoverningBody , org:OrganizationalUnit")


def test_cax_sco_action_line_is_a_skos_concept(engine: str) -> None:
    """cax-sco: itu:WSISActionLine ⊑ skos:Concept; itu:PolicyTopic ⊑ skos:Concept."""
    closed = close("al:C5 a itu:WSISActionLine . topic:cybersecurity a itu:PolicyTopic .", engine)
    assert closed.holds("al:C5 a skos:Concept")
    assert closed.holds("topic:cybersecurity a skos:Concept")


def test_prp_rng_unit_of_a_sector_is_inconsistent(engine: str) -> None:
    """prp-rng then cax-dw: a study group org:unitOf a sector is reported, not absorbed.

    prp-rng: T(?p, rdfs:range, ?c), T(?x, ?p, ?y) ⇒ T(?y, rdf:type, ?c) makes the sector an
    org:FormalOrganization (ORG's range of org:unitOf); cax-dw: T(?c1, owl:disjointWith,
    ?c2), T(?x, rdf:type, ?c1), T(?x, rdf:type, ?c2) ⇒ false, since itu:Sector is disjoint
    with org:FormalOrganization (decision 4).
    """
    closed = close(UNITS + "sg:itu-t-sg13 a itu:StudyGroup ; org:unitOf sector:itu-t .", engine)
    assert closed.errors, "org:unitOf a sector should be an inconsistency"


# --------------------------------------------------------------------------- (a) SDG chain


def test_prp_spo2_contribution_to_target_reaches_goal(engine: str) -> None:
    """prp-spo2: T(?p, owl:propertyChainAxiom, ?x), LIST[?x, ?p1, …, ?pn],
    T(?u1, ?p1, ?u2), …, T(?un, ?pn, ?un+1) ⇒ T(?u1, ?p, ?un+1).

    itu:contributesToSDG ∘ skos:broader ⊑ itu:contributesToSDG: ITU's contribution to
    target 9.c is a contribution to Goal 9 (issue 3, derived link (a)).
    """
    closed = close("orgn:itu itu:contributesToSDG sdg:9.c . sdg:9.c skos:broader sdg:9 .", engine)
    assert closed.holds("orgn:itu itu:contributesToSDG sdg:9")
    assert closed.holds("sdg:9 itu:sdgContributor orgn:itu")


def test_prp_spo2_custodian_of_indicator_reaches_target_and_goal(engine: str) -> None:
    """prp-spo1 then prp-spo2 (twice), through the UN SDG ontology's own axioms.

    itu:custodianOf ⊑ itu:contributesToSDG (prp-spo1); the KOS links indicator → target
    with sdgo:isIndicatorOf and target → goal with sdgo:isTargetOf, both ⊑ skos:broader
    in sdgs-ontology.ttl (prp-spo1); the chain then climbs twice (prp-spo2).
    """
    closed = close(
        "orgn:itu itu:custodianOf sdg:C090c01 . "
        "sdg:C090c01 sdgo:isIndicatorOf sdg:9.c . sdg:9.c sdgo:isTargetOf sdg:9 .",
        engine,
    )
    assert closed.holds("orgn:itu itu:contributesToSDG sdg:C090c01")
    assert closed.holds("orgn:itu itu:contributesToSDG sdg:9.c")
    assert closed.holds("orgn:itu itu:contributesToSDG sdg:9")
    assert closed.holds("sdg:C090c01 itu:hasCustodian orgn:itu")


def test_prp_spo2_chain_does_not_descend(engine: str) -> None:
    """Deliberately not made: contributing to a goal is not contributing to each of its targets."""
    closed = close("orgn:itu itu:contributesToSDG sdg:9 . sdg:9.c skos:broader sdg:9 .", engine)
    assert not closed.holds("orgn:itu itu:contributesToSDG sdg:9.c")


def test_prp_spo2_action_line_sdg_link_is_ready(engine: str) -> None:
    """The WSIS-SDG matrix is modelled but empty: an action line's link would climb too."""
    closed = close("al:C2 itu:contributesToSDG sdg:9.c . sdg:9.c skos:broader sdg:9 .", engine)
    assert closed.holds("al:C2 itu:contributesToSDG sdg:9")


# --------------------------------------------------------------------------- (c) facilitation


def test_prp_spo1_lead_facilitator_is_facilitator(engine: str) -> None:
    """prp-spo1: itu:leadFacilitatorOf ⊑ itu:facilitatorOf ⊑ itu:hasRoleInActionLine."""
    closed = close("orgn:itu itu:leadFacilitatorOf al:C5 .", engine)
    assert closed.holds("orgn:itu itu:facilitatorOf al:C5")
    assert closed.holds("orgn:itu itu:hasRoleInActionLine al:C5")


def test_prp_inv1_co_facilitator_inverse_and_lifted(engine: str) -> None:
    """prp-inv1 then prp-spo1: the action line has ITU as co-facilitator and as facilitator."""
    closed = close("orgn:itu itu:coFacilitatorOf al:C1 .", engine)
    assert closed.holds("al:C1 itu:hasCoFacilitator orgn:itu")
    assert closed.holds("al:C1 itu:hasFacilitator orgn:itu")
    assert closed.holds("orgn:itu itu:facilitatorOf al:C1")


def test_prp_spo1_partner_is_not_lifted_to_facilitator(engine: str) -> None:
    """Deliberately not made: a 'partner' of C8 (S05) is not a facilitator of C8."""
    closed = close("orgn:itu itu:actionLinePartnerOf al:C8 .", engine)
    assert closed.holds("orgn:itu itu:hasRoleInActionLine al:C8")
    assert closed.holds("al:C8 itu:hasActionLinePartner orgn:itu")
    assert not closed.holds("orgn:itu itu:facilitatorOf al:C8")


def test_conflicting_roles_are_both_kept(engine: str) -> None:
    """Two sources, two roles for ITU in C4: both nodes survive closure, no inconsistency."""
    closed = close(
        """
        role:itu-c4-s12 a itu:FacilitationRole ; itu:roleHolder orgn:itu ;
            itu:roleActionLine al:C4 ; itu:roleType itu:leadFacilitatorRole .
        role:itu-c4-s05 a itu:FacilitationRole ; itu:roleHolder orgn:itu ;
            itu:roleActionLine al:C4 ; itu:roleType itu:coFacilitatorRole .
        """,
        engine,
    )
    assert closed.errors == []
    assert closed.holds("orgn:itu itu:holdsRole role:itu-c4-s12 , role:itu-c4-s05")
    assert closed.holds("al:C4 a itu:WSISActionLine")


# --------------------------------------------------------------------------- labels, partners


def test_prp_spo1_pref_label_is_rdfs_label(engine: str) -> None:
    """prp-spo1 on SKOS S11: skos:prefLabel and skos:altLabel ⊑ rdfs:label."""
    closed = close(
        'sector:itu-t skos:prefLabel "ITU Telecommunication Standardization '
        'Sector"@en ; skos:altLabel "ITU-T"@en .',
        engine,
    )
    assert closed.holds('sector:itu-t rdfs:label "ITU-T"@en')
    assert closed.holds('sector:itu-t rdfs:label "ITU Telecommunication Standardization Sector"@en')


def test_prp_spo1_co_organizer_is_organizer(engine: str) -> None:
    """prp-spo1 and prp-inv1: a co-organiser of the WSIS Forum organises it."""
    closed = close("ev:wsis-forum itu:coOrganizer orgn:unesco .", engine)
    assert closed.holds("ev:wsis-forum itu:organizer orgn:unesco")
    assert closed.holds("orgn:unesco itu:organizes ev:wsis-forum")


def test_prp_inv1_partner_in(engine: str) -> None:
    """prp-inv1 and prp-spo1: hasPartner ⇒ partnerIn ⇒ involvedIn."""
    closed = close("ini:equals itu:hasPartner orgn:un-women .", engine)
    assert closed.holds("orgn:un-women itu:partnerIn ini:equals")
    assert closed.holds("orgn:un-women itu:involvedIn ini:equals")


def test_cax_adc_event_is_not_an_organisation(engine: str) -> None:
    """cax-adc: T(?x, rdf:type, owl:AllDisjointClasses), T(?x, owl:members, ?y),
    LIST[?y, ?c1, …, ?cn], T(?z, rdf:type, ?ci), T(?z, rdf:type, ?cj) (i ≠ j) ⇒ false.

    A conference session typed as an organisation is reported (decision 5).
    """
    closed = close("sess:wrc-19 a itu:ConferenceSession , org:Organization .", engine)
    assert closed.errors


def test_cax_adc_question_is_not_a_unit(engine: str) -> None:
    """cax-adc: an itu:StudyQuestion that is also a study group is reported."""
    closed = close("q:itu-d-q1-1 a itu:StudyQuestion , itu:StudyGroup .", engine)
    assert closed.errors
