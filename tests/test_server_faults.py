"""The real server (granian, real HTTP) under faults: a killed HTTP worker, a SIGTERM mid-request.

A client must get an answer or an error, never a hang: every request here has a client-side
timeout far above what it should take, and a timeout is a failure.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
from concurrent.futures import Future, ThreadPoolExecutor
from http.client import HTTPException
from pathlib import Path
from urllib.parse import quote

import psutil
import pytest

from tests.helpers import LiveServer, copy_fixture, fill_disk, full_disk, http, live_server, run_cli

pytestmark = pytest.mark.slow  # real servers, killed and stopped

#: 117,649 rows × 15 regex tests: a few seconds of one core, long enough to be in flight.
SLOW = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i "
    "VALUES ?z { 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 } "
    'FILTER(REGEX(CONCAT(STR(?c), STR(?i), STR(?z)), "^never")) }'
)
QUICK = "ASK {}"
CLIENT_TIMEOUT = 60  # far above any answer here: reaching it is the hang we test against


def _ask(server: LiveServer, query: str) -> str:
    """Status of one query as text, or the name of the connection error it ended with."""
    url = server.url + "/sparql?query=" + quote(query)
    try:
        reply = http("GET", url, headers={"Accept": "application/json"}, timeout=CLIENT_TIMEOUT)
    except (urllib.error.URLError, HTTPException, ConnectionError) as exc:
        if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, TimeoutError):
            return "timeout"
        return type(exc).__name__
    except TimeoutError:
        return "timeout"
    if reply.status == 200 and query == SLOW:
        return f"200 n={json.loads(reply.body)['results']['bindings'][0]['n']['value']}"
    return str(reply.status)


def _http_workers(server: LiveServer) -> list[psutil.Process]:
    """Granian's worker processes: the server's forked children (same command line), not
    multiprocessing's helpers (``spawn_main``, ``resource_tracker``)."""
    return [
        child
        for child in psutil.Process(server.process.pid).children()
        if not any("multiprocessing" in part for part in child.cmdline())
    ]


