"""The per-client request rate limit (``ITUGRAPH_RATE_LIMIT``): the shared GCRA table, the
client's address behind trusted proxies, and a live server with two HTTP processes."""

from __future__ import annotations

import json
import multiprocessing
import time
from pathlib import Path

import pytest

from itugraph.web.client_address import client_address, client_key
from itugraph.web.config import load_settings
from itugraph.web.rate_limit import RateTable
from tests.helpers import copy_fixture, http, live_server


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# --- the table ---------------------------------------------------------------------------------


def test_a_burst_is_admitted_then_the_client_is_paced() -> None:
    clock = FakeClock()
    table = RateTable(2.0, 5, clock=clock)
    assert [table.admit("a") for _ in range(5)] == [0.0] * 5
    wait = table.admit("a")
    assert wait == pytest.approx(0.5)  # one request every 1/rate seconds
    assert table.admit("b") == 0.0  # another client has its own budget
    clock.now += 0.5
    assert table.admit("a") == 0.0
    assert table.admit("a") > 0
    clock.now += 60  # idle: the whole burst again, never more
    assert [table.admit("a") for _ in range(6)].count(0.0) == 5


def test_refused_requests_do_not_push_the_client_further_back() -> None:
    clock = FakeClock()
    table = RateTable(1.0, 1, clock=clock)
    assert table.admit("a") == 0.0
    for _ in range(100):
        assert table.admit("a") == pytest.approx(1.0)
    clock.now += 1.0
    assert table.admit("a") == 0.0


def test_tables_sharing_a_folder_share_one_budget(tmp_path: Path) -> None:
    clock = FakeClock()
    first, second = (RateTable(1.0, 4, tmp_path, clock=clock) for _ in range(2))
    admitted = [table.admit("a") == 0.0 for table in (first, second) * 4]
    assert admitted.count(True) == 4


def _admit_many(folder: str, count: int, results: multiprocessing.Queue[int]) -> None:
    table = RateTable(0.001, 50, Path(folder))
    results.put(sum(table.admit("client") == 0.0 for _ in range(count)))


def test_processes_racing_on_one_table_never_exceed_the_burst(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")
    results: multiprocessing.Queue[int] = context.Queue()
    workers = [context.Process(target=_admit_many, args=(str(tmp_path), 200, results)) for _ in range(3)]
    for worker in workers:
        worker.start()
    admitted = sum(results.get(timeout=60) for _ in workers)
    for worker in workers:
        worker.join(timeout=10)
    assert admitted == 50  # every update is atomic across processes: not one more, not one less


def test_a_full_table_reuses_the_entry_nearest_a_full_budget() -> None:
    clock = FakeClock()
    table = RateTable(1.0, 2, entries=4, clock=clock)  # fewer entries than clients: always full
    for index in range(20):
        assert table.admit(f"client-{index}") == 0.0
    assert table.admit("client-19") == 0.0 and table.admit("client-19") > 0  # the newest kept its count


def test_a_rate_table_needs_a_positive_rate_and_burst() -> None:
    with pytest.raises(ValueError, match="rate above 0"):
        RateTable(0, 5)
    with pytest.raises(ValueError, match="burst of at least 1"):
        RateTable(1, 0)


# --- settings ----------------------------------------------------------------------------------


def test_rate_settings_are_checked_by_name() -> None:
    assert load_settings(environ={}).rate_limit == 0.0  # off by default
    with pytest.raises(ValueError, match=r"RATE_LIMIT=-1\.0 must be 0"):
        load_settings({"RATE_LIMIT": "-1"}, environ={})
    with pytest.raises(ValueError, match="RATE_BURST=0 must be at least 1"):
        load_settings({"RATE_BURST": "0"}, environ={})
    with pytest.raises(ValueError, match=r"TRUSTED_PROXIES='10\.0\.0\.1 nowhere' must list IP addresses"):
        load_settings(environ={"ITUGRAPH_TRUSTED_PROXIES": "10.0.0.1 nowhere"})
    settings = load_settings(environ={"ITUGRAPH_TRUSTED_PROXIES": "10.0.0.1 fd00::/8"})
    assert settings.trusted_proxies == frozenset({"10.0.0.1/32", "fd00::/8"})
    assert load_settings(settings.as_overrides(), environ={}) == settings


def test_serve_reports_a_bad_setting_without_a_trace(tmp_path: Path) -> None:
    from tests.helpers import run_cli

    root = copy_fixture("tiny", tmp_path)
    run = run_cli("--root", root, "serve", "--port", "0", env={"ITUGRAPH_RATE_LIMIT": "fast"})
    assert run.returncode == 2
    assert "setting RATE_LIMIT='fast' must be a float" in run.stderr
    assert "Traceback" not in run.stderr


# --- the client's address ----------------------------------------------------------------------

PROXY = frozenset({"10.0.0.0/8"})


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "client"),
    [
        ("192.0.2.1", "203.0.113.9", frozenset(), "192.0.2.1"),  # no proxy trusted: header ignored
        ("192.0.2.1", "203.0.113.9", PROXY, "192.0.2.1"),  # the peer is no trusted proxy
        ("10.0.0.5", "203.0.113.9", PROXY, "203.0.113.9"),
        ("10.0.0.5", "198.51.100.1, 203.0.113.9", PROXY, "203.0.113.9"),  # the left part is the client's
        ("10.0.0.5", "203.0.113.9, 10.0.0.7", PROXY, "203.0.113.9"),  # two trusted proxies
        ("10.0.0.5", "", PROXY, "10.0.0.5"),
        ("10.0.0.5", "garbage, 203.0.113.9", PROXY, "203.0.113.9"),
        ("10.0.0.5", "203.0.113.9, garbage", PROXY, "10.0.0.5"),  # a broken chain: the proxy itself
        ("10.0.0.5", "10.0.0.6, 10.0.0.7", PROXY, "10.0.0.6"),
    ],
)
def test_the_client_is_the_rightmost_untrusted_forwarded_address(
    peer: str, forwarded: str, trusted: frozenset[str], client: str
) -> None:
    environ = {"REMOTE_ADDR": peer, "HTTP_X_FORWARDED_FOR": forwarded}
    assert client_address(environ, trusted) == client


