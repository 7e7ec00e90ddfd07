"""``itugraph fmt``: one canonical text per graph, whatever the blank-node labels of a parse."""

from __future__ import annotations

from pathlib import Path

from itugraph.fmt import canonical_text

CLAIMS = """PREFIX itu: <https://w3id.org/itugraph/def/itu#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
<https://w3id.org/itugraph/id/initiative/gca> itu:hasClaim
  [ itu:claimProperty itu:launchYear ; itu:claimValue "2008"^^xsd:gYear ] ,
  [ itu:claimProperty itu:launchYear ; itu:claimValue "2007"^^xsd:gYear ] ,
  [ itu:claimProperty itu:launchDate ; itu:claimValue "2007-05-17"^^xsd:date ] .
"""


def test_nested_blank_nodes_keep_their_order_across_runs(tmp_path: Path) -> None:
    """Two claims of one resource used to swap places on every run (labels b9/b10)."""
    path = tmp_path / "claims.ttl"
    path.write_text(CLAIMS, encoding="utf-8")
    first = canonical_text(path)
    for _ in range(5):
        path.write_text(first, encoding="utf-8")
        assert canonical_text(path) == first
    reordered = CLAIMS.replace('"2008"', '"TMP"').replace('"2007"^^xsd:gYear', '"2008"^^xsd:gYear') \
        .replace('"TMP"', '"2007"')
    path.write_text(reordered, encoding="utf-8")
    assert canonical_text(path) == first
