"""The dataset description: VoID and DCAT of a build, at ``/.well-known/void`` and in the
dumps folder (``void.ttl``) and releases.

Everything it states is read from the build: triple counts per graph (from the store),
class and property partitions, the vocabularies used, the licences the graph states
(``dcterms:license`` on a document; a source record whose text names a licence is quoted
as ``dcterms:rights``), the root sources (sources that cite no source), the publisher (the
``dcterms:publisher``/``dcterms:creator`` of our own ontology), the build's version and
time. Nothing is invented: a dataset whose graph states no licence gets none.

The facts are computed once per build (a few SPARQL aggregates) and kept beside the
dumps as ``void.json``; rendering them for a server base URL is cheap.

>>> namespace_of("http://www.w3.org/ns/org#unitOf"), namespace_of("https://schema.org/url")
('http://www.w3.org/ns/org#', 'https://schema.org/')
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from itugraph import __version__
from itugraph.build import Build
from itugraph.cache_checksums import read_sealed, write_sealed
from itugraph.linkeddata.dumps import CONTEXT, SUMS, DumpFile, Dumps, dump_files
from itugraph.linkeddata.urls import PUBLIC_BASE, is_ours
from itugraph.namespaces import (
    DCTERMS,
    FOAF,
    GRAPH_ASSERTED,
    GRAPH_INFERRED,
    ITU_ONTOLOGY,
    ITUID,
    OWL,
    PREFIXES,
    RDF,
    RDFS,
    SD,
    XSD,
)
from itugraph.publication import Publication
from itugraph.store import GraphStore

log = logging.getLogger(__name__)

VOID = "http://rdfs.org/ns/void#"
DCAT = "http://www.w3.org/ns/dcat#"
SPDX = "http://spdx.org/rdf/terms#"
#: Prefixes of a VoID document.
VOID_PREFIXES = {
    "void": VOID,
    "dcat": DCAT,
    "dcterms": DCTERMS,
    "foaf": FOAF,
    "sd": SD,
    "spdx": SPDX,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    **{k: v for k, v in PREFIXES.items() if k in {"itu", "ituid", "org", "skos"}},
}
#: The IRI of the description document and of the dataset it describes.
VOID_PATH = "/.well-known/void"
DESCRIPTION_IRI = PUBLIC_BASE + VOID_PATH.lstrip("/")
DATASET_IRI = DESCRIPTION_IRI + "#dataset"
FACTS_FILE = "void.json"
#: The folder of a build's cache entry that holds its dumps.
DUMPS_DIR = "dumps"
#: Things a reader may want to look at first, when the graph has them.
EXAMPLE_CANDIDATES = (ITUID + "organization/itu", ITUID + "sector/itu-t", ITUID + "wsis-action-line/C5")
ITU_TITLE = "itugraph: the open knowledge graph of the ITU"
ITU_DESCRIPTION = (
    "The International Telecommunication Union as linked data: its sectors, bureaux, General "
    "Secretariat, governing bodies and conferences, study groups and their Questions, focus "
    "and working groups, initiatives, instruments and partners; their mandates; and their "
    "links to the WSIS Action Lines (C1-C11) and the UN Sustainable Development Goals. Every "
    "fact says where it comes from (dcterms:source). The asserted graph holds the ontology "
    "and data as written, the inferred graph what the OWL 2 RL closure adds."
)
GZIP_TYPE = "http://www.iana.org/assignments/media-types/application/gzip"

Subject = ox.NamedNode | ox.BlankNode
#: Adds one triple (subject, predicate IRI, object) to the description being built.
Add = Callable[[Subject, str, "Subject | ox.Literal"], None]


@dataclass(frozen=True)
class VoidFacts:
    """What the description says, as plain values (JSON-able)."""

    version: str
    key: str
    built_at: str
    itugraph: str
    title: str
    description: str
    triples: dict[str, int]
    classes: list[tuple[str, int]]
    properties: list[tuple[str, int]]
    vocabularies: list[str]
    licences: list[tuple[str, str]]
    rights: list[tuple[str, str]]
    sources: list[str]
    publishers: list[str]
    examples: list[str]
    entities: int = 0
    release: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.triples.values())


def namespace_of(iri: str) -> str:
    """The vocabulary namespace of a term: up to its last ``#`` or ``/``."""
    cut = max(iri.rfind("#"), iri.rfind("/"))
    return iri[: cut + 1]


