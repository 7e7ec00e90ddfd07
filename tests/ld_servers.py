"""Live servers for the linked-data tests: the real ITU graph, and a tiny project whose
resources live under https://w3id.org/itugraph/id/ (one label carries HTML)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.helpers import REPO, LiveServer, copy_fixture, live_server

#: A label that must come out escaped on every page.
INJECTED_LABEL = '<script>alert("x")</script> & <b>bold</b>'


@contextmanager
def itu_server(tmp: Path) -> Iterator[LiveServer]:
    """``itugraph serve`` over the repository's ITU graph (its cached build)."""
    with live_server(REPO, tmp) as server:
        yield server


@contextmanager
def injected_server(tmp: Path) -> Iterator[LiveServer]:
    """The tiny fixture plus two resources of ours, one with an HTML label."""
    root = copy_fixture("tiny", tmp)
    label = INJECTED_LABEL.replace("\\", "\\\\").replace('"', '\\"')
    (root / "graph" / "injected.ttl").write_text(
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "@prefix ituid: <https://w3id.org/itugraph/id/> .\n"
        "ituid:thing\\/evil a <http://example.org/tiny#Unit> ;\n"
        f'    rdfs:label "{label}"@en ;\n'
        "    <http://example.org/tiny#unitOf> ituid:thing\\/good .\n"
        "ituid:thing\\/good a <http://example.org/tiny#Unit> ;\n"
        "    <http://example.org/tiny#unitOf> <http://example.org/id/org> ;\n"
        '    rdfs:label "A good thing"@en .\n',
        encoding="utf-8",
    )
    with live_server(root, tmp) as server:
        yield server
