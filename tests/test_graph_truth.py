"""Statements a careful reader found wrong in the graph (issue 12), each pinned so it cannot return.

Every test checks the built, inferred ITU graph (what the endpoint serves) and, where the
finding was about provenance, the source records. The rules the tests stand for are in
graph/README.md ("Rules every change to graph/ follows").
"""

from __future__ import annotations

import re

import pytest

from itugraph.namespaces import ITUID
from itugraph.store import OxigraphStore

ID = ITUID
ITU = "https://w3id.org/itugraph/def/itu#"
DCT = "http://purl.org/dc/terms/"
SDG = "http://metadata.un.org/sdg/"
PREFIXES = f"""PREFIX itu: <{ITU}>
PREFIX dcterms: <{DCT}>
PREFIX sg: <{ID}study-group/>
PREFIX q: <{ID}question/>
PREFIX line: <{ID}wsis-action-line/>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <https://schema.org/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
"""


def _expand(text: str) -> str:
    """``id:organization/itu`` → the full IRI (a prefixed name cannot hold a slash)."""
    return re.sub(r"\bid:([a-z-]+/[A-Za-z0-9.-]*[A-Za-z0-9])", rf"<{ID}\1>", text)


def ask(store: OxigraphStore, where: str) -> bool:
    outcome = store.query(_expand(PREFIXES + f"ASK {{ {where} }}"))
    assert outcome.boolean is not None
    return outcome.boolean


def values(store: OxigraphStore, select: str) -> set[str]:
    outcome = store.query(_expand(PREFIXES + select))
    return {row[0].value for row in outcome.rows if row[0] is not None}  # type: ignore[union-attr]


# --- WSIS roles -------------------------------------------------------------------------------


def test_itu_is_co_facilitator_of_c4_not_lead(itu_store: OxigraphStore) -> None:
    """ITU's own WSIS pages say co-facilitator; only copies of 2014/2017 documents say lead."""
    assert ask(itu_store, "id:organization/itu itu:coFacilitatorOf line:C4")
    assert not ask(itu_store, "id:organization/itu itu:leadFacilitatorOf line:C4")
    # ...and the lead claim is kept, with its sources, not deleted.
    assert ask(
        itu_store,
        """?r a itu:FacilitationRole ; itu:roleHolder id:organization/itu ;
        itu:roleActionLine line:C4 ; itu:roleType itu:leadFacilitatorRole ; dcterms:source ?s .
        FILTER NOT EXISTS { ?r itu:prevails true }""",
    )


@pytest.mark.parametrize("code", ["C8", "C9"])
def test_itu_is_partner_of_c8_and_c9_not_co_facilitator(itu_store: OxigraphStore, code: str) -> None:
    assert ask(itu_store, f"id:organization/itu itu:actionLinePartnerOf line:{code}")
    assert not ask(itu_store, f"id:organization/itu itu:facilitatorOf line:{code}")


def test_no_source_gives_itu_a_role_in_c10(itu_store: OxigraphStore) -> None:
    assert not ask(itu_store, "id:organization/itu itu:hasRoleInActionLine line:C10")
    assert not ask(itu_store, "?m itu:mandateOf id:organization/itu ; itu:addressesActionLine line:C10")
    assert not ask(itu_store, "id:mandate/itu-wsis itu:addressesActionLine line:C10")


def test_itu_keeps_its_facilitator_roles_of_c2_and_c5(itu_store: OxigraphStore) -> None:
    for code in ("C2", "C5"):
        assert ask(itu_store, f"id:organization/itu itu:facilitatorOf line:{code}"), code


def test_wtsa_does_not_confer_the_itu_t_mandate(itu_store: OxigraphStore) -> None:
    """The sources say WTSA reviews, establishes study groups and approves, not that it confers."""
    assert not ask(itu_store, "id:mandate/itu-t itu:conferredBy id:governing-body/wtsa")
    assert not ask(itu_store, "?m itu:conferredBy id:governing-body/wtsa")


# --- dates ------------------------------------------------------------------------------------


def test_gca_launch_year_is_itu_s_2007_with_the_profile_s_2008_kept(itu_store: OxigraphStore) -> None:
    gca = "id:strategic-framework/global-cybersecurity-agenda"
    assert values(itu_store, f"SELECT ?y WHERE {{ {gca} itu:launchYear ?y }}") == {"2007"}
    assert ask(itu_store, f'{gca} itu:launchDate "2007-05-17"^^xsd:date')
    claimed = values(
        itu_store,
        f"""SELECT ?y WHERE {{ {gca} itu:hasClaim ?c .
        ?c itu:claimProperty itu:launchYear ; itu:claimValue ?y }}""",
    )
    assert claimed == {"2007", "2008"}


