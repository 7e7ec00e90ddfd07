"""The RDF serialisations itugraph reads and writes, in one table.

One name → (file extension, media type, pyoxigraph format) table serves the loader
(by extension), ``export`` (by name) and content negotiation (by media type).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from itugraph.errors import InputError


@dataclass(frozen=True)
class RdfFormat:
    """One serialisation: its CLI name, its canonical extension and media type."""

    name: str
    extension: str
    media_type: str
    oxigraph: ox.RdfFormat

    @property
    def is_dataset(self) -> bool:
        """True for N-Quads and TriG, which keep the named graphs on export.

        JSON-LD could carry them too, but its consumers expect one graph, so it is merged.
        """
        return self.name in {"nq", "trig"}


FORMATS: dict[str, RdfFormat] = {
    f.name: f
    for f in (
        # https://www.w3.org/TR/turtle/
        RdfFormat("ttl", "ttl", "text/turtle", ox.RdfFormat.TURTLE),
        # https://www.w3.org/TR/n-triples/
        RdfFormat("nt", "nt", "application/n-triples", ox.RdfFormat.N_TRIPLES),
        # https://www.w3.org/TR/n-quads/
        RdfFormat("nq", "nq", "application/n-quads", ox.RdfFormat.N_QUADS),
        # https://www.w3.org/TR/trig/
        RdfFormat("trig", "trig", "application/trig", ox.RdfFormat.TRIG),
        # https://www.w3.org/TR/json-ld11/
        RdfFormat("jsonld", "jsonld", "application/ld+json", ox.RdfFormat.JSON_LD),
        # https://www.w3.org/TR/rdf-syntax-grammar/
        RdfFormat("xml", "rdf", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    )
}

#: File extensions the loader reads, mapped to the format name (``.owl`` is RDF/XML).
EXTENSIONS: dict[str, str] = {
    ".ttl": "ttl",
    ".turtle": "ttl",
    ".nt": "nt",
    ".nq": "nq",
    ".trig": "trig",
    ".jsonld": "jsonld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


def format_named(name: str) -> RdfFormat:
    """The format called ``name`` (``ttl``, ``nt``, …), or a clear error listing the choices.

    >>> format_named("ttl").media_type
    'text/turtle'
    """
    try:
        return FORMATS[name]
    except KeyError:
        raise InputError(
            f"unknown RDF format {name!r}", hint=f"use one of: {', '.join(FORMATS)}"
        ) from None


def format_for_path(path: Path) -> RdfFormat:
    """The format a file's extension names (``.owl`` and ``.rdf`` are RDF/XML)."""
    name = EXTENSIONS.get(path.suffix.lower())
    if name is None:
        raise InputError(
            f"{path}: unknown RDF file extension {path.suffix!r}",
            hint=f"rename it to one of: {', '.join(sorted(EXTENSIONS))}",
        )
    return FORMATS[name]


def is_rdf_file(path: Path) -> bool:
    """Whether the loader reads ``path`` (README.md and other files are skipped)."""
    return path.suffix.lower() in EXTENSIONS
