"""The site's index, made once per build: every resource under ``…/id/`` by kind, and a
text index of labels for the search.

A regex ``FILTER`` over every label takes about 1 s on the 1M-triple synthetic graph (two
cores, pyoxigraph 0.5), too slow for a search box; the index is one pass over the labels
and typed subjects (a few seconds at 1M), written as JSON into the build's cache entry
(``linkeddata-index.json``, atomically, so every HTTP process of a server reads the same
file), and searched in memory: labels normalised (case folded, accents removed) and joined
into one string that :meth:`SiteIndex.search` scans with ``str.find``.
"""

from __future__ import annotations

import bisect
import json
import threading
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from itugraph.cache_checksums import read_sealed, write_sealed
from itugraph.linkeddata.describe import LABEL_PREDICATES, SEARCH_PREDICATES
from itugraph.namespaces import GRAPH_ASSERTED, ITUID, RDF
from itugraph.store import GraphStore

INDEX_FILE = "linkeddata-index.json"
INDEX_FORMAT = 1
#: Entries a search looks at before it stops (a one-letter query matches most labels).
SEARCH_SCAN_LIMIT = 5000


def normalise(text: str) -> str:
    """Case folded, accents removed: the form labels and queries are compared in.

    >>> normalise("Télécommunications ÉCOLE")
    'telecommunications ecole'
    """
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@dataclass(frozen=True)
class Hit:
    """One resource a search found, with the label that matched."""

    iri: str
    label: str
    language: str
    predicate: str
    rank: int  # 0 exact, 1 prefix, 2 word start, 3 anywhere


@dataclass
class SiteIndex:
    """Resources by kind and labels by IRI, for listings and the search."""

    #: kind (the first path segment under ``…/id/``) -> IRIs, sorted.
    kinds: dict[str, list[str]] = field(default_factory=dict)
    #: IRI -> language -> labels (``LABEL_PREDICATES``, preferred first), for listings.
    labels: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    #: ``(iri, text, language, predicate)`` of every searchable label.
    entries: list[tuple[str, str, str, str]] = field(default_factory=list)
    _haystack: str = ""
    _starts: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        parts, starts, offset = [], [], 0
        for _iri, text, _lang, _pred in self.entries:
            norm = normalise(text).replace("\n", " ")
            starts.append(offset)
            parts.append(norm)
            offset += len(norm) + 1
        self._haystack = "\n".join(parts)
        self._starts = starts

    def search(self, query: str, limit: int = 100) -> tuple[list[Hit], bool]:
        """Resources whose label contains ``query`` (case- and accent-insensitive), best
        first (exact, prefix, word start, anywhere), each once; and whether more matched."""
        needle = normalise(query).strip()
        if not needle or "\n" in needle:
            return [], False
        best: dict[str, Hit] = {}
        position, scanned, more = self._haystack.find(needle), 0, False
        while position != -1:
            index = bisect.bisect_right(self._starts, position) - 1
            start = self._starts[index]
            end = self._haystack.find("\n", start)
            label_norm = self._haystack[start : end if end != -1 else None]
            offset = position - start
            rank = (
                0
                if label_norm == needle
                else 1
                if offset == 0
                else 2
                if not label_norm[offset - 1].isalnum()
                else 3
            )
            iri, text, lang, predicate = self.entries[index]
            hit = Hit(iri, text, lang, predicate, rank)
            if iri not in best or (rank, len(text)) < (best[iri].rank, len(best[iri].label)):
                best[iri] = hit
            scanned += 1
            if scanned >= SEARCH_SCAN_LIMIT:
                more = True
                break
            next_start = self._starts[index + 1] if index + 1 < len(self._starts) else -1
            if next_start == -1:
                break
            position = self._haystack.find(needle, next_start)
        hits = sorted(best.values(), key=lambda h: (h.rank, len(h.label), h.label, h.iri))
        return hits[:limit], more or len(hits) > limit

    def to_json(self) -> dict[str, object]:
        return {"format": INDEX_FORMAT, "kinds": self.kinds, "labels": self.labels, "entries": self.entries}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> SiteIndex:
        kinds, labels, entries = data["kinds"], data["labels"], data["entries"]
        assert isinstance(kinds, dict) and isinstance(labels, dict) and isinstance(entries, list)
        return cls(kinds, labels, [(str(a), str(b), str(c), str(d)) for a, b, c, d in entries])


def make_index(store: GraphStore) -> SiteIndex:
    """One pass over the store: typed subjects under ``…/id/``, labels, search labels."""
    kinds: dict[str, set[str]] = defaultdict(set)
    typed = store.evaluate(f"SELECT DISTINCT ?s WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{ ?s <{RDF}type> ?t }} }}")
    assert isinstance(typed, ox.QuerySolutions)
    for row in typed:
        subject = row[0]
        if isinstance(subject, ox.NamedNode) and subject.value.startswith(ITUID):
            kind = subject.value[len(ITUID) :].split("/", 1)[0]
            if kind and "/" in subject.value[len(ITUID) :]:
                kinds[kind].add(subject.value)
    predicates = sorted(set(LABEL_PREDICATES) | set(SEARCH_PREDICATES))
    values = " ".join(f"<{p}>" for p in predicates)
    result = store.evaluate(
        f"SELECT DISTINCT ?s ?p ?o WHERE {{ VALUES ?p {{ {values} }} "
        "?s ?p ?o FILTER(isIRI(?s) && isLiteral(?o)) }"
    )
    assert isinstance(result, ox.QuerySolutions)
    rank = {p: i for i, p in enumerate(LABEL_PREDICATES)}
    found: list[tuple[str, str, str, str]] = []
    for row in result:
        s, p, o = row[0], row[1], row[2]
        assert isinstance(s, ox.NamedNode) and isinstance(p, ox.NamedNode)
        assert isinstance(o, ox.Literal)
        found.append((s.value, o.value, o.language or "", p.value))
    labels: dict[str, dict[str, list[str]]] = {}
    for iri, text, lang, predicate in sorted(found, key=lambda e: rank.get(e[3], 99)):
        if predicate in rank:
            values_of = labels.setdefault(iri, {}).setdefault(lang, [])
            if text not in values_of:
                values_of.append(text)
    entries = sorted({e for e in found if e[3] in SEARCH_PREDICATES})
    return SiteIndex({k: sorted(v) for k, v in sorted(kinds.items())}, labels, entries)


_LOCK = threading.Lock()
_LOADED: dict[str, SiteIndex] = {}


def site_index(store: GraphStore, build_path: Path) -> SiteIndex:
    """The index of the build at ``build_path``: in memory, else its file, else made (and
    written there atomically, when the folder is writable)."""
    key = str(build_path)
    if key in _LOADED:
        return _LOADED[key]
    with _LOCK:
        if key in _LOADED:
            return _LOADED[key]
        file = build_path / INDEX_FILE
        index = None
        kept = read_sealed(file)  # None when missing or damaged
        try:
            data = json.loads(kept) if kept is not None else {}
            if data.get("format") == INDEX_FORMAT:
                index = SiteIndex.from_json(data)
        except (ValueError, KeyError, AssertionError):
            index = None
        if index is None:
            index = make_index(store)
            write_sealed(file, json.dumps(index.to_json(), ensure_ascii=False).encode(), warn=False)
        _LOADED.clear()
        _LOADED[key] = index
        return index
