"""Media types of SPARQL results and RDF, and choosing one from ``Accept`` or ``format=``."""

from __future__ import annotations

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from itugraph.rdf_formats import FORMATS

#: SELECT/ASK results: media type → our format name. The first entry is the default.
TABULAR: dict[str, str] = {
    # https://www.w3.org/TR/sparql11-results-json/
    "application/sparql-results+json": "json",
    "application/json": "json",
    # https://www.w3.org/TR/rdf-sparql-XMLres/
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    # https://www.w3.org/TR/sparql11-results-csv-tsv/
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}

#: CONSTRUCT/DESCRIBE results: media type → RDF format name. The first entry is the default.
GRAPH: dict[str, str] = {
    "text/turtle": "ttl",
    "application/n-triples": "nt",
    "text/plain": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "xml",
    "application/trig": "trig",
    "application/n-quads": "nq",
}

#: ``format=`` values browsers can use instead of an Accept header.
FORMAT_PARAM: dict[str, str] = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "ttl": "text/turtle",
    "turtle": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
    "rdf": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
    "nquads": "application/n-quads",
}

CONTENT_TYPES = {"ttl": "text/turtle; charset=utf-8", "nt": "application/n-triples",
                 "jsonld": "application/ld+json", "xml": "application/rdf+xml",
                 "trig": "application/trig", "nq": "application/n-quads"}


def choose(accept_header: str | None, format_param: str | None,
           table: dict[str, str]) -> str | None:
    """The media type to answer with, or None when nothing acceptable can be served (406).

    A header that names exactly one type we serve is answered without parsing it (most
    programmatic clients send one type; parsing costs ~30 µs a request).

    >>> choose("text/csv", None, TABULAR)
    'text/csv'
    >>> choose("text/html;q=0.9, application/sparql-results+xml", None, TABULAR)
    'application/sparql-results+xml'
    >>> choose("text/html", None, TABULAR) is None
    True
    """
    if format_param:
        wanted = FORMAT_PARAM.get(format_param.lower(), format_param.lower())
        return wanted if wanted in table else None
    if accept_header in table:
        return accept_header
    accept = parse_accept_header(accept_header, MIMEAccept)
    if not accept or not list(accept.values()):
        return next(iter(table))
    return accept.best_match(list(table))


def rdf_content_type(fmt: str) -> str:
    return CONTENT_TYPES.get(fmt, FORMATS[fmt].media_type)