# --- titles of the right study period ---------------------------------------------------------


def test_sg11_2022_2024_title_is_not_on_the_2025_2028_group(itu_store: OxigraphStore) -> None:
    old = "Signalling requirements, protocols, test specifications and combating counterfeit"
    assert not ask(
        itu_store,
        f"""sg:itu-t-sg11-2025-2028 dcterms:title ?t .
        FILTER (STRSTARTS(STR(?t), "{old}"))""",
    )
    assert ask(
        itu_store,
        f"""sg:itu-t-sg11-2022-2024 dcterms:title ?t .
        FILTER (STRSTARTS(STR(?t), "{old}"))""",
    )


def test_sg15_exists_in_2025_2028(itu_store: OxigraphStore) -> None:
    assert ask(
        itu_store,
        """sg:itu-t-sg15-2025-2028 a itu:StudyGroup ;
        itu:studyPeriod id:study-period/itu-t-2025-2028 ; dcterms:source ?s""",
    )


def test_itu_t_has_ten_study_groups_in_2025_2028_and_eleven_in_2022_2024(itu_store: OxigraphStore) -> None:
    def numbers(period: str) -> set[str]:
        return values(
            itu_store,
            f"""SELECT ?n WHERE {{ ?g a itu:StudyGroup ;
            itu:studyPeriod id:study-period/itu-t-{period} ; itu:studyGroupNumber ?n }}""",
        )

    assert numbers("2025-2028") == {"2", "3", "5", "11", "12", "13", "15", "17", "20", "21"}
    assert numbers("2022-2024") == {"2", "3", "5", "9", "11", "12", "13", "15", "16", "17", "20"}


def test_sg21_continues_sg16(itu_store: OxigraphStore) -> None:
    assert ask(itu_store, "sg:itu-t-sg21-2025-2028 itu:continues sg:itu-t-sg16-2022-2024")


@pytest.mark.parametrize(
    ("resource", "old_title"),
    [
        (
            "study-group/itu-d-sg1-2022-2025",
            "Enabling environment for the development of telecommunications/ICTs",
        ),
        ("question/itu-d-q6-2-2022-2025", "ICTs and the environment"),
    ],
)
def test_itu_d_2022_2025_resources_do_not_carry_earlier_wording(
    itu_store: OxigraphStore, resource: str, old_title: str
) -> None:
    assert not ask(itu_store, f'<{ID}{resource}> dcterms:title "{old_title}"@en')


def test_itu_d_q3_1_of_2022_2025_is_not_described_as_the_cloud_question(itu_store: OxigraphStore) -> None:
    """Q3/1 changed subject in 2022-2025 (disasters); the cloud wording is of 2018-2021.

    A comment may say so; the description, title and topic must not carry it.
    """
    assert not ask(
        itu_store,
        """q:itu-d-q3-1-2022-2025 dcterms:description|dcterms:title ?text .
        FILTER (CONTAINS(LCASE(STR(?text)), "cloud"))""",
    )
    assert not ask(itu_store, "q:itu-d-q3-1-2022-2025 dcterms:subject id:policy-topic/cloud-computing")


def test_itu_d_q7_1_of_2022_2025_does_not_carry_the_profile_s_earlier_description(
    itu_store: OxigraphStore,
) -> None:
    assert not ask(itu_store, "q:itu-d-q7-1-2022-2025 dcterms:description|dcterms:title ?text")
    assert not ask(
        itu_store,
        """q:itu-d-q7-1-2022-2025 dcterms:source ?s .
        FILTER (STRSTARTS(STR(?s), "https://w3id.org/itugraph/id/source/profile-"))""",
    )


def test_every_study_group_question_and_working_party_has_one_period(itu_store: OxigraphStore) -> None:
    assert not ask(
        itu_store,
        """VALUES ?class { itu:StudyGroup itu:StudyQuestion itu:WorkingParty }
        ?x a ?class . FILTER NOT EXISTS { ?x itu:studyPeriod ?p }""",
    )
    assert not ask(
        itu_store,
        """VALUES ?class { itu:StudyGroup itu:StudyQuestion itu:WorkingParty }
        ?x a ?class ; itu:studyPeriod ?a , ?b . FILTER (?a != ?b)""",
    )


