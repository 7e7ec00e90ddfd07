"""Parsing RDF files (``itugraph.load``): every format by extension, errors with file and line."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from itugraph.errors import InputError, RdfSyntaxError
from itugraph.load import load_triples, parse_file

EX = "http://example.org/"
TURTLE = f'@prefix ex: <{EX}> .\nex:a ex:p ex:b ;\n  ex:q _:b1 .\n_:b1 ex:r "x"@en .\n'


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.ttl", f"<{EX}s> <{EX}p> <{EX}o> ."),
        ("a.nt", f"<{EX}s> <{EX}p> <{EX}o> .\n"),
        ("a.nq", f"<{EX}s> <{EX}p> <{EX}o> <{EX}g> .\n"),
        ("a.trig", f"<{EX}g> {{ <{EX}s> <{EX}p> <{EX}o> . }}"),
        ("a.jsonld", f'{{"@id": "{EX}s", "{EX}p": {{"@id": "{EX}o"}}}}'),
        (
            "a.owl",
            f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" '
            f'xmlns:ex="{EX}"><rdf:Description rdf:about="{EX}s">'
            f'<ex:p rdf:resource="{EX}o"/></rdf:Description></rdf:RDF>',
        ),
    ],
)
def test_every_extension_is_read_in_its_format_graph_names_dropped(
    tmp_path: Path, name: str, text: str
) -> None:
    path = _write(tmp_path / name, text)
    assert load_triples([path]) == [(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), ox.NamedNode(EX + "o"))]


def test_quads_keep_their_graph_and_relative_iris_resolve_against_the_file(tmp_path: Path) -> None:
    trig = _write(tmp_path / "d.trig", f"<{EX}g> {{ <s> <{EX}p> <{EX}o> . }}")
    (quad,) = list(parse_file(trig))
    assert quad.graph_name == ox.NamedNode(EX + "g")
    assert quad.subject == ox.NamedNode(trig.resolve().parent.as_uri() + "/s")


def test_blank_nodes_of_two_files_are_two_nodes(tmp_path: Path) -> None:
    first = _write(tmp_path / "one.ttl", TURTLE)
    second = _write(tmp_path / "two.ttl", TURTLE)
    triples = load_triples([first, second])
    assert len(triples) == 6
    blanks = {t[2] for t in triples if isinstance(t[2], ox.BlankNode)}
    assert len(blanks) == 2  # _:b1 of each file, kept apart as RDF merge requires


def test_a_syntax_error_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "broken.ttl", f'@prefix ex: <{EX}> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n')
    with pytest.raises(RdfSyntaxError) as caught:
        load_triples([path])
    error = caught.value
    assert error.location.path == path and error.location.line == 3
    assert error.location.column is not None
    assert str(error).startswith(f"{path}:3:{error.location.column}: syntax error: ")
    assert "Parser error" not in error.detail  # the location is said once, in our words
    assert "fix the RDF syntax" in (error.hint or "") and error.exit_code == 2
    assert error.code == "RDF_SYNTAX_ERROR"


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nowhere\.ttl: no such file") as caught:
        list(parse_file(tmp_path / "nowhere.ttl"))
    assert not isinstance(caught.value, RdfSyntaxError)
    assert "--root" in (caught.value.hint or "")


def test_an_unknown_extension_is_an_input_error_listing_the_known_ones(tmp_path: Path) -> None:
    path = _write(tmp_path / "data.n3x", "")
    with pytest.raises(InputError, match=r"data\.n3x: unknown RDF file extension '\.n3x'") as caught:
        load_triples([path])
    assert ".ttl" in (caught.value.hint or "") and ".owl" in (caught.value.hint or "")


def test_an_empty_file_has_no_triples(tmp_path: Path) -> None:
    assert load_triples([_write(tmp_path / "empty.ttl", "")]) == []
    assert load_triples([]) == []
