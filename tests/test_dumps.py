"""Dumps (issue 15): deterministic, gzipped, checksummed files of the asserted, inferred and
union graphs, over real HTTP (the tiny server) and on the real graph's store."""

from __future__ import annotations

import gzip
import hashlib
import io
import multiprocessing
import os
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from itugraph.build import Build
from itugraph.export import write_export
from itugraph.linkeddata.dumps import (
    GRAPHS,
    SUMS,
    DumpFile,
    Dumps,
    _relabelled,
    canonical_lines,
    dump_files,
    write_dump,
)
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED
from itugraph.project import Project
from itugraph.rdf_formats import format_named
from itugraph.store import write_store
from tests.conftest import TINY_SETTINGS
from tests.helpers import LiveServer, call, http, running_app

FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nq": ox.RdfFormat.N_QUADS,
    "trig": ox.RdfFormat.TRIG,
    "jsonld": ox.RdfFormat.JSON_LD,
    "rdf": ox.RdfFormat.RDF_XML,
}
EX = "http://example.org/"


def _canon(quads: list[ox.Quad]) -> ox.Dataset:
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return dataset


def _store_quads(store: ox.Store, graph: str) -> list[ox.Quad]:
    names = GRAPHS[graph]
    return [
        q
        for q in store.quads_for_pattern(None, None, None, None)
        if isinstance(q.graph_name, ox.NamedNode) and q.graph_name.value in names
    ]


def _parsed(body: bytes, suffix: str, *, keep_graphs: bool) -> list[ox.Quad]:
    items = ox.parse(body, format=FORMATS[suffix])
    out = []
    for item in items:
        graph = item.graph_name if keep_graphs and isinstance(item, ox.Quad) else ox.DefaultGraph()
        out.append(ox.Quad(item.subject, item.predicate, item.object, graph))
    return out


# --- canonical form ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def blank_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store with nested blank nodes, twins (two identical claims) and a blank-node cycle."""
    s, p, q = ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "q")
    claim1, claim2, twin1, twin2, inner = (ox.BlankNode() for _ in range(5))
    cyc1, cyc2 = ox.BlankNode(), ox.BlankNode()
    asserted = [
        (s, p, claim1),
        (claim1, q, ox.Literal("one")),
        (claim1, p, inner),
        (inner, q, ox.Literal("deep")),
        (s, p, claim2),
        (claim2, q, ox.Literal("two")),
        (s, q, twin1),
        (s, q, twin2),
        (twin1, p, ox.Literal("same")),
        (twin2, p, ox.Literal("same")),
        (cyc1, p, cyc2),
        (cyc2, p, cyc1),
    ]
    inferred = [(claim1, q, ox.NamedNode(EX + "Claim"))]
    path = tmp_path_factory.mktemp("blank") / "store"
    write_store(path, asserted, inferred)  # type: ignore[arg-type]
    return path


def test_labels_depend_on_descriptions_not_on_the_store() -> None:
    a = [b'_:x <http://e/p> "v" .\n', b"<http://e/s> <http://e/q> _:x .\n"]
    b = [b'_:zz9 <http://e/p> "v" .\n', b"<http://e/s> <http://e/q> _:zz9 .\n"]
    assert _relabelled(a) == _relabelled(b)
    changed = [b'_:x <http://e/p> "w" .\n', b"<http://e/s> <http://e/q> _:x .\n"]
    assert _relabelled(changed)[1].split()[0] != _relabelled(a)[1].split()[0]


@pytest.mark.parametrize("dump", dump_files(), ids=lambda d: d.name)
def test_every_dump_of_blank_nodes_is_isomorphic_to_the_store(blank_store: Path, dump: DumpFile) -> None:
    store = ox.Store.read_only(str(blank_store))
    out = io.BytesIO()
    write_dump(canonical_lines(store), dump, out)
    keep = dump.suffix in {"nq", "trig"}
    expected = [
        q if keep else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
        for q in _store_quads(store, dump.graph)
    ]
    assert _canon(_parsed(out.getvalue(), dump.suffix, keep_graphs=keep)) == _canon(expected)


def test_the_real_graph_dumps_are_isomorphic_and_byte_identical(itu_build: Build, tmp_path: Path) -> None:
    store = ox.Store.read_only(str(itu_build.store_path))
    first, second = Dumps(tmp_path / "a", itu_build.store_path), Dumps(tmp_path / "b", itu_build.store_path)
    for dumps in (first, second):
        dumps.write_all()
    for dump in dump_files():
        assert (tmp_path / "a" / dump.name).read_bytes() == (tmp_path / "b" / dump.name).read_bytes()
    for name in ("union.nq.gz", "asserted.ttl.gz", "inferred.jsonld.gz"):
        dump = next(d for d in dump_files() if d.name == name)
        body = gzip.decompress((tmp_path / "a" / name).read_bytes())
        keep = dump.suffix == "nq"
        expected = [
            q if keep else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for q in _store_quads(store, dump.graph)
        ]
        assert _canon(_parsed(body, dump.suffix, keep_graphs=keep)) == _canon(expected), name
    lines = gzip.decompress((tmp_path / "a" / "union.nt.gz").read_bytes()).splitlines()
    assert lines == sorted(lines)


def test_two_exports_of_the_same_build_are_byte_identical(itu_build: Build) -> None:
    bodies = []
    for _ in range(2):
        out = io.BytesIO()
        write_export(itu_build.open_store(), "inferred", format_named("ttl"), out)
        bodies.append(out.getvalue())
    assert bodies[0] == bodies[1]


