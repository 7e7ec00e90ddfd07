"""``itugraph report``: what is in a graph, how complete it is, and what needs a look.

A data maintainer or a reviewer wants one page that answers "can I rely on this?":

* **classes** — how many resources of each class the data types (asserted ``rdf:type``
  of resources outside the vocabulary namespaces);
* **inventories** — coverage against lists of what the sources say exists
  (``tests/data/inventories/*.tsv`` by default, ``[tool.itugraph] inventories`` in
  ``ROOT/pyproject.toml`` otherwise): "ITU-T 2025-2028 Questions: 28 of 28 listed in the
  graph, 12 with a title";
* **sections** — every catalogue query whose header has ``# report: yes`` (for the ITU
  graph: resources per study period, open conflicts, low-confidence claims), run on the
  built graph;
* **validation** — the warnings and infos of the shapes (violations too, if any).

Nothing here is ITU-specific: the ITU graph's sections are ordinary queries in
``queries/``, so the same command reports on any project laid out like this one.
"""

from __future__ import annotations

import csv
import json
import re
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

import pyoxigraph as ox

from itugraph.build import build
from itugraph.catalogue import NamedQuery, load_catalogue
from itugraph.errors import InputError
from itugraph.namespaces import GRAPH_ASSERTED, ITUID, OWL, RDF, RDFS, SH, XSD
from itugraph.project import Project
from itugraph.results import compact
from itugraph.store import OxigraphStore
from itugraph.validation import validate_project
from itugraph.validation.model import ValidationReport

#: Namespaces whose classes are vocabulary machinery, not kinds of data.
_META = (OWL, RDF, RDFS, SH, XSD)
_TOTAL = re.compile(r"^#\s*total:\s*(?P<n>\d+)\s*(?P<note>.*)$")
_INVENTORY_COLUMNS = ("iri", "label", "sources", "in_graph", "notes")


@dataclass(frozen=True)
class ClassCount:
    iri: str
    label: str
    count: int


@dataclass(frozen=True)
class InventoryCoverage:
    """One inventory: how many things the sources list, how many the graph has."""

    name: str
    listed: int
    expected_in_graph: int
    present: int
    with_title: int
    stated_total: int | None = None
    stated_by: str = ""
    missing: list[str] = field(default_factory=list)
    not_modelled: list[str] = field(default_factory=list)

    def summary(self) -> str:
        total = (
            f"{self.listed} listed of {self.stated_total} the sources state"
            if self.stated_total is not None
            else f"{self.listed} listed"
        )
        line = f"{total}; {self.present} in the graph"
        if self.with_title:
            line += f", {self.with_title} with a title"
        if self.missing:
            line += f"; MISSING {len(self.missing)}"
        return line


@dataclass(frozen=True)
class QuerySection:
    name: str
    title: str
    variables: list[str]
    rows: list[list[str]]


@dataclass(frozen=True)
class ValidationSummary:
    violations: int
    warnings: int
    infos: int
    results: list[dict[str, object]]


@dataclass(frozen=True)
class Report:
    triples: dict[str, int]
    classes: list[ClassCount]
    inventories: list[InventoryCoverage]
    sections: list[QuerySection]
    validation: ValidationSummary


def make_report(project: Project) -> Report:
    """Build (without failing on violations), then gather every part of the report."""
    built = build(project, validate=False)
    store = built.open_store()
    validation = validate_project(project)
    manifest = built.manifest
    triples = {
        "asserted_triples": manifest.asserted_triples,
        "derived_triples": manifest.derived_triples,
        "inferred_triples": manifest.inferred_triples,
    }
    return Report(
        triples=triples,
        classes=class_counts(store),
        inventories=[inventory_coverage(path, store) for path in inventory_files(project)],
        sections=[run_section(q, store) for q in report_queries(project)],
        validation=_summary(validation),
    )


def class_counts(store: OxigraphStore) -> list[ClassCount]:
    """Resources per asserted class, biggest first (vocabulary machinery left out: classes
    of the OWL, RDF(S), SHACL and XSD namespaces, so declarations are not counted)."""
    outcome = store.query(
        f"""SELECT ?class (SAMPLE(?name) AS ?label) (COUNT(DISTINCT ?thing) AS ?n)
        WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{ ?thing a ?class }}
                 FILTER (isIRI(?thing))
                 OPTIONAL {{ ?class <{RDFS}label> ?name FILTER (LANGMATCHES(LANG(?name), "en")) }} }}
        GROUP BY ?class ORDER BY DESC(?n) ?class"""
    )
    counts = []
    for cls, label, n in outcome.rows:
        if not isinstance(cls, ox.NamedNode) or any(cls.value.startswith(ns) for ns in _META):
            continue
        name = label.value if isinstance(label, ox.Literal) else compact(cls)
        counts.append(ClassCount(cls.value, name, int(n.value) if isinstance(n, ox.Literal) else 0))
    return counts


