"""Session fixtures shared by the CLI, HTTP and data tests.

Two ways to reach the application, as flaskr's tests do it: in-process (``app``/``client``
for the Flask app the factory makes, ``cli`` for ``itugraph.cli.main``), for tests of what
the application answers; and real processes (``tiny_server``, ``tests.helpers.run_cli``),
for tests whose subject is HTTP or the process itself (protocol, streaming, time limits,
signals, workers, packaging, the browser).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from itugraph.build import Build, build
from itugraph.project import Project
from itugraph.store import OxigraphStore
from tests.helpers import Cli, LiveServer, copy_fixture, live_server, run_main, running_app

#: The test settings of the tiny server, in-process or real: small limits so tests reach them.
TINY_SETTINGS = {"QUERY_TIMEOUT": 3, "MAX_ROWS": 20, "WORKERS": 2}


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
