"""The benchmark's query texts ask what the named-query API asks: same rows on the real graph."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import queries as qset
from itugraph.catalogue import load_catalogue
from itugraph.store import OxigraphStore
from tests.helpers import REPO

CATALOGUE = load_catalogue(REPO / "queries")
BENCH = {q.name: q for q in qset.load(REPO / "queries")[0]}


def test_every_catalogue_query_is_benchmarked() -> None:
    assert set(CATALOGUE) <= set(BENCH)


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_bench_text_answers_like_the_api_with_default_parameters(itu_store: OxigraphStore, name: str) -> None:
    named = CATALOGUE[name]
    defaults = {p.name: p.default for p in named.parameters if p.default}
    api = itu_store.query(named.text, substitutions=named.bindings(defaults))
    bench = itu_store.query(BENCH[name].render(7))
    assert bench.kind == api.kind
    if api.kind == "select":
        shown = [v for v in api.variables if v != "bench_n"]
        rows = Counter(tuple(r[bench.variables.index(v)] for v in shown) for r in bench.rows)
        assert rows == Counter(tuple(r[api.variables.index(v)] for v in shown) for r in api.rows)
    else:
        assert set(bench.triples) == set(api.triples) and bench.boolean == api.boolean
