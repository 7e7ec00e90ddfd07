"""What the derived documents come from: the build, or the store's live publication.

Listings, the label search, the SHACL status of resource pages, the dumps and the VoID
description are derived once per *generation* and kept in a folder of their own:

* embedded backend: the build, in its cache entry;
* ``--backend sparql``: the publication the store's pointer names now, read through a
  store pinned to it (every query of one derivation sees the same version) and kept in
  ``<cache>/publications/<id>/``. A new publication is a new generation: front ends show it
  within the pointer's TTL, without a restart, and all of them show the same.

One request sees one generation (kept in ``flask.g``), whatever the pointer does meanwhile.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import g

from itugraph.build import PUBLICATIONS
from itugraph.linkeddata.describe import Finding
from itugraph.linkeddata.siteindex import SiteIndex, site_index
from itugraph.linkeddata.validation_graph import findings_in
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED
from itugraph.publication import Publication
from itugraph.remote_store import RemoteSparqlStore
from itugraph.store import GraphStore
from itugraph.web.state import ServingState, state

log = logging.getLogger("itugraph")

#: Publication folders kept besides the live one (a front end may lag a switch by its TTL).
KEEP_PUBLICATIONS = 2


@dataclass(frozen=True)
class Generation:
    """One version of the data the pages derive from (see the module)."""

    #: The build's key, or the publication id: cache keys and ETags change with it.
    key: str
    #: The dataset version (of the build, or of the build the publication came from).
    version: str
    built_at: str
    #: Triples of the asserted and inferred graphs (for a publication: as publish verified
    #: them; the local build's for a pointer written before publish stated them).
    asserted_triples: int
    inferred_triples: int
    #: Where the derived files are kept (site index, dumps, dataset facts).
    folder: Path
    #: The store pages query (for a publication: pinned to it).
    store: GraphStore
    #: The store whole-dataset derivations read (the site index, VoID): for a publication,
    #: pinned to it with the bulk time limit.
    bulk_store: GraphStore
    publication: Publication | None = None
    #: The build's ``validation.json`` (embedded backend).
    validation: Path | None = None

    def site_index(self) -> SiteIndex:
        """Kinds, listings and the label search of this generation (made once)."""
        return site_index(self.bulk_store, self.folder)

    def findings(self, iri: str, blank_nodes: set[str]) -> list[Finding] | None:
        """The SHACL results about ``iri`` in the publication's validation graph (blank
        nodes are matched through their owner: their labels are local to each answer)."""
        del blank_nodes
        if self.publication is None or self.publication.validation is None:
            return None
        return findings_in(self.store, self.publication.validation, iri)


def current() -> Generation:
    """The generation this request derives from."""
    if "itugraph_generation" not in g:
        g.itugraph_generation = _current(state())
    found: Generation = g.itugraph_generation
    return found


def _current(serving: ServingState) -> Generation:
    backend = serving.backend
    if not isinstance(backend, RemoteSparqlStore):
        built = serving.built
        return Generation(
            built.key,
            built.version,
            built.manifest.built_at,
            built.manifest.asserted_triples,
            built.manifest.inferred_triples,
            built.path,
            serving.store,
            serving.store,
            validation=built.validation_path,
        )
    return _published(serving, backend, backend.publication())


_LOCK = threading.Lock()
_SEEN: dict[str, Generation] = {}


def _published(serving: ServingState, backend: RemoteSparqlStore, live: Publication) -> Generation:
    with _LOCK:
        known = _SEEN.get(live.id)
        if known is not None:
            return known
        folder = serving.built.path.parent / PUBLICATIONS / _folder_name(live.id)
        folder.mkdir(parents=True, exist_ok=True)
        manifest = serving.built.manifest
        known = Generation(
            live.id,
            live.dataset_version,
            live.built_at,
            live.triples.get(GRAPH_ASSERTED, manifest.asserted_triples),
            live.triples.get(GRAPH_INFERRED, manifest.inferred_triples),
            folder,
            backend.pinned(live),
            backend.pinned(live, bulk=True),
            live,
        )
        _SEEN.clear()
        _SEEN[live.id] = known
    _prune(folder)
    # The site index takes seconds at 1M triples: start it now, not at the first search.
    threading.Thread(target=_warm, args=(known,), daemon=True, name="itugraph-site-index").start()
    return known


def _warm(generation: Generation) -> None:
    try:
        generation.site_index()
    except Exception as exc:
        log.warning("the site index of publication %s could not be made: %s", generation.key, exc)


def _folder_name(publication_id: str) -> str:
    """The id as a folder name (it comes from the store: anything else is hashed)."""
    if re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}", publication_id):
        return publication_id
    return "h-" + hashlib.sha256(publication_id.encode()).hexdigest()[:32]


def _prune(live: Path) -> None:
    """Remove the folders of older publications but the newest :data:`KEEP_PUBLICATIONS`."""
    try:
        others = sorted(
            (p for p in live.parent.iterdir() if p.is_dir() and p != live),
            key=lambda p: p.stat().st_mtime,
            reverse=True,
        )
    except OSError:
        return
    for old in others[KEEP_PUBLICATIONS:]:
        shutil.rmtree(old, ignore_errors=True)
