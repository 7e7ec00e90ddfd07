"""``ITUGRAPH_WORKER_MEMORY_MB``: a limit too low for a query worker is a clear error at start;
a low one that leaves room works (400 MB crashed every worker before); a query over it
fails alone and its worker is replaced."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from itugraph.build import Build, build
from itugraph.errors import InputError, QueryWorkerCrashedError
from itugraph.executor import QueryExecutor, QueryRequest
from itugraph.project import Project
from itugraph.web.config import load_settings
from itugraph.worker_memory import QUERY_HEADROOM_MB, WorkerMemoryError, address_space_mb
from tests.helpers import copy_fixture, http, live_server, run_cli

#: A string doubled 30 times: 16 GiB, far over any limit here.
_DOUBLINGS = "".join(f"BIND(CONCAT(?s{i}, ?s{i}) AS ?s{i + 1}) " for i in range(30))
HUNGRY = f'SELECT (STRLEN(?s30) AS ?n) WHERE {{ BIND("0123456789abcdef" AS ?s0) {_DOUBLINGS} }}'


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Build:
    return build(Project.at(copy_fixture("tiny", tmp_path_factory.mktemp("tiny"))))


def test_the_address_space_is_read_from_proc(tmp_path: Path) -> None:
    status = tmp_path / "status"
    status.write_text("Name:\tpython\nVmPeak:\t  600000 kB\nVmSize:\t  204800 kB\n", encoding="ascii")
    assert address_space_mb(status) == 200
    assert address_space_mb(tmp_path / "missing") == 0
    assert address_space_mb() > 0  # this process, on Linux


def test_the_error_names_the_setting_and_the_lowest_value_that_works() -> None:
    error = WorkerMemoryError(100, 195)
    assert isinstance(error, InputError) and error.exit_code == 2
    assert "ITUGRAPH_WORKER_MEMORY_MB=100 is too low" in error.message and "195 MB" in error.message
    assert error.hint is not None and f"at least {195 + QUERY_HEADROOM_MB}" in error.hint
    again = pickle.loads(pickle.dumps(error))  # it travels from the worker by pickle
    assert (again.message, again.hint) == (error.message, error.hint)


def test_a_limit_too_low_is_an_error_at_start(tiny: Build) -> None:
    with pytest.raises(WorkerMemoryError, match="ITUGRAPH_WORKER_MEMORY_MB=100 is too low") as caught:
        QueryExecutor(tiny.store_path, tiny.version, workers=2, memory_limit_mb=100)
    assert caught.value.used_mb > 100


def test_400_mb_answers_and_a_query_over_it_fails_alone(tiny: Build) -> None:
    executor = QueryExecutor(tiny.store_path, tiny.version, workers=1, memory_limit_mb=400)
    try:
        assert executor.execute(QueryRequest("ASK {}"), timeout=60).kind == "ask"
        with pytest.raises(QueryWorkerCrashedError, match="the query worker failed"):
            executor.execute(QueryRequest(HUNGRY), timeout=60)
        assert executor.execute(QueryRequest("ASK {}"), timeout=60).kind == "ask"  # replaced
    finally:
        executor.close()


def test_a_negative_limit_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="WORKER_MEMORY_MB=-1 must be 0"):
        load_settings({"WORKER_MEMORY_MB": "-1"}, environ={})


def test_serve_refuses_a_limit_too_low_with_exit_2(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    done = run_cli("--root", root, "serve", "--port", "0", env={"ITUGRAPH_WORKER_MEMORY_MB": "100"})
    assert done.returncode == 2, done.stderr
    assert "ITUGRAPH_WORKER_MEMORY_MB=100 is too low" in done.stderr and "at least" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_live_server_with_400_mb_workers_answers(tmp_path: Path) -> None:
    root = copy_fixture("tiny", tmp_path)
    env = {"ITUGRAPH_HTTP_WORKERS": "1", "ITUGRAPH_WORKERS": "1", "ITUGRAPH_WORKER_MEMORY_MB": "400"}
    with live_server(root, tmp_path, env=env) as server:
        answer = http("GET", server.url + "/sparql?query=ASK%7B%7D", headers={"Accept": "application/json"})
        assert answer.status == 200, answer.text  # was 503 QUERY_WORKER_CRASHED on every query
        assert answer.json() == {"head": {}, "boolean": True}