def test_export_is_deterministic_across_processes(tiny_root: Path, cli: object) -> None:
    from tests.helpers import run_cli

    runs = [run_cli("--root", tiny_root, "export", "-f", f) for f in ("trig", "trig", "nt")]
    assert runs[0].returncode == 0 and runs[0].stdout == runs[1].stdout
    lines = runs[2].stdout.splitlines()
    assert lines == sorted(lines)


# --- over HTTP ------------------------------------------------------------------------------


def test_index_lists_every_dump_in_html_json_and_void(tiny_server: LiveServer) -> None:
    html = http("GET", tiny_server.url + "/dumps/")
    assert html.status == 200 and html.headers["content-type"].startswith("text/html")
    assert all(d.name in html.text for d in dump_files()) and SUMS in html.text
    listing = http("GET", tiny_server.url + "/dumps/", headers={"Accept": "application/json"})
    files = listing.json()["files"]  # type: ignore[index]
    assert [f["name"] for f in files] == [d.name for d in dump_files()]
    void = http("GET", tiny_server.url + "/dumps/", headers={"Accept": "text/turtle"})
    dumps = {
        t.object.value
        for t in ox.parse(void.body, format=ox.RdfFormat.TURTLE)
        if t.predicate.value == "http://rdfs.org/ns/void#dataDump"
    }
    assert {u.rsplit("/", 1)[1] for u in dumps} == {d.name for d in dump_files()}


def test_files_are_gzip_with_checksums_strong_etags_and_304(tiny_server: LiveServer) -> None:
    sums = http("GET", tiny_server.url + "/dumps/" + SUMS)
    assert sums.status == 200
    listed = dict(reversed(line.split("  ")) for line in sums.text.splitlines())
    assert set(listed) >= {d.name for d in dump_files()} | {"context.jsonld", "void.ttl"}
    for name, digest in listed.items():
        # A .gz file is never re-encoded, even for a client that accepts gzip.
        reply = http(
            "GET",
            f"{tiny_server.url}/dumps/{name}",
            headers={"Accept-Encoding": "gzip"} if name.endswith(".gz") else {},
        )
        assert reply.status == 200, name
        assert hashlib.sha256(reply.body).hexdigest() == digest, name
        assert reply.headers["etag"] == f'"{digest}"'
        assert int(reply.headers["content-length"]) == len(reply.body)
        assert "content-encoding" not in reply.headers
        if name.endswith(".gz"):
            assert reply.headers["content-type"] == "application/gzip"
            assert reply.body[4:8] == b"\0\0\0\0" and not reply.body[3] & 0x08  # mtime 0, no name
            gzip.decompress(reply.body)
        again = http(
            "GET", f"{tiny_server.url}/dumps/{name}", headers={"If-None-Match": reply.headers["etag"]}
        )
        assert again.status == 304


def test_http_dumps_equal_the_store(tiny_server: LiveServer, tmp_path: Path) -> None:
    from itugraph.build import cached_build
    from itugraph.project import Project

    root = Path(tiny_server.log_path).parent / "tiny"
    built = cached_build(Project.at(root))
    assert built is not None
    store = ox.Store.read_only(str(built.store_path))
    for dump in dump_files():
        body = gzip.decompress(http("GET", f"{tiny_server.url}/dumps/{dump.name}").body)
        keep = dump.suffix in {"nq", "trig"}
        expected = [
            q if keep else ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
            for q in _store_quads(store, dump.graph)
        ]
        assert _canon(_parsed(body, dump.suffix, keep_graphs=keep)) == _canon(expected), dump.name
    assert {GRAPH_ASSERTED, GRAPH_INFERRED} == {q.graph_name.value for q in _store_quads(store, "union")}  # type: ignore[union-attr]


def test_unknown_files_are_404(tiny_server: LiveServer) -> None:
    assert http("GET", tiny_server.url + "/dumps/everything.ttl.gz").status == 404
    assert http("GET", tiny_server.url + "/dumps/index.trig").status == 404


def test_dumps_are_written_by_a_child_process_and_a_request_never_waits_long(tiny_root: Path) -> None:
    """``DUMP_WAIT`` 0: the first request starts the writer and gets ``503`` + ``Retry-After``
    at once; the files come (written by a child process: the server process's memory is not
    spent on them) and are then served, one line per quad of the store."""
    with running_app(Project.at(tiny_root), {**TINY_SETTINGS, "DUMP_WAIT": 0}) as app:
        client = app.test_client()
        first = call(client, "GET", "/dumps/union.nq.gz")
        assert first.status == 503 and first.headers["retry-after"] == "30"
        assert "being written" in first.text and first.headers["cache-control"] == "no-store"
        writers = [p for p in multiprocessing.active_children() if p.name == "itugraph-dumps"]
        assert writers and all(p.pid != os.getpid() for p in writers)
        deadline = time.monotonic() + 120
        while (reply := call(client, "GET", "/dumps/union.nq.gz")).status == 503:
            assert time.monotonic() < deadline, "the dumps were never written"
            time.sleep(0.2)
        assert reply.status == 200
        store = ox.Store.read_only(str(app.extensions["itugraph"].built.store_path))
        assert len(gzip.decompress(reply.body).splitlines()) == len(store)
        # The writer may still be finishing the other files: 503 + Retry-After until then.
        while (sums := call(client, "GET", "/dumps/" + SUMS)).status == 503:
            assert time.monotonic() < deadline, "the checksums were never written"
            time.sleep(0.2)
        assert sums.status == 200 and "union.nq.gz" in sums.text
