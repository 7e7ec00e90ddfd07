"""Coverage of the sources: every named thing of the ITU profile and every row of the
reference data has a resource in ``graph/`` with an English label.

The profile's named things are listed in ``tests/data/profile-inventory.tsv`` (name as
written, kind, profile section, IRI). A row without an IRI is a justified exception; the
exceptions are listed here, and the test fails if the inventory gains or loses one, so
every new exception is a reviewed decision:

* Passive Optical Network (PON), Carrier Ethernet and Optical Transport Network (OTN):
  technologies named as examples of ITU-T standardisation, not ITU resources.
* Open ITU platforms advancing AI and machine learning: the profile announces a list
  ("include:") whose items are missing from its text.
* DLT 'assessment framework' and 'reference framework' reports: described, not titled; kept
  in the description of the DLT focus group.
* The ITU's strategic plan (no period given): cannot be identified with one plan; the plans
  of the reference data are modelled and the statement is kept on the WSIS Process.
* WSIS outcome documents: a collective reference; the two the profile names are modelled.

Former exceptions now modelled from the topics source research (S500-S599): national
emergency telecommunications plans (the ITU Guidelines for national emergency
telecommunication plans), multi-hazard early warning systems and CAP (Recommendation ITU-T
X.1303; Early Warnings for All), the Primetime Emmy winning video-compression standards
(H.264, HEVC), IMT-Advanced (4G), National CIRTs (the ITU-D CIRT Programme) and 'Security,
Infrastructure and Trust' (the FIGI working group led by the ITU).

The reference data rows are read from ``tests/data/reference/`` (copies of
../shared/data/*.tsv, so the test runs without the shared folder).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

from itugraph import namespaces as ns
from itugraph.namespaces import ITUID

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
INVENTORY = DATA / "profile-inventory.tsv"
REFERENCE = DATA / "reference"
ID = ITUID

EXCEPTIONS = {
    "Passive Optical Network (PON), Carrier Ethernet, Optical Transport Network (OTN)",
    "Open ITU platforms advancing AI and machine learning",
    "DLT 'assessment framework' and 'reference framework' reports",
    "The ITUs strategic plan",
    "WSIS outcome documents",
}


@cache
def graph() -> Graph:
    """Everything in ``graph/``, the UN SDG KOS included."""
    result = Graph()
    for path in sorted((ROOT / "graph").rglob("*.ttl")):
        result.parse(path, format="turtle")
    return result


def rows(name: str) -> list[dict[str, str]]:
    with (REFERENCE / name).open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def inventory() -> list[dict[str, str]]:
    with INVENTORY.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle, delimiter="\t"))


def iri(key: str) -> URIRef:
    return URIRef(key if key.startswith("http") else ID + key)


def english_label(resource: URIRef) -> str | None:
    for prop in (RDFS.label, SKOS.prefLabel):
        for value in graph().objects(resource, prop):
            if isinstance(value, Literal) and value.language == "en":
                return str(value)
    return None


def missing(keys: list[str]) -> list[str]:
    return [key for key in keys if english_label(iri(key)) is None]


def test_inventory_is_well_formed() -> None:
    entries = inventory()
    assert len(entries) >= 150
    assert all(row["name"] and row["kind"] and row["section"] for row in entries)
    for row in entries:
        if not row["iri"]:
            assert row["note"].startswith("EXCEPTION:"), row["name"]


def test_exceptions_are_the_documented_ones() -> None:
    assert {row["name"] for row in inventory() if not row["iri"]} == EXCEPTIONS


def test_every_profile_thing_is_in_the_graph() -> None:
    absent = missing([row["iri"] for row in inventory() if row["iri"]])
    assert not absent, "profile things without a labelled resource:\n  " + "\n  ".join(absent)


def test_inventory_sections_are_source_resources() -> None:
    sections = {row["section"] for row in inventory()}
    absent = missing([f"source/profile-{section}" for section in sorted(sections)])
    assert not absent, absent


def test_sources_tsv() -> None:
    absent = missing([f"source/{row['source_id']}" for row in rows("sources.tsv")])
    assert not absent, absent


def test_wsis_action_lines() -> None:
    keys = [f"wsis-action-line/{row['code'].replace('.', '-')}" for row in rows("wsis-action-lines.tsv")]
    assert len(keys) == 19
    assert not missing(keys)


@pytest.mark.parametrize(
    "name", ["itu-t-study-groups.tsv", "itu-r-study-groups.tsv", "itu-d-study-groups.tsv"]
)
def test_study_groups(name: str) -> None:
    """One resource per study group and period (the ITU-R rows give no period: 2024-2027,
    the period after RA-23; the ITU-D rows are of 2022-2025)."""
    default = {"ITU-R": "2024-2027", "ITU-D": "2022-2025"}
    keys = sorted(
        {
            f"study-group/{row['sector'].lower()}-{row['study_group'].lower()}-"
            f"{row.get('study_period') or default[row['sector']]}"
            for row in rows(name)
        }
    )
    assert keys
    assert not missing(keys), missing(keys)


@pytest.mark.parametrize(
    ("name", "sector", "period"),
    [
        ("itu-d-questions.tsv", "itu-d", "2022-2025"),
        ("itu-t-sg3-questions-2025-2028.tsv", "itu-t", "2025-2028"),
    ],
)
def test_questions(name: str, sector: str, period: str) -> None:
    keys = []
    for row in rows(name):
        number, group = row["question"][1:].split("/")
        keys.append(f"question/{sector}-q{number}-{group}-{period}")
    assert keys
    assert not missing(keys), missing(keys)


def test_governing_bodies() -> None:
    keys = {
        "PP": "governing-body/pp",
        "ITU Council": "governing-body/council",
        "WRC": "governing-body/wrc",
        "RA": "governing-body/ra",
        "WTSA": "governing-body/wtsa",
        "WTDC": "governing-body/wtdc",
        "RAG": "advisory-group/rag",
        "TSAG": "advisory-group/tsag",
        "TDAG": "advisory-group/tdag",
        "RRB": "board/rrb",
    }
    names = [row["abbreviation"] or row["body"] for row in rows("itu-governing-bodies.tsv")]
    assert set(names) == set(keys)
    sessions = [
        "conference-session/" + s
        for s in ("pp-18", "pp-22", "wtsa-24", "wtdc-22", "wtdc-25", "wrc-19", "wtpf-21", "council-2025")
    ]
    assert not missing(list(keys.values()) + sessions)


def test_secretariat_units() -> None:
    keys = {
        "GS": "secretariat/general-secretariat",
        "BR": "bureau/br",
        "TSB": "bureau/tsb",
        "BDT": "bureau/bdt",
    }
    assert {row["abbreviation"] for row in rows("itu-secretariat-units.tsv")} == set(keys)
    assert not missing(list(keys.values()))


def test_strategy_frameworks() -> None:
    frameworks = {
        "Connect 2030 Agenda": "connect-2030-goal",
        "ITU Strategic Plan 2024-2027": "itu-strategic-plan-2024-2027-goal",
        "Global Cybersecurity Agenda (GCA)": "gca",
    }
    goals = {(row["framework"], row["item_no"]) for row in rows("itu-strategy-frameworks.tsv")}
    assert {f for f, _ in goals} == set(frameworks)
    prefixes = {f"strategic-goal/{frameworks[f]}-{n}" for f, n in goals}
    labelled = {
        str(s)[len(ID) :]
        for s in graph().subjects(RDFS.label, None)
        if str(s).startswith(ID + "strategic-goal/")
    }
    absent = sorted(p for p in prefixes if not any(k == p or k.startswith(p + "-") for k in labelled))
    assert not absent, absent


def test_mandates_for_units_with_a_stated_remit() -> None:
    units = [
        "organization/itu",
        "sector/itu-r",
        "sector/itu-t",
        "sector/itu-d",
        "secretariat/general-secretariat",
        "bureau/br",
        "bureau/tsb",
        "bureau/bdt",
        "study-group/itu-t-sg17-2025-2028",
        "study-group/itu-d-sg1-2022-2025",
        "study-group/itu-r-sg5-2024-2027",
    ]
    has_mandate = URIRef(ns.ITU + "hasMandate")
    mandate_of = URIRef(ns.ITU + "mandateOf")
    without = [
        u
        for u in units
        if (iri(u), has_mandate, None) not in graph() and (None, mandate_of, iri(u)) not in graph()
    ]
    assert not without, without


# --- inventories of what the sources say exists (tests/data/inventories/) -----------------

INVENTORIES = sorted((DATA / "inventories").glob("*.tsv"))


def inventory_rows(path: Path) -> list[dict[str, str]]:
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    ]
    return list(csv.DictReader(lines, delimiter="\t"))


def source_ids() -> set[str]:
    sid = URIRef(ns.ITU + "sourceId")
    return {str(o) for o in graph().objects(None, sid)} | {
        str(s).rsplit("/", 1)[-1] for s in graph().subjects() if str(s).startswith(ID + "source/profile-")
    }


def test_there_are_inventories_for_every_kind_issue_12_names() -> None:
    names = {p.stem for p in INVENTORIES}
    assert {
        "itu-t-study-groups",
        "itu-t-questions-2025-2028",
        "itu-r-study-groups",
        "itu-d-study-groups",
        "itu-d-questions-2022-2025",
        "conference-sessions",
        "elected-officials",
        "governing-bodies",
        "regional-offices",
        "itu-wsis-roles",
        "sdg-itu-custodian-indicators",
    } <= names


@pytest.mark.parametrize("path", INVENTORIES, ids=[p.stem for p in INVENTORIES])
def test_inventory_rows_cite_known_sources_and_say_whether_modelled(path: Path) -> None:
    entries = inventory_rows(path)
    assert entries, path.name
    known = source_ids()
    for row in entries:
        assert row["in_graph"] in {"yes", "no"}, row
        cited = {s.strip() for s in row["sources"].split(";") if s.strip()}
        assert cited, f"{path.name}: {row['iri']} names no source"
        assert cited <= known, f"{path.name}: {row['iri']} cites unknown {cited - known}"
        if row["in_graph"] == "no":
            assert row["notes"].strip(), f"{path.name}: {row['iri']} not modelled: say why"


@pytest.mark.parametrize("path", INVENTORIES, ids=[p.stem for p in INVENTORIES])
def test_every_inventory_item_marked_in_graph_is_there(path: Path) -> None:
    keys = [row["iri"] for row in inventory_rows(path) if row["in_graph"] == "yes"]
    typed = {s for s in graph().subjects(RDF.type, None)}
    absent = [key for key in keys if iri(key) not in typed]
    unlabelled = [
        key
        for key in keys
        if iri(key) in typed and not str(key).startswith("http") and english_label(iri(key)) is None
    ]
    assert not absent, f"{path.name}: listed as in the graph but absent: {absent}"
    assert not unlabelled, f"{path.name}: without an English label: {unlabelled}"
