"""Property: any graph round-trips through every export format to an isomorphic graph.

Hypothesis generates graphs with Unicode IRIs and literals (astral characters, combining
marks, control characters), every kind of literal (plain, language-tagged, typed, ill-typed
but lexical, custom datatypes), blank nodes shared between triples, and RDF 1.2 triple terms.
Each graph is exported as the CLI exports it (``write_export``, canonical and streamed) and
read back with the real loader (``itugraph.load.parse_file``, its input checks included).

Two things no format can do are errors, never silent loss: JSON-LD cannot hold triple terms
and XML 1.0 cannot hold most C0 control characters; the export then refuses with a message
naming the format. The store keeps numbers by value (``"01"^^xsd:integer`` reads back as
``"1"``): the expected graph is the generated one as the store holds it
(:func:`test_the_store_keeps_numbers_by_value` pins that).
"""

from __future__ import annotations

import re
import string
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from itugraph.errors import InputError
from itugraph.export import write_export
from itugraph.load import parse_file
from itugraph.namespaces import GRAPH_ASSERTED
from itugraph.rdf_formats import FORMATS, RdfFormat
from itugraph.store import OxigraphStore
from tests.helpers import run_main

T = TypeVar("T")
XSD = "http://www.w3.org/2001/XMLSchema#"
EX = "http://example.org/"
EXAMPLES = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

#: Letters, digits and combining marks of every plane (astral ones included), no surrogates.
_WORD = st.text(st.characters(categories=["L", "N", "Mn"], exclude_characters="\ufffe\uffff"), max_size=8)
_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)


def _or_none(make: Callable[..., T]) -> Callable[..., T | None]:
    """``make``, giving None where pyoxigraph refuses the value (a code point no IRI may hold,
    a language tag BCP 47 refuses), so the strategy filters it out instead of failing."""

    def made(*args: object) -> T | None:
        try:
            return make(*args)
        except ValueError:
            return None

    return made


def _kept(strategy: st.SearchStrategy[T | None]) -> st.SearchStrategy[T]:
    return strategy.filter(lambda value: value is not None)  # type: ignore[return-value]


def _iri(prefix: str) -> st.SearchStrategy[ox.NamedNode]:
    return _kept(_WORD.map(_or_none(lambda word: ox.NamedNode(prefix + word))))


# RDF/XML writes a predicate as an XML element: its local name must start with a letter.
_PREDICATES = _kept(
    st.builds(
        _or_none(lambda first, rest: ox.NamedNode(f"{EX}p#{first}{rest}")),
        st.sampled_from(string.ascii_letters),
        _WORD,
    )
)
_BLANKS = st.sampled_from([ox.BlankNode(f"b{i}") for i in range(4)])
_SUBJECTS = st.one_of(_iri(EX + "s/"), _BLANKS)

_LANGUAGE_TAGS = st.from_regex(r"[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8}){0,2}", fullmatch=True)
_DATATYPES = st.sampled_from(
    [XSD + t for t in ("integer", "decimal", "double", "boolean", "date", "dateTime", "anyURI", "string")]
    + [EX + "datatype/custom"]
)
_LEXICAL = st.one_of(
    _TEXT,  # ill-typed for most datatypes, still a lexical form to keep
    st.integers().map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["true", "false", "1", "0", "2024-02-29", "2024-02-29T12:00:00Z", "01", "+5", " 7 "]),
)
_LITERALS = st.one_of(
    st.builds(ox.Literal, _TEXT),
    _kept(st.builds(_or_none(lambda text, lang: ox.Literal(text, language=lang)), _TEXT, _LANGUAGE_TAGS)),
    st.builds(lambda text, dt: ox.Literal(text, datatype=ox.NamedNode(dt)), _LEXICAL, _DATATYPES),
)
_PLAIN_OBJECTS = st.one_of(_iri(EX + "o/"), _BLANKS, _LITERALS)
_TRIPLE_TERMS = st.builds(ox.Triple, _SUBJECTS, _PREDICATES, _PLAIN_OBJECTS)
_TRIPLES = st.lists(
    st.tuples(_SUBJECTS, _PREDICATES, st.one_of(_PLAIN_OBJECTS, _TRIPLE_TERMS)), min_size=1, max_size=8
)