def _rows(store: GraphStore, text: str) -> list[tuple[object, ...]]:
    return [tuple(row) for row in store.query(text).rows]


def _value(term: object) -> str:
    return str(getattr(term, "value", term))


def compute_facts(built: Build, store: GraphStore | None = None) -> VoidFacts:
    """The facts of a build, by SPARQL over its store."""
    store = store or built.open_store()
    classes, properties = _partitions(store)
    ontologies = _ontologies(store)
    ours = [o for o, _ in ontologies if is_ours(o)]
    itu = ITU_ONTOLOGY in ours
    root = built.project.root.name
    return VoidFacts(
        version=built.version,
        key=built.key,
        built_at=built.manifest.built_at,
        itugraph=__version__,
        title=ITU_TITLE if itu else f"{root}: a knowledge graph published with itugraph",
        description=ITU_DESCRIPTION
        if itu
        else (
            "The asserted graph holds the ontology and data as written, the inferred graph "
            "what the OWL 2 RL closure adds."
        ),
        triples=_graph_counts(store),
        classes=classes,
        properties=properties,
        vocabularies=sorted({namespace_of(t) for t, _ in [*classes, *properties]} - {""}),
        licences=_licences(store),
        rights=_rights(store),
        sources=_root_sources(store),
        publishers=sorted({n for o, n in ontologies if o in ours and n and n != "None"}),
        examples=_examples(store),
        entities=_entities(store),
    )


_ASSERTED = f"<{GRAPH_ASSERTED}>"


