"""/metrics counts every HTTP worker process: unit tests of the shared counters, and the real
server with two HTTP worker processes over HTTP."""

from __future__ import annotations

import re
from pathlib import Path

from itugraph.web.metrics import Metrics
from tests.helpers import copy_fixture, http, live_server


def _value(text: str, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", text, re.MULTILINE)
    assert match, f"{name} missing from:\n{text}"
    return float(match.group(1))


def test_processes_sharing_a_folder_are_summed(tmp_path: Path) -> None:
    first, second = Metrics(tmp_path), Metrics(tmp_path)  # as two processes would
    first.observe("/sparql", 200, 0.002)
    second.observe("/sparql", 200, 0.2)
    second.observe("/sparql", 400, 0.001)
    second.count("cache_hits")
    for metrics in (first, second):  # whichever process answers /metrics
        text = metrics.render()
        assert _value(text, 'itugraph_requests_total{endpoint="/sparql",status="200"}') == 2
        assert _value(text, 'itugraph_requests_total{endpoint="/sparql",status="400"}') == 1
        assert _value(text, 'itugraph_request_seconds_bucket{le="0.005"}') == 2
        assert _value(text, 'itugraph_request_seconds_bucket{le="+Inf"}') == 3
        assert _value(text, "itugraph_request_seconds_sum") == 0.203
        assert _value(text, "itugraph_result_cache_hits_total") == 1


def test_a_process_alone_counts_alone(tmp_path: Path) -> None:
    alone, other = Metrics(), Metrics(tmp_path)
    other.observe("/sparql", 200, 0.1)
    alone.observe("/sparql", 200, 0.1)
    assert _value(alone.render(), "itugraph_request_seconds_count") == 1


def test_counts_stay_exact_past_a_million(tmp_path: Path) -> None:
    metrics = Metrics(tmp_path)
    for _ in range(3):
        metrics._add("cache_misses", 1_000_000)  # no 1e+06 in the exposition
    metrics.count("cache_misses")
    assert "itugraph_result_cache_misses_total 3000001\n" in metrics.render()


def test_a_half_written_process_file_is_skipped(tmp_path: Path) -> None:
    metrics = Metrics(tmp_path)
    metrics.count("timeouts")
    (tmp_path / "999-dead.keys").write_text("{not json", encoding="utf-8")
    assert _value(metrics.render(), "itugraph_query_timeouts_total") == 1


def test_live_server_with_two_http_processes_counts_all_requests(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    with live_server(root, tmp_path, env={"ITUGRAPH_HTTP_WORKERS": "2", "ITUGRAPH_WORKERS": "1"}) as server:
        url = server.url + "/sparql?query=ASK%7B%7D"
        # One new connection per request: the kernel hands them to both processes' accepts.
        replies = [http("GET", url) for _ in range(40)]
        assert all(reply.status == 200 for reply in replies)
        caches = [reply.headers["x-itugraph-cache"] for reply in replies]
        text = http("GET", server.url + "/metrics").text
    assert _value(text, 'itugraph_requests_total{endpoint="/sparql",status="200"}') == 40
    hits = _value(text, "itugraph_result_cache_hits_total")
    misses = _value(text, "itugraph_result_cache_misses_total")
    assert hits + misses == 40 and misses == caches.count("miss")
    # Each process computed the answer once: two processes served.
    # Each process computed the answer once (sequential requests: no race to fill a cache),
    # so two misses prove that two processes served and both are counted.
    assert misses == 2, f"expected one miss per process, got {misses}"
