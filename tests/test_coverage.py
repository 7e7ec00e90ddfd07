"""Coverage of the sources: every named thing of the ITU profile and every row of the
reference data has a resource in ``graph/`` with an English label.

The profile's named things are listed in ``tests/data/profile-inventory.tsv`` (name as
written, kind, profile section, IRI). A row without an IRI is a justified exception; the
exceptions are listed here, and the test fails if the inventory gains or loses one, so
every new exception is a reviewed decision:

* Passive Optical Network (PON), Carrier Ethernet, Optical Transport Network (OTN) and
  IMT-Advanced (4G): technologies named as examples, not ITU resources (IMT-2020 is
  modelled as ``programme/imt-2020``).
* national emergency telecommunications plans (NETPs); multi-hazard early warning systems
  (MHEWS) and the common alerting protocol (CAP); National Computer Incident Response Teams
  (CIRTs): kinds of national plans, systems and teams the ITU helps set up, none named; kept
  in the text of the mandates and programmes that mention them.
* Open ITU platforms advancing AI and machine learning: the profile announces a list
  ("include:") whose items are missing from its text.
* Primetime Emmy winning video-compression standards; 'Security, Infrastructure and Trust':
  unnamed standards and a theme of standards, kept as comments.
* DLT 'assessment framework' and 'reference framework' reports: described, not titled; kept
  in the description of the DLT focus group.
* The ITU's strategic plan (no period given): cannot be identified with one plan; the plans
  of the reference data are modelled and the statement is kept on the WSIS Process.
* WSIS outcome documents: a collective reference; the two the profile names are modelled.

The reference data rows are read from ``tests/data/reference/`` (copies of
../shared/data/*.tsv, so the test runs without the shared folder).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pytest
from rdflib import RDFS, Graph, Literal, URIRef
from rdflib.namespace import SKOS

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
INVENTORY = DATA / "profile-inventory.tsv"
REFERENCE = DATA / "reference"
ID = "https://w3id.org/itugraph/id/"

EXCEPTIONS = {
    "Passive Optical Network (PON), Carrier Ethernet, Optical Transport Network (OTN)",
    "national emergency telecommunications plans (NETPs)",
    "multi-hazard early warning systems (MHEWS) and common alerting protocol (CAP)",
    "Open ITU platforms advancing AI and machine learning",
    "Primetime Emmy winning video-compression standards",
    "IMT-Advanced (4G)",
    "DLT 'assessment framework' and 'reference framework' reports",
    "National Computer Incident Response Teams (CIRTs)",
    "The ITUs strategic plan",
    "'Security, Infrastructure and Trust'",
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
    keys = [f"wsis-action-line/{row['code'].replace('.', '-')}"
            for row in rows("wsis-action-lines.tsv")]
    assert len(keys) == 19
    assert not missing(keys)


@pytest.mark.parametrize("name", ["itu-t-study-groups.tsv", "itu-r-study-groups.tsv",
                                  "itu-d-study-groups.tsv"])
def test_study_groups(name: str) -> None:
    keys = sorted({f"study-group/{row['sector'].lower()}-{row['study_group'].lower()}"
                   for row in rows(name)})
    assert keys
    assert not missing(keys), missing(keys)


@pytest.mark.parametrize(("name", "sector"), [("itu-d-questions.tsv", "itu-d"),
                                              ("itu-t-sg3-questions-2025-2028.tsv", "itu-t")])
def test_questions(name: str, sector: str) -> None:
    keys = []
    for row in rows(name):
        number, group = row["question"][1:].split("/")
        keys.append(f"question/{sector}-q{number}-{group}")
    assert keys
    assert not missing(keys), missing(keys)


def test_governing_bodies() -> None:
    keys = {"PP": "governing-body/pp", "ITU Council": "governing-body/council",
            "WRC": "governing-body/wrc", "RA": "governing-body/ra",
            "WTSA": "governing-body/wtsa", "WTDC": "governing-body/wtdc",
            "RAG": "advisory-group/rag", "TSAG": "advisory-group/tsag",
            "TDAG": "advisory-group/tdag", "RRB": "board/rrb"}
    names = [row["abbreviation"] or row["body"] for row in rows("itu-governing-bodies.tsv")]
    assert set(names) == set(keys)
    sessions = ["conference-session/" + s for s in
                ("pp-18", "pp-22", "wtsa-24", "wtdc-22", "wtdc-25", "wrc-19", "wtpf-21",
                 "council-2025")]
    assert not missing(list(keys.values()) + sessions)


def test_secretariat_units() -> None:
    keys = {"GS": "secretariat/general-secretariat", "BR": "bureau/br", "TSB": "bureau/tsb",
            "BDT": "bureau/bdt"}
    assert {row["abbreviation"] for row in rows("itu-secretariat-units.tsv")} == set(keys)
    assert not missing(list(keys.values()))


def test_strategy_frameworks() -> None:
    frameworks = {"Connect 2030 Agenda": "connect-2030-goal",
                  "ITU Strategic Plan 2024-2027": "itu-strategic-plan-2024-2027-goal",
                  "Global Cybersecurity Agenda (GCA)": "gca"}
    goals = {(row["framework"], row["item_no"]) for row in rows("itu-strategy-frameworks.tsv")}
    assert {f for f, _ in goals} == set(frameworks)
    prefixes = {f"strategic-goal/{frameworks[f]}-{n}" for f, n in goals}
    labelled = {str(s)[len(ID):] for s in graph().subjects(RDFS.label, None)
                if str(s).startswith(ID + "strategic-goal/")}
    absent = sorted(p for p in prefixes if not any(k == p or k.startswith(p + "-")
                                                  for k in labelled))
    assert not absent, absent


def test_mandates_for_units_with_a_stated_remit() -> None:
    units = ["organization/itu", "sector/itu-r", "sector/itu-t", "sector/itu-d",
             "secretariat/general-secretariat", "bureau/br", "bureau/tsb", "bureau/bdt",
             "study-group/itu-t-sg17", "study-group/itu-d-sg1", "study-group/itu-r-sg5"]
    has_mandate = URIRef("https://w3id.org/itugraph/def/itu#hasMandate")
    without = [u for u in units if (iri(u), has_mandate, None) not in graph()]
    assert not without, without