def test_ipv6_clients_count_by_their_64_network() -> None:
    assert client_key("2001:db8:0:1::1") == client_key("2001:db8:0:1:ffff::2") == "2001:db8:0:1::/64"
    assert client_key("2001:db8:0:2::1") != client_key("2001:db8:0:1::1")
    assert client_key("::ffff:192.0.2.7") == "192.0.2.7"
    assert client_key("") == ""


# --- a live server with two HTTP processes -----------------------------------------------------


def _burst(url: str, count: int, headers: dict[str, str] | None = None) -> list[int]:
    return [http("GET", url, headers=headers).status for _ in range(count)]


def test_a_live_two_process_server_limits_each_client_once(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    env = {
        "ITUGRAPH_HTTP_WORKERS": "2",
        "ITUGRAPH_WORKERS": "1",
        "ITUGRAPH_RATE_LIMIT": "0.2",
        "ITUGRAPH_RATE_BURST": "8",
        "ITUGRAPH_TRUSTED_PROXIES": "127.0.0.1",
    }
    with live_server(root, tmp_path, env=env) as server:
        query = server.url + "/sparql?query=ASK%7B%7D"
        # Each request on a new connection: the kernel hands them to both processes.
        started = time.monotonic()
        statuses = _burst(query, 30)
        elapsed = time.monotonic() - started
        refused = http("GET", query, headers={"Accept": "application/json"})
        text = http("GET", server.url + "/id/", headers={"Accept": "text/plain"})
        health = [http("GET", server.url + "/healthz").status for _ in range(5)]
        other = _burst(query, 3, {"X-Forwarded-For": "203.0.113.50"})
        # The same client, writing other addresses left of the one the proxy appends.
        spoofed = [
            http("GET", query, headers={"X-Forwarded-For": f"198.51.100.{n}, 203.0.113.50"}).status
            for n in range(10)
        ]
        metrics = http("GET", server.url + "/metrics", headers={"X-Forwarded-For": "203.0.113.99"}).text
    # One budget over both processes: the burst and what the rate earned meanwhile, no more
    # (per-process budgets would admit up to twice the burst).
    assert 8 <= statuses.count(200) <= 8 + int(elapsed * 0.2) + 1, statuses
    assert statuses.count(429) == 30 - statuses.count(200)
    assert refused.status == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 5
    problem = json.loads(refused.body)
    assert problem["code"] == "RATE_LIMITED" and problem["status"] == 429
    assert "0.2" not in problem["message"] and "12 a minute" in problem["message"]
    assert refused.headers["x-content-type-options"] == "nosniff"
    assert text.status == 429 and text.text.startswith("429 RATE_LIMITED: too many requests")
    assert health == [200] * 5  # the balancer's probes are never limited
    assert other == [200] * 3  # behind the trusted proxy, each forwarded client has its budget
    assert 5 <= spoofed.count(200) <= 6  # what was left of its burst, whatever it writes
    assert 'endpoint="rate_limited",status="429"' in metrics


def test_without_a_trusted_proxy_forwarded_addresses_change_nothing(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    env = {"ITUGRAPH_HTTP_WORKERS": "1", "ITUGRAPH_WORKERS": "1", "ITUGRAPH_RATE_LIMIT": "0.1"}
    env["ITUGRAPH_RATE_BURST"] = "4"
    with live_server(root, tmp_path, env=env) as server:
        query = server.url + "/sparql?query=ASK%7B%7D"
        forged = [{"X-Forwarded-For": f"203.0.113.{n}"} for n in range(8)]
        statuses = [http("GET", query, headers=headers).status for headers in forged]
    assert statuses.count(200) == 4
