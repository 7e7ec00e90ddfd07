"""The named queries of ``queries/`` give the right answers over the real, inferred ITU graph.

Each query answers a competency question (issue 4's twelve, then the ontology's own); each
test asserts specific rows the sources imply, not just "some rows". The graph is built the
way the server builds it (``itugraph.build.build``: ontology + imports + ``graph/``, closed
by the native OWL 2 RL engine), and each query runs with its header's default parameters,
bound through the catalogue exactly as ``/api/queries`` binds them. Many answers need the
reasoner (transitive structure, the SDG property chain, inverses, sub-properties), so
these tests also prove the derived links on real data.

A meta-test checks that every ``queries/*.rq`` has a parseable header, that its declared
``returns`` are the variables it returns, and that this module tests it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from itugraph.build import build
from itugraph.catalogue import NamedQuery, load_catalogue
from itugraph.namespaces import ITUID
from itugraph.project import Project
from itugraph.store import OxigraphStore

REPO = Path(__file__).resolve().parent.parent
QUERIES = REPO / "queries"
ID = ITUID
SDG = "http://metadata.un.org/sdg/"
ITU = ID + "organization/itu"
ITU_DEF = "https://w3id.org/itugraph/def/itu#"

Row = dict[str, str]


@pytest.fixture(scope="module")
def store() -> Iterator[OxigraphStore]:
    """The built ITU dataset (cached by input hash, so later runs reuse it)."""
    built = build(Project.at(REPO), validate=False)
    yield built.open_store()


@pytest.fixture(scope="module")
def catalogue() -> dict[str, NamedQuery]:
    return load_catalogue(QUERIES)


@pytest.fixture(scope="module")
def run(store: OxigraphStore, catalogue: dict[str, NamedQuery]):  # type: ignore[no-untyped-def]
    """``run(name, **params)``: the rows of a named query as ``{variable: lexical value}``."""

    def _run(query_name: str, /, **params: str) -> list[Row]:
        named = catalogue[query_name]
        outcome = store.query(named.text, substitutions=named.bindings(params))
        return [
            {var: term.value for var, term in zip(outcome.variables, row, strict=True) if term is not None}
            for row in outcome.rows
        ]

    return _run


def column(rows: list[Row], name: str) -> list[str]:
    return [row[name] for row in rows if name in row]


def local(iri: str) -> str:
    """``…/id/sector/itu-t`` → ``sector/itu-t`` (readable assertion messages)."""
    return iri.removeprefix(ID)


# --------------------------------------------------------------------------- issue 4, CQ 1-12


def test_01_itu_action_line_roles(run) -> None:  # type: ignore[no-untyped-def]
    """CQ1: ITU's roles, each claim with its sources, and which prevail (ITU's own pages)."""
    rows = run("01-itu-action-line-roles")
    prevailing: dict[str, set[str]] = {}
    claimed: dict[str, set[str]] = {}
    for row in rows:
        claimed.setdefault(row["role"], set()).add(row["code"])
        if row["prevails"] == "true":
            prevailing.setdefault(row["role"], set()).add(row["code"])
        assert row["sources"], f"{row['code']} {row['role']} has no source"
    assert prevailing["lead facilitator"] == {"C2", "C5", "C6"}
    assert prevailing["co-facilitator"] == {"C1", "C3", "C4", "C7", "C11"}
    assert prevailing["partner"] == {"C8", "C9"}
    # The claims that lost are still there, with their sources.
    assert {"C4"} <= claimed["lead facilitator"] and {"C8", "C9"} <= claimed["co-facilitator"]
    c4_lead = next(r for r in rows if r["code"] == "C4" and r["role"] == "lead facilitator")
    assert ID + "source/S12" in c4_lead["sources"].split() and c4_lead["prevails"] == "false"
    assert not [r for r in rows if r["code"] == "C10"]


def test_02_itu_units_at_any_depth(run) -> None:  # type: ignore[no-untyped-def]
    """CQ2: every unit reaches ITU through the transitive closure, with its direct parent."""
    rows = run("02-itu-units-at-any-depth")
    edges = {(local(r["unit"]), r["kind"], local(r["parent"])) for r in rows}
    for expected in [
        ("sector/itu-t", "sector", "organization/itu"),
        ("sector/itu-r", "sector", "organization/itu"),
        ("sector/itu-d", "sector", "organization/itu"),
        ("secretariat/general-secretariat", "secretariat", "organization/itu"),
        ("bureau/tsb", "bureau", "organization/itu"),
        ("governing-body/wtsa", "conference", "organization/itu"),
        ("governing-body/council", "governing body", "organization/itu"),
        ("study-group/itu-t-sg17-2025-2028", "study group", "sector/itu-t"),
        ("study-group/itu-d-sg1-2022-2025", "study group", "sector/itu-d"),
        ("study-group/itu-r-sg4-2024-2027", "study group", "sector/itu-r"),
        ("working-party/itu-t-wp1-13-2025-2028", "working party", "study-group/itu-t-sg13-2025-2028"),
        ("working-group/council-wg-child-online-protection", "working group", "governing-body/council"),
    ]:
        assert expected in edges
    units = {local(r["unit"]) for r in rows}
    # One resource per study group and period: ITU-T 11 (2022-2024) + 10 (2025-2028),
    # ITU-R 6 (2024-2027), ITU-D 2 (2022-2025) + 2 (2026-2029).
    assert len([u for u in units if u.startswith("study-group/")]) == 31
    assert "organization/itu" not in units
    assert all(r["label"] for r in rows), "every unit has an English name"


def test_03_study_group_questions(run) -> None:  # type: ignore[no-untyped-def]
    """CQ3: ITU-D Study Group 1's Questions 1/1 to 7/1 of 2022-2025, with their titles of
    that period where found (7/1: none found, so none given)."""
    rows = run("03-study-group-questions")
    assert column(rows, "number") == ["1/1", "2/1", "3/1", "4/1", "5/1", "6/1", "7/1"]
    titles = dict(zip(column(rows, "number"), (r.get("title") for r in rows), strict=True))
    assert titles["1/1"] == "Strategies and policies for the deployment of broadband in developing countries"
    assert titles["5/1"] == "Telecommunications/ICTs for rural and remote areas"
    assert titles["3/1"] == "The use of Telecommunications/ICTs for disaster response and recovery"
    assert titles["7/1"] is None


def test_03_other_study_group(run) -> None:  # type: ignore[no-untyped-def]
    """The parameter works: ITU-T SG3's 2025-2028 Questions (shared/data, S36)."""
    rows = run("03-study-group-questions", studyGroup=ID + "study-group/itu-t-sg3-2025-2028")
    assert set(column(rows, "number")) >= {"1/3", "3/3", "6/3", "12/3"}