def _graph_counts(store: GraphStore) -> dict[str, int]:
    """Triples per named graph."""
    counts = {
        _value(g): int(_value(n))
        for g, n in _rows(store, "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    }
    return {"asserted": counts.get(GRAPH_ASSERTED, 0), "inferred": counts.get(GRAPH_INFERRED, 0)}


def _partitions(store: GraphStore) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """(class, instances) and (property, triples), for VoID's class and property partitions."""
    classes = [
        (_value(c), int(_value(n)))
        for c, n in _rows(
            store,
            "SELECT ?c (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?c FILTER(isIRI(?c)) } "
            "GROUP BY ?c ORDER BY ?c",
        )
    ]
    properties = [
        (_value(p), int(_value(n)))
        for p, n in _rows(store, "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o } GROUP BY ?p ORDER BY ?p")
    ]
    return classes, properties


def _licences(store: GraphStore) -> list[tuple[str, str]]:
    """(thing, licence) for every ``dcterms:license`` the asserted graph states."""
    query = f"SELECT ?d ?l WHERE {{ GRAPH {_ASSERTED} {{ ?d <{DCTERMS}license> ?l }} }} ORDER BY ?d ?l"
    return [(_value(d), _value(lic)) for d, lic in _rows(store, query)]


def _rights(store: GraphStore) -> list[tuple[str, str]]:
    """(source, text) for source records whose text names a licence (quoted, not interpreted)."""
    query = f"""
        SELECT DISTINCT ?s ?t WHERE {{ GRAPH {_ASSERTED} {{
          ?x <{DCTERMS}source> ?s . ?s ?p ?t
          FILTER(isLiteral(?t) && REGEX(STR(?t), "licen[cs]e", "i")) }} }} ORDER BY ?s ?t"""
    return [(_value(s), _value(t)) for s, t in _rows(store, query)]


def _root_sources(store: GraphStore) -> list[str]:
    """Sources that have no source of their own."""
    query = f"""
        SELECT DISTINCT ?s WHERE {{ GRAPH {_ASSERTED} {{ ?x <{DCTERMS}source> ?s
          FILTER(isIRI(?s) && NOT EXISTS {{ ?s <{DCTERMS}source> ?y }}) }} }} ORDER BY ?s"""
    return [_value(s) for (s,) in _rows(store, query)]


def _ontologies(store: GraphStore) -> list[tuple[str, str]]:
    """(ontology, name of its publisher or creator) for every ontology asserted."""
    query = f"""
        SELECT ?o ?n WHERE {{ GRAPH {_ASSERTED} {{ ?o a <{OWL}Ontology>
          OPTIONAL {{ ?o <{DCTERMS}publisher>|<{DCTERMS}creator> ?who .
                     ?who <{FOAF}name>|<{RDFS}label> ?n }} }} }} ORDER BY ?o ?n"""
    return [(_value(o), _value(n)) for o, n in _rows(store, query)]


def _examples(store: GraphStore) -> list[str]:
    """The example resources the graph has, else its first three labelled resources."""
    examples = [
        iri
        for iri in EXAMPLE_CANDIDATES
        if store.query(f"ASK {{ GRAPH {_ASSERTED} {{ <{iri}> ?p ?o }} }}").boolean
    ]
    if examples:
        return examples
    query = f"""
        SELECT DISTINCT ?s WHERE {{ GRAPH {_ASSERTED} {{ ?s <{RDFS}label> ?l FILTER(isIRI(?s)) }}
        FILTER NOT EXISTS {{ GRAPH {_ASSERTED} {{ ?s a <{OWL}Ontology> }} }} }} ORDER BY ?s LIMIT 3"""
    return [_value(s) for (s,) in _rows(store, query)]


def _entities(store: GraphStore) -> int:
    """Distinct resources of ours (under ``…/id/``) the asserted graph describes."""
    query = f"""
        SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE {{ GRAPH {_ASSERTED} {{ ?s ?p ?o
          FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{ITUID}")) }} }}"""
    return int(_value(_rows(store, query)[0][0]))


def facts_for(
    built: Build, folder: Path, store: GraphStore | None = None, publication: Publication | None = None
) -> VoidFacts:
    """The facts of ``built``, or of the store's ``publication`` read through ``store``
    (pinned to it), from ``folder/void.json`` or computed once and kept there."""
    path = folder / FACTS_FILE
    key = publication.id if publication is not None else built.key
    kept = read_sealed(path)  # None when missing or damaged: computed again
    if kept is not None:
        data = json.loads(kept)
        if data.get("key") == key:
            for name in ("classes", "properties", "licences", "rights"):
                data[name] = [tuple(x) for x in data[name]]
            return VoidFacts(**data)
    facts = compute_facts(built, store)
    if publication is not None:
        # What the store serves: its publication's dataset version, not this front end's build.
        facts = dataclasses.replace(
            facts, version=publication.dataset_version, key=key, built_at=publication.built_at
        )
    # Kept for the next process; a cache that cannot be written (a full disk) costs their
    # computation again (a warning), never the answer.
    write_sealed(path, json.dumps(dataclasses.asdict(facts), indent=1).encode())
    return facts


# --- rendering ---------------------------------------------------------------------------


def _n(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def _lit(value: object, datatype: str | None = None, lang: str | None = None) -> ox.Literal:
    if lang:
        return ox.Literal(str(value), language=lang)
    return ox.Literal(str(value), datatype=_n(datatype) if datatype else None)


class _Triples:
    """The description being written: statements in order, blank nodes numbered per kind
    in the order they are made (so the same facts always give the same labels)."""

    def __init__(self) -> None:
        self.out: list[ox.Triple] = []
        self._nodes = 0

    def add(self, s: Subject, p: str, o: Subject | ox.Literal) -> None:
        self.out.append(ox.Triple(s, _n(p), o))

    def bnode(self, kind: str) -> ox.BlankNode:
        self._nodes += 1
        return ox.BlankNode(f"{kind}{self._nodes}")

    def grouped(self) -> list[ox.Triple]:
        """Each subject's statements together (Turtle then groups them), in first-seen order."""
        order: dict[object, int] = {}
        for triple in self.out:
            order.setdefault(triple.subject, len(order))
        return sorted(self.out, key=lambda t: order[t.subject])


def void_triples(
    facts: VoidFacts, *, server: str, dumps: str, sizes: dict[str, tuple[int, str]] | None = None
) -> list[ox.Triple]:
    """The description as triples.

    ``server`` is the root URL of the SPARQL endpoint's server, ``dumps`` the URL of the
    folder holding the dump files; ``sizes`` maps file names to (bytes, SHA-256) where known.
    """
    w = _Triples()
    ds = _n(DATASET_IRI)
    _dataset(w, ds, facts)
    _licence_subsets(w, ds, facts)
    _statistics(w, ds, facts, server)
    _partition_triples(w, ds, facts)
    _graphs_and_dumps(w, ds, facts, dumps if dumps.endswith("/") else dumps + "/", sizes or {})
    return w.grouped()


def _dataset(w: _Triples, ds: ox.NamedNode, facts: VoidFacts) -> None:
    """The description document, and the dataset's title, publisher, version and sources."""
    doc = _n(DESCRIPTION_IRI)
    w.add(doc, RDF + "type", _n(VOID + "DatasetDescription"))
    w.add(doc, DCTERMS + "title", _lit(f"Description of the dataset {facts.title}", lang="en"))
    w.add(doc, FOAF + "primaryTopic", ds)
    w.add(ds, RDF + "type", _n(VOID + "Dataset"))
    w.add(ds, RDF + "type", _n(DCAT + "Dataset"))
    w.add(ds, DCTERMS + "title", _lit(facts.title, lang="en"))
    w.add(ds, DCTERMS + "description", _lit(facts.description, lang="en"))
    for name in facts.publishers:
        who = w.bnode("publisher")
        w.add(ds, DCTERMS + "publisher", who)
        w.add(who, RDF + "type", _n(FOAF + "Organization"))
        w.add(who, FOAF + "name", _lit(name))
    w.add(ds, DCAT + "version", _lit(facts.release or facts.version))
    w.add(ds, OWL + "versionInfo", _lit(facts.release or facts.version))
    w.add(ds, DCTERMS + "identifier", _lit(facts.key))
    if facts.built_at:
        w.add(ds, DCTERMS + "modified", _lit(facts.built_at, XSD + "dateTime"))
    for source in facts.sources:
        w.add(ds, DCTERMS + "source", _n(source))


def _licence_subsets(w: _Triples, ds: ox.NamedNode, facts: VoidFacts) -> None:
    """One subset per part whose terms the graph states (never a licence it does not)."""
    licensed = sorted({d for d, _ in facts.licences} | {s for s, _ in facts.rights})
    for document in licensed:
        part = w.bnode("terms")
        w.add(ds, VOID + "subset", part)
        w.add(part, RDF + "type", _n(VOID + "Dataset"))
        w.add(part, DCTERMS + "source", _n(document))
        for d, lic in facts.licences:
            if d == document:
                w.add(part, DCTERMS + "license", _n(lic))
        for s, text in facts.rights:
            if s == document:
                w.add(part, DCTERMS + "rights", _lit(text))


def _statistics(w: _Triples, ds: ox.NamedNode, facts: VoidFacts, server: str) -> None:
    """The endpoint, counts, examples and vocabularies."""
    w.add(ds, VOID + "sparqlEndpoint", _n(server.rstrip("/") + "/sparql"))
    if facts.entities:
        w.add(ds, VOID + "uriSpace", _lit(ITUID))
    w.add(ds, VOID + "triples", _lit(facts.total, XSD + "integer"))
    w.add(ds, VOID + "entities", _lit(facts.entities, XSD + "integer"))
    w.add(ds, VOID + "classes", _lit(len(facts.classes), XSD + "integer"))
    w.add(ds, VOID + "properties", _lit(len(facts.properties), XSD + "integer"))
    w.add(ds, VOID + "feature", _n("http://www.w3.org/ns/formats/N-Triples"))
    for example in facts.examples:
        w.add(ds, VOID + "exampleResource", _n(example))
    for vocabulary in facts.vocabularies:
        w.add(ds, VOID + "vocabulary", _n(vocabulary))


def _partition_triples(w: _Triples, ds: ox.NamedNode, facts: VoidFacts) -> None:
    """VoID class and property partitions with their counts."""
    for cls, n in facts.classes:
        part = w.bnode("class")
        w.add(ds, VOID + "classPartition", part)
        w.add(part, VOID + "class", _n(cls))
        w.add(part, VOID + "entities", _lit(n, XSD + "integer"))
    for prop, n in facts.properties:
        part = w.bnode("property")
        w.add(ds, VOID + "propertyPartition", part)
        w.add(part, VOID + "property", _n(prop))
        w.add(part, VOID + "triples", _lit(n, XSD + "integer"))


def _graphs_and_dumps(
    w: _Triples, ds: ox.NamedNode, facts: VoidFacts, dumps: str, sizes: dict[str, tuple[int, str]]
) -> None:
    """A subset per named graph, and every dump file as a data dump and a DCAT distribution."""
    subsets = {"union": ds}
    for graph, iri in (("asserted", GRAPH_ASSERTED), ("inferred", GRAPH_INFERRED)):
        sub = _n(f"{DESCRIPTION_IRI}#{graph}")
        subsets[graph] = sub
        w.add(ds, VOID + "subset", sub)
        w.add(sub, RDF + "type", _n(VOID + "Dataset"))
        w.add(sub, DCTERMS + "title", _lit(f"The {graph} graph <{iri}>", lang="en"))
        w.add(sub, RDFS + "seeAlso", _n(iri))
        w.add(sub, VOID + "triples", _lit(facts.triples[graph], XSD + "integer"))
    for dump in dump_files():
        url = _n(dumps + dump.name)
        w.add(subsets[dump.graph], VOID + "dataDump", url)
        dist = w.bnode("dump")
        w.add(subsets[dump.graph], DCAT + "distribution", dist)
        _distribution(w.add, dist, url, dump, sizes.get(dump.name))
    w.add(ds, RDFS + "seeAlso", _n(dumps + SUMS))
    w.add(ds, RDFS + "seeAlso", _n(dumps + CONTEXT))


def _distribution(
    put: Add, dist: ox.BlankNode, url: ox.NamedNode, dump: DumpFile, known: tuple[int, str] | None
) -> None:
    put(dist, RDF + "type", _n(DCAT + "Distribution"))
    put(dist, DCAT + "downloadURL", url)
    put(dist, DCAT + "mediaType", _n("http://www.iana.org/assignments/media-types/" + dump.media_type))
    put(dist, DCAT + "compressFormat", _n(GZIP_TYPE))
    put(dist, DCTERMS + "format", _lit(dump.media_type))
    if known is not None:
        size, digest = known
        put(dist, DCAT + "byteSize", _lit(size, XSD + "nonNegativeInteger"))
        checksum = ox.BlankNode(f"sum{dump.graph}{dump.suffix}")
        put(dist, SPDX + "checksum", checksum)
        put(checksum, RDF + "type", _n(SPDX + "Checksum"))
        put(checksum, SPDX + "algorithm", _n(SPDX + "checksumAlgorithm_sha256"))
        put(checksum, SPDX + "checksumValue", _lit(digest, XSD + "hexBinary"))


def void_bytes(
    facts: VoidFacts,
    fmt: ox.RdfFormat,
    *,
    server: str,
    dumps: str,
    sizes: dict[str, tuple[int, str]] | None = None,
    base_iri: str | None = None,
) -> bytes:
    """The description serialised (prefixes where the format has them)."""
    triples = void_triples(facts, server=server, dumps=dumps, sizes=sizes)
    prefixes = (
        None if fmt in {ox.RdfFormat.N_TRIPLES, ox.RdfFormat.N_QUADS, ox.RdfFormat.JSON_LD} else VOID_PREFIXES
    )
    return ox.serialize(triples, format=fmt, prefixes=prefixes, base_iri=base_iri) or b""


def dumps_for(built: Build) -> Dumps:
    """The dumps of a build, in its cache entry, with ``void.ttl`` written among them
    (public IRIs: w3id.org redirects them to the server)."""
    folder = built.path / DUMPS_DIR

    def void_file(sizes: dict[str, tuple[int, str]]) -> bytes:
        return void_bytes(
            facts_for(built, folder),
            ox.RdfFormat.TURTLE,
            server=PUBLIC_BASE,
            dumps=PUBLIC_BASE + "dumps/",
            sizes=sizes,
        )

    return Dumps(folder, built.store_path, void=void_file)
