"""Answers written by the engine's serialisers: every format gives the same solutions.

For one query over every kind of term (IRIs with non-ASCII characters, blank nodes,
language-tagged, typed, plain, empty and multi-line literals, quoted triples, unbound
values), the JSON, XML and TSV answers read back with pyoxigraph's parsers to the very same
solutions, and the CSV answer to the same values as the SPARQL 1.1 CSV format defines them
(§3: IRIs and lexical forms bare, blank nodes as ``_:label``, unbound as empty).
"""

from __future__ import annotations

import csv
import io

import pyoxigraph as ox
import pytest

from itugraph.answers import CHUNK_BYTES, ResultTooLargeError, check_size, write_answer
from itugraph.executor import QueryRequest, answer
from itugraph.formats import named
from itugraph.store import OxigraphStore

DATA = """
@prefix ex: <http://example.org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:a ex:p <http://example.org/é?q=1&r=%3C2%3E> , _:b0 ,
    "quote \\" backslash \\\\ newline \\n tab \\t line-sep \\u2028 end" ,
    "Union internationale des télécommunications"@fr , "42"^^xsd:integer , "<b>&amp;</b>" ,
    "" , "国际电信联盟"@zh .
"""
QUERY = """PREFIX ex: <http://example.org/>
SELECT ?s ?o ?t ?missing WHERE {
  ?s ex:p ?o
  OPTIONAL { ?o ex:nothing ?missing }
  BIND (IF(isLiteral(?o) && LANG(?o) = "fr", <<( ex:a ex:p ?o )>>, ?unbound) AS ?t)
} ORDER BY STR(?o)"""


@pytest.fixture(scope="module")
def store() -> OxigraphStore:
    engine = ox.Store()
    engine.load(DATA.encode(), format=ox.RdfFormat.TURTLE)
    return OxigraphStore(engine, "test")


Row = tuple[ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None, ...]


def _rows(store: OxigraphStore) -> list[Row]:
    outcome = store.query(QUERY)
    return outcome.rows


def _body(store: OxigraphStore, fmt: str) -> bytes:
    return answer(store, QueryRequest(QUERY, results_format=fmt)).body


@pytest.mark.parametrize("fmt", ["json", "xml", "tsv"])
def test_every_format_reads_back_as_the_same_solutions(store: OxigraphStore, fmt: str) -> None:
    parsed = ox.parse_query_results(_body(store, fmt), format=named(fmt, "results").results)
    assert isinstance(parsed, ox.QuerySolutions)
    back = [tuple(solution[v] for v in ("s", "o", "t", "missing")) for solution in parsed]
    assert back == _rows(store)
    kinds = {type(t).__name__ for row in back for t in row}
    assert kinds == {"NamedNode", "BlankNode", "Literal", "Triple", "NoneType"}


def test_csv_gives_the_same_values_with_blank_nodes_as_spec_says(store: OxigraphStore) -> None:
    """SPARQL 1.1 CSV §3: blank nodes are written ``_:label``, unbound values empty."""
    body = _body(store, "csv").decode("utf-8")
    table = list(csv.reader(io.StringIO(body)))
    assert table[0] == ["s", "o", "t", "missing"]

    def csv_value(term: object) -> str:
        if term is None:
            return ""
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        if isinstance(term, ox.Triple):
            return csv_value(term.subject) + " " + csv_value(term.predicate) + " " + csv_value(term.object)
        return str(term.value)  # type: ignore[attr-defined]

    assert table[1:] == [[csv_value(t) for t in row] for row in _rows(store)]
    assert any(cell.startswith("_:") for row in table[1:] for cell in row)


def test_ask_and_construct_use_the_engine_writers(store: OxigraphStore) -> None:
    ask = answer(store, QueryRequest("ASK { ?s ?p ?o }", results_format="xml"))
    assert ask.kind == "ask" and b"<boolean>true</boolean>" in ask.body
    graph = answer(store, QueryRequest("CONSTRUCT WHERE { ?s ?p ?o }", rdf_format="nt"))
    assert graph.kind == "graph"
    parsed = list(ox.parse(graph.body, format=ox.RdfFormat.N_TRIPLES))
    assert len(parsed) == 8


def test_a_large_answer_is_written_in_bounded_chunks() -> None:
    engine = ox.Store()
    p = ox.NamedNode("http://example.org/p")
    engine.bulk_extend(
        ox.Quad(ox.NamedNode(f"http://example.org/s{i}"), p, ox.Literal(str(i))) for i in range(20_000)
    )
    store = OxigraphStore(engine, "big")
    chunks: list[int] = []
    answer(
        store,
        QueryRequest("SELECT * WHERE { ?s ?p ?o }", results_format="json"),
        emit=lambda chunk: chunks.append(len(chunk)),
    )
    assert len(chunks) > 5 and max(chunks) < 2 * CHUNK_BYTES
    result = store.evaluate("SELECT * WHERE { ?s ?p ?o }")
    assert isinstance(result, ox.QuerySolutions)
    body = bytearray()
    write_answer(result, results=named("tsv", "results"), rdf=named("ttl", "rdf"), emit=body.extend)
    assert body.count(b"\n") == 20_001  # every row, and the header: nothing cut


def test_a_size_limit_refuses_rather_than_cuts(store: OxigraphStore) -> None:
    check_size(store.evaluate(QUERY), 8)
    with pytest.raises(ResultTooLargeError, match="more than 7 rows") as caught:
        check_size(store.evaluate(QUERY), 7)
    assert "LIMIT" in (caught.value.hint or "")
    with pytest.raises(ResultTooLargeError):
        answer(store, QueryRequest(QUERY, max_rows=3))
