"""The public Python API, the typed settings, error classes and the one SPARQL lexer."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest

import itugraph
from itugraph.errors import QueryError, QueryParameterError, QuerySyntaxError
from itugraph.sparql_text import (
    QueryText,
    inject,
    inject_where,
    rename_iris,
    substitute_this,
    tokens,
    where_brace,
)
from itugraph.store import OxigraphStore
from itugraph.web.config import Settings, load_settings

# --- the package's API ---------------------------------------------------------------------


def test_all_lists_exactly_the_exports() -> None:
    assert sorted(set(itugraph.__all__) - {"__version__"}) == sorted(itugraph._EXPORTS)


@pytest.mark.parametrize("name", sorted(itugraph._EXPORTS))
def test_every_exported_name_is_importable_from_the_package(name: str) -> None:
    module, attribute = itugraph._EXPORTS[name]
    assert getattr(itugraph, name) is getattr(__import__(module, fromlist=[attribute]), attribute)


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        _ = itugraph.nothing_here  # type: ignore[attr-defined]


def test_importing_the_package_loads_no_heavy_library() -> None:
    """The CLI and every query worker import ``itugraph``: it must stay cheap."""
    code = (
        "import sys, itugraph; "
        "print(sorted(m for m in ('flask', 'rdflib', 'pyshacl', 'owlrl') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_readme_example_runs(tmp_path: Path) -> None:
    from tests.helpers import copy_fixture

    root = copy_fixture("tiny", tmp_path)
    built = itugraph.build_project(itugraph.Project.at(root))
    rows = built.open_store().query("SELECT ?s WHERE { ?s ?p ?o } LIMIT 3").records()
    assert len(rows) == 3
    report = itugraph.validate_project(itugraph.Project.at(root))
    assert "conforms" in itugraph.render_report(report, "json")


# --- settings: one typed record ----------------------------------------------------------


def test_settings_come_from_defaults_environment_then_overrides() -> None:
    settings = load_settings(
        {"WORKERS": "3"}, environ={"ITUGRAPH_WORKERS": "5", "ITUGRAPH_QUERY_TIMEOUT": "2.5"}
    )
    assert settings.workers == 3
    assert settings.query_timeout == 2.5
    assert settings.port == Settings().port


def test_service_allow_is_a_set_of_iris_and_metrics_dir_a_path() -> None:
    settings = load_settings({"SERVICE_ALLOW": " http://a/  http://b/ ", "METRICS_DIR": "/tmp/m"}, environ={})
    assert settings.service_allow == frozenset({"http://a/", "http://b/"})
    assert settings.metrics_dir == Path("/tmp/m")
    assert load_settings({"METRICS_DIR": ""}, environ={}).metrics_dir is None


def test_an_unknown_setting_is_an_error_naming_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"unknown setting 'QUERY_TIMOUT'.*QUERY_TIMEOUT"):
        load_settings({"QUERY_TIMOUT": 3}, environ={})


def test_a_value_of_the_wrong_type_is_an_error_naming_the_setting() -> None:
    with pytest.raises(ValueError, match="setting PORT='eighty' must be a int"):
        load_settings(environ={"ITUGRAPH_PORT": "eighty"})


def test_settings_are_frozen_and_replace_converts() -> None:
    settings = Settings()
    with pytest.raises(AttributeError):
        settings.port = 1  # type: ignore[misc]
    assert settings.replace(port="8081").port == 8081
    assert load_settings(settings) is settings
    assert load_settings(settings.as_overrides(), environ={}) == settings


# --- errors told apart by class ----------------------------------------------------------


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> OxigraphStore:
    folder = tmp_path_factory.mktemp("store")
    raw = ox.Store(str(folder))
    raw.add(
        ox.Quad(
            ox.NamedNode("http://e/a"),
            ox.NamedNode("http://e/p"),
            ox.Literal("x"),
            ox.NamedNode("https://w3id.org/itugraph/graph/asserted"),
        )
    )
    raw.flush()
    del raw
    return OxigraphStore.open_read_only(folder, "test")


def test_a_parameter_the_query_does_not_project_is_a_query_parameter_error(store: OxigraphStore) -> None:
    with pytest.raises(QueryParameterError) as caught:
        store.query("SELECT ?s WHERE { ?s ?p ?o }", substitutions={"o": ox.Literal("x")})
    assert caught.value.code == "QUERY_PARAMETER"
    assert isinstance(caught.value, QueryError)


def test_a_malformed_query_is_a_query_syntax_error(store: OxigraphStore) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        store.query("SELECT WHERE {")
    assert caught.value.code == "QUERY_SYNTAX"


# --- the one SPARQL lexer ------------------------------------------------------------------


def test_prefixed_names_are_one_token_so_their_local_part_is_no_keyword() -> None:
    assert not QueryText("PREFIX ex: <http://e/> SELECT * { ?s ex:FROM ex:WHERE }").has_dataset
    assert QueryText("SELECT * FROM <http://e/g> { ?s ?p ?o }").has_dataset
    assert QueryText("SELECT * { ?s ex:SERVICE ?o }").service_iris == []
    assert where_brace("PREFIX ex: <http://e/> SELECT * { ?s ex:where 'WHERE {' }") == 32


GRAPHS = "https://w3id.org/itugraph/graph/"
LIVE = {GRAPHS + "asserted": GRAPHS + "asserted/v/7", GRAPHS + "inferred": GRAPHS + "inferred/v/7"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # A prefixed name, in GRAPH and FROM, the dot that ends a triple kept outside.
        (
            f"PREFIX g: <{GRAPHS}> SELECT * FROM g:inferred {{ GRAPH g:asserted {{ ?s ?p g:asserted. }} }}",
            f"PREFIX g: <{GRAPHS}> SELECT * FROM <{GRAPHS}inferred/v/7> "
            f"{{ GRAPH <{GRAPHS}asserted/v/7> {{ ?s ?p <{GRAPHS}asserted/v/7>. }} }}",
        ),
        # The empty prefix, a prefix declared without a space, lower-case keywords.
        (
            f"prefix :<{GRAPHS}> ask {{ graph :inferred {{}} }}",
            f"prefix :<{GRAPHS}> ask {{ graph <{GRAPHS}inferred/v/7> {{}} }}",
        ),
        # Relative to BASE; a prefix declared relative to it.
        (
            f"BASE <{GRAPHS}> PREFIX x: <asserted> ASK {{ GRAPH <inferred> {{}} GRAPH x: {{}} }}",
            f"BASE <{GRAPHS}> PREFIX x: <asserted> ASK {{ GRAPH <{GRAPHS}inferred/v/7> {{}} "
            f"GRAPH <{GRAPHS}asserted/v/7> {{}} }}",
        ),
    ],
)
def test_graph_names_are_renamed_however_the_query_writes_them(query: str, expected: str) -> None:
    assert rename_iris(query, LIVE) == expected


def test_renaming_leaves_strings_comments_declarations_and_other_names_alone() -> None:
    untouched = [
        f'PREFIX g: <{GRAPHS}asserted> SELECT * {{ ?s ?p "<{GRAPHS}asserted>", "g:" }} # <{GRAPHS}asserted>',
        "PREFIX h: <http://e/> ASK { GRAPH h:asserted {} GRAPH g:asserted {} GRAPH _:asserted {} }",
        f"ASK {{ GRAPH <{GRAPHS}asserted/v/1> {{}} GRAPH <{GRAPHS}assertedX> {{}} }}",
    ]
    for query in untouched:
        assert rename_iris(query, LIVE) == query
    # A prefix that names the graph itself: its empty local name is the graph.
    assert rename_iris(f"PREFIX a: <{GRAPHS}asserted> ASK {{ GRAPH a: {{}} }}", LIVE).endswith(
        f"GRAPH <{GRAPHS}asserted/v/7> {{}} }}"
    )
    # A local name with an escaped character (PN_LOCAL_ESC) names the unescaped IRI.
    escaped = r"PREFIX e: <http://e/> ASK { GRAPH e:a\-b {} }"
    renamed = rename_iris(escaped, {"http://e/a-b": "http://e/v"})
    assert renamed == "PREFIX e: <http://e/> ASK { GRAPH <http://e/v> {} }"


def test_tokens_carry_their_offsets() -> None:
    text = 'ASK { <http://e/a> ?p "x" }'
    assert all(text[t.start : t.start + len(t.text)] == t.text for t in tokens(text))


def test_injection_and_pre_binding_skip_strings_iris_and_comments() -> None:
    select = 'SELECT ?x { ?x <http://e/{p}> "{" } # {'
    assert inject(select, "?x a ?t .") == 'SELECT ?x { ?x a ?t .  ?x <http://e/{p}> "{" } # {'
    construct = "CONSTRUCT { ?this ?p ?o } WHERE { $this ?p ?o FILTER (?o != '$this') }"
    assert inject_where(construct, "VALUES ?this { <http://e/a> }").startswith(
        "CONSTRUCT { ?this ?p ?o } WHERE { VALUES ?this { <http://e/a> } "
    )
    assert substitute_this(construct, "<http://e/a>") == (
        "CONSTRUCT { <http://e/a> ?p ?o } WHERE { <http://e/a> ?p ?o FILTER (?o != '$this') }"
    )
    with pytest.raises(ValueError, match="no WHERE group"):
        inject("ASK", "?s ?p ?o")
