"""The pieces of the load-and-soak run (``bench.soak``, issue 18), without a server or a clock.

The run itself is ``make bench`` (figures, never timed assertions); here: the mix draws what
it says in the proportions it says, the outcome rules tell documented limit answers from
errors, the report's figures and verdicts are right, the memory bound is the configured
caches'.
"""

from __future__ import annotations

import doctest
import ipaddress
import multiprocessing
import os
import random
import time
from collections import Counter
from types import ModuleType

import pytest

import bench.soak_mix
import bench.soak_report
from bench.queries import MARK, BenchQuery
from bench.soak import CLIENTS, SOAK_SETTINGS, MemorySampler, client_address
from bench.soak_mix import (
    LIMIT_ANSWERS,
    MUST_REFUSE,
    RUNAWAY,
    WEIGHTS,
    Catalogue,
    Mix,
    answer_code,
    outcome,
)
from bench.soak_report import (
    Tally,
    cache_bound_mb,
    kind_rows,
    memory_points,
    overall,
    percentile,
    render,
    verdicts,
)
from itugraph.linkeddata.doccache import DocumentCache
from itugraph.web.config import Settings

EDITS = [
    BenchQuery(
        "01-a", "catalogue", f"SELECT * WHERE {{ ?s ?p ?o }} LIMIT 1 VALUES (?n) {{ ({MARK}) }}", "select"
    ),
    BenchQuery(
        "x-c", "extra", f"CONSTRUCT WHERE {{ ?s ?p ?o }} LIMIT 1 VALUES (?n) {{ ({MARK}) }}", "construct"
    ),
]
CATALOGUE = Catalogue(
    named=["01-a", "02-b"],
    edits=EDITS,
    resources=["/id/sector/itu-t", "/id/organization/itu"],
    dumps=["/dumps/asserted.nt.gz"],
    max_query_bytes=1000,
)


def test_the_mix_draws_each_kind_in_its_proportion() -> None:
    mix, rng = Mix(CATALOGUE), random.Random(1)
    drawn = Counter(mix.draw(rng).kind for _ in range(20_000))
    total = sum(WEIGHTS.values())
    assert set(drawn) == set(WEIGHTS)
    for kind, weight in WEIGHTS.items():
        assert abs(drawn[kind] / 20_000 - weight / total) < 0.01, kind
    assert RUNAWAY not in drawn  # runaways come from their own clients only


def test_every_kind_is_a_well_formed_request() -> None:
    mix, rng = Mix(CATALOGUE), random.Random(2)
    catalogue = mix.build("catalogue", rng)
    assert catalogue.method == "GET" and catalogue.path in {"/api/queries/01-a", "/api/queries/02-b"}
    page, data = mix.build("page", rng), mix.build("data", rng)
    assert page.path in CATALOGUE.resources and dict(page.headers)["Accept"] == "text/html"
    assert dict(data.headers)["Accept"] != "text/html"
    assert mix.build("dump", rng).path == "/dumps/asserted.nt.gz"
    too_large = mix.build("too-large", rng)
    assert len(too_large.body) > CATALOGUE.max_query_bytes
    assert dict(too_large.headers)["Content-Type"] == "application/sparql-query"
    assert b"?g ?h ?i" in mix.build(RUNAWAY, rng).body
    with pytest.raises(ValueError, match="unknown request kind"):
        mix.build("nothing", rng)


def test_edited_queries_are_new_texts_and_name_their_query() -> None:
    mix, rng = Mix(CATALOGUE), random.Random(3)
    edits = [mix.build("sparql", rng) for _ in range(50)]
    assert len({e.body for e in edits}) == 50
    assert {e.label for e in edits} == {"01-a", "x-c"}
    assert all(MARK.encode() not in e.body for e in edits)
    construct = next(e for e in edits if e.label == "x-c")
    assert dict(construct.headers)["Accept"] == "application/n-triples"


def test_a_mix_without_material_is_refused() -> None:
    with pytest.raises(ValueError, match="named queries, resources and dumps"):
        Mix(Catalogue(named=[], edits=EDITS, resources=["/id/x"], dumps=["/dumps/x"]))


