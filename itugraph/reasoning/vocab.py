"""The RDF/RDFS/OWL terms the rules read, as small fixed integer ids.

The native engine interns every term to an int; these vocabulary terms are interned
first, in this order, so the rules can compare against module constants instead of
looking terms up on every triple.
"""

from __future__ import annotations

from typing import Final

from itugraph.namespaces import OWL as OWL_NS
from itugraph.namespaces import RDF as RDF_NS
from itugraph.namespaces import RDFS as RDFS_NS
from itugraph.namespaces import XSD as XSD_NS

#: Namespaces whose own terms are the reasoner's vocabulary: axiomatic triples about
#: them are junk to users (see ``junk.py``).
RESERVED_NAMESPACES: Final = (RDF_NS, RDFS_NS, OWL_NS, XSD_NS)

VOCAB: Final[tuple[str, ...]] = (
    RDF_NS + "type",
    RDF_NS + "first",
    RDF_NS + "rest",
    RDF_NS + "nil",
    RDF_NS + "Property",
    RDFS_NS + "subClassOf",
    RDFS_NS + "subPropertyOf",
    RDFS_NS + "domain",
    RDFS_NS + "range",
    RDFS_NS + "Resource",
    RDFS_NS + "Datatype",
    OWL_NS + "sameAs",
    OWL_NS + "differentFrom",
    OWL_NS + "AllDifferent",
    OWL_NS + "members",
    OWL_NS + "distinctMembers",
    OWL_NS + "Thing",
    OWL_NS + "Nothing",
    OWL_NS + "Class",
    OWL_NS + "ObjectProperty",
    OWL_NS + "DatatypeProperty",
    OWL_NS + "FunctionalProperty",
    OWL_NS + "InverseFunctionalProperty",
    OWL_NS + "IrreflexiveProperty",
    OWL_NS + "SymmetricProperty",
    OWL_NS + "AsymmetricProperty",
    OWL_NS + "TransitiveProperty",
    OWL_NS + "equivalentClass",
    OWL_NS + "equivalentProperty",
    OWL_NS + "inverseOf",
    OWL_NS + "propertyDisjointWith",
    OWL_NS + "AllDisjointProperties",
    OWL_NS + "propertyChainAxiom",
    OWL_NS + "hasKey",
    OWL_NS + "sourceIndividual",
    OWL_NS + "assertionProperty",
    OWL_NS + "targetIndividual",
    OWL_NS + "targetValue",
    OWL_NS + "intersectionOf",
    OWL_NS + "unionOf",
    OWL_NS + "complementOf",
    OWL_NS + "someValuesFrom",
    OWL_NS + "allValuesFrom",
    OWL_NS + "hasValue",
    OWL_NS + "onProperty",
    OWL_NS + "maxCardinality",
    OWL_NS + "maxQualifiedCardinality",
    OWL_NS + "onClass",
    OWL_NS + "oneOf",
    OWL_NS + "disjointWith",
    OWL_NS + "AllDisjointClasses",
)

(
    TYPE,
    FIRST,
    REST,
    NIL,
    RDF_PROPERTY,
    SCO,
    SPO,
    DOMAIN,
    RANGE,
    RESOURCE,
    DATATYPE,
    SAME_AS,
    DIFFERENT_FROM,
    ALL_DIFFERENT,
    MEMBERS,
    DISTINCT_MEMBERS,
    THING,
    NOTHING,
    CLASS,
    OBJECT_PROPERTY,
    DATATYPE_PROPERTY,
    FUNCTIONAL,
    INVERSE_FUNCTIONAL,
    IRREFLEXIVE,
    SYMMETRIC,
    ASYMMETRIC,
    TRANSITIVE,
    EQC,
    EQP,
    INVERSE_OF,
    PROPERTY_DISJOINT,
    ALL_DISJOINT_PROPERTIES,
    CHAIN,
    HAS_KEY,
    SOURCE_INDIVIDUAL,
    ASSERTION_PROPERTY,
    TARGET_INDIVIDUAL,
    TARGET_VALUE,
    INTERSECTION_OF,
    UNION_OF,
    COMPLEMENT_OF,
    SOME_VALUES_FROM,
    ALL_VALUES_FROM,
    HAS_VALUE,
    ON_PROPERTY,
    MAX_CARDINALITY,
    MAX_QUALIFIED_CARDINALITY,
    ON_CLASS,
    ONE_OF,
    DISJOINT_WITH,
    ALL_DISJOINT_CLASSES,
) = range(len(VOCAB))

#: Property characteristics that make a property's instance triples interesting.
CHARACTERISTICS: Final = frozenset(
    {FUNCTIONAL, INVERSE_FUNCTIONAL, IRREFLEXIVE, SYMMETRIC, ASYMMETRIC, TRANSITIVE}
)

#: Schema predicates whose subject and object may be properties with instance rules.
PROPERTY_AXIOMS: Final = frozenset(
    {DOMAIN, RANGE, SPO, EQP, INVERSE_OF, PROPERTY_DISJOINT, ON_PROPERTY, FIRST, ASSERTION_PROPERTY}
)

#: Schema predicates that change what an ``x rdf:type C`` triple wakes up for C.
CLASS_AXIOMS: Final = frozenset(
    {
        SCO,
        EQC,
        DISJOINT_WITH,
        COMPLEMENT_OF,
        ON_PROPERTY,
        SOME_VALUES_FROM,
        ON_CLASS,
        INTERSECTION_OF,
        HAS_KEY,
    }
)

#: The triples that define a class restriction; any of them re-evaluates the restriction.
RESTRICTION_PARTS: Final = frozenset(
    {
        SOME_VALUES_FROM,
        ALL_VALUES_FROM,
        HAS_VALUE,
        ON_PROPERTY,
        MAX_CARDINALITY,
        MAX_QUALIFIED_CARDINALITY,
        ON_CLASS,
    }
)
