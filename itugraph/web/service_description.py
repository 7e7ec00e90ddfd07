"""The SPARQL 1.1 Service Description of ``/sparql`` (Turtle by default, or JSON-LD).

https://www.w3.org/TR/sparql11-service-description/ — it names the endpoint, the query
language, the result formats, and the dataset: a default graph that is the union of the
asserted graph (simple entailment) and the OWL 2 RL inferred graph.
"""

from __future__ import annotations

import pyoxigraph as ox
from flask import Response, request

from itugraph.formats import REGISTRY, choose, media_types
from itugraph.linkeddata.urls import absolute
from itugraph.linkeddata.void import VOID_PATH
from itugraph.namespaces import DCTERMS, ENTAILMENT, GRAPH_ASSERTED, GRAPH_INFERRED, SD
from itugraph.web.documents import base_url
from itugraph.web.errors import ApiError
from itugraph.web.generation import current
from itugraph.web.state import state

_TEMPLATE = """
@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix ent: <http://www.w3.org/ns/entailment/> .
@prefix prof: <http://www.w3.org/ns/owl-profile/> .
@prefix void: <http://rdfs.org/ns/void#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<{endpoint}> a sd:Service ;
  sd:endpoint <{endpoint}> ;
  dcterms:title "itugraph SPARQL endpoint" ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:feature sd:UnionDefaultGraph, sd:BasicFederatedQuery ;
  sd:defaultEntailmentRegime ent:OWL-RDF-Based ;
  sd:defaultSupportedEntailmentProfile prof:RL ;
  {formats} ;
  sd:defaultDataset [
    a sd:Dataset ;
    rdfs:seeAlso <{void}> ;
    dcterms:hasVersion "{version}" ;
    sd:defaultGraph [ a sd:Graph ; dcterms:description "Union of the asserted and inferred graphs" ;
                      void:triples {total} ] ;
    sd:namedGraph [ a sd:NamedGraph ; sd:name <{asserted}> ; sd:entailmentRegime ent:Simple ;
                    sd:graph [ a sd:Graph ; void:triples {asserted_count} ] ] ;
    sd:namedGraph [ a sd:NamedGraph ; sd:name <{inferred}> ; sd:entailmentRegime ent:OWL-RDF-Based ;
                    sd:supportedEntailmentProfile prof:RL ;
                    sd:graph [ a sd:Graph ; void:triples {inferred_count} ] ]
  ] .
"""


def description_turtle(endpoint: str) -> str:
    """The description as Turtle for this server's endpoint IRI."""
    generation = current()  # the build, or the store's live publication
    asserted, inferred = generation.asserted_triples, generation.inferred_triples
    result_formats = "sd:resultFormat " + ", ".join(
        f"<http://www.w3.org/ns/formats/{f.w3c}>" for f in REGISTRY if f.w3c
    )
    # sd:BasicFederatedQuery is announced only when an allow-list switches SERVICE on.
    void = absolute(VOID_PATH, base_url())  # the dataset's VoID description
    text = _TEMPLATE.format(
        endpoint=endpoint,
        formats=result_formats,
        void=void,
        version=generation.version,
        asserted=GRAPH_ASSERTED,
        inferred=GRAPH_INFERRED,
        total=asserted + inferred,
        asserted_count=asserted,
        inferred_count=inferred,
    )
    if not state().settings.service_allow:
        text = text.replace(", sd:BasicFederatedQuery", "")
    return text


def service_description() -> Response:
    """Answer ``GET /sparql`` without a query, in any RDF format of the registry."""
    choice = choose(request.headers.get("Accept"), request.args.get("format"), "rdf")
    if choice is None:
        raise ApiError(
            406, "NOT_ACCEPTABLE", "the service description is available as " + ", ".join(media_types("rdf"))
        )
    graph = ox.parse(description_turtle(request.base_url), format=ox.RdfFormat.TURTLE)
    body = ox.serialize(
        (q.triple for q in graph),
        format=choice.format.oxigraph,
        prefixes={"sd": SD, "ent": ENTAILMENT, "dcterms": DCTERMS}
        if choice.format.name in {"ttl", "trig", "jsonld", "xml"}
        else None,
    )
    return Response(body, content_type=choice.content_type)