@pytest.mark.parametrize(
    ("kind", "status", "head", "expected"),
    [
        ("page", 200, b"<!doctype html>", "ok"),
        ("dump", 404, b"404 NOT_FOUND: no dump", "error"),
        ("page", 503, b"503 QUERY_TIMEOUT: ...", "error"),  # pages have no time limit answer
        ("catalogue", 503, b"503 QUERY_TIMEOUT: the query ran longer", "limit"),
        ("sparql", 503, b"503 SERVER_BUSY: all 2 query workers", "limit"),
        ("sparql", 500, b"500 INTERNAL: ...", "error"),
        ("sparql", 503, b"503 QUERY_WORKER_CRASHED: ...", "error"),
        ("too-large", 413, b"413 QUERY_TOO_LARGE: the query is longer", "limit"),
        ("too-large", 200, b"{}", "error"),  # a limit not enforced
        ("too-many-rows", 422, b"422 RESULT_TOO_LARGE: ...", "limit"),
        ("too-many-rows", 413, b"413 QUERY_TOO_LARGE: ...", "error"),  # the wrong refusal
        (RUNAWAY, 429, b"429 CLIENT_BUSY: ...", "limit"),
        (RUNAWAY, 200, b"{}", "error"),
        (RUNAWAY, 0, b"", "error"),  # no answer at all
    ],
)
def test_outcomes(kind: str, status: int, head: bytes, expected: str) -> None:
    assert outcome(kind, status, head) == expected


def test_every_limit_kind_must_be_refused_and_has_documented_answers() -> None:
    assert set(LIMIT_ANSWERS) >= MUST_REFUSE
    assert answer_code(413, b"413 QUERY_TOO_LARGE: the query is longer\nhint: ...") == "413 QUERY_TOO_LARGE"
    assert answer_code(404, b"<!doctype html><title>404</title>") == "404"


def _tally() -> Tally:
    tally = Tally()
    for ms in range(1, 101):
        tally.add("page", "ok", "200", float(ms), "/id/x")
    tally.add(RUNAWAY, "limit", "503 QUERY_TIMEOUT", 10_000.0, "/sparql")
    tally.add("sparql", "limit", "503 QUERY_TIMEOUT", 10_050.0, "19-matrix")
    tally.add("dump", "error", "0 ConnectionResetError", 5.0, "/dumps/a")
    return tally


def test_the_report_counts_kinds_outcomes_and_percentiles() -> None:
    tally = _tally()
    rows = {row["kind"]: row for row in kind_rows(tally, 10.0)}
    assert rows["page"]["requests"] == 100 and rows["page"]["per_s"] == 10.0
    assert (rows["page"]["p50_ms"], rows["page"]["p99_ms"]) == (50.0, 99.0)
    assert rows["dump"]["errors"] == 1 and rows["dump"]["answers"] == {"0 ConnectionResetError": 1}
    total = overall(tally, 10.0)
    assert (total["requests"], total["ok"], total["limit"], total["errors"]) == (103, 100, 2, 1)
    assert total["answered_per_s"] == 10.2
    assert tally.error_examples == {"dump: 0 ConnectionResetError": "/dumps/a"}
    assert tally.limit_examples == Counter({"sparql: 503 QUERY_TIMEOUT (19-matrix)": 1})
    assert percentile([], 0.5) is None


def test_memory_points_and_the_bound_verdict() -> None:
    samples = [(float(t), 400.0 + t) for t in range(0, 301)]
    points = memory_points(samples, 10.0, 290.0, 300.0)
    assert points == {
        "start_mb": 410.0,
        "middle_mb": 550.0,
        "end_mb": 690.0,
        "peak_mb": 690.0,  # within the load
        "after_mb": 700.0,
    }
    assert verdicts({"errors": 0}, points, 280.0) == {"no_errors": True, "memory_bounded": True}
    assert verdicts({"errors": 1}, points, 279.9) == {"no_errors": False, "memory_bounded": False}
    with pytest.raises(ValueError, match="no memory samples"):
        memory_points([], 0.0, 1.0)


