"""Deterministic generator of ITU-shaped synthetic projects for the benchmarks.

``python -m bench.synth --triples 100000 --out /tmp/itu-100k`` writes a folder laid out
like the repository, so every itugraph command works on it with ``--root``:

* ``ontology/`` and ``shapes/`` copied unchanged from the repository (the real ontology
  and the real SHACL shapes apply);
* ``graph/sdg/`` the UN SDG KOS copied from the repository (the SDG links point at the
  UN's own IRIs, which shape S35 checks);
* ``graph/synthetic.nt`` the generated data (N-Triples, one statement a line);
* ``queries/`` copied from the repository when it has any.

The shape follows the real graph (``graph/*.ttl``) and the ontology's decisions:
the ITU (``organization:itu``, an ``org:FormalOrganization``) with its three sectors
(``org:unitOf`` the ITU; shape S17 closes the list), study groups
``org:subOrganizationOf`` a sector, working parties and their sub-groups
``org:subOrganizationOf`` their parent, so unit trees are 4–6 levels deep below the ITU;
``itu:StudyQuestion``s numbered "q/sg" studied by one study group; partner
organisations; initiatives (programmes, projects, platforms, partnerships) led by a unit
with partners; policy topics in a SKOS scheme (``dcterms:subject``); the eleven WSIS
Action Lines with lead facilitators; SDG links ``itu:contributesToSDG`` to real UN target
IRIs; English labels and ``dcterms:source`` to ``itu:ProfileSection`` sources.

``--triples`` counts the generated data only; the ontology and the SDG KOS add about
10k asserted triples at every size (``manifest.json`` records both figures). The same
``--triples`` and ``--seed`` always give byte-identical output.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

from itugraph import namespaces as ns

REPO = Path(__file__).resolve().parent.parent

ID = ns.ITUID
ITU = ns.ITU
ORG = ns.ORG
SKOS = ns.SKOS
DCT = ns.DCTERMS
RDF_TYPE = ns.RDF + "type"
RDFS_LABEL = ns.RDFS + "label"
FOAF = ns.FOAF
XSD = ns.XSD
SDG = ns.SDG

SECTORS = ("itu-r", "itu-t", "itu-d")
SECTOR_NAMES = {
    "itu-r": "ITU Radiocommunication Sector",
    "itu-t": "ITU Telecommunication Standardization Sector",
    "itu-d": "ITU Telecommunication Development Sector",
}
INITIATIVE_CLASSES = ("Programme", "Project", "Platform", "Partnership")
ACTION_LINES = [f"C{i}" for i in range(1, 12)]
#: One study period per sector: every study group and Question says its period (ish:S56).
PERIODS = {"itu-r": (2024, 2027), "itu-t": (2025, 2028), "itu-d": (2022, 2025)}
#: Sizes the benchmark uses, by name.
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def sdg_targets(kos: Path) -> list[str]:
    """The target IRIs of the SDG KOS (``sdg:9.c`` …), in file order, so links are real."""
    pattern = re.compile(r"^sdg:((?:[1-9]|1[0-7])\.[0-9a-z]{1,2}) a sdgo:Target")
    found: list[str] = []
    for line in kos.read_text(encoding="utf-8").splitlines():
        if match := pattern.match(line):
            found.append(SDG + match[1])
    if not found:
        raise SystemExit(f"{kos}: no SDG targets found (expected lines like 'sdg:9.c a sdgo:Target')")
    return found


@dataclass
class _Writer:
    """Collects N-Triples lines and counts them."""

    lines: list[str] = field(default_factory=list)

    def iri(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"<{s}> <{p}> <{o}> .\n")

    def lit(self, s: str, p: str, text: str, *, lang: str | None = "en", datatype: str | None = None) -> None:
        escaped = text.replace("\\", "\\\\").replace('"', '\\"')
        suffix = f"@{lang}" if lang and not datatype else (f"^^<{datatype}>" if datatype else "")
        self.lines.append(f'<{s}> <{p}> "{escaped}"{suffix} .\n')

    def __len__(self) -> int:
        return len(self.lines)


class _Generator:
    """One synthetic graph: a fixed skeleton, then study-group blocks until the target."""

    def __init__(self, target: int, seed: int, targets: list[str]) -> None:
        self.target = target
        self.rng = random.Random(seed)
        self.sdg = targets
        self.out = _Writer()
        self.sources: list[str] = []
        self.topics: list[str] = []
        self.partners: list[str] = []
        self.units: list[str] = []
        self.sg_count = dict.fromkeys(SECTORS, 0)
        self.initiatives = 0
        self.people = 0
        self.claims = 0

    # -- helpers ---------------------------------------------------------------------------

    def typed(self, iri: str, cls: str, label: str, *, source: bool = True) -> None:
        self.out.iri(iri, RDF_TYPE, cls)
        self.out.lit(iri, RDFS_LABEL, label)
        if source:
            self.out.iri(iri, DCT + "source", self.pick(self.sources))

    def pick(self, items: list[str]) -> str:
        return items[self.rng.randrange(len(items))]

    def new_source(self) -> str:
        n = len(self.sources) + 1
        iri = f"{ID}source/profile-section-{n}"
        self.out.iri(iri, RDF_TYPE, ITU + "ProfileSection")
        self.out.lit(iri, RDFS_LABEL, f"ITU profile, synthetic section {n}")
        self.out.iri(iri, DCT + "isPartOf", f"{ID}source/itu-profile")
        self.out.iri(iri, DCT + "source", f"{ID}source/itu-profile")
        self.out.iri(iri, ITU + "authority", ITU + "thirdPartySource")
        self.sources.append(iri)
        return iri

    def claim(self, subject: str, prop: str, value: str, datatype: str) -> None:
        """A sourced claim, as graph/README.md asks for titles, dates and years."""
        self.claims += 1
        node = f"_:claim{self.claims}"
        escaped = value.replace("\\", "\\\\").replace('"', '\\"')
        self.out.lines += [
            f"<{subject}> <{ITU}hasClaim> {node} .\n",
            f"{node} <{RDF_TYPE}> <{ITU}Claim> .\n",
            f"{node} <{ITU}claimProperty> <{prop}> .\n",
            f'{node} <{ITU}claimValue> "{escaped}"^^<{datatype}> .\n',
            f"{node} <{DCT}source> <{self.pick(self.sources)}> .\n",
            f'{node} <{ITU}confidence> "medium" .\n',
        ]

    def new_topic(self) -> str:
        n = len(self.topics) + 1
        iri = f"{ID}policy-topic/topic-{n}"
        self.typed(iri, ITU + "PolicyTopic", f"Policy topic {n}")
        self.out.lit(iri, SKOS + "prefLabel", f"Policy topic {n}")
        self.out.iri(iri, SKOS + "inScheme", f"{ID}scheme/policy-topics")
        if self.topics and n % 4 == 0:  # a shallow topic hierarchy
            self.out.iri(iri, SKOS + "broader", self.topics[(n // 4) - 1])
        else:
            self.out.iri(iri, SKOS + "topConceptOf", f"{ID}scheme/policy-topics")
        self.topics.append(iri)
        return iri

    def new_partner(self) -> str:
        n = len(self.partners) + 1
        iri = f"{ID}organization/partner-{n}"
        self.typed(iri, ORG + "FormalOrganization", f"Partner organisation {n}")
        if n % 5 == 0:
            self.out.iri(f"{ID}organization/itu", ITU + "hasMoUWith", iri)
        self.partners.append(iri)
        return iri

    def about(self, iri: str, *, sdg_rate: float = 0.5) -> None:
        """Topic and SDG links, as most resources of the real graph have."""
        self.out.iri(iri, DCT + "subject", self.pick(self.topics))
        if self.rng.random() < sdg_rate:
            self.out.iri(iri, ITU + "contributesToSDG", self.pick(self.sdg))

    # -- skeleton --------------------------------------------------------------------------

    def skeleton(self) -> None:
        out, itu = self.out, f"{ID}organization/itu"
        root = f"{ID}source/itu-profile"
        out.iri(root, RDF_TYPE, ITU + "Source")
        out.lit(root, RDFS_LABEL, "ITU profile (synthetic)")
        out.iri(root, ITU + "authority", ITU + "thirdPartySource")
        for _ in range(20):
            self.new_source()
        out.iri(itu, RDF_TYPE, ITU + "UNSpecializedAgency")
        self.typed(itu, ORG + "FormalOrganization", "International Telecommunication Union")
        out.lit(itu, SKOS + "altLabel", "ITU")
        out.lit(itu, ITU + "memberStateCount", "193", lang=None, datatype=XSD + "integer")
        for sector in SECTORS:
            iri = f"{ID}sector/{sector}"
            self.typed(iri, ITU + "Sector", SECTOR_NAMES[sector])
            out.iri(iri, ORG + "unitOf", itu)
            self.units.append(iri)
            first, last = PERIODS[sector]
            period = f"{ID}study-period/{sector}-{first}-{last}"
            self.typed(period, ITU + "StudyPeriod", f"{sector.upper()} study period {first}-{last}")
            out.lit(period, ITU + "activeFrom", str(first), lang=None, datatype=XSD + "gYear")
            out.lit(period, ITU + "activeUntil", str(last), lang=None, datatype=XSD + "gYear")
        scheme = f"{ID}scheme/policy-topics"
        self.typed(scheme, SKOS + "ConceptScheme", "ITU digital policy topics (synthetic)")
        for _ in range(21):
            self.new_topic()
        lines = f"{ID}scheme/wsis-action-lines"
        self.typed(lines, SKOS + "ConceptScheme", "WSIS Action Lines")
        for code in ACTION_LINES:
            iri = f"{ID}wsis-action-line/{code}"
            self.typed(iri, ITU + "WSISActionLine", f"WSIS Action Line {code} (synthetic)")
            out.lit(iri, SKOS + "prefLabel", f"WSIS Action Line {code} (synthetic)")
            out.lit(iri, SKOS + "notation", code, lang=None)
            out.iri(iri, SKOS + "inScheme", lines)
            out.iri(iri, SKOS + "topConceptOf", lines)
            role = f"{ID}wsis-role/itu-{code.lower()}-lead-facilitator"
            self.typed(role, ITU + "FacilitationRole", f"ITU as lead facilitator of {code}")
            out.iri(role, ITU + "roleHolder", itu)
            out.iri(role, ITU + "roleActionLine", iri)
            out.iri(role, ITU + "roleType", ITU + "leadFacilitatorRole")
            out.lit(role, ITU + "confidence", "medium", lang=None)
            out.iri(iri, ITU + "contributesToSDG", self.pick(self.sdg))
        for _ in range(10):
            self.new_partner()

    # -- the repeated block ----------------------------------------------------------------

    def study_group_block(self, index: int) -> None:
        """A study group with its Questions, a unit tree 4–6 deep, a chair and initiatives."""
        rng, out = self.rng, self.out
        sector = SECTORS[index % 3]
        count = self.sg_count[sector]
        self.sg_count[sector] += 1
        number, batch = count % 99 + 1, count // 99
        key = f"{sector}-sg{number}" + (f"-b{batch}" if batch else "")
        name = f"{sector.upper()} Study Group {number}" + (f" (batch {batch})" if batch else "")
        sg = f"{ID}study-group/{key}"
        self.typed(sg, ITU + "StudyGroup", name)
        out.lit(sg, SKOS + "altLabel", f"{sector.upper()} SG{number}")
        out.iri(sg, ORG + "subOrganizationOf", f"{ID}sector/{sector}")
        out.lit(sg, ITU + "studyGroupNumber", str(number), lang=None, datatype=XSD + "integer")
        period = f"{ID}study-period/{sector}-{PERIODS[sector][0]}-{PERIODS[sector][1]}"
        out.iri(sg, ITU + "studyPeriod", period)
        self.about(sg, sdg_rate=0.8)
        self.units.append(sg)
        # Questions q/number, studied by this group (shape S23 checks both numbers).
        for q in range(1, rng.randint(4, 9) + 1):
            qi = f"{ID}question/{sector}-q{q}-{number}" + (f"-b{batch}" if batch else "")
            self.typed(qi, ITU + "StudyQuestion", f"{name}, Question {q}/{number}")
            out.lit(qi, ITU + "questionNumber", f"{q}/{number}", lang=None)
            out.iri(qi, ITU + "studiedBy", sg)
            out.iri(qi, ITU + "studyPeriod", period)
            if rng.random() < 0.5:
                out.iri(sg, ITU + "studies", qi)
            self.about(qi, sdg_rate=0.3)
        # Working parties and their sub-groups: the leaves are 4-6 levels below the ITU
        # (ITU > sector > study group > working party > … ).
        depth = rng.randint(4, 6)
        frontier = [(sg, 2)]
        serial = 0
        while frontier:
            parent, level = frontier.pop()
            if level >= depth:
                continue
            for _ in range(rng.randint(1, 3) if level > 2 else rng.randint(2, 3)):
                serial += 1
                unit = f"{ID}working-group/{key}-wg{serial}"
                self.typed(unit, ITU + "WorkingGroup", f"{name}, working group {serial}")
                out.iri(unit, ORG + "subOrganizationOf", parent)
                self.about(unit, sdg_rate=0.4)
                self.units.append(unit)
                frontier.append((unit, level + 1))
        # A chair.
        self.people += 1
        person = f"{ID}person/person-{self.people}"
        self.typed(person, FOAF + "Person", f"Person {self.people}")
        out.lit(person, FOAF + "name", f"Person {self.people}", lang=None)
        out.iri(person, ITU + "chairOf", sg)
        # Initiatives led by a unit of this block or by the ITU, with partners.
        for _ in range(rng.randint(1, 3)):
            self.initiatives += 1
            n = self.initiatives
            cls = INITIATIVE_CLASSES[n % len(INITIATIVE_CLASSES)]
            ini = f"{ID}{cls.lower()}/initiative-{n}"
            self.typed(ini, ITU + cls, f"{cls} {n}")
            out.iri(ini, ITU + "ledBy", sg if rng.random() < 0.7 else f"{ID}organization/itu")
            for partner in rng.sample(self.partners, min(len(self.partners), rng.randint(1, 4))):
                out.iri(ini, ITU + "hasPartner", partner)
            out.iri(ini, ITU + "addressesActionLine", f"{ID}wsis-action-line/{self.pick(ACTION_LINES)}")
            self.claim(ini, ITU + "launchYear", str(rng.randint(1995, 2025)), XSD + "gYear")
            self.about(ini, sdg_rate=0.9)
        # The pools grow with the graph, as the real graph's would.
        if index % 3 == 0:
            self.new_partner()
        if index % 5 == 0:
            self.new_source()
        if index % 40 == 0:
            self.new_topic()

    def run(self) -> list[str]:
        self.skeleton()
        index = 0
        while len(self.out) < self.target:
            self.study_group_block(index)
            index += 1
        return self.out.lines


def generate(triples: int, *, seed: int = 42, kos: Path | None = None) -> list[str]:
    """N-Triples lines of a synthetic graph of about ``triples`` statements (deterministic)."""
    kos = kos or REPO / "graph" / "sdg" / "sdg-kos-goals-targets-indicators.ttl"
    return _Generator(triples, seed, sdg_targets(kos)).run()


def write_project(out: Path, triples: int, *, seed: int = 42, repo: Path = REPO) -> dict[str, object]:
    """Write a project folder at ``out`` (replacing it); returns its manifest."""
    if out.exists():
        shutil.rmtree(out)
    (out / "graph").mkdir(parents=True)
    shutil.copytree(repo / "ontology", out / "ontology")
    shutil.copytree(repo / "shapes", out / "shapes")
    shutil.copytree(repo / "graph" / "sdg", out / "graph" / "sdg")
    if (repo / "queries").is_dir():
        shutil.copytree(repo / "queries", out / "queries")
    else:
        (out / "queries").mkdir()
    lines = generate(triples, seed=seed, kos=out / "graph" / "sdg" / "sdg-kos-goals-targets-indicators.ttl")
    with (out / "graph" / "synthetic.nt").open("w", encoding="utf-8") as handle:
        handle.writelines(lines)
    manifest: dict[str, object] = {
        "seed": seed,
        "requested_triples": triples,
        "generated_triples": len(lines),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--triples", type=int, default=10_000, help="generated triples (about)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--out", type=Path, required=True, help="project folder to (re)create")
    args = parser.parse_args(argv)
    manifest = write_project(args.out, args.triples, seed=args.seed)
    print(f"wrote {manifest['generated_triples']} triples to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
