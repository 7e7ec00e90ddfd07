"""The IRIs itugraph publishes and the vocabularies it reuses, with their usual prefixes.

These IRIs are a public API (see ``docs/decisions.md``): changing one breaks every
query and link that uses it.
"""

from __future__ import annotations

from typing import Final

ITU: Final = "https://w3id.org/itugraph/def/itu#"
ITU_ONTOLOGY: Final = "https://w3id.org/itugraph/def/itu"
ITUID: Final = "https://w3id.org/itugraph/id/"
ISH: Final = "https://w3id.org/itugraph/def/shapes#"
GRAPH_BASE: Final = "https://w3id.org/itugraph/graph/"

#: Named graph holding every asserted triple (ontology, data, imported vocabularies).
GRAPH_ASSERTED: Final = GRAPH_BASE + "asserted"
#: Named graph holding only the triples the OWL 2 RL closure adds (junk filtered).
GRAPH_INFERRED: Final = GRAPH_BASE + "inferred"
#: In an external store (``itugraph publish``): the small graph saying which published
#: version of each named graph is live; front ends read it (``itugraph.publication``).
GRAPH_CURRENT: Final = GRAPH_BASE + "current"
#: In an external store: the build's SHACL results (``itugraph.validation_graph``), published
#: and switched with the data graphs but never part of the queried dataset.
GRAPH_VALIDATION: Final = GRAPH_BASE + "validation"

RDF: Final = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS: Final = "http://www.w3.org/2000/01/rdf-schema#"
OWL: Final = "http://www.w3.org/2002/07/owl#"
XSD: Final = "http://www.w3.org/2001/XMLSchema#"
SKOS: Final = "http://www.w3.org/2004/02/skos/core#"
ORG: Final = "http://www.w3.org/ns/org#"
DCTERMS: Final = "http://purl.org/dc/terms/"
PROV: Final = "http://www.w3.org/ns/prov#"
FOAF: Final = "http://xmlns.com/foaf/0.1/"
SCHEMA: Final = "https://schema.org/"
SH: Final = "http://www.w3.org/ns/shacl#"
SD: Final = "http://www.w3.org/ns/sparql-service-description#"
ENTAILMENT: Final = "http://www.w3.org/ns/entailment/"
SDG: Final = "http://metadata.un.org/sdg/"
SDGO: Final = "http://metadata.un.org/sdg/ontology#"

#: Prefixes bound in every serialisation, query UI and query (order is display order).
PREFIXES: Final[dict[str, str]] = {
    "itu": ITU,
    "ituid": ITUID,
    "ish": ISH,
    "org": ORG,
    "skos": SKOS,
    "dcterms": DCTERMS,
    "prov": PROV,
    "sdg": SDG,
    "sdgo": SDGO,
    "rdf": RDF,
    "rdfs": RDFS,
    "owl": OWL,
    "xsd": XSD,
    "foaf": FOAF,
    "schema": SCHEMA,
    "sh": SH,
}


def sparql_prologue(prefixes: dict[str, str] | None = None) -> str:
    """PREFIX lines for ``prefixes`` (default: all of ours), to put in front of a query.

    >>> sparql_prologue({"ex": "http://example.org/"})
    'PREFIX ex: <http://example.org/>\\n'
    """
    chosen = PREFIXES if prefixes is None else prefixes
    return "".join(f"PREFIX {name}: <{iri}>\n" for name, iri in chosen.items())