def test_04_initiatives_addressing_c5(run) -> None:  # type: ignore[no-untyped-def]
    """CQ4: initiatives on C5 and their partners (the cybersecurity MoU partners)."""
    rows = run("04-initiatives-addressing-action-line")
    by_initiative = {local(r["initiative"]): r.get("partners", "") for r in rows}
    assert {"programme/cybersecurity", "initiative/child-online-protection"} <= set(by_initiative)
    partners = set(by_initiative["programme/cybersecurity"].split("; "))
    assert {"UNODC", "World Bank", "Interpol", "World Economic Forum"} <= partners


def test_05_itu_sdg_targets_by_goal(run) -> None:  # type: ignore[no-untyped-def]
    """CQ5: targets served directly (9.c) or as custodian of an indicator, by goal."""
    rows = run("05-itu-sdg-targets-by-goal")
    found = {(r["goalCode"], r["targetCode"], r.get("custodianOf", "")) for r in rows}
    assert found == {
        ("4", "4.4", "4.4.1"),
        ("5", "5.b", "5.b.1"),
        ("9", "9.c", "9.c.1"),
        ("17", "17.6", "17.6.1"),
        ("17", "17.8", "17.8.1"),
    }
    assert column(rows, "goalCode") == ["4", "5", "9", "17", "17"], "grouped, in goal order"
    assert rows[2]["goalTitle"] == "Industry, innovation and infrastructure"


def test_06_cybersecurity_work_and_sdgs(run) -> None:  # type: ignore[no-untyped-def]
    """CQ6: units and initiatives of the profile's network security (cybersecurity) section."""
    rows = run("06-topic-work-and-sdgs")
    things = {local(r["thing"]): r["kind"] for r in rows}
    assert things["programme/cybersecurity"] == "programme"
    assert things["study-group/itu-t-sg17-2025-2028"] == "study group"
    assert things["initiative/child-online-protection"] == "initiative"
    assert things["sector/itu-t"] == "sector"


def test_06_topic_with_sdg_goals(run) -> None:  # type: ignore[no-untyped-def]
    """CQ6's SDG column: U4SSC works on IoT/smart cities and contributes to SDG 11."""
    rows = run("06-topic-work-and-sdgs", topic=ID + "policy-topic/internet-of-things")
    sdgs = {local(r["thing"]): r.get("sdgGoals", "") for r in rows}
    assert any("11" in goals.split(", ") for goals in sdgs.values()), sdgs


