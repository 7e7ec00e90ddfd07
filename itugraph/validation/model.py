"""The validation report as plain data: what the CLI gates on and what renderers print.

pyshacl returns its report as an RDF graph, which is awkward to sort, group by file or
serialise as JSON. We turn it into these dataclasses once, with every term already a
string, so renderers and tests never touch rdflib.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from itugraph.errors import Inconsistency

#: Severities in the order a reader should see them (worst first).
SEVERITIES: tuple[str, ...] = ("Violation", "Warning", "Info")


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, located in the source file where its focus node is defined.

    ``focus_node`` is an IRI (or ``_:label`` for a blank node); ``path`` is the predicate
    IRI for a simple path, or SPARQL property-path text for a complex one; ``value`` is
    the offending term in N-Triples form (``<iri>``, ``"text"@en``, ``"1"^^<datatype>``),
    so a reader can tell an IRI from a literal.
    """

    shape_id: str
    severity: str
    focus_node: str
    path: str | None
    value: str | None
    message: str
    file: Path | None
    line: int | None
    constraint: str | None = None
    #: For a blank-node focus (a claim nested in a resource): the IRI of the resource it
    #: belongs to, whose file and line the result carries.
    owner: str | None = None

    @property
    def sort_key(self) -> tuple[str, int, str, int, str, str, str]:
        """Files in order, then lines, then worst severity first: the order of the text report."""
        return (
            str(self.file or "~"),
            self.line or 0,
            self.focus_node,
            _severity_rank(self.severity),
            self.shape_id,
            self.path or "",
            self.value or "",
        )


@dataclass
class ValidationReport:
    """The outcome of validating one project.

    ``conforms`` has the SHACL meaning (no result of any severity); the CLI's exit code
    comes from :meth:`failed`, which lets warnings and infos through unless ``strict``.
    """

    conforms: bool
    results: list[ValidationResult]
    root: Path | None = None
    strict: bool = False
    inferred: bool = False
    data_files: list[Path] = field(default_factory=list)
    shapes_files: list[Path] = field(default_factory=list)
    triple_count: int = 0
    shape_count: int = 0
    seconds: float = 0.0
    #: ``"sparql"`` or ``"pyshacl"``; with ``"sparql"``, the IDs of the shapes it left to pyshacl.
    engine: str = "pyshacl"
    fallback_shapes: list[str] = field(default_factory=list)
    #: Triples the shapes' SHACL rules (``sh:rule``) added to the data before validation.
    derived_count: int = 0
    #: OWL 2 RL inconsistencies of the validated graph (``itugraph validate`` checks both).
    inconsistencies: list[Inconsistency] = field(default_factory=list)

    def failed(self, *, strict: bool) -> bool:
        """Whether CI should fail: any violation (or warning when ``strict``), or an inconsistency."""
        failing = {"Violation", "Warning"} if strict else {"Violation"}
        return bool(self.inconsistencies) or any(r.severity in failing for r in self.results)

    def count(self, severity: str) -> int:
        """How many results have ``severity`` (``Violation``, ``Warning`` or ``Info``)."""
        return sum(1 for r in self.results if r.severity == severity)

    def display_path(self, path: Path | None) -> str | None:
        """``path`` relative to the project root when it lies inside it (as CI tools expect)."""
        if path is None:
            return None
        if self.root is not None and path.is_relative_to(self.root):
            return path.relative_to(self.root).as_posix()
        return path.as_posix()


def _severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)
