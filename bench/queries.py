"""The benchmark's query set: the ``queries/`` catalogue plus six shapes of query.

Every query is sent as the same text to every engine. Catalogue parameters are bound
with their defaults by a ``VALUES`` block put first in the query's ``WHERE`` group, the
text the query page shows (``itugraph.web.ui.example_query``): the same for all engines,
so no engine gets pyoxigraph's substitutions and the others something else, and every
pattern and FILTER sees the value (a trailing ``VALUES`` is joined after the ``WHERE``
group: a FILTER on a parameter would see it unbound and the query would answer nothing).
A trailing variable, ``?bench_n``, takes a number that changes per request, so that no
two requests are alike and no result cache can answer them; the figures marked "cached"
send one text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

#: The placeholder the load generators replace with a per-request number.
MARK = "__BENCH__"

PREFIXES = """PREFIX itu: <https://w3id.org/itugraph/def/itu#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX sdgo: <http://metadata.un.org/sdg/ontology#>
"""

#: The shapes the issue asks for beyond the catalogue (all bounded by LIMIT or grouping,
#: so every engine returns the same rows and none is cut by a row limit).
EXTRA: dict[str, str] = {
    "x-join": PREFIXES
    + """SELECT ?unit ?initiative ?partner ?topic WHERE {
  ?initiative itu:ledBy ?unit ; itu:hasPartner ?partner ; dcterms:subject ?topic .
  ?unit a itu:StudyGroup ; org:subOrganizationOf ?sector .
  ?sector a itu:Sector .
  ?partner a org:FormalOrganization .
  ?topic skos:inScheme ?scheme .
} LIMIT 2000""",
    "x-path": PREFIXES
    + """SELECT ?unit ?label WHERE {
  ?unit (org:unitOf|org:subOrganizationOf)+ <https://w3id.org/itugraph/id/sector/itu-t> ;
        rdfs:label ?label .
} LIMIT 5000""",
    "x-aggregate": PREFIXES
    + """SELECT ?goal (COUNT(DISTINCT ?thing) AS ?things) WHERE {
  ?thing itu:contributesToSDG ?goal .
  ?goal a sdgo:Goal .
} GROUP BY ?goal ORDER BY DESC(?things)""",
    "x-regex": PREFIXES
    + """SELECT ?s ?label WHERE {
  ?s rdfs:label ?label .
  FILTER(REGEX(STR(?label), "group 1[0-9]$", "i"))
} LIMIT 1000""",
    "x-optional": PREFIXES
    + """SELECT ?sg ?number ?chair ?question WHERE {
  ?sg a itu:StudyGroup .
  OPTIONAL { ?sg itu:studyGroupNumber ?number }
  OPTIONAL { ?sg itu:hasChair ?chair }
  OPTIONAL { ?question itu:studiedBy ?sg }
} LIMIT 3000""",
    "x-construct": PREFIXES
    + """CONSTRUCT {
  ?unit org:transitiveSubOrganizationOf ?ancestor ; rdfs:label ?label
} WHERE {
  ?unit org:transitiveSubOrganizationOf ?ancestor ; rdfs:label ?label .
} LIMIT 3000""",
}


@dataclass(frozen=True)
class BenchQuery:
    name: str
    kind: str  # "catalogue" or "extra"
    text: str  # with MARK where the per-request number goes
    form: str  # "select", "construct", "ask", "describe"

    def render(self, n: int) -> str:
        return self.text.replace(MARK, str(n))

    @property
    def accept(self) -> str:
        if self.form in {"construct", "describe"}:
            return "application/n-triples"
        return "application/sparql-results+json"


def _form(text: str) -> str:
    from itugraph.sparql_text import query_form

    return query_form(text) or "select"


def _with_number(text: str) -> str:
    """``text`` with a trailing VALUES clause binding the per-request number."""
    return f"{text.rstrip()}\nVALUES (?bench_n) {{ ({MARK}) }}\n"


def load(queries_dir: Path) -> tuple[list[BenchQuery], list[str]]:
    """The query set, and notes on catalogue queries left out (and why)."""
    from itugraph.catalogue import load_catalogue
    from itugraph.web.ui import example_query

    out: list[BenchQuery] = []
    notes: list[str] = []
    for name, named in load_catalogue(queries_dir).items():
        # A parameter without a default is optional: the API leaves it unbound when it is
        # not given (query 26: "today"), and so does the editor text.
        optional = [p.name for p in named.parameters if p.default is None or p.default == ""]
        if optional:
            notes.append(f"{name}: optional parameter(s) left unbound: {', '.join(optional)}")
        form = _form(named.text)
        out.append(BenchQuery(name, "catalogue", _with_number(example_query(named)), form))
    for name, text in EXTRA.items():
        out.append(BenchQuery(name, "extra", _with_number(text), _form(text)))
    return out, notes


def count_results(body: bytes, form: str) -> int:
    """Rows (triples for CONSTRUCT/DESCRIBE, 1 for ASK) in an answer to a query of ``form``."""
    if form in {"construct", "describe"}:
        return sum(1 for line in body.splitlines() if line.strip() and not line.startswith(b"#"))
    data = json.loads(body)
    if "boolean" in data:
        return 1
    return len(data["results"]["bindings"])