def test_07_policy_topic_counts(run) -> None:  # type: ignore[no-untyped-def]
    """CQ7: all 21 topics of the profile, each with some work, counted without duplicates."""
    rows = run("07-policy-topic-counts")
    counts = {local(r["topic"]): (int(r["units"]), int(r["initiatives"])) for r in rows}
    assert len(counts) == 21
    assert all(units + initiatives >= 1 for units, initiatives in counts.values())
    assert counts["policy-topic/network-security"][0] >= 3
    assert counts["policy-topic/network-security"][1] >= 2
    assert counts["policy-topic/gender-rights-online"][1] >= 3


def test_08_mandate_legal_basis(run) -> None:  # type: ignore[no-untyped-def]
    """CQ8: WTSA Resolution 2 for the ITU-T study groups, the Radio Regulations for ITU-R."""
    rows = run("08-mandate-legal-basis")
    pairs = {(local(r["instrument"]), local(r.get("holder", ""))) for r in rows}
    assert ("resolution/wtsa-2", "study-group/itu-t-sg17-2025-2028") in pairs
    assert ("regulation/radio-regulations", "sector/itu-r") in pairs
    wtsa2 = {h for i, h in pairs if i == "resolution/wtsa-2"}
    assert all(h.startswith("study-group/itu-t-") for h in wtsa2) and len(wtsa2) >= 9


def test_09_itu_events(run) -> None:  # type: ignore[no-untyped-def]
    """CQ9: the events ITU organises (AI for Good, WSIS summits) or co-organises (WSIS Forum)."""
    rows = run("09-itu-events")
    events = {local(r["event"]): r for r in rows}
    assert events["event/wsis-forum"]["role"] == "co-organizer"
    assert events["event/ai-for-good-global-summit"]["role"] == "organizer"
    assert events["event/ai-for-good-global-summit"]["periodicity"] == "annual"
    assert events["event/wsis-2003"]["year"] == "2003"
    assert events["event/wsis-2005"]["year"] == "2005"
    assert "event/itu-telecom" in events


def test_10_repeat_partners(run) -> None:  # type: ignore[no-untyped-def]
    """CQ10: UN Women and GSMA partner with ITU in EQUALS and in another initiative."""
    rows = run("10-repeat-partners")
    partners = {local(r["partner"]): int(r["initiatives"]) for r in rows}
    assert {"organization/un-women", "organization/gsma"} <= set(partners)
    assert all(n > 1 for n in partners.values())
    assert ITU not in (r["partner"] for r in rows)


def test_11_source_of_resource(run) -> None:  # type: ignore[no-untyped-def]
    """CQ11: ITU's facts come from the profile's overview and the Wikidata sources."""
    rows = run("11-source-of-resource")
    sources = {local(r["source"]): r for r in rows}
    assert sources["source/profile-overview"]["partOf"] == ID + "source/itu-profile"
    assert "source/S100" in sources
    assert all(r["sourceLabel"] for r in rows)


def test_11_every_resource_has_a_source(store: OxigraphStore) -> None:
    """Issue 4: every resource of ours (…/id/…) with a type has a dcterms:source."""
    outcome = store.query(
        "SELECT DISTINCT ?x WHERE { ?x a ?t . FILTER(STRSTARTS(STR(?x), '" + ID + "')) "
        "FILTER NOT EXISTS { ?x <http://purl.org/dc/terms/source> ?s } "
        "FILTER(!STRSTARTS(STR(?x), '" + ID + "source/')) }"
    )
    assert [row[0].value for row in outcome.rows] == []


def test_12_sdg_goal_titles_fr_es(run) -> None:  # type: ignore[no-untyped-def]
    """CQ12: 17 goals in order with their French and Spanish titles from the UN KOS."""
    rows = run("12-sdg-goal-titles-fr-es")
    assert column(rows, "code") == [str(n) for n in range(1, 18)]
    goal9 = rows[8]
    assert goal9["goal"] == SDG + "9"
    assert goal9["fr"].startswith("Bâtir une infrastructure résiliente")
    assert goal9["es"].startswith("Construir infraestructuras resilientes")
    assert rows[0]["en"] == "End poverty in all its forms everywhere"


# --------------------------------------------------------------------------- ontology CQs


