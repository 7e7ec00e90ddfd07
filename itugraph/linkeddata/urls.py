"""IRIs to server paths and back: the public base ``https://w3id.org/itugraph/`` is mounted
at the server's root, so the same build serves on localhost, behind a proxy and in
production (w3id.org redirects ``https://w3id.org/itugraph/*`` to the server; see
``docs/deploy-linked-data.md``).

* ``https://w3id.org/itugraph/id/sector/itu-t`` -> ``/id/sector/itu-t``
* ``https://w3id.org/itugraph/def/itu#StudyGroup`` -> ``/def/itu#StudyGroup`` (the document
  of a hash IRI is the IRI without its fragment)
* any other IRI (the UN's SDG IRIs, W3C vocabularies) -> ``/resource?iri=<IRI>``: what the
  graph holds about it, with a link to the IRI itself.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from itugraph.namespaces import ITU_ONTOLOGY

#: The namespace every itugraph IRI lives under (ids, ontology, shapes, named graphs).
PUBLIC_BASE = ITU_ONTOLOGY.removesuffix("def/itu")

#: Where IRIs outside :data:`PUBLIC_BASE` are described.
EXTERNAL_ROUTE = "/resource"


def is_ours(iri: str) -> bool:
    """Whether ``iri`` is one of ours (it dereferences to a path of its own).

    >>> is_ours("https://w3id.org/itugraph/id/sector/itu-t"), is_ours("http://metadata.un.org/sdg/9")
    (True, False)
    """
    return iri.startswith(PUBLIC_BASE)


def path_of(iri: str) -> str:
    """The server path (with query and fragment) where ``iri`` is described.

    >>> path_of("https://w3id.org/itugraph/id/sector/itu-t")
    '/id/sector/itu-t'
    >>> path_of("https://w3id.org/itugraph/def/itu#StudyGroup")
    '/def/itu#StudyGroup'
    >>> path_of("http://metadata.un.org/sdg/9.c")
    '/resource?iri=http%3A%2F%2Fmetadata.un.org%2Fsdg%2F9.c'

    An IRI of ours whose path starts with ``/`` would give ``//host/…``, a link (or redirect)
    to another site: it is described as a foreign IRI.

    >>> path_of("https://w3id.org/itugraph//evil.example/x")
    '/resource?iri=https%3A%2F%2Fw3id.org%2Fitugraph%2F%2Fevil.example%2Fx'
    """
    if is_ours(iri) and not iri[len(PUBLIC_BASE) :].startswith("/"):
        local, hash_, fragment = iri[len(PUBLIC_BASE) :].partition("#")
        return "/" + quote(local, safe="/:@!$&'()*+,;=-._~") + hash_ + fragment
    return f"{EXTERNAL_ROUTE}?{urlencode({'iri': iri})}"


def iri_of(path: str) -> str:
    """The IRI a server path stands for (the inverse of :func:`path_of` for our IRIs).

    >>> iri_of("/id/sector/itu-t")
    'https://w3id.org/itugraph/id/sector/itu-t'
    """
    return PUBLIC_BASE + path.lstrip("/")


def absolute(path: str, base_url: str) -> str:
    """``path`` on the server reached at ``base_url`` (the ``PUBLIC_URL`` setting, or the
    request's own root when it is empty).

    >>> absolute("/id/sector/itu-t", "https://itugraph.example.org/")
    'https://itugraph.example.org/id/sector/itu-t'
    """
    return base_url.rstrip("/") + path
