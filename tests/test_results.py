"""Our result serialisers against pyoxigraph's parsers: every format must read back as the rows."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from itugraph.results import QueryOutcome, serialize_tabular

XSD = "http://www.w3.org/2001/XMLSchema#"
TRICKY: list[ox.NamedNode | ox.BlankNode | ox.Literal] = [
    ox.NamedNode("http://example.org/é?q=1&r=<2>".replace("<", "%3C").replace(">", "%3E")),
    ox.BlankNode("b0"),
    ox.Literal('quote " backslash \\ newline \n tab \t line-sep \u2028 end'),
    ox.Literal("Union internationale", language="fr"),
    ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("<b>&amp;</b>"),
    ox.Literal(""),
]


def _outcome() -> QueryOutcome:
    rows: list[tuple[ox.NamedNode | ox.BlankNode | ox.Literal | None, ...]] = []
    for i, term in enumerate(TRICKY):
        rows.append((term, TRICKY[(i + 1) % len(TRICKY)], None if i % 2 else term))
    rows.append((None, None, None))
    rows.append(rows[0])  # a repeated row: terms are encoded once and reused
    return QueryOutcome(kind="select", variables=["a", "b", "c"], rows=rows)


@pytest.mark.parametrize(("fmt", "parser"), [("json", ox.QueryResultsFormat.JSON),
                                             ("xml", ox.QueryResultsFormat.XML),
                                             ("tsv", ox.QueryResultsFormat.TSV)])
def test_select_results_read_back_as_the_same_rows(fmt: str, parser: ox.QueryResultsFormat) -> None:
    outcome = _outcome()
    parsed = ox.parse_query_results(serialize_tabular(outcome, fmt), format=parser)
    assert isinstance(parsed, ox.QuerySolutions)
    assert [v.value for v in parsed.variables] == outcome.variables
    back = [tuple(solution[v] for v in outcome.variables) for solution in parsed]
    expected = [tuple(None if t is None else t for t in row) for row in outcome.rows]
    assert _without_bnode_labels(back) == _without_bnode_labels(expected)


def test_truncated_json_says_so_in_the_head() -> None:
    outcome = _outcome()
    outcome.truncated = True
    body = serialize_tabular(outcome, "json")
    assert b'"link": ["urn:itugraph:truncated"]' in body
    assert isinstance(ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON),
                      ox.QuerySolutions)


def _without_bnode_labels(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Parsers may relabel blank nodes; compare them as 'a blank node'."""
    return [tuple("_:" if isinstance(t, ox.BlankNode) else t for t in row) for row in rows]