def test_13_wsis_role_conflicts(run) -> None:  # type: ignore[no-untyped-def]
    """C4 (lead per S12/S20, co per S05) and C8/C9 (co per profile, partner per S05) are kept,
    and the claims of ITU's own pages prevail."""
    rows = run("13-wsis-role-conflicts")
    claims = {(r["code"], r["role"], local(r["source"])) for r in rows}
    winners = {(r["code"], r["role"]) for r in rows if r["prevails"] == "true"}
    assert winners == {("C4", "co-facilitator"), ("C8", "partner"), ("C9", "partner")}
    assert {
        ("C4", "lead facilitator", "source/S12"),
        ("C4", "lead facilitator", "source/S20"),
        ("C4", "co-facilitator", "source/S05"),
        ("C8", "partner", "source/S05"),
        ("C8", "co-facilitator", "source/profile-wsis-process"),
        ("C9", "partner", "source/S05"),
    } <= claims
    assert {code for code, _, _ in claims} == {"C4", "C8", "C9"}


def test_14_sdg_indicators_in_custody(run) -> None:  # type: ignore[no-untyped-def]
    """ITU is custodian of 4.4.1 (with UNESCO-UIS), 5.b.1, 9.c.1, 17.6.1 and 17.8.1 (today's
    codes; fixed broadband is 17.6.2 in the KOS)."""
    rows = run("14-sdg-indicators-in-custody")
    assert sorted(column(rows, "code")) == ["17.6.1", "17.8.1", "4.4.1", "5.b.1", "9.c.1"]
    assert {r["code"]: r["kosCode"] for r in rows}["17.6.1"] == "17.6.2"
    custodians = {r["code"]: set(r["custodians"].split(", ")) for r in rows}
    assert custodians["4.4.1"] == {"ITU", "UNESCO-UIS"}
    assert {r["code"]: r["target"] for r in rows}["9.c.1"] == SDG + "9.c"


def test_15_action_line_facilitators(run) -> None:  # type: ignore[no-untyped-def]
    """Every action line and C7 sub-line, with lead and co-facilitators (e-environment: WMO,
    with UNEP; ITU's own page calls ITU a 'facilitator' of it, which prevails over a copy's
    'co-facilitator')."""
    rows = run("15-action-line-facilitators")
    lines = {r["code"]: r for r in rows}
    assert len(lines) == 19
    assert lines["C7.e-environment"]["leadFacilitators"] == "WMO"
    assert set(lines["C7.e-environment"]["coFacilitators"].split(", ")) == {"UNEP"}
    assert lines["C4"]["coFacilitators"] == "International Telecommunication Union"
    assert lines["C4"].get("leadFacilitators", "") == ""
    assert lines["C7.e-health"]["leadFacilitators"] == "WHO"
    assert (
        "leadFacilitators" not in lines["C7.e-business"] or lines["C7.e-business"]["leadFacilitators"] == ""
    )


def test_16_conference_sessions(run) -> None:  # type: ignore[no-untyped-def]
    """WTSA-24 in New Delhi, 15-24 October 2024 (ITU's dates prevail over a copy's 14
    October); WRC-19 and WRC-23; PP-18 in Dubai; dates of sessions since 2018."""
    rows = run("16-conference-sessions")
    sessions = {local(r["session"]): r for r in rows}
    wtsa = sessions["conference-session/wtsa-24"]
    assert (wtsa["startDate"], wtsa["endDate"], wtsa["venue"]) == (
        "2024-10-15",
        "2024-10-24",
        "New Delhi, India",
    )
    assert local(wtsa["body"]) == "governing-body/wtsa"
    assert sessions["conference-session/wrc-19"]["year"] == "2019"
    assert sessions["conference-session/pp-18"]["venue"] == "Dubai, United Arab Emirates"
    assert (
        sessions["conference-session/wrc-23"]["startDate"],
        sessions["conference-session/wrc-23"]["endDate"],
    ) == ("2023-11-20", "2023-12-15")
    assert sessions["conference-session/wtdc-25"]["venue"] == "Baku, Azerbaijan"


def test_17_unit_mandate(run) -> None:  # type: ignore[no-untyped-def]
    """ITU-D SG1's 2022-2025 mandate: six items, on Resolution 2 (Rev. Kigali, 2022). No
    itu:conferredBy: the sources say WTDC creates the study groups, not that it confers."""
    rows = run("17-unit-mandate")
    assert len(rows) == 1
    assert len(rows[0]["items"].split(" | ")) == 6
    assert "Migration and adoption of digital broadcasting and implementation of new services" in rows[0][
        "items"
    ].split(" | ")
    assert "conferredBy" not in rows[0]
    assert rows[0]["legalBasis"] == "Resolution 2 (Rev. Kigali, 2022)"


