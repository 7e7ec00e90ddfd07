"""Every serialisation itugraph reads or writes, in one table.

One row per format: its name (CLI ``-f``, HTTP ``format=``), aliases, kind (SPARQL
results, RDF, or the CLI's text table), media types (the first is what we send), file
extensions (RDF only) and the pyoxigraph format that writes it. The loader, ``export``,
``query``, content negotiation and the service description all read this table, so a
format exists everywhere or nowhere, and an unknown name is the same clear error in the
CLI and over HTTP.

>>> named("ttl", "rdf").media_type
'text/turtle'
>>> named("xml", "results").media_type
'application/sparql-results+xml'
>>> [f.name for f in of_kind("results")]
['json', 'xml', 'csv', 'tsv']
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from itugraph.errors import InputError

Kind = Literal["results", "rdf", "text"]


@dataclass(frozen=True)
class Format:
    """One serialisation; ``results``/``rdf`` is the pyoxigraph writer of its kind."""

    name: str
    kind: Kind
    media_types: tuple[str, ...]
    spec: str
    aliases: tuple[str, ...] = ()
    extensions: tuple[str, ...] = ()
    results: ox.QueryResultsFormat | None = None
    rdf: ox.RdfFormat | None = None
    text: bool = False
    #: Its IRI in the W3C's format registry (http://www.w3.org/ns/formats/), for the
    #: service description's ``sd:resultFormat``.
    w3c: str | None = None

    @property
    def media_type(self) -> str:
        """The media type we answer with."""
        return self.media_types[0]

    @property
    def content_type(self) -> str:
        """The Content-Type header value (text formats say their charset)."""
        return self.media_type + ("; charset=utf-8" if self.text else "")

    @property
    def oxigraph(self) -> ox.RdfFormat:
        """The pyoxigraph RDF format (RDF formats only)."""
        assert self.rdf is not None, f"{self.name} is not an RDF format"
        return self.rdf

    @property
    def is_dataset(self) -> bool:
        """True for N-Quads and TriG, which keep named graphs on export.

        JSON-LD could carry them too, but its consumers expect one graph, so it is merged.
        """
        return self.name in {"nq", "trig"}


R, G = ox.QueryResultsFormat, ox.RdfFormat

#: The table. Within a kind the first format is the default of content negotiation.
REGISTRY: tuple[Format, ...] = (
    Format(
        "json",
        "results",
        ("application/sparql-results+json", "application/json"),
        "https://www.w3.org/TR/sparql11-results-json/",
        results=R.JSON,
        w3c="SPARQL_Results_JSON",
    ),
    Format(
        "xml",
        "results",
        ("application/sparql-results+xml", "application/xml"),
        "https://www.w3.org/TR/rdf-sparql-XMLres/",
        results=R.XML,
        w3c="SPARQL_Results_XML",
    ),
    Format(
        "csv",
        "results",
        ("text/csv",),
        "https://www.w3.org/TR/sparql11-results-csv-tsv/",
        results=R.CSV,
        text=True,
        w3c="SPARQL_Results_CSV",
    ),
    Format(
        "tsv",
        "results",
        ("text/tab-separated-values",),
        "https://www.w3.org/TR/sparql11-results-csv-tsv/",
        results=R.TSV,
        text=True,
        w3c="SPARQL_Results_TSV",
    ),
    Format(
        "ttl",
        "rdf",
        ("text/turtle",),
        "https://www.w3.org/TR/turtle/",
        aliases=("turtle",),
        extensions=(".ttl", ".turtle"),
        rdf=G.TURTLE,
        text=True,
        w3c="Turtle",
    ),
    Format(
        "nt",
        "rdf",
        ("application/n-triples", "text/plain"),
        "https://www.w3.org/TR/n-triples/",
        aliases=("ntriples",),
        extensions=(".nt",),
        rdf=G.N_TRIPLES,
        w3c="N-Triples",
    ),
    Format(
        "jsonld",
        "rdf",
        ("application/ld+json",),
        "https://www.w3.org/TR/json-ld11/",
        aliases=("json-ld",),
        extensions=(".jsonld",),
        rdf=G.JSON_LD,
        w3c="JSON-LD",
    ),
    Format(
        "xml",
        "rdf",
        ("application/rdf+xml",),
        "https://www.w3.org/TR/rdf-syntax-grammar/",
        aliases=("rdfxml", "rdf"),
        extensions=(".rdf", ".owl", ".xml"),
        rdf=G.RDF_XML,
        w3c="RDF_XML",
    ),
    Format(
        "trig",
        "rdf",
        ("application/trig",),
        "https://www.w3.org/TR/trig/",
        extensions=(".trig",),
        rdf=G.TRIG,
        w3c="TriG",
    ),
    Format(
        "nq",
        "rdf",
        ("application/n-quads",),
        "https://www.w3.org/TR/n-quads/",
        aliases=("nquads",),
        extensions=(".nq",),
        rdf=G.N_QUADS,
        w3c="N-Quads",
    ),
    Format("table", "text", ("text/plain",), "aligned columns for a terminal (the CLI's default)", text=True),
)


def of_kind(kind: Kind) -> list[Format]:
    """The formats of one kind, in table order."""
    return [f for f in REGISTRY if f.kind == kind]


def named(name: str, kind: Kind | tuple[Kind, ...]) -> Format:
    """The format called ``name`` (or one of its aliases) among ``kind``; else a clear error."""
    kinds = (kind,) if isinstance(kind, str) else kind
    wanted = name.lower()
    for fmt in REGISTRY:
        if fmt.kind in kinds and wanted in (fmt.name, *fmt.aliases):
            return fmt
    choices = ", ".join(dict.fromkeys(f.name for f in REGISTRY if f.kind in kinds))
    what = " or ".join({"results": "query result", "rdf": "RDF", "text": "text"}[k] for k in kinds)
    raise InputError(f"unknown {what} format {name!r}", hint=f"use one of: {choices}")


def names(*kinds: Kind) -> list[str]:
    """Every name of ``kinds`` (CLI choices)."""
    return list(dict.fromkeys(f.name for f in REGISTRY if f.kind in kinds))


def for_extension(suffix: str) -> Format | None:
    """The RDF format a file extension names (``.owl`` and ``.rdf`` are RDF/XML)."""
    return next((f for f in of_kind("rdf") if suffix.lower() in f.extensions), None)


def media_types(kind: Kind) -> dict[str, Format]:
    """Media type → format for content negotiation (first of the kind is the default)."""
    table: dict[str, Format] = {}
    for fmt in of_kind(kind):
        for media in fmt.media_types:
            table.setdefault(media, fmt)
    return table


@dataclass(frozen=True)
class Choice:
    """The outcome of negotiation: the format, and the media type the client named."""

    format: Format
    media_type: str

    @property
    def content_type(self) -> str:
        """Content-Type: the media type negotiated (so a client that asked for
        ``application/json`` gets that name back), with the charset for text formats."""
        return self.media_type + ("; charset=utf-8" if self.format.text else "")


def choose(accept_header: str | None, format_param: str | None, kind: Kind) -> Choice | None:
    """The format to answer with, or None when nothing acceptable can be served (406).

    ``format=`` (for browsers) wins over ``Accept``; it takes a name or a media type. A
    header that names exactly one type we serve is answered without parsing it (most
    programmatic clients send one type; parsing costs ~30 µs a request).

    >>> choose("text/csv", None, "results").format.name
    'csv'
    >>> choose("text/html;q=0.9, application/sparql-results+xml", None, "results").media_type
    'application/sparql-results+xml'
    >>> choose("text/html", None, "results") is None
    True
    >>> choose(None, "turtle", "rdf").content_type
    'text/turtle; charset=utf-8'
    """
    table = media_types(kind)
    if format_param:
        wanted = format_param.lower()
        if wanted in table:
            return Choice(table[wanted], wanted)
        fmt = next((f for f in of_kind(kind) if wanted in (f.name, *f.aliases)), None)
        return Choice(fmt, fmt.media_type) if fmt else None
    if accept_header in table:
        return Choice(table[accept_header], accept_header)
    accept = parse_accept_header(accept_header, MIMEAccept)
    if not accept or not list(accept.values()):
        default = of_kind(kind)[0]
        return Choice(default, default.media_type)
    best = accept.best_match(list(table))
    return Choice(table[best], best) if best else None
