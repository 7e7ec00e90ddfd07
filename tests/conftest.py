"""Session fixtures shared by the CLI, HTTP and data tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from itugraph.build import Build, build
from itugraph.project import Project
from itugraph.store import OxigraphStore
from tests.helpers import LiveServer, copy_fixture, live_server


@pytest.fixture
def tiny_root(tmp_path: Path) -> Path:
    """A fresh, writable copy of the tiny placeholder project."""
    return copy_fixture("tiny", tmp_path)


@pytest.fixture(scope="session")
def tiny_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real server (granian, worker processes) over the tiny project, on a free port."""
    tmp = tmp_path_factory.mktemp("tiny-server")
    root = copy_fixture("tiny", tmp)
    with live_server(root, tmp, env={"ITUGRAPH_QUERY_TIMEOUT": "3", "ITUGRAPH_MAX_ROWS": "20",
                                     "ITUGRAPH_WORKERS": "2"}) as server:
        yield server


@pytest.fixture(scope="session")
def itu_build() -> Build:
    """The build of the real ITU graph (cached in ROOT/.itugraph/ across runs, like `make run`)."""
    return build(Project.at(), validate=False)


@pytest.fixture(scope="session")
def itu_store(itu_build: Build) -> OxigraphStore:
    """The inferred ITU graph, ready for SPARQL (``itu_store.query(text).records()``)."""
    return itu_build.open_store()
