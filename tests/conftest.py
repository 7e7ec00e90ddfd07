"""Session fixtures shared by the CLI, HTTP and data tests.

Two ways to reach the application, as flaskr's tests do it: in-process (``app``/``client``
for the Flask app the factory makes, ``cli`` for ``itugraph.cli.main``), for tests of what
the application answers; and real processes (``tiny_server``, ``tests.helpers.run_cli``),
for tests whose subject is HTTP or the process itself (protocol, streaming, time limits,
signals, workers, packaging, the browser).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from itugraph.build import Build, build
from itugraph.project import Project
from itugraph.store import OxigraphStore
from tests.helpers import (
    Cli,
    LiveServer,
    copy_fixture,
    live_server,
    run_main,
    running_app,
    shared_sparql_parses,
)

#: The test settings of the tiny server, in-process or real: small limits so tests reach them.
TINY_SETTINGS = {"QUERY_TIMEOUT": 3, "MAX_ROWS": 20, "WORKERS": 2}


def pytest_sessionstart(session: pytest.Session) -> None:
    """Under xdist (``make unit``: ``-n auto``), build the ITU graph once, in the controller,
    before the workers start: they then all read the cached build in ROOT/.itugraph instead
    of each building (and writing) the same entry at once. Validated, as ``make run`` and
    the live servers of the tests build it. A failing build is left to the tests to report."""
    config = session.config
    if not getattr(config.option, "numprocesses", None) or hasattr(config, "workerinput"):
        return
    with contextlib.suppress(Exception):  # the tests that use the build report it
        build(Project.at())


@pytest.fixture(scope="session", autouse=True)
def _sparql_parses_shared() -> Iterator[None]:
    """rdflib parses each SPARQL text once per test process (``shared_sparql_parses``)."""
    with shared_sparql_parses():
        yield


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests marked slow first, the order otherwise kept: under xdist the longest tests then
    start early, instead of one worker running the last of them while the other idles.
    (Every worker sorts alike, so all collect the same order, as xdist requires.)"""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)


@pytest.fixture
def tiny_root(tmp_path: Path) -> Path:
    """A fresh, writable copy of the tiny placeholder project."""
    return copy_fixture("tiny", tmp_path)


@pytest.fixture(scope="session")
def tiny_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real server (granian, worker processes) over the tiny project, on a free port."""
    tmp = tmp_path_factory.mktemp("tiny-server")
    root = copy_fixture("tiny", tmp)
    env = {f"ITUGRAPH_{name}": str(value) for name, value in TINY_SETTINGS.items()}
    with live_server(root, tmp, env=env) as server:
        yield server


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The real app from the factory over the tiny project, with the tiny server's settings.

    Session-scoped: the factory builds the project and starts its query worker processes
    once; they are stopped at the end (as ``itugraph serve`` stops them at exit).
    """
    root = copy_fixture("tiny", tmp_path_factory.mktemp("tiny-app"))
    with running_app(Project.at(root), TINY_SETTINGS) as tiny_app:
        yield tiny_app


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of ``app``: requests in-process, no socket (``tests.helpers.call``)."""
    return app.test_client()


@pytest.fixture
def cli() -> Cli:
    """``cli("--root", root, "validate")``: ``itugraph.cli.main`` in this process, returning
    ``(returncode, stdout, stderr)`` like ``run_cli`` (a subprocess) returns them."""
    return run_main


@pytest.fixture(scope="session")
def itu_build() -> Build:
    """The build of the real ITU graph (cached in ROOT/.itugraph/ across runs, like `make run`)."""
    return build(Project.at(), validate=False)


@pytest.fixture(scope="session")
def itu_store(itu_build: Build) -> OxigraphStore:
    """The inferred ITU graph, ready for SPARQL (``itu_store.query(text).records()``)."""
    return itu_build.open_store()
