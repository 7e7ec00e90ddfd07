"""Query results as values and their serialisations (SPARQL JSON/XML/CSV/TSV, a text table).

We serialise solutions ourselves rather than with pyoxigraph's ``serialize`` because a
result size limit must cut the stream and say so, and the CLI needs a readable table.
"""

from __future__ import annotations

import csv
import io
import json
import json.encoder
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from itugraph.errors import InputError
from itugraph.namespaces import PREFIXES
from itugraph.rdf_formats import FORMATS, RdfFormat

Term = ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple
XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


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


#: Result formats by CLI/``format=`` name → media type (SELECT/ASK).
TABULAR_FORMATS: dict[str, str] = {
    # https://www.w3.org/TR/sparql11-results-json/
    "json": "application/sparql-results+json",
    # https://www.w3.org/TR/rdf-sparql-XMLres/
    "xml": "application/sparql-results+xml",
    # https://www.w3.org/TR/sparql11-results-csv-tsv/
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "table": "text/plain",
}


def term_value(term: Term) -> str:
    """The plain value of a term: the IRI, the blank node id or the literal's lexical form."""
    return str(term.value) if not isinstance(term, ox.Triple) else str(term)


def serialize_tabular(outcome: QueryOutcome, fmt: str) -> bytes:
    """Serialise a SELECT or ASK outcome in one of :data:`TABULAR_FORMATS`."""
    writers = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv, "table": _table}
    try:
        writer = writers[fmt]
    except KeyError:
        raise InputError(f"unknown result format {fmt!r}",
                         hint=f"use one of: {', '.join(writers)}") from None
    return writer(outcome).encode("utf-8")


def serialize_graph(triples: Iterable[ox.Triple], fmt: RdfFormat | str) -> bytes:
    """Serialise CONSTRUCT/DESCRIBE triples (or any triples) with our prefixes."""
    rdf_format = FORMATS[fmt] if isinstance(fmt, str) else fmt
    prefixes = PREFIXES if rdf_format.name in {"ttl", "trig", "xml", "jsonld"} else None
    return ox.serialize(triples, format=rdf_format.oxigraph, prefixes=prefixes) or b""


def _json_term(term: Term) -> dict[str, object]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Triple):
        return {"type": "triple", "value": {"subject": _json_term(term.subject),
                                            "predicate": _json_term(term.predicate),
                                            "object": _json_term(term.object)}}
    out: dict[str, object] = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


_quote = json.encoder.encode_basestring  # the C function json.dumps uses


def _json_text(term: Term) -> str:
    """One term in SPARQL JSON, as text: the same output as ``json.dumps(_json_term(term))``.

    >>> _json_text(ox.Literal("3", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")))
    '{"type": "literal", "value": "3", "datatype": "http://www.w3.org/2001/XMLSchema#integer"}'
    """
    if isinstance(term, ox.NamedNode):
        return '{"type": "uri", "value": ' + _quote(term.value) + "}"
    if isinstance(term, ox.Literal):
        text = '{"type": "literal", "value": ' + _quote(term.value)
        if term.language:
            return text + ', "xml:lang": ' + _quote(term.language) + "}"
        if term.datatype.value != XSD_STRING:
            return text + ', "datatype": ' + _quote(term.datatype.value) + "}"
        return text + "}"
    return json.dumps(_json_term(term), ensure_ascii=False)


def _encoded_rows(rows: Iterable[Sequence[Term | None]],
                  encode: Callable[[Term], str]) -> Iterator[list[tuple[int, str]]]:
    """Each row as (column, encoded term) for its bound cells, each distinct term encoded
    once: results repeat terms (a unit on every row of its members), so this saves most of
    the encoding work."""
    encoded: dict[Term, str] = {}
    for row in rows:
        cells = []
        for column, term in enumerate(row):
            if term is not None:
                text = encoded.get(term)
                if text is None:
                    text = encoded[term] = encode(term)
                cells.append((column, text))
        yield cells


def _json(outcome: QueryOutcome) -> str:
    if outcome.kind == "ask":
        return json.dumps({"head": {}, "boolean": bool(outcome.boolean)})
    head: dict[str, object] = {"vars": outcome.variables}
    if outcome.truncated:
        head["link"] = ["urn:itugraph:truncated"]
    # Written as text, each distinct term encoded once: 2-3x faster than json.dumps over
    # one dict per binding.
    keys = [json.dumps(v, ensure_ascii=False) + ":" for v in outcome.variables]
    rows = ["{" + ",".join(keys[column] + text for column, text in cells) + "}"
            for cells in _encoded_rows(outcome.rows, _json_text)]
    return ('{"head": ' + json.dumps(head, ensure_ascii=False) + ', "results": {"bindings": ['
            + ", ".join(rows) + "]}}")


def _xml_term(term: Term) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Triple):
        return f"<literal>{escape(str(term))}</literal>"
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
    if term.datatype.value != XSD_STRING:
        return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
    return f"<literal>{escape(term.value)}</literal>"


def _xml(outcome: QueryOutcome) -> str:
    out = io.StringIO()
    out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">\n')
    if outcome.kind == "ask":
        out.write(f"<head/>\n<boolean>{'true' if outcome.boolean else 'false'}</boolean>\n")
        out.write("</sparql>\n")
        return out.getvalue()
    out.write("<head>")
    out.write("".join(f"<variable name={quoteattr(v)}/>" for v in outcome.variables))
    if outcome.truncated:
        out.write('<link href="urn:itugraph:truncated"/>')
    out.write("</head>\n<results>\n")
    opens = [f"<binding name={quoteattr(v)}>" for v in outcome.variables]
    for cells in _encoded_rows(outcome.rows, _xml_term):
        out.write("<result>" + "".join(f"{opens[column]}{text}</binding>" for column, text in cells)
                  + "</result>\n")
    out.write("</results>\n</sparql>\n")
    return out.getvalue()


def _csv(outcome: QueryOutcome) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    if outcome.kind == "ask":
        writer.writerow(["boolean"])
        writer.writerow(["true" if outcome.boolean else "false"])
        return out.getvalue()
    writer.writerow(outcome.variables)
    for row in outcome.rows:
        writer.writerow(["" if t is None else term_value(t) for t in row])
    return out.getvalue()


def _tsv_term(term: Term | None) -> str:
    return "" if term is None else str(term)


def _tsv(outcome: QueryOutcome) -> str:
    if outcome.kind == "ask":
        return f"?boolean\n{'true' if outcome.boolean else 'false'}\n"
    lines = ["\t".join(f"?{v}" for v in outcome.variables)]
    lines += ["\t".join(_tsv_term(t) for t in row) for row in outcome.rows]
    return "\n".join(lines) + "\n"


def compact(term: Term | None, prefixes: dict[str, str] = PREFIXES) -> str:
    """A short, readable form: ``prefix:local`` for known namespaces, else the value.

    >>> compact(ox.NamedNode("http://www.w3.org/ns/org#unitOf"))
    'org:unitOf'
    """
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        for name, iri in prefixes.items():
            local = term.value[len(iri):]
            if term.value.startswith(iri) and local and all(c.isalnum() or c in "-_." for c in local):
                return f"{name}:{local}"
        return f"<{term.value}>"
    if isinstance(term, ox.Literal) and term.language:
        return f"{term.value}@{term.language}"
    return term_value(term)


def _table(outcome: QueryOutcome) -> str:
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
