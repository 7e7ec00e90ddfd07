"""The store (``itugraph.store``): a built dataset on disk, queried per SPARQL 1.1 Protocol §2.1.4."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from itugraph.errors import InputError, QueryError, QuerySyntaxError
from itugraph.load import Triple
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED
from itugraph.store import OxigraphStore, write_store

EX = "http://example.org/"


def n(local: str) -> ox.NamedNode:
    return ox.NamedNode(EX + local)


ASSERTED: list[Triple] = [
    (n("a"), n("p"), n("b")),
    (n("b"), n("p"), n("c")),
    (n("a"), n("label"), ox.Literal("A", language="en")),
]
INFERRED: list[Triple] = [
    (n("a"), n("p"), n("c")),
    (n("a"), n("p"), n("b")),
]  # also asserted: counted once by triples()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "store"
    write_store(path, ASSERTED, INFERRED)
    return path


@pytest.fixture(scope="module")
def store(store_path: Path) -> OxigraphStore:
    return OxigraphStore.open_read_only(store_path, "v1")


def _objects(store: OxigraphStore, query: str, **dataset: list[str]) -> list[str]:
    outcome = store.query(query, **dataset)  # type: ignore[arg-type]
    return sorted(row[0].value for row in outcome.rows if row[0] is not None)  # type: ignore[union-attr]


def test_a_written_store_holds_both_graphs_and_its_version(store: OxigraphStore) -> None:
    assert store.version == "v1"
    assert store.graph_names() == sorted([GRAPH_ASSERTED, GRAPH_INFERRED])
    assert len(list(store.triples(GRAPH_ASSERTED))) == 3
    assert len(list(store.triples(GRAPH_INFERRED))) == 2


def test_all_triples_count_each_triple_once(store: OxigraphStore) -> None:
    everything = list(store.triple_tuples())
    assert len(everything) == len(set(everything)) == 4
    assert set(everything) == set(ASSERTED) | set(INFERRED)
    assert all(isinstance(t, tuple) and len(t) == 3 for t in everything)


def test_without_a_dataset_the_default_graph_is_the_union(store: OxigraphStore) -> None:
    query = f"SELECT DISTINCT ?o WHERE {{ <{EX}a> <{EX}p> ?o }}"
    assert _objects(store, query) == [EX + "b", EX + "c"]


def test_protocol_graphs_override_the_query_and_a_missing_list_is_empty(store: OxigraphStore) -> None:
    query = f"SELECT DISTINCT ?o FROM <{GRAPH_INFERRED}> WHERE {{ <{EX}a> <{EX}p> ?o }}"
    assert _objects(store, query) == [EX + "b", EX + "c"]  # FROM honoured
    assert _objects(store, query, default_graphs=[GRAPH_ASSERTED]) == [EX + "b"]
    assert _objects(store, query, named_graphs=[GRAPH_INFERRED]) == []  # default graph: none
    named = f"SELECT DISTINCT ?o WHERE {{ GRAPH <{GRAPH_INFERRED}> {{ <{EX}a> <{EX}p> ?o }} }}"
    assert _objects(store, named, named_graphs=[GRAPH_INFERRED]) == [EX + "b", EX + "c"]
    assert _objects(store, named, default_graphs=[GRAPH_INFERRED]) == []


def test_a_limit_cuts_the_collected_rows_and_says_so(store: OxigraphStore) -> None:
    query = "SELECT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } }"
    whole = store.query(query)
    assert whole.kind == "select" and whole.variables == ["g", "s", "p", "o"]
    assert len(whole.rows) == 5 and not whole.truncated  # 3 asserted + 2 inferred quads
    cut = store.query(query, limit=2)
    assert len(cut.rows) == 2 and cut.truncated
    exact = store.query(query, limit=5)
    assert len(exact.rows) == 5 and not exact.truncated


def test_ask_and_construct_outcomes(store: OxigraphStore) -> None:
    assert store.query("ASK { ?s ?p ?o }").boolean is True
    assert store.query(f"ASK {{ <{EX}c> ?p ?o }}").kind == "ask"
    graph = store.query(f"CONSTRUCT {{ ?s <{EX}q> ?o }} WHERE {{ ?s <{EX}p> ?o }}", limit=1)
    assert graph.kind == "graph" and len(graph.triples) == 1 and graph.truncated
    construct = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_ASSERTED}> {{ ?s ?p ?o }} }}"
    assert set(store.query(construct).triples) == {ox.Triple(*t) for t in ASSERTED}


def test_substitutions_bind_typed_terms(store: OxigraphStore) -> None:
    outcome = store.query(f"SELECT ?s ?o WHERE {{ ?s <{EX}p> ?o }}", substitutions={"s": n("b")})
    assert outcome.rows == [(n("b"), n("c"))]


def test_a_parameter_that_is_not_projected_is_a_clear_error(store: OxigraphStore) -> None:
    with pytest.raises(QueryError, match="cannot bind a parameter") as caught:
        store.query(f"SELECT ?o WHERE {{ ?s <{EX}p> ?o }}", substitutions={"s": n("b")})
    assert "SELECT" in (caught.value.hint or "")


def test_a_malformed_query_is_a_syntax_error_with_a_hint(store: OxigraphStore) -> None:
    with pytest.raises(QuerySyntaxError, match="malformed query") as caught:
        store.evaluate("SELECT * WHERE { ?s ?p }")
    assert caught.value.code == "QUERY_SYNTAX" and caught.value.exit_code == 2
    assert "position" in (caught.value.hint or "")


def test_an_update_is_not_a_query(store: OxigraphStore) -> None:
    with pytest.raises(QuerySyntaxError):
        store.query(f"INSERT DATA {{ <{EX}x> <{EX}y> <{EX}z> }}")
    assert store.query(f"ASK {{ <{EX}x> ?p ?o }}").boolean is False


def test_opening_something_that_is_not_a_store_is_an_input_error(tmp_path: Path) -> None:
    (tmp_path / "not-a-store").write_text("plain file", encoding="utf-8")
    with pytest.raises(InputError, match="cannot open the store at") as caught:
        OxigraphStore.open_read_only(tmp_path / "not-a-store", "v")
    assert "itugraph build" in (caught.value.hint or "")


def test_an_in_memory_store_answers_like_a_built_one() -> None:
    engine = ox.Store()
    engine.add(ox.Quad(n("a"), n("p"), n("b"), ox.NamedNode(GRAPH_ASSERTED)))
    store = OxigraphStore(engine, "memory")
    assert store.query("SELECT ?s WHERE { ?s ?p ?o }").rows == [(n("a"),)]
    assert store.graph_names() == [GRAPH_ASSERTED]