def test_pp_resolution_175_title_is_not_the_profile_s_paraphrase(itu_store: OxigraphStore) -> None:
    paraphrase = "ICT accessibility for persons with disabilities and persons with specific needs"
    assert not ask(
        itu_store,
        f"""id:resolution/pp-175-rev-dubai-2018 dcterms:title ?t .
        FILTER (CONTAINS(STR(?t), "{paraphrase}"))""",
    )


def test_wrc_19_is_not_called_the_last_wrc(itu_store: OxigraphStore) -> None:
    """WRC-23 has been held; a comment may quote the profile's dated wording, the
    description must not repeat it as a fact."""
    assert not ask(
        itu_store,
        """id:conference-session/wrc-19
        dcterms:description|rdfs:label|skos:altLabel ?text .
        FILTER (CONTAINS(LCASE(STR(?text)), "last"))""",
    )
    assert ask(itu_store, "id:conference-session/wrc-23 a itu:ConferenceSession")


# --- SDG codes --------------------------------------------------------------------------------


def test_itu_custody_of_fixed_broadband_is_today_s_17_6_1(itu_store: OxigraphStore) -> None:
    """17.6.1 today is fixed broadband (KOS C170602); the KOS's own 17.6.1 was deleted in 2020."""
    assert ask(itu_store, f'<{SDG}C170602> skos:notation "17.6.1"^^itu:SDGCodeCurrent')
    assert ask(itu_store, f"<{SDG}C170601> itu:deletedInRevision ?r")
    assert ask(itu_store, f"id:organization/itu itu:custodianOf <{SDG}C170602>")
    assert not ask(itu_store, f"id:organization/itu itu:custodianOf <{SDG}C170601>")


# --- sources are records, not guesses ---------------------------------------------------------

PROXY = re.compile(r"scarabresearch|gy-118\.workers\.dev|40\.74\.122\.252|index\.cgi")


def test_no_source_address_points_at_a_proxy(itu_store: OxigraphStore) -> None:
    urls = values(itu_store, "SELECT ?u WHERE { ?s a itu:Source ; schema:url ?u }")
    pages = values(
        itu_store, "SELECT (STR(?p) AS ?u) WHERE { ?s a itu:Source ; <http://xmlns.com/foaf/0.1/page> ?p }"
    )
    assert not [u for u in urls | pages if PROXY.search(u)]
    # ...the proxies actually read are kept, as such.
    read = values(itu_store, "SELECT ?u WHERE { ?s itu:readAt ?u ; itu:authority itu:mirrorCopy }")
    assert any(PROXY.search(u) for u in read)


def test_every_reference_source_has_an_authority(itu_store: OxigraphStore) -> None:
    assert not ask(itu_store, "?s itu:sourceId ?id . FILTER NOT EXISTS { ?s itu:authority ?a }")


def test_focus_groups_hang_from_a_sourced_parent(itu_store: OxigraphStore) -> None:
    """The old link to sector:itu-t cited a profile section that does not say it."""
    rows = itu_store.query(
        PREFIXES
        + """SELECT ?fg ?parent WHERE {
        ?fg a itu:FocusGroup ; org:subOrganizationOf ?parent }"""
    ).rows
    assert rows
    for fg, parent in rows:
        assert parent is not None and fg is not None
        assert ask(itu_store, f"<{fg.value}> dcterms:source ?s . ?s itu:authority ?a"), fg


def test_no_direct_title_date_or_role_without_a_prevailing_claim(itu_store: OxigraphStore) -> None:
    """The precedence rule is the only way to a direct value (shape S52, on the served graph)."""
    assert not ask(
        itu_store,
        """?p itu:governedByClaims true .
        ?x ?p ?v .
        FILTER (STRSTARTS(STR(?x), "https://w3id.org/itugraph/id/"))
        FILTER NOT EXISTS { ?x a itu:Source }
        FILTER NOT EXISTS { ?x itu:hasClaim ?c . ?c itu:claimProperty ?p ; itu:claimValue ?v ;
                            itu:prevails true }
        FILTER NOT EXISTS { ?r itu:roleHolder ?x ; itu:roleActionLine ?v ; itu:prevails true ;
                            itu:roleType/itu:directProperty/rdfs:subPropertyOf* ?p }""",
    )
