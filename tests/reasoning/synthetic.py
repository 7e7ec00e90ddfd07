"""A deterministic ORG-shaped graph for the reasoner's tests (the benchmarks use bench/synth.py).

It mirrors what the ITU graph asks of the reasoner — units nested several levels deep
under one organisation (``org:unitOf`` ⊑ ``org:subOrganizationOf`` ⊑ transitive
``org:transitiveSubOrganizationOf``, with inverses), subclass typing, domains and ranges,
``skos:prefLabel`` ⊑ ``rdfs:label``, facilitation roles lifted to a superproperty, and a
property chain from SDG targets to goals — so its closure exercises the same rules at
any size. About 7 asserted triples per unit.
"""

from __future__ import annotations

import random

import pyoxigraph as ox

from itugraph.load import Triple
from itugraph.namespaces import ITUID

ORG = "http://www.w3.org/ns/org#"
ITU = "https://w3id.org/itugraph/def/itu#"
ID = ITUID
SDG = "http://metadata.un.org/sdg/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
OWL = "http://www.w3.org/2002/07/owl#"

_ONTOLOGY = """
@prefix org: <http://www.w3.org/ns/org#> . @prefix itu: <https://w3id.org/itugraph/def/itu#> .
@prefix owl: <http://www.w3.org/2002/07/owl#> . @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
org:Organization a owl:Class . org:FormalOrganization a owl:Class ; rdfs:subClassOf org:Organization .
org:OrganizationalUnit a owl:Class ; rdfs:subClassOf org:Organization .
itu:Sector a owl:Class ; rdfs:subClassOf org:OrganizationalUnit .
itu:StudyGroup a owl:Class ; rdfs:subClassOf org:OrganizationalUnit .
itu:WorkingGroup a owl:Class ; rdfs:subClassOf org:OrganizationalUnit .
itu:StudyQuestion a owl:Class ; owl:disjointWith org:Organization .
org:subOrganizationOf a owl:ObjectProperty ; rdfs:subPropertyOf org:transitiveSubOrganizationOf ;
    owl:inverseOf org:hasSubOrganization ; rdfs:domain org:Organization ; rdfs:range org:Organization .
org:transitiveSubOrganizationOf a owl:ObjectProperty , owl:TransitiveProperty ;
    owl:inverseOf org:transitiveHasSubOrganization .
org:unitOf a owl:ObjectProperty ; rdfs:subPropertyOf org:subOrganizationOf ;
    owl:inverseOf org:hasUnit ; rdfs:domain org:OrganizationalUnit ; rdfs:range org:FormalOrganization .
itu:studies a owl:ObjectProperty ; owl:inverseOf itu:studiedBy ; rdfs:range itu:StudyQuestion .
itu:leadFacilitatorOf a owl:ObjectProperty ; rdfs:subPropertyOf itu:facilitatorOf ;
    owl:inverseOf itu:hasLeadFacilitator .
itu:facilitatorOf a owl:ObjectProperty ; owl:inverseOf itu:hasFacilitator .
itu:contributesToSDG a owl:ObjectProperty ;
    owl:propertyChainAxiom ( itu:contributesToSDG itu:sdgPartOf ) .
itu:hasSDGPart owl:inverseOf itu:sdgPartOf .
skos:prefLabel rdfs:subPropertyOf rdfs:label .
"""


def ontology() -> list[Triple]:
    """The ORG + ITU axioms the synthetic data relies on."""
    quads = ox.parse(input=_ONTOLOGY.encode(), format=ox.RdfFormat.TURTLE)
    return [(q.subject, q.predicate, q.object) for q in quads]


def org_graph(units: int, *, seed: int = 7) -> list[Triple]:
    """Ontology + ``units`` units nested up to 6 deep under one organisation (deterministic)."""
    rng = random.Random(seed)
    n = ox.NamedNode
    a, label, unit_of = n(RDF + "type"), n(SKOS + "prefLabel"), n(ORG + "unitOf")
    root = n(ID + "organization/itu")
    out = [*ontology(), (root, a, n(ORG + "FormalOrganization")), (root, label, ox.Literal("ITU"))]
    goals = [n(f"{SDG}{g}") for g in range(1, 18)]
    targets = [n(f"{SDG}{g}.{t}") for g in range(1, 18) for t in "abc"]
    out += [(goals[i // 3], n(ITU + "hasSDGPart"), t) for i, t in enumerate(targets)]
    parents = [root]
    depth = {root: 0}
    kinds = ("Sector", "StudyGroup", "WorkingGroup")
    for i in range(units):
        u = n(f"{ID}unit/u{i}")
        parent = parents[rng.randrange(len(parents))] if i >= 3 else root
        depth[u] = depth[parent] + 1
        out += [
            (u, a, n(ITU + kinds[min(i, 2) if i < 3 else rng.randrange(1, 3)])),
            (u, label, ox.Literal(f"Unit {i}", language="en")),
            (u, unit_of, parent),
            (u, n(ITU + "contributesToSDG"), targets[rng.randrange(len(targets))]),
            (u, n(ITU + "studies"), n(f"{ID}question/q{i}")),
            (n(f"{ID}question/q{i}"), a, n(ITU + "StudyQuestion")),
            (u, n(ITU + "leadFacilitatorOf"), n(f"{ID}wsis-action-line/C{1 + i % 11}")),
        ]
        if depth[u] < 6:
            parents.append(u)  # so no unit is nested more than 6 deep
    return out