#: Characters XML 1.0 cannot hold (C0 controls but tab, LF, CR; U+FFFE, U+FFFF).
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _store_of(triples: list[tuple[ox.NamedNode | ox.BlankNode, ox.NamedNode, object]]) -> OxigraphStore:
    store = ox.Store()
    graph = ox.NamedNode(GRAPH_ASSERTED)
    store.extend(ox.Quad(s, p, o, graph) for s, p, o in triples)  # type: ignore[arg-type]
    return OxigraphStore(store, "test")


def _canonical(triples: list[ox.Triple]) -> set[str]:
    dataset = ox.Dataset(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(quad) for quad in dataset}


def _refusal(fmt: RdfFormat, triples: list[ox.Triple]) -> str | None:
    """What the export must say instead of writing ``triples`` in ``fmt``, if it cannot hold them."""
    has_triple_term = any(isinstance(t.object, ox.Triple) for t in triples)
    if fmt.name == "jsonld" and has_triple_term:
        return "RDF 1.2"
    if fmt.name == "xml" and any(_XML_ILLEGAL.search(text) for t in triples for text in _texts(t)):
        return "XML 1.0 cannot represent"
    return None


def _texts(term: object) -> list[str]:
    """The strings of a term as written in a file (literal values unescaped)."""
    if isinstance(term, ox.Triple):
        return [text for part in term for text in _texts(part)]
    return [term.value] if isinstance(term, (ox.Literal, ox.NamedNode)) else []


def _round_trip(store: OxigraphStore, fmt: RdfFormat, folder: Path, *, canonical: bool) -> list[ox.Triple]:
    path = folder / f"export-{canonical}.{fmt.extensions[0].lstrip('.')}"
    with path.open("wb") as out:
        write_export(store, "asserted", fmt, out, canonical=canonical)
    return [quad.triple for quad in parse_file(path)]


@pytest.mark.parametrize("fmt", list(FORMATS.values()), ids=list(FORMATS))
@EXAMPLES
@given(triples=_TRIPLES)
def test_any_graph_round_trips_through_every_format(fmt: RdfFormat, triples: list) -> None:  # type: ignore[type-arg]
    store = _store_of(triples)
    expected = list(store.triples(GRAPH_ASSERTED))
    refusal = _refusal(fmt, expected)
    with tempfile.TemporaryDirectory() as tmp:
        for canonical in (True, False):
            if refusal is not None and canonical:
                with pytest.raises(InputError, match=refusal):
                    _round_trip(store, fmt, Path(tmp), canonical=canonical)
            elif refusal is None:
                got = _round_trip(store, fmt, Path(tmp), canonical=canonical)
                assert _canonical(got) == _canonical(expected)


def test_the_store_keeps_numbers_by_value() -> None:
    """Oxigraph stores a valid number by value: a non-canonical lexical form comes back
    canonical (the same value, another RDF term); an ill-typed one is kept as written."""
    integer, double = ox.NamedNode(XSD + "integer"), ox.NamedNode(XSD + "double")
    literals = [ox.Literal("01", datatype=integer), ox.Literal("1.0E0", datatype=double)]
    literals.append(ox.Literal("abc", datatype=integer))
    store = _store_of([(ox.NamedNode(EX + "s"), ox.NamedNode(EX + "p"), lit) for lit in literals])
    kept = {t.object for t in store.triples(GRAPH_ASSERTED)}
    assert kept == {ox.Literal("1", datatype=integer), ox.Literal("1", datatype=double), literals[2]}


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (
            "<http://e/a> <http://e/says> <<( <http://e/s> <http://e/p> <http://e/o> )>> .\n",
            "jsonld",
            "cannot write the union graph as jsonld: JSON-LD does not support RDF 1.2",
        ),
        (
            '<http://e/a> <http://e/note> "bell \\u0007" .\n',
            "xml",
            "holds U+0007, which XML 1.0 cannot represent",
        ),
    ],
)
def test_the_cli_refuses_an_export_the_format_cannot_hold(
    tiny_root: Path, data: str, fmt: str, message: str
) -> None:
    (tiny_root / "graph" / "extra.ttl").write_text(data, encoding="utf-8")
    out = tiny_root / f"out.{fmt}"
    done = run_main("--root", tiny_root, "export", "-f", fmt, "-o", out)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()
