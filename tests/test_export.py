"""Export (``itugraph.export``): a selection of the built graph in any RDF syntax, to a file or
stdout, never over an input file."""

from __future__ import annotations

import io
from pathlib import Path

import pyoxigraph as ox
import pytest

from itugraph.errors import InputError, OutputWriteError
from itugraph.export import SELECTIONS, export_quads, export_to, write_export
from itugraph.load import Triple
from itugraph.namespaces import GRAPH_ASSERTED, GRAPH_INFERRED
from itugraph.rdf_formats import FORMATS, format_named
from itugraph.store import OxigraphStore, write_store

EX = "http://example.org/"
ASSERTED: list[Triple] = [
    (ox.NamedNode(EX + "a"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "b")),
    (ox.NamedNode(EX + "b"), ox.NamedNode(EX + "p"), ox.Literal("B")),
]
INFERRED: list[Triple] = [(ox.NamedNode(EX + "b"), ox.NamedNode(EX + "q"), ox.NamedNode(EX + "a"))]


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    path = tmp_path_factory.mktemp("export") / "store"
    write_store(path, ASSERTED, INFERRED)
    return OxigraphStore.open_read_only(path, "v")


def _parsed(body: bytes, name: str) -> list[ox.Quad | ox.Triple]:
    return list(ox.parse(body, format=format_named(name).oxigraph))


@pytest.mark.parametrize(
    ("selection", "graphs"),
    [
        ("asserted", {GRAPH_ASSERTED: 2}),
        ("inferred", {GRAPH_ASSERTED: 2, GRAPH_INFERRED: 1}),
        ("inferred-only", {GRAPH_INFERRED: 1}),
    ],
)
def test_each_selection_keeps_its_named_graphs(
    store: OxigraphStore, selection: str, graphs: dict[str, int]
) -> None:
    quads = list(export_quads(store, selection))
    counted: dict[str, int] = {}
    for quad in quads:
        assert isinstance(quad.graph_name, ox.NamedNode)
        counted[quad.graph_name.value] = counted.get(quad.graph_name.value, 0) + 1
    assert counted == graphs


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_every_format_reads_back_to_the_selection(store: OxigraphStore, name: str) -> None:
    out = io.BytesIO()
    write_export(store, "inferred", format_named(name), out)
    parsed = _parsed(out.getvalue(), name)
    assert len(parsed) == 3
    if format_named(name).is_dataset:  # N-Quads and TriG keep the named graphs
        assert {q.graph_name.value for q in parsed} == {GRAPH_ASSERTED, GRAPH_INFERRED}  # type: ignore[union-attr]
    else:
        assert all(isinstance(t, ox.Triple) or t.graph_name == ox.DefaultGraph() for t in parsed)


def test_prefixed_formats_use_our_prefixes_and_line_formats_do_not(store: OxigraphStore) -> None:
    turtle, triples = io.BytesIO(), io.BytesIO()
    write_export(store, "asserted", format_named("ttl"), turtle)
    write_export(store, "asserted", format_named("nt"), triples)
    assert b"@prefix" in turtle.getvalue() and b"@prefix" not in triples.getvalue()


def test_an_unknown_selection_is_an_input_error(store: OxigraphStore) -> None:
    with pytest.raises(InputError, match="unknown selection 'everything'") as caught:
        write_export(store, "everything", format_named("nt"), io.BytesIO())
    assert all(s in (caught.value.hint or "") for s in SELECTIONS)


def test_export_to_a_file_writes_it_whole_and_leaves_no_temporary_file(
    store: OxigraphStore, tmp_path: Path
) -> None:
    target = tmp_path / "deep" / "er" / "out.nt"
    export_to(store, "inferred-only", format_named("nt"), target, protected=[])
    assert len(_parsed(target.read_bytes(), "nt")) == 1
    export_to(store, "asserted", format_named("nt"), target, protected=[])  # replaced
    assert len(_parsed(target.read_bytes(), "nt")) == 2
    assert [p.name for p in target.parent.iterdir()] == ["out.nt"]


def test_export_to_stdout(store: OxigraphStore, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    export_to(store, "asserted", format_named("nt"), None, protected=[])
    assert len(_parsed(capsysbinary.readouterr().out, "nt")) == 2


def test_export_never_overwrites_an_input_file(
    store: OxigraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "graph" / "data.ttl"
    source.parent.mkdir()
    source.write_text("# keep me\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    with pytest.raises(InputError, match="refusing to overwrite the input file") as caught:
        export_to(store, "inferred", format_named("ttl"), Path("graph/../graph/data.ttl"), protected=[source])
    assert "another path" in (caught.value.hint or "")
    assert source.read_text(encoding="utf-8") == "# keep me\n"
    assert [p.name for p in source.parent.iterdir()] == ["data.ttl"]


def test_a_failed_write_leaves_the_target_as_it_was(
    store: OxigraphStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out.ttl"
    target.write_text("previous export\n", encoding="utf-8")

    def broken(*_args: object, **_kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("itugraph.export.write_export", broken)
    with pytest.raises(OutputWriteError, match=f"cannot write {target}: disk full"):
        export_to(store, "inferred", format_named("ttl"), target, protected=[])
    assert target.read_text(encoding="utf-8") == "previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.ttl"]
