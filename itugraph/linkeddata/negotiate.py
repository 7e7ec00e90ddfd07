"""Which representation of a linked-data document to send: HTML or one RDF format.

One rule for every document route (resources, listings, the ontology, the shapes, the
named graphs, VoID): a format suffix (``/id/sector/itu-t.ttl``) names the representation
outright; otherwise ``Accept`` chooses among HTML and the RDF formats of the registry
(``itugraph.formats``), HTML first for browsers and ``*/*``, Turtle for RDF clients that
accept several. The suffix URLs are the canonical alternates announced in ``Link``.
"""

from __future__ import annotations

from dataclasses import dataclass

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

from itugraph.formats import REGISTRY, Format

HTML_MEDIA_TYPE = "text/html"


@dataclass(frozen=True)
class Representation:
    """One representation: ``html``, or an RDF :class:`~itugraph.formats.Format`."""

    suffix: str  # "html", "ttl", "jsonld", "nt", "rdf", "trig", "nq"
    media_type: str
    format: Format | None = None  # None for HTML

    @property
    def is_html(self) -> bool:
        return self.format is None

    @property
    def is_dataset(self) -> bool:
        """TriG or N-Quads: only documents whose named graphs matter offer them."""
        return self.format is not None and self.format.is_dataset

    @property
    def content_type(self) -> str:
        return self.media_type + (
            "; charset=utf-8" if self.is_html or self.media_type.startswith("text/") else ""
        )


def _rdf(name: str, suffix: str) -> Representation:
    fmt = next(f for f in REGISTRY if f.kind == "rdf" and f.name == name)
    return Representation(suffix, fmt.media_type, fmt)


HTML = Representation("html", HTML_MEDIA_TYPE)
#: Every representation by suffix; order is the order of ``Link`` alternates.
BY_SUFFIX: dict[str, Representation] = {
    "html": HTML,
    "ttl": _rdf("ttl", "ttl"),
    "jsonld": _rdf("jsonld", "jsonld"),
    "nt": _rdf("nt", "nt"),
    "rdf": _rdf("xml", "rdf"),
    "trig": _rdf("trig", "trig"),
    "nq": _rdf("nq", "nq"),
}
#: Media types we answer with, for ``Accept`` matching (HTML first: browsers send */*).
_BY_MEDIA_TYPE: dict[str, Representation] = {
    media: rep
    for rep in BY_SUFFIX.values()
    for media in (rep.format.media_types if rep.format else (HTML_MEDIA_TYPE, "application/xhtml+xml"))
}
_BY_MEDIA_TYPE.pop("text/plain", None)  # N-Triples' legacy type: a browser's text/plain is not RDF


def split_suffix(path: str) -> tuple[str, Representation | None]:
    """``path`` without a known format suffix, and the representation the suffix names.

    >>> base, rep = split_suffix("/id/sector/itu-t.ttl"); base, rep.suffix
    ('/id/sector/itu-t', 'ttl')
    >>> split_suffix("/id/question/q1-17-2025-2028")[1] is None
    True
    """
    base, dot, ext = path.rpartition(".")
    if dot and "/" not in ext and ext in BY_SUFFIX:
        return base, BY_SUFFIX[ext]
    return path, None


def choose(accept_header: str | None, *, datasets: bool = True) -> Representation | None:
    """The representation ``Accept`` prefers, or None (answer 406).

    No header, or ``*/*`` alone: HTML. ``datasets=False`` leaves out TriG and N-Quads for
    documents that have no named graphs worth keeping.

    >>> choose("text/turtle").suffix, choose(None).suffix, choose("*/*").suffix
    ('ttl', 'html', 'html')
    >>> choose("application/rdf+xml;q=0.5, application/ld+json").suffix
    'jsonld'
    >>> choose("image/png") is None
    True
    """
    table = {m: r for m, r in _BY_MEDIA_TYPE.items() if datasets or not r.is_dataset}
    if not accept_header:
        return HTML
    if accept_header in table:
        return table[accept_header]
    accept = parse_accept_header(accept_header, MIMEAccept)
    best = accept.best_match(list(table))
    return table[best] if best else None


def suffixed(base_path: str, suffix: str) -> str:
    """The suffix URL of a document: the suffix goes on the path, before any query string.

    >>> suffixed("/id/sector/itu-t", "ttl")
    '/id/sector/itu-t.ttl'
    >>> suffixed("/resource?iri=http%3A%2F%2Fmetadata.un.org%2Fsdg%2F9", "ttl")
    '/resource.ttl?iri=http%3A%2F%2Fmetadata.un.org%2Fsdg%2F9'
    """
    path, mark, query = base_path.partition("?")
    return f"{path}.{suffix}{mark}{query}"


def alternates(base_path: str, *, datasets: bool = True) -> list[tuple[str, Representation]]:
    """``(path, representation)`` of every suffix URL of a document (for ``Link`` headers).

    >>> [p for p, _ in alternates("/id/sector/itu-t", datasets=False)][:2]
    ['/id/sector/itu-t.html', '/id/sector/itu-t.ttl']
    >>> alternates("/id/question/?page=2")[1][0]
    '/id/question/.ttl?page=2'
    """
    return [
        (suffixed(base_path, suffix), rep)
        for suffix, rep in BY_SUFFIX.items()
        if datasets or not rep.is_dataset
    ]