def _worker_serving_a_request(server: LiveServer, port: int, within: float) -> psutil.Process:
    """The HTTP worker holding an open client connection (the slow request in flight)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        for worker in _http_workers(server):
            if any(
                c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED for c in worker.net_connections()
            ):
                return worker
        time.sleep(0.05)
    raise AssertionError("no HTTP worker holds the slow request's connection")


def test_a_killed_http_worker_is_an_error_for_its_client_then_respawned(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    env = {"ITUGRAPH_HTTP_WORKERS": "2", "ITUGRAPH_WORKERS": "1"}
    with live_server(root, tmp_path, env=env) as server, ThreadPoolExecutor(4) as pool:
        port = int(server.url.rsplit(":", 1)[1])
        before = {worker.pid for worker in _http_workers(server)}
        assert len(before) == 2
        in_flight = pool.submit(_ask, server, SLOW)
        victim = _worker_serving_a_request(server, port, within=30)
        its_query_workers = victim.children(recursive=True)
        killed_at = time.monotonic()
        victim.send_signal(signal.SIGKILL)  # a worker of the server this test started
        outcome = in_flight.result(timeout=CLIENT_TIMEOUT + 5)
        assert outcome not in {"timeout"} and not outcome.startswith("200"), outcome
        assert time.monotonic() - killed_at < 10, "the killed worker's client waited"
        _, orphans = psutil.wait_procs(its_query_workers, timeout=10)  # none computes for nobody
        assert not orphans, orphans
        # Clients keep asking: the surviving worker answers, the killed one is replaced.
        answers: list[Future[str]] = []
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            answers.append(pool.submit(_ask, server, QUICK))
            after = {worker.pid for worker in _http_workers(server) if worker.is_running()}
            if len(after) == 2 and after != before and victim.pid not in after:
                break
            time.sleep(0.2)
        else:
            raise AssertionError(f"the killed worker was not respawned: {before} -> {after}")
        outcomes = [answer.result(timeout=CLIENT_TIMEOUT + 5) for answer in answers]
        assert "timeout" not in outcomes
        assert [_ask(server, QUICK) for _ in range(12)] == ["200"] * 12  # both workers answer
        assert server.process.poll() is None


def test_sigterm_finishes_the_request_in_flight_then_exits(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    env = {"ITUGRAPH_HTTP_WORKERS": "1", "ITUGRAPH_WORKERS": "1"}
    with live_server(root, tmp_path, env=env) as server, ThreadPoolExecutor(1) as pool:
        port = int(server.url.rsplit(":", 1)[1])
        in_flight = pool.submit(_ask, server, SLOW)
        _worker_serving_a_request(server, port, within=30)
        time.sleep(0.3)  # the query has reached its query worker
        assert not in_flight.done(), "the slow query was not slow: nothing was in flight"
        os.killpg(server.process.pid, signal.SIGTERM)  # as systemd or docker stop: the whole group
        assert in_flight.result(timeout=CLIENT_TIMEOUT + 5) == "200 n=0"
        try:
            server.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"the server did not exit after SIGTERM:\n{server.log()}") from None
        assert "Traceback" not in server.log(), server.log()


#: Tens of seconds of one core (5.7 million rows, each a regex test): outlasts the stop bound.
RUNAWAY = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l "
    "VALUES ?z { 1 2 3 } "
    'FILTER(REGEX(CONCAT(STR(?c), STR(?l), STR(?z)), "^never")) }'
)


def test_sigterm_stops_within_the_bound_when_a_request_outlasts_it(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    env = {"ITUGRAPH_HTTP_WORKERS": "1", "ITUGRAPH_WORKERS": "1", "ITUGRAPH_SHUTDOWN_TIMEOUT": "2"}
    with live_server(root, tmp_path, env=env) as server, ThreadPoolExecutor(1) as pool:
        port = int(server.url.rsplit(":", 1)[1])
        in_flight = pool.submit(_ask, server, RUNAWAY)
        _worker_serving_a_request(server, port, within=30)
        time.sleep(0.3)
        query_workers = psutil.Process(server.process.pid).children(recursive=True)
        stopped_at = time.monotonic()
        os.killpg(server.process.pid, signal.SIGTERM)
        try:
            server.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"SIGTERM did not stop the server in 20 s:\n{server.log()}") from None
        took = time.monotonic() - stopped_at
        outcome = in_flight.result(timeout=CLIENT_TIMEOUT + 5)
        assert outcome != "timeout" and not outcome.startswith("200"), outcome  # cut: an error
        assert took < 12, f"the server took {took:.1f} s to stop with a 2 s bound"
        _, alive = psutil.wait_procs(query_workers, timeout=10)  # no orphan keeps computing
        assert not alive, alive
        assert "Traceback" not in server.log(), server.log()


def test_a_server_whose_cache_and_log_disk_is_full_keeps_answering(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    with full_disk(root / ".itugraph") as cache:
        assert run_cli("--root", root, "build").returncode == 0
        fill_disk(cache)
        env = {"ITUGRAPH_HTTP_WORKERS": "1", "ITUGRAPH_WORKERS": "1"}
        with live_server(root, cache, env=env) as server:  # its log file is on the full disk too
            assert server.log_path.parent == cache
            assert _ask(server, QUICK) == "200"
            assert _ask(server, "SELECT * WHERE {") == "400"  # logged as a warning: nowhere to go
            assert http("GET", server.url + "/", timeout=CLIENT_TIMEOUT).status == 200
            # The dumps' facts cannot be kept in the cache: computed and served all the same.
            assert http("GET", server.url + "/dumps/", timeout=CLIENT_TIMEOUT).status == 200
            # A dump file cannot be written: an answer that says to come back, never a 500.
            dump = http("GET", server.url + "/dumps/SHA256SUMS", timeout=CLIENT_TIMEOUT)
            assert dump.status == 503 and "could not be written" in dump.text, dump.text
            assert _ask(server, QUICK) == "200"
            assert server.process.poll() is None