def test_18_study_groups_by_sector(run) -> None:  # type: ignore[no-untyped-def]
    """31 study-group resources, one per group and period: 6 ITU-R, 4 ITU-D, 21 ITU-T;
    SG17 in both ITU-T periods."""
    rows = run("18-study-groups-by-sector")
    per_sector: dict[str, int] = {}
    for r in rows:
        per_sector[local(r["sector"])] = per_sector.get(local(r["sector"]), 0) + 1
    assert per_sector == {"sector/itu-r": 6, "sector/itu-d": 4, "sector/itu-t": 21}
    periods = {local(r["studyGroup"]): r["period"] for r in rows}
    assert periods["study-group/itu-t-sg17-2022-2024"] == "ITU-T study period 2022-2024"
    assert periods["study-group/itu-t-sg17-2025-2028"] == "ITU-T study period 2025-2028"


def test_19_wsis_sdg_matrix_is_empty(run) -> None:  # type: ignore[no-untyped-def]
    """No matrix cell is in our sources (PROVENANCE.md §2): the answer must stay empty, not guessed."""
    assert run("19-wsis-sdg-matrix") == []


def test_20_strategic_framework_goals(run) -> None:  # type: ignore[no-untyped-def]
    """Connect 2030's five goals, the Strategic Plan's two, the GCA's five pillars, in order."""
    rows = run("20-strategic-framework-goals")
    by_framework: dict[str, list[str]] = {}
    for r in rows:
        by_framework.setdefault(r["frameworkLabel"], []).append(r["goalLabel"])
    assert [g.split(": ", 1)[1] for g in by_framework["Connect 2030 Agenda"]] == [
        "Growth",
        "Inclusiveness",
        "Sustainability",
        "Innovation",
        "Partnerships",
    ]
    assert len(by_framework["ITU Strategic Plan 2024-2027"]) == 2
    assert len(by_framework["Global Cybersecurity Agenda"]) == 5


