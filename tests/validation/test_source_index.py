"""The source index finds the line where each subject is defined, on tricky Turtle."""

from __future__ import annotations

from pathlib import Path

import pytest

from itugraph.validation.source_index import SourceIndex, subject_occurrences, tokenize

EX = "http://ex.org/"

TRICKY = '''\
@prefix ex: <http://ex.org/> .
PREFIX e2: <http://e2.org/ns#>
# ex:commented a ex:C .   <- a comment, not a subject
ex:a ex:p """multi-line string
ex:inString a ex:C .
still "inside" it""" ;
   ex:q 'it\\'s', "x\\"y # not a comment" .
e2:b
   ex:p ex:c ,
        ex:d ;
   a ex:C .
[] ex:p ex:blankSubjectObject .
[ ex:inner ex:z ] ex:p ex:y .
( ex:l1 ex:l2 ) ex:p ex:f .
ex:esc\\-name ex:p 1.5e3 , -2 , .5 .
<http://ex.org/full> ex:p ex:o ; ex:p2 [ ex:nested ex:o2 ] .
ex:longSingle ex:p \'\'\'a \'\' quote
and a line\'\'\' .
ex:afterLong a ex:C .
'''


@pytest.fixture
def tricky(tmp_path: Path) -> Path:
    path = tmp_path / "tricky.ttl"
    path.write_text(TRICKY, encoding="utf-8")
    return path


def test_subjects_and_lines(tricky: Path) -> None:
    found = [(o.iri.replace(EX, "ex:"), o.line) for o in subject_occurrences(tricky)]
    assert found == [
        ("ex:a", 4),
        ("http://e2.org/ns#b", 8),
        ("ex:esc-name", 15),
        ("ex:full", 16),
        ("ex:longSingle", 17),
        ("ex:afterLong", 19),
    ]


def test_strings_comments_and_brackets_hide_subjects(tricky: Path) -> None:
    iris = {o.iri for o in subject_occurrences(tricky)}
    for hidden in ("commented", "inString", "inner", "l1", "nested", "blankSubjectObject"):
        assert EX + hidden not in iris


def test_typed_flag_follows_semicolon_lists(tricky: Path) -> None:
    typed = {o.iri: o.typed for o in subject_occurrences(tricky)}
    assert typed["http://e2.org/ns#b"] is True  # `a` after `;`
    assert typed[EX + "a"] is False
    assert typed[EX + "afterLong"] is True


def test_base_and_relative_iris(tmp_path: Path) -> None:
    path = tmp_path / "b.ttl"
    path.write_text(
        "@base <http://base.org/dir/> .\n<rel> a <C> .\nBASE <http://other/>\n<x> <p> <o> .\n",
        encoding="utf-8",
    )
    assert [o.iri for o in subject_occurrences(path)] == ["http://base.org/dir/rel", "http://other/x"]


def test_n_triples_and_trig(tmp_path: Path) -> None:
    nt = tmp_path / "a.nt"
    nt.write_text(
        '<http://ex.org/s> <http://ex.org/p> "o" .\n\n'
        "<http://ex.org/t> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<http://ex.org/C> .\n",
        encoding="utf-8",
    )
    trig = tmp_path / "a.trig"
    trig.write_text(
        "@prefix ex: <http://ex.org/> .\nex:g {\n  ex:u a ex:C .\n}\nGRAPH ex:h { ex:v ex:p ex:o }\n",
        encoding="utf-8",
    )
    assert [(o.iri, o.line, o.typed) for o in subject_occurrences(nt)] == [
        (EX + "s", 1, False),
        (EX + "t", 3, True),
    ]
    assert [(o.iri, o.line) for o in subject_occurrences(trig)] == [(EX + "u", 3), (EX + "v", 5)]


def test_index_prefers_the_typed_definition_across_files(tmp_path: Path) -> None:
    links = tmp_path / "1-links.ttl"
    links.write_text("@prefix ex: <http://ex.org/> .\nex:x ex:p ex:y .\n", encoding="utf-8")
    defs = tmp_path / "2-defs.ttl"
    defs.write_text("@prefix ex: <http://ex.org/> .\n\n\nex:x a ex:C .\n", encoding="utf-8")
    index = SourceIndex.build([links, defs])
    where = index.locate(EX + "x")
    assert where is not None and (where.path, where.line) == (defs, 4)
    untyped = index.locate(EX + "y")
    assert untyped is None  # objects are not subjects


def test_unindexed_formats_are_skipped(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonld"
    path.write_text('{"@id": "http://ex.org/j"}', encoding="utf-8")
    assert len(SourceIndex.build([path])) == 0


def test_tokenizer_counts_lines_inside_long_strings() -> None:
    tokens = list(tokenize('"""a\nb\nc""" <x>'))
    assert [(t.kind, t.line) for t in tokens] == [("long", 1), ("iri", 3)]


def test_tricky_fixture_is_valid_turtle(tricky: Path) -> None:
    """The index must agree with a real parser, so the fixture must be real Turtle."""
    import pyoxigraph as ox

    subjects = {
        q.subject.value
        for q in ox.parse(path=tricky, format=ox.RdfFormat.TURTLE)
        if isinstance(q.subject, ox.NamedNode)
    }
    assert subjects == {o.iri for o in subject_occurrences(tricky)}
