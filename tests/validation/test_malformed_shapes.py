"""Malformed shapes fail loudly with ShapesError naming the shape, never silently pass."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from itugraph.errors import ShapesError
from itugraph.project import Project
from itugraph.validation import validate_project

PREFIXES = """\
@prefix ex: <http://ex.org/> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix ish: <https://w3id.org/itugraph/def/shapes#> .
"""

MALFORMED = {
    "literal-class": "ish:S09-Bad a sh:NodeShape ; sh:targetClass ex:Super ;\n"
    '  sh:property [ sh:path ex:ref ; sh:class "ex:Super" ] .\n',
    "negative-count": "ish:S09-Bad a sh:PropertyShape ; sh:targetClass ex:Super ;\n"
    "  sh:path ex:code ; sh:minCount -1 .\n",
    "two-paths": "ish:S09-Bad a sh:PropertyShape ; sh:targetClass ex:Super ;\n"
    "  sh:path ex:code, ex:ref ; sh:minCount 1 .\n",
    "bad-severity": 'ish:S09-Bad a sh:NodeShape ; sh:targetClass ex:Super ;\n  sh:severity "high" .\n',
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_shacl_for_shacl_names_the_shape(make_project: Callable[..., Project], case: str) -> None:
    project = make_project(shapes=PREFIXES + MALFORMED[case])
    with pytest.raises(ShapesError) as caught:
        validate_project(project)
    message = str(caught.value)
    assert "S09-Bad" in message
    assert "shapes/s.ttl:4" in message.replace(str(project.root) + "/", "")


def test_sparql_syntax_error_is_a_shapes_error(make_project: Callable[..., Project]) -> None:
    shapes = PREFIXES + (
        "ish:S10-Sparql a sh:NodeShape ; sh:targetClass ex:Super ;\n"
        '  sh:sparql [ sh:message "x" ; sh:select "SELECT $this WHERE { $this ?p }" ] .\n'
    )
    with pytest.raises(ShapesError, match=r"shape ish:S10-Sparql: SPARQL syntax error"):
        validate_project(make_project(shapes=shapes))


def test_unknown_prefix_in_sparql_is_a_shapes_error(make_project: Callable[..., Project]) -> None:
    shapes = PREFIXES + (
        "ish:S11-Sparql a sh:NodeShape ; sh:targetClass ex:Super ;\n"
        '  sh:sparql [ sh:message "x" ; sh:select "SELECT $this WHERE { $this nope:p ?o }" ] .\n'
    )
    with pytest.raises(ShapesError, match=r"ish:S11-Sparql"):
        validate_project(make_project(shapes=shapes))