def inventory_folder(project: Project) -> Path:
    """``[tool.itugraph] inventories`` of ROOT/pyproject.toml, else ROOT/tests/data/inventories."""
    config = project.root / "pyproject.toml"
    if config.is_file():
        setting = (
            tomllib.loads(config.read_text(encoding="utf-8"))
            .get("tool", {})
            .get("itugraph", {})
            .get("inventories")
        )
        if setting:
            return project.root / setting
    return project.root / "tests" / "data" / "inventories"


def inventory_files(project: Project) -> list[Path]:
    folder = inventory_folder(project)
    return sorted(folder.glob("*.tsv")) if folder.is_dir() else []


def read_inventory(path: Path) -> tuple[list[dict[str, str]], int | None, str]:
    """The rows of an inventory, and the total a source states (``# total: N per S123``)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    total, note = None, ""
    body = []
    for line in lines:
        if match := _TOTAL.match(line):
            total, note = int(match["n"]), match["note"]
        elif not line.startswith("#") and line.strip():
            body.append(line)
    reader = csv.DictReader(body, delimiter="\t")
    if tuple(reader.fieldnames or ())[: len(_INVENTORY_COLUMNS)] != _INVENTORY_COLUMNS:
        raise InputError(
            f"{path}: an inventory's header must be {' '.join(_INVENTORY_COLUMNS)}",
            hint="tab-separated; see graph/README.md, section Inventories",
        )
    return list(reader), total, note


def inventory_iri(cell: str) -> str:
    """An inventory's ``iri`` cell as a full IRI (a path after …/id/, or a full IRI)."""
    return cell if re.match(r"^[a-z][a-z0-9+.-]*:", cell) else ITUID + cell


def inventory_coverage(path: Path, store: OxigraphStore) -> InventoryCoverage:
    rows, total, note = read_inventory(path)
    expected = [r for r in rows if r["in_graph"].strip() == "yes"]
    present, titled, missing = 0, 0, []
    for row in rows:
        iri = inventory_iri(row["iri"].strip())
        typed = store.query(f"ASK {{ <{iri}> a ?type }}").boolean
        if typed:
            present += 1
            if store.query(f"ASK {{ <{iri}> <http://purl.org/dc/terms/title> ?t }}").boolean:
                titled += 1
        elif row in expected:
            missing.append(row["iri"])
    not_modelled = [r["iri"] for r in rows if r not in expected]
    return InventoryCoverage(
        path.stem, len(rows), len(expected), present, titled, total, note, missing, not_modelled
    )


def report_queries(project: Project) -> list[NamedQuery]:
    """Catalogue queries marked ``# report: yes``."""
    return [q for q in load_catalogue(project.queries_dir).values() if q.report]


def run_section(query: NamedQuery, store: OxigraphStore) -> QuerySection:
    outcome = store.query(query.text)
    return QuerySection(
        query.name,
        query.title,
        list(outcome.variables),
        [[_cell(term) for term in row] for row in outcome.rows],
    )


def _cell(term: object) -> str:
    if isinstance(term, ox.Literal):
        return term.value
    if isinstance(term, ox.NamedNode | ox.BlankNode):
        return compact(term)
    return "" if term is None else str(term)


def _summary(report: ValidationReport) -> ValidationSummary:
    results: list[dict[str, object]] = [
        {
            "severity": r.severity,
            "shape_id": r.shape_id,
            "focus_node": r.focus_node,
            "owner": r.owner,
            "message": r.message,
            "file": report.display_path(r.file),
            "line": r.line,
        }
        for r in report.results
    ]
    return ValidationSummary(
        report.count("Violation"), report.count("Warning"), report.count("Info"), results
    )


def render_json(report: Report) -> str:
    document = asdict(report)
    for inventory, coverage in zip(document["inventories"], report.inventories, strict=True):
        inventory["summary"] = coverage.summary()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_text(report: Report) -> str:
    out: list[str] = []
    triples = ", ".join(f"{n:,} {key.replace('_triples', '')}" for key, n in report.triples.items())
    out += ["DATA-QUALITY REPORT", f"triples: {triples}", "", "Resources per class"]
    out += [f"  {c.count:6,}  {c.label}" for c in report.classes]
    out += ["", "Coverage against the inventories (what the sources say exists)"]
    for inv in report.inventories:
        out.append(f"  {inv.name}: {inv.summary()}")
        out += [f"      missing from the graph: {iri}" for iri in inv.missing]
    for section in report.sections:
        out += ["", f"{section.title} ({section.name}): {len(section.rows)} row(s)"]
        if section.rows:
            out.append("  " + " | ".join(section.variables))
            out += ["  " + " | ".join(row) for row in section.rows]
    v = report.validation
    out += ["", f"Shapes: {v.violations} violation(s), {v.warnings} warning(s), {v.infos} info(s)"]
    for r in v.results:
        where = f"{r['file']}:{r['line']}" if r["file"] else "-"
        out.append(f"  [{r['severity']}] {r['shape_id']} {where} {r['owner'] or r['focus_node']}")
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "json": render_json}