def test_the_bound_is_what_the_configured_caches_hold_in_every_http_process() -> None:
    per_process = 16 * 2**20 + 16 * 2**20 + DocumentCache().max_bytes
    assert cache_bound_mb(SOAK_SETTINGS, 2) == round(2 * per_process / 2**20, 1)
    defaults = Settings()
    assert cache_bound_mb({}, 1) == round(
        (defaults.cache_bytes + defaults.replay_cache_bytes + DocumentCache().max_bytes) / 2**20, 1
    )


def test_the_rendered_report_says_the_verdicts_and_names_the_unexpected() -> None:
    tally = _tally()
    summary = overall(tally, 10.0)
    http = {"start_mb": 200.0, "middle_mb": 250.0, "end_mb": 500.0, "peak_mb": 510.0, "after_mb": 490.0}
    query = {"start_mb": 200.0, "middle_mb": 300.0, "end_mb": 210.0, "peak_mb": 400.0, "after_mb": 200.0}
    tree = {"start_mb": 400.0, "middle_mb": 550.0, "end_mb": 710.0, "peak_mb": 900.0, "after_mb": 690.0}
    report = {
        "clients": 32,
        "runaway_clients": 2,
        "seconds": 10.0,
        "settings": "X=1",
        "kinds": kind_rows(tally, 10.0),
        "overall": summary,
        "memory": {"http": http, "query": query, "tree": tree},
        "cache_bound_mb": 128.0,
        "verdicts": verdicts(summary, http, 128.0),
        "error_examples": tally.error_examples,
        "limit_examples": dict(tally.limit_examples),
    }
    text = render(report)
    assert "| page | 100 | 10.0 | 100 | 0 | 0 | 200: 100 | 50.0 | 99.0 |" in text
    assert "| HTTP processes (the caches) | 200.0 | 250.0 | 500.0 | 510.0 | 490.0 |" in text
    assert "Growth of the HTTP processes: 300.0 MB against the caches' bound of 128.0 MB" in text
    assert "(whole tree: 310.0 MB;" in text
    assert "errors outside the limit answers: 1; memory BEYOND the caches' bound" in text
    assert "unexpected: dump: 0 ConnectionResetError (first: /dumps/a)" in text
    assert "time limit on a normal request: sparql: 503 QUERY_TIMEOUT (19-matrix): 1" in text


@pytest.mark.parametrize("module", [bench.soak_mix, bench.soak_report], ids=lambda m: m.__name__)
def test_the_examples_in_the_docstrings(module: ModuleType) -> None:
    """``bench/`` is outside pytest's doctest paths: its examples run here."""
    failed, tried = doctest.testmod(module)
    assert tried and not failed


def test_clients_have_distinct_loopback_addresses() -> None:
    addresses = [client_address(i) for i in range(CLIENTS * 20)]
    assert len(set(addresses)) == len(addresses)
    assert all(ipaddress.ip_address(a).is_loopback for a in addresses)


def test_the_memory_sampler_follows_a_process_tree_by_role() -> None:
    """This process and a query-worker-like child (started the way multiprocessing does)."""
    context = multiprocessing.get_context("spawn")
    child = context.Process(target=time.sleep, args=(30,), daemon=True)
    child.start()
    try:
        sampler = MemorySampler(os.getpid(), interval=0.01)
        deadline = time.monotonic() + 30
        while (
            len(sampler.samples) < 3 or sampler.samples[-1][1]["query"] == 0
        ) and time.monotonic() < deadline:
            time.sleep(0.01)
        sampler.stop()
    finally:
        child.kill()
        child.join()
    assert all(mb["http"] > 1 for _, mb in sampler.samples)
    assert sampler.samples[-1][1]["query"] > 1
    tree = sampler.series()
    assert [t for t, _ in tree] == sorted(t for t, _ in tree)
    assert tree[-1][1] == pytest.approx(sum(sampler.samples[-1][1].values()))
