"""SHACL-AF SPARQL rules (itugraph/validation/rules.py), with pyshacl's ``shacl_rules`` as oracle."""

from __future__ import annotations

import pyoxigraph as ox
import pyshacl
import pytest
from rdflib import Graph

from itugraph.errors import ShapesError
from itugraph.load import Triple
from itugraph.validation import batching
from itugraph.validation.graphs import graph_of, to_rdflib
from itugraph.validation.rules import derive, rules_of

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
"""

DATA = (
    PREFIXES
    + """
ex:a a ex:Person ; ex:parent ex:b .
ex:b a ex:Person ; ex:parent ex:c .
ex:c a ex:Person .
ex:d a ex:Robot ; ex:parent ex:a .
"""
)

#: Rule 1 (order 1) is batchable; rule 2 (order 2) uses $this in a sub-SELECT, so it runs
#: per focus node, and it reads rule 1's output.
SHAPES = (
    PREFIXES
    + r"""
ex:PersonShape a sh:NodeShape ;
    sh:targetClass ex:Person ;
    sh:rule [ a sh:SPARQLRule ; sh:order 1 ;
        sh:construct '''PREFIX ex: <http://example.org/>
            CONSTRUCT { ?p ex:child $this } WHERE { $this ex:parent ?p }''' ] ;
    sh:rule [ a sh:SPARQLRule ; sh:order 2 ;
        sh:construct '''PREFIX ex: <http://example.org/>
            CONSTRUCT { $this ex:childCount ?n }
            WHERE { { SELECT (COUNT(?c) AS ?n) WHERE { $this ex:child ?c } } FILTER(?n > 0) }''' ] .
"""
)


def _graph(text: str) -> Graph:
    return Graph().parse(data=text, format="turtle")


def _triples(text: str) -> list[Triple]:
    return [
        (q.subject, q.predicate, q.object)  # type: ignore[misc]
        for q in ox.parse(text, format=ox.RdfFormat.TURTLE)
    ]


def _pyshacl_derived(data: str, shapes: str) -> set[tuple[object, object, object]]:
    before = _graph(data)
    after = _graph(data)
    pyshacl.shacl_rules(after, shacl_graph=_graph(shapes), advanced=True, inplace=True)
    return set(after) - set(before)


def test_rules_derive_what_pyshacl_derives_in_order() -> None:
    derived = derive(_triples(DATA), _graph(SHAPES))
    ours = {tuple(to_rdflib(t) for t in triple) for triple in derived}
    assert ours == _pyshacl_derived(DATA, SHAPES)
    counts = {str(t[0]): t[2].value for t in derived if t[1].value.endswith("childCount")}
    assert counts == {"<http://example.org/b>": "1", "<http://example.org/c>": "1"}


def test_each_derived_triple_names_its_rule() -> None:
    derived = derive(_triples(DATA), _graph(SHAPES))
    assert set(derived.values()) == {"sh:rule ex:PersonShape"} or all(
        name.startswith("sh:rule ") for name in derived.values()
    )


def test_triples_already_in_the_data_are_not_derived() -> None:
    data = DATA + "ex:b ex:child ex:a ."
    derived = derive(_triples(data), _graph(SHAPES))
    child = ox.NamedNode("http://example.org/child")
    assert (ox.NamedNode("http://example.org/b"), child, ox.NamedNode("http://example.org/a")) not in derived


def test_rules_of_sorts_by_order() -> None:
    rules = rules_of(_graph(SHAPES))
    assert [str(r.order) for r in rules] == ["1", "2"]


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            "[ a sh:TripleRule ; sh:subject sh:this ; sh:predicate ex:p ; sh:object ex:o ]",
            "only sh:SPARQLRule",
        ),
        ('[ a sh:SPARQLRule ; sh:condition ex:S ; sh:construct "CONSTRUCT {} WHERE {}" ]', "sh:condition"),
        ('[ a sh:SPARQLRule ; sh:construct "SELECT * WHERE {}" ]', "CONSTRUCT"),
    ],
)
def test_unsupported_rules_are_refused_not_ignored(rule: str, message: str) -> None:
    shapes = PREFIXES + f"ex:S a sh:NodeShape ; sh:targetClass ex:Person ; sh:rule {rule} ."
    with pytest.raises(ShapesError, match=message):
        rules_of(_graph(shapes))


def test_a_rule_that_does_not_parse_is_a_shapes_error() -> None:
    shapes = PREFIXES + (
        "ex:S a sh:NodeShape ; sh:targetClass ex:Person ; sh:rule [ "
        'a sh:SPARQLRule ; sh:construct "CONSTRUCT { $this ?p } WHERE { }" ] .'
    )
    with pytest.raises(ShapesError, match="does not parse"):
        derive(_triples(DATA), _graph(shapes))


def test_deactivated_rules_do_not_run() -> None:
    shapes = SHAPES.replace("sh:order 2 ;", "sh:order 2 ; sh:deactivated true ;")
    derived = derive(_triples(DATA), _graph(shapes))
    assert not any(t[1].value.endswith("childCount") for t in derived)
    assert graph_of(derived)  # rule 1 still ran


@pytest.mark.parametrize(
    ("where", "batched"),
    [
        ("{ $this ex:parent ?p MINUS { ?p ex:parent ?q } }", True),
        ("{ $this ex:parent ?p MINUS { $this ex:child ?q } }", False),
        ("{ { SELECT ?p WHERE { $this ex:parent ?p } } }", False),
    ],
)
def test_batching_of_a_construct_depends_on_where_this_occurs(where: str, batched: bool) -> None:
    """MINUS whose right side never names $this batches; $this inside it or a sub-SELECT not."""
    query = f"PREFIX ex: <http://example.org/> CONSTRUCT {{ $this ex:x ?p }} WHERE {where}"
    assert (batching.pattern_refusal(query, {}) is None) is batched


def test_a_minus_rule_gives_the_same_triples_batched_and_per_node() -> None:
    shapes = (
        PREFIXES
        + r"""
ex:S a sh:NodeShape ; sh:targetClass ex:Person ;
    sh:rule [ a sh:SPARQLRule ; sh:construct '''PREFIX ex: <http://example.org/>
        CONSTRUCT { $this ex:grandparentless true }
        WHERE { $this ex:parent ?p MINUS { ?p ex:parent ?q } }''' ] .
"""
    )
    derived = derive(_triples(DATA), _graph(shapes))
    assert {str(s) for s, _p, _o in derived} == {"<http://example.org/b>"}
    assert {tuple(to_rdflib(t) for t in x) for x in derived} == _pyshacl_derived(DATA, shapes)
