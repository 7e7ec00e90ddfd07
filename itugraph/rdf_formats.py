"""The RDF serialisations itugraph reads and writes: the RDF rows of :mod:`itugraph.formats`.

The loader picks a format by file extension, ``export`` by name; both read the one table
in :mod:`itugraph.formats`, which content negotiation and the service description read too.
"""

from __future__ import annotations

from pathlib import Path

from itugraph.errors import InputError
from itugraph.formats import Format, for_extension, named, of_kind

#: An RDF format (a row of :data:`itugraph.formats.REGISTRY` of kind ``rdf``).
RdfFormat = Format

FORMATS: dict[str, Format] = {f.name: f for f in of_kind("rdf")}

#: File extensions the loader reads, mapped to the format name (``.owl`` is RDF/XML).
EXTENSIONS: dict[str, str] = {ext: f.name for f in of_kind("rdf") for ext in f.extensions}


def format_named(name: str) -> Format:
    """The RDF format called ``name`` (``ttl``, ``nt``, …), or a clear error listing the choices.

    >>> format_named("ttl").media_type
    'text/turtle'
    """
    return named(name, "rdf")


def format_for_path(path: Path) -> Format:
    """The format a file's extension names (``.owl`` and ``.rdf`` are RDF/XML)."""
    fmt = for_extension(path.suffix)
    if fmt is None:
        raise InputError(
            f"{path}: unknown RDF file extension {path.suffix!r}",
            hint=f"rename it to one of: {', '.join(sorted(EXTENSIONS))}",
        )
    return fmt


def is_rdf_file(path: Path) -> bool:
    """Whether the loader reads ``path`` (README.md and other files are skipped)."""
    return path.suffix.lower() in EXTENSIONS
