"""Query results as values, and the CLI's text table.

Answers in a standard format (SPARQL JSON/XML/CSV/TSV, every RDF syntax) are written by
the engine's own serialisers (:mod:`itugraph.answers`); what stays here is what no library
writes: rows as Python values for the code that reads them, and a table for a terminal.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pyoxigraph as ox

from itugraph.namespaces import PREFIXES

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple


@dataclass
class QueryOutcome:
    """What a query produced: solutions (SELECT), a boolean (ASK) or triples (CONSTRUCT/DESCRIBE)."""

    kind: str  # "select" | "ask" | "graph"
    variables: list[str] = field(default_factory=list)
    rows: list[tuple[Term | None, ...]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[ox.Triple] = field(default_factory=list)
    truncated: bool = False

    def records(self) -> list[dict[str, str]]:
        """Rows as ``{variable: value}`` with plain string values (IRI or lexical form)."""
        return [
            {v: term_value(t) for v, t in zip(self.variables, row, strict=True) if t is not None}
            for row in self.rows
        ]


def term_value(term: Term) -> str:
    """The plain value of a term: the IRI, the blank node id or the literal's lexical form."""
    return str(term.value) if not isinstance(term, ox.Triple) else str(term)


def compact(term: Term | None, prefixes: dict[str, str] = PREFIXES) -> str:
    """A short, readable form: ``prefix:local`` for known namespaces, else the value.

    >>> compact(ox.NamedNode("http://www.w3.org/ns/org#unitOf"))
    'org:unitOf'
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for name, iri in prefixes.items():
            local = term.value[len(iri) :]
            if term.value.startswith(iri) and local and all(c.isalnum() or c in "-_." for c in local):
                return f"{name}:{local}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal) and term.language:
        return f"{term.value}@{term.language}"
    return term_value(term)


def render_table(outcome: QueryOutcome) -> str:
    """SELECT rows as aligned columns (terms compacted with our prefixes), ASK as true/false."""
    if outcome.kind == "ask":
        return ("true" if outcome.boolean else "false") + "\n"
    cells = [[compact(t) for t in row] for row in outcome.rows]
    return _format_table(outcome.variables, cells, outcome.truncated)


def _format_table(header: Sequence[str], cells: list[list[str]], truncated: bool) -> str:
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    rule = "  ".join("-" * w for w in widths)
    body = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    footer = f"({len(cells)} row{'s' if len(cells) != 1 else ''}"
    footer += ", truncated at the result limit)" if truncated else ")"
    return "\n".join([line.rstrip(), rule, *body, footer]) + "\n"
