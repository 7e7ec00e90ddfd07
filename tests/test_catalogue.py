"""The named-query catalogue (``itugraph.catalogue``): headers, typed parameters, safe binding."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from itugraph.catalogue import NamedQuery, Parameter, load_catalogue, parse_query_file
from itugraph.errors import InputError
from tests.helpers import FIXTURES

XSD = "http://www.w3.org/2001/XMLSchema#"

HEADER = """# title: Everything about a topic
# description: What the graph says
# description: about one topic.
# param: topic iri https://example.org/topic/a
# param: year integer
# param: note string with spaces in its default
# returns: s, label
# returns: year
# report: Yes
# not a header line: this is a comment after the header
SELECT * WHERE { ?s ?p ?o }
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_a_header_gives_title_description_parameters_returns_and_report(tmp_path: Path) -> None:
    named = parse_query_file(_write(tmp_path, "topic.rq", HEADER))
    assert named.name == "topic" and named.title == "Everything about a topic"
    assert named.description == "What the graph says about one topic."
    assert named.returns == ("s", "label", "year")
    assert named.parameters == (
        Parameter("topic", "iri", "https://example.org/topic/a"),
        Parameter("year", "integer", None),
        Parameter("note", "string", "with spaces in its default"),
    )
    assert named.report is True
    assert named.text == HEADER  # the text runs as written: the header is SPARQL comments


def test_a_query_without_header_is_named_after_its_file(tmp_path: Path) -> None:
    named = parse_query_file(_write(tmp_path, "bare.rq", "ASK {}\n# title: too late\n"))
    assert (named.title, named.description, named.returns, named.parameters, named.report) == (
        "bare",
        "",
        (),
        (),
        False,
    )


@pytest.mark.parametrize("line", ["# param: topic", "# param: topic uri https://e.org/x", "# param: topic  "])
def test_a_bad_param_header_is_an_error_naming_the_file(tmp_path: Path, line: str) -> None:
    path = _write(tmp_path, "bad.rq", f"# title: Bad\n{line}\nASK {{}}\n")
    with pytest.raises(InputError, match=r"bad\.rq: bad '# param: topic") as caught:
        parse_query_file(path)
    assert "NAME TYPE [DEFAULT]" in (caught.value.hint or "")
    assert "iri, string, integer, decimal, boolean, date" in (caught.value.hint or "")


def test_the_catalogue_is_every_rq_file_by_name_nested_and_sorted(tmp_path: Path) -> None:
    _write(tmp_path, "b.rq", "ASK {}\n")
    _write(tmp_path, "sub/a.rq", "# title: A\nASK {}\n")
    _write(tmp_path, "notes.md", "# title: not a query\n")
    catalogue = load_catalogue(tmp_path)
    assert list(catalogue) == ["b", "a"]  # sorted by path: b.rq before sub/a.rq
    assert catalogue["a"].title == "A"
    assert load_catalogue(tmp_path / "missing") == {}


def test_the_tiny_catalogue_as_the_api_lists_it() -> None:
    catalogue = load_catalogue(FIXTURES / "tiny" / "queries")
    listed = catalogue["01-units"].to_dict()
    assert listed["name"] == "01-units" and listed["returns"] == ["org", "unit", "label"]
    assert listed["parameters"] == [{"name": "org", "type": "iri", "default": "http://example.org/id/org"}]
    assert str(listed["query"]).startswith("# title: Units of an organisation at any depth")


@pytest.mark.parametrize(
    ("kind", "raw", "term"),
    [
        (
            "iri",
            "https://w3id.org/itugraph/id/organization/itu",
            ox.NamedNode("https://w3id.org/itugraph/id/organization/itu"),
        ),
        ("iri", "urn:isbn:0451450523", ox.NamedNode("urn:isbn:0451450523")),
        ("string", "a > b", ox.Literal("a > b")),
        ("integer", "007", ox.Literal("7", datatype=ox.NamedNode(XSD + "integer"))),
        ("decimal", "1.50", ox.Literal("1.50", datatype=ox.NamedNode(XSD + "decimal"))),
        ("boolean", "TRUE", ox.Literal("true", datatype=ox.NamedNode(XSD + "boolean"))),
        ("date", "2025-01-31", ox.Literal("2025-01-31", datatype=ox.NamedNode(XSD + "date"))),
    ],
)
def test_each_type_binds_a_typed_term(kind: str, raw: str, term: ox.NamedNode | ox.Literal) -> None:
    assert Parameter("p", kind).bind(raw) == term


@pytest.mark.parametrize(
    ("kind", "raw", "article"),
    [
        ("iri", "not an iri", "an"),
        ("iri", "http://example.org/a> } UNION { ?s ?p ?o", "an"),
        ("iri", "http://example.org/{x}", "an"),
        ("integer", "1.5", "an"),
        ("decimal", "one", "a"),
        ("boolean", "yes", "a"),
        ("date", "2025-02-30", "a"),
    ],
)
def test_a_value_of_the_wrong_type_is_an_input_error(kind: str, raw: str, article: str) -> None:
    with pytest.raises(InputError) as caught:
        Parameter("p", kind).bind(raw)
    assert caught.value.message == f"parameter 'p' must be {article} {kind}, got {raw!r}"
    assert caught.value.hint == f"pass p=<{kind}>"
    assert caught.value.exit_code == 2


def test_bindings_use_given_values_then_defaults_and_ignore_the_rest(tmp_path: Path) -> None:
    named = parse_query_file(_write(tmp_path, "topic.rq", HEADER))
    assert named.bindings({}) == {
        "topic": ox.NamedNode("https://example.org/topic/a"),
        "note": ox.Literal("with spaces in its default"),
    }
    bound = named.bindings(
        {"year": "2024", "topic": "https://example.org/topic/b", "note": "", "unknown": "ignored"}
    )
    assert bound == {
        "topic": ox.NamedNode("https://example.org/topic/b"),
        "year": ox.Literal("2024", datatype=ox.NamedNode(XSD + "integer")),
    }
    with pytest.raises(InputError, match="parameter 'year' must be an integer"):
        named.bindings({"year": "last year"})


def test_a_named_query_is_a_value() -> None:
    one = NamedQuery("q", Path("q.rq"), "ASK {}", "Q")
    assert one == NamedQuery("q", Path("q.rq"), "ASK {}", "Q") and hash(one)