@pytest.mark.parametrize(
    "name,expected",
    [("GCI", "publication/global-cybersecurity-index"), ("bdt", "bureau/bdt"), ("ITU-T", "sector/itu-t")],
)
def test_21_find_by_name(run, name: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    """Users find things by the acronyms they know, case-insensitively."""
    rows = run("21-find-by-name", name=name)
    assert expected in {local(r["resource"]) for r in rows}


def test_22_resources_per_study_period(run) -> None:  # type: ignore[no-untyped-def]
    """Per period: ITU-T 2025-2028 has its ten study groups; every period is listed."""
    rows = {local(r["period"]): r for r in run("22-resources-per-study-period")}
    assert set(rows) >= {
        "study-period/itu-t-2022-2024",
        "study-period/itu-t-2025-2028",
        "study-period/itu-r-2024-2027",
        "study-period/itu-d-2022-2025",
    }
    assert rows["study-period/itu-t-2025-2028"]["studyGroups"] == "10"
    assert rows["study-period/itu-t-2022-2024"]["studyGroups"] == "11"
    assert rows["study-period/itu-d-2022-2025"]["questions"] == "14"
    t = rows["study-period/itu-t-2025-2028"]
    assert int(t["questions"]) >= int(t["questionsWithTitle"]) >= 9


def test_23_open_conflicts(run) -> None:  # type: ignore[no-untyped-def]
    """An undecidable conflict is listed with every claim (ITU-R WP 4C: two official
    spellings of its title, one undated); decided ones (GCA, C4) are not."""
    rows = run("23-open-conflicts")
    resources = {local(r["resource"]) for r in rows}
    assert "working-party/itu-r-wp4c-2024-2027" in resources
    assert "strategic-framework/global-cybersecurity-agenda" not in resources
    assert "organization/itu" not in resources
    assert all(r.get("source") for r in rows)


def test_24_low_confidence_claims(run) -> None:  # type: ignore[no-untyped-def]
    """Low-confidence claims are listed with their sources (e.g. RA-19's planned dates)."""
    rows = run("24-low-confidence-claims")
    assert ("conference-session/ra-19", ITU_DEF + "startDate") in {
        (local(r["resource"]), r["property"]) for r in rows
    }
    assert all(r.get("source") for r in rows)


def test_25_questions_on_a_theme(run) -> None:  # type: ignore[no-untyped-def]
    """ITU-T Questions of 2025-2028 on security: SG17's, and SG13's Q19 by its title."""
    rows = run("25-questions-on-a-theme")
    found = {(r["number"], local(r["studyGroup"])) for r in rows}
    assert {
        ("1/17", "study-group/itu-t-sg17-2025-2028"),
        ("15/17", "study-group/itu-t-sg17-2025-2028"),
        ("19/13", "study-group/itu-t-sg13-2025-2028"),
    } <= found
    assert all(local(r["question"]).endswith("-2025-2028") for r in rows)
    other = run("25-questions-on-a-theme", theme="roaming")
    assert {r["number"] for r in other} == {"7/3"}


def test_26_elected_officials_now(run) -> None:  # type: ignore[no-untyped-def]
    """Who holds each elected post on a day of the 2023-2026 term (elected at PP-22)."""
    rows = run("26-elected-officials-now", day="2025-06-01")
    holders = {local(r["post"]): r["name"] for r in rows}
    assert holders["post/itu-secretary-general"] == "Doreen Bogdan-Martin"
    assert holders["post/itu-deputy-secretary-general"] == "Tomas Lamanauskas"
    assert holders["post/itu-director-br"] == "Mario Maniewicz"
    assert holders["post/itu-director-tsb"] == "Seizo Onoe"
    assert holders["post/itu-director-bdt"] == "Cosmas Zavazava"
    elected = {local(r["post"]): local(r.get("electedAt", "")) for r in rows}
    assert elected["post/itu-secretary-general"] == "conference-session/pp-22"
    assert run("26-elected-officials-now", day="2022-06-01") == []


def test_27_sdg_indicator_by_code(run) -> None:  # type: ignore[no-untyped-def]
    """17.6.1 finds today's indicator (fixed broadband, KOS C170602) and, marked as such, the
    KOS's own deleted 17.6.1; the KOS code 17.6.2 finds the same broadband indicator."""
    rows = run("27-sdg-indicator-by-code")
    by_iri = {r["indicator"]: r for r in rows}
    assert by_iri[SDG + "C170602"]["codeIn"] == "current framework"
    assert by_iri[SDG + "C170601"]["codeIn"].startswith("UN SDG KOS")
    assert "deletedIn" in by_iri[SDG + "C170601"]
    kos = run("27-sdg-indicator-by-code", code="17.6.2")
    assert [r["indicator"] for r in kos] == [SDG + "C170602"]


def test_21_find_by_name_in_a_language(run) -> None:  # type: ignore[no-untyped-def]
    """A name in any of the six languages finds the unit; ``lang`` picks the label shown
    (the reader's language where the unit has a name in it, else English)."""
    rows = run("21-find-by-name", name="国际电联电信标准化部门", lang="es")
    assert [local(r["resource"]) for r in rows] == ["sector/itu-t"]
    assert rows[0]["label"] == "Sector de Normalización de las Telecomunicaciones de la UIT"
    english = run("21-find-by-name", name="uit-t")
    assert english[0]["label"] == "ITU Telecommunication Standardization Sector"


def test_label_queries_take_a_language(run) -> None:  # type: ignore[no-untyped-def]
    """Queries 02, 16, 18 and 26 show names in the language asked for where one exists, and
    English otherwise (rows and order of rows unchanged)."""
    units = {local(r["unit"]): r["label"] for r in run("02-itu-units-at-any-depth", lang="zh")}
    assert units["sector/itu-r"] == "国际电联无线电通信部门"
    assert units["secretariat/general-secretariat"] == "General Secretariat"  # no Chinese name read
    assert len(run("02-itu-units-at-any-depth", lang="zh")) == len(run("02-itu-units-at-any-depth"))
    bodies = {local(r["body"]): r["bodyLabel"] for r in run("16-conference-sessions", lang="zh")}
    assert bodies["governing-body/pp"] == "全权代表大会"
    sectors = {local(r["sector"]): r["sectorName"] for r in run("18-study-groups-by-sector", lang="ar")}
    assert sectors["sector/itu-t"] == "قطاع تقييس الاتصالات"
    posts = {local(r["post"]): r["postLabel"] for r in run("26-elected-officials-now", lang="es")}
    assert posts["post/itu-secretary-general"] == "Secretario General"
    assert posts["post/itu-director-br"] == "Director of the Radiocommunication Bureau"


def test_35_name_coverage_by_language(run) -> None:  # type: ignore[no-untyped-def]
    """Names per language and kind: every Sector is named in Arabic and Chinese; the ITU-T
    study groups of 2025-2028 by the names of ITU's "at a glance" pages (none in Chinese);
    past periods' groups in English only (a name read today labels the current period)."""
    rows = {r["kind"]: r for r in run("35-name-coverage-by-language")}
    assert (rows["sector"]["total"], rows["sector"]["ar"], rows["sector"]["zh"]) == ("3", "3", "3")
    assert rows["the ITU"]["ru"] == "1"
    studies = rows["study group, ITU-T study period 2025-2028"]
    named = {lang: studies[lang] for lang in ("en", "ar", "fr", "es", "ru", "zh")}
    assert studies["total"] == "10"
    assert named == {"en": "10", "ar": "4", "fr": "3", "es": "4", "ru": "1", "zh": "0"}
    past = rows["study group, ITU-T study period 2022-2024"]
    assert past["total"] == past["en"] and {past[lang] for lang in ("ar", "fr", "es", "ru", "zh")} == {"0"}


# --------------------------------------------------------------------------- issue 16: the views' data


def test_28_organisation_chart(run) -> None:  # type: ignore[no-untyped-def]
    """One tree: ITU is the only root, every other node has one parent in the answer."""
    rows = run("28-organisation-chart")
    nodes = {r["node"]: r for r in rows}
    assert len(nodes) == len(rows), "a node appears twice"
    assert [local(n) for n, r in nodes.items() if "parent" not in r] == ["organization/itu"]
    assert all(r["parent"] in nodes for r in rows if "parent" in r), "a parent outside the chart"
    assert nodes[ID + "sector/itu-t"]["parent"] == ITU
    assert nodes[ID + "study-group/itu-t-sg17-2025-2028"]["parent"] == ID + "sector/itu-t"
    q = nodes[ID + "question/itu-d-q1-1-2022-2025"]
    assert (q["short"], q["parent"]) == ("Q1/1", ID + "study-group/itu-d-sg1-2022-2025")
    assert nodes[ID + "secretariat/general-secretariat"]["short"] == "GS"
    # The study-period switch: the latest period of each sector is current.
    current = {r["periodLabel"]: r["current"] for r in rows if "period" in r}
    assert current["ITU-T study period 2025-2028"] == "true"
    assert current["ITU-T study period 2022-2024"] == "false"
    assert current["ITU-R study period 2024-2027"] == "true"
    kinds = {r["kind"] for r in rows}
    assert {"sector", "bureau", "study group", "working party", "study Question", "governing body"} <= kinds


def test_29_wsis_sdg_heatmap_has_every_cell(run) -> None:  # type: ignore[no-untyped-def]
    """Every Action Line × every goal, empty cells included (no link is in our sources yet)."""
    rows = run("29-wsis-sdg-heatmap")
    lines = {r["actionLine"] for r in rows}
    goals = {r["goal"] for r in rows}
    assert (len(lines), len(goals)) == (19, 17)
    assert len(rows) == 19 * 17
    assert {r["links"] for r in rows} == {"0"}
    assert rows[0]["code"] == "C1" and rows[0]["goalCode"] == "1"


def test_30_unit_sdg_heatmap_tells_direct_from_inferred(run) -> None:  # type: ignore[no-untyped-def]
    """Every goal and target is a column: alone (no unit) where nothing serves it, else in
    its non-empty cells; no empty cell is listed."""
    rows = run("30-unit-sdg-heatmap")
    assert len({r["sdg"] for r in rows}) == 17 + 169
    alone = {r["sdg"] for r in rows if "unit" not in r}
    cells = {(local(r["unit"]), r["code"]): r for r in rows if "unit" in r}
    assert alone.isdisjoint({r["sdg"] for r in rows if "unit" in r})
    assert len(rows) == len(alone) + len(cells)
    assert {"organization/itu", "programme/climate-change"} == {unit for unit, _ in cells}
    assert all((r["direct"], r["inferred"]) != ("0", "0") for r in cells.values())
    nine_c = cells[("organization/itu", "9.c")]
    assert (nine_c["direct"], nine_c["inferred"]) == ("1", "1")
    assert nine_c["directEvidence"] == SDG + "9.c"
    assert nine_c["inferredEvidence"] == SDG + "C090c01"
    nine = cells[("organization/itu", "9")]
    assert (nine["direct"], nine["inferred"]) == ("1", "2")
    assert sorted(nine["inferredEvidence"].split(" ")) == [SDG + "9.c", SDG + "C090c01"]
    custody = cells[("organization/itu", "17.8")]
    assert (custody["direct"], custody["inferred"], custody["directEvidence"]) == ("0", "1", "")
    assert cells[("organization/itu", "7")]["direct"] == "1"
    assert ("organization/itu", "1.1") not in cells
    assert cells[("organization/itu", "9")]["unitLabel"] == "International Telecommunication Union"


def test_31_gap_targets_are_the_empty_columns_of_30(run) -> None:  # type: ignore[no-untyped-def]
    gaps = {r["target"] for r in run("31-sdg-targets-without-itu")}
    answer = run("30-unit-sdg-heatmap")
    targets = {r["sdg"] for r in answer if r["level"] == "target"}
    served = {r["sdg"] for r in answer if r["level"] == "target" and "unit" in r}
    assert gaps == targets - served
    assert SDG + "9.c" not in gaps and SDG + "1.1" in gaps
    assert len(served) >= 5


def test_32_action_lines_without_itu_role(run) -> None:  # type: ignore[no-untyped-def]
    rows = run("32-action-lines-without-itu-role")
    by_code = {r["code"]: r for r in rows}
    assert "C10" in by_code and by_code["C10"]["facilitators"] == "UNESCO"
    assert not {"C2", "C4", "C5", "C6"} & set(by_code), "ITU has a role in these"
    roles = {r["code"] for r in run("01-itu-action-line-roles")}
    assert not roles & set(by_code)


def test_33_neighbourhood(run) -> None:  # type: ignore[no-untyped-def]
    rows = run("33-neighbourhood", resource=ID + "sector/itu-t")
    out = {(r["property"], r["neighbour"]) for r in rows if r["direction"] == "out"}
    into = {(r["property"], r["neighbour"]) for r in rows if r["direction"] == "in"}
    assert ("http://www.w3.org/ns/org#subOrganizationOf", ITU) in out
    assert ("http://www.w3.org/ns/org#subOrganizationOf", ID + "study-group/itu-t-sg17-2025-2028") in into
    stated = {r["property"]: r["inferred"] for r in rows if r["neighbour"] == ITU and r["direction"] == "out"}
    # The sources say org:unitOf; the reasoner adds its super-property and the transitive one.
    assert stated["http://www.w3.org/ns/org#unitOf"] == "false"
    assert stated["http://www.w3.org/ns/org#subOrganizationOf"] == "true"
    assert stated["http://www.w3.org/ns/org#transitiveSubOrganizationOf"] == "true"
    assert all(not r["neighbour"].startswith("_:") for r in rows)
    assert all(r["property"] != "http://www.w3.org/1999/02/22-rdf-syntax-ns#type" for r in rows)


def test_34_timeline(run) -> None:  # type: ignore[no-untyped-def]
    rows = run("34-timeline")
    items = [r["item"] for r in rows]
    assert len(items) == len(set(items)), "one row per item"
    by_label = {r["label"]: r for r in rows}
    period = by_label["ITU-T study period 2025-2028"]
    assert (period["startYear"], period["endYear"], period["track"]) == (
        "2025",
        "2028",
        "ITU-T study periods",
    )
    assert by_label["Global Cybersecurity Agenda"]["startDate"] == "2007-05-17"
    tracks = {r["track"] for r in rows}
    assert {"conferences and assemblies", "launches"} <= tracks
    assert all(int(r["startYear"]) <= int(r["endYear"]) for r in rows)


# --------------------------------------------------------------------------- meta


def test_every_query_has_a_header_and_a_test(catalogue: dict[str, NamedQuery]) -> None:
    """Each ``queries/NN-name.rq`` has title, description, returns, and a test here."""
    source = Path(__file__).read_text(encoding="utf-8")
    assert len(catalogue) >= 12
    for name, query in catalogue.items():
        assert re.fullmatch(r"\d\d-[a-z0-9]+(-[a-z0-9]+)*", name), f"{name}: not NN-kebab-name"
        assert query.title and query.title != name, f"{name}: no '# title:'"
        assert query.description, f"{name}: no '# description:'"
        assert query.returns, f"{name}: no '# returns:'"
        assert f'"{name}"' in source, f"{name} has no test in {Path(__file__).name}"


def test_numbers_are_unique(catalogue: dict[str, NamedQuery]) -> None:
    numbers = [name[:2] for name in catalogue]
    assert len(numbers) == len(set(numbers))


@pytest.mark.parametrize("name", sorted(p.stem for p in QUERIES.glob("*.rq")))
def test_returns_header_matches_projection(
    store: OxigraphStore, catalogue: dict[str, NamedQuery], name: str
) -> None:
    """``# returns:`` lists exactly the variables the query returns, and params are projected."""
    query = catalogue[name]
    outcome = store.query(query.text, substitutions=query.bindings({}))
    assert list(query.returns) == outcome.variables
    for param in query.parameters:
        assert param.name in outcome.variables, f"{name}: parameter ?{param.name} not projected"
