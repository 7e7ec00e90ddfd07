"""The build's SHACL results as RDF: the validation graph ``itugraph publish`` loads beside
the data graphs, and one resource's findings read back from a store.

A front end over a store (``serve --backend sparql``) must show the SHACL status of the
publication it serves, not of whatever build it holds itself; so the results travel with
the data, under a versioned name switched by the same pointer (:mod:`itugraph.publication`).

Each result of the build's ``validation.json`` becomes one node
``<…/graph/validation#r000042>`` (an IRI, not a blank node: its number keeps the build's
order, and no chunk of a Graph Store request can split it) of type ``sh:ValidationResult``:

* ``sh:resultSeverity`` ``sh:Violation``/``sh:Warning``/``sh:Info``, ``sh:resultMessage``;
* ``sh:focusNode`` when the focus is an IRI (blank-node labels are local to the build), and
  ``dcterms:subject`` the resource whose page shows the result (the owner of a blank-node
  focus such as a claim; the focus itself otherwise);
* ``dcterms:identifier`` the shape as pages name it (``S51-Claim-mirrorOnly``);
* ``sh:resultPath`` the path (an IRI; a complex path as the report writes it, as text);
* ``sh:value`` the value (an IRI or literal; a blank node as the text of its local label).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pyoxigraph as ox

from itugraph.linkeddata.describe import Finding
from itugraph.namespaces import DCTERMS, GRAPH_VALIDATION, RDF, SH
from itugraph.store import GraphStore

_RESULT = GRAPH_VALIDATION + "#r"

_FINDINGS_QUERY = f"""
SELECT ?r ?severity ?shape ?message ?path ?value WHERE {{
  GRAPH <{{graph}}> {{
    {{ ?r <{SH}focusNode> <{{iri}}> }} UNION {{ ?r <{DCTERMS}subject> <{{iri}}> }}
    ?r <{SH}resultSeverity> ?severity ; <{DCTERMS}identifier> ?shape ; <{SH}resultMessage> ?message .
    OPTIONAL {{ ?r <{SH}resultPath> ?path }}
    OPTIONAL {{ ?r <{SH}value> ?value }}
  }}
}} ORDER BY ?r"""


def validation_triples(path: Path) -> list[ox.Triple]:
    """The results of a build's ``validation.json`` as triples (see the module)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    triples: list[ox.Triple] = []
    for number, result in enumerate(document.get("results", [])):
        triples += _result_triples(ox.NamedNode(f"{_RESULT}{number:06d}"), result)
    return triples


def _result_triples(node: ox.NamedNode, result: dict[str, str | None]) -> list[ox.Triple]:
    def add(predicate: str, value: ox.NamedNode | ox.Literal) -> None:
        triples.append(ox.Triple(node, ox.NamedNode(predicate), value))

    triples: list[ox.Triple] = []
    add(RDF + "type", ox.NamedNode(SH + "ValidationResult"))
    add(SH + "resultSeverity", ox.NamedNode(SH + str(result["severity"])))
    add(SH + "resultMessage", ox.Literal(str(result["message"])))
    add(DCTERMS + "identifier", ox.Literal(str(result["shape_id"])))
    focus, owner = result.get("focus_node"), result.get("owner")
    if focus and not focus.startswith("_:"):
        add(SH + "focusNode", ox.NamedNode(focus))
    if owner or (focus and not focus.startswith("_:")):
        add(DCTERMS + "subject", ox.NamedNode(str(owner or focus)))
    if result.get("path"):
        add(SH + "resultPath", _iri_or_text(str(result["path"])))
    if result.get("value"):
        add(SH + "value", _term_or_text(str(result["value"])))
    return triples


def _iri_or_text(text: str) -> ox.NamedNode | ox.Literal:
    """A path written as one IRI is that IRI; a complex path stays the report's text."""
    if _ABSOLUTE_IRI.fullmatch(text):
        return ox.NamedNode(text)
    return ox.Literal(text)


_ABSOLUTE_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|^`\\()]+")


def _term_or_text(text: str) -> ox.NamedNode | ox.Literal:
    """A value written as an N-Triples term (``<…>``, ``"…"@en``) is that term; a blank node
    (a label local to the build) or anything else stays text."""
    try:
        (quad,) = ox.parse(f"<x:s> <x:p> {text} .".encode(), format=ox.RdfFormat.N_TRIPLES)
    except (SyntaxError, ValueError):
        return ox.Literal(text)
    term = quad.object
    return term if isinstance(term, ox.NamedNode | ox.Literal) else ox.Literal(text)


def findings_in(store: GraphStore, graph: str, iri: str) -> list[Finding]:
    """The results in the validation ``graph`` (a versioned name) about ``iri``, in the
    build's order, each once."""
    text = _FINDINGS_QUERY.replace("{graph}", graph).replace("{iri}", iri)
    outcome = store.query(text, default_graphs=[graph], named_graphs=[graph])
    found: list[Finding] = []
    for row in outcome.rows:
        _node, severity, shape, message, path, value = row
        found.append(
            Finding(
                _local(severity),
                _text(shape),
                _text(message),
                _text(path) if path is not None else None,
                _shown(value) if value is not None else None,
            )
        )
    return list(dict.fromkeys(found))


def _local(term: object) -> str:
    iri = _text(term)
    return iri[len(SH) :] if iri.startswith(SH) else iri


def _text(term: object) -> str:
    return str(getattr(term, "value", term))


def _shown(term: object) -> str:
    """The value as the build's report writes it (an N-Triples term), text as itself."""
    if isinstance(term, ox.Literal) and term.language is None and term.datatype.value.endswith("#string"):
        return term.value if term.value.startswith("_:") else str(term)
    return str(term)
