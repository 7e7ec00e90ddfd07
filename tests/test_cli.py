"""Tests of every CLI command on the tiny project.

Most run ``itugraph.cli.main`` in-process (the ``cli`` fixture: same exit codes, stdout and
stderr, in milliseconds); at least one per command runs ``python -m itugraph`` in a real
subprocess (``run_cli``), end to end.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import Graph

from tests.helpers import Cli, run_cli


def _cache_entries(root: Path) -> list[Path]:
    cache = root / ".itugraph"
    return [p for p in cache.iterdir() if p.is_dir()] if cache.exists() else []


def test_validate_conforming_project_exits_0(cli: Cli, tiny_root: Path) -> None:
    result = cli("--root", tiny_root, "validate")
    assert result.returncode == 0, result.stderr + result.stdout


def test_validate_reports_violation_with_file_and_resource_and_exits_1(tiny_root: Path) -> None:
    _break_group_unit(tiny_root)
    result = run_cli("--root", tiny_root, "validate")
    assert result.returncode == 1, result.stderr + result.stdout
    assert "units.ttl" in result.stdout
    assert "http://example.org/id/group" in result.stdout


def test_syntax_error_exits_2_naming_file_and_line_and_writes_nothing(tiny_root: Path) -> None:
    bad = tiny_root / "graph" / "broken.ttl"
    bad.write_text('@prefix ex: <http://e/> .\nex:a ex:b ex:c .\nex:a ex:b "open .\n', encoding="utf-8")
    for command in (["validate"], ["build"], ["export", "--format", "nt"]):
        result = run_cli("--root", tiny_root, *command)
        assert result.returncode == 2, (command, result.stderr)
        assert "broken.ttl:3" in result.stderr
        assert "Traceback" not in result.stderr
    assert _cache_entries(tiny_root) == []


def test_missing_root_exits_2_without_traceback(cli: Cli, tmp_path: Path) -> None:
    result = cli("--root", tmp_path / "nowhere", "validate")
    assert result.returncode == 2
    assert "nowhere" in result.stderr and "Traceback" not in result.stderr


def test_build_writes_cache_then_reuses_it(tiny_root: Path) -> None:
    first = run_cli("--root", tiny_root, "build")
    assert first.returncode == 0, first.stderr
    assert "(cached)" not in first.stdout
    second = run_cli("--root", tiny_root, "build")
    assert second.returncode == 0 and "(cached)" in second.stdout
    assert len(_cache_entries(tiny_root)) == 1


def test_build_cache_goes_stale_when_an_input_changes(cli: Cli, tiny_root: Path) -> None:
    assert cli("--root", tiny_root, "build").returncode == 0
    data = tiny_root / "graph" / "units.ttl"
    data.write_text(
        data.read_text() + "\n<http://example.org/id/x> <http://www.w3.org/2000/01/"
        'rdf-schema#label> "x"@en .\n',
        encoding="utf-8",
    )
    rebuilt = cli("--root", tiny_root, "build")
    assert rebuilt.returncode == 0 and "(cached)" not in rebuilt.stdout
    assert len(_cache_entries(tiny_root)) == 1


@pytest.mark.parametrize(
    "fmt,rdflib_format",
    [
        ("ttl", "turtle"),
        ("nt", "nt"),
        ("nq", "nquads"),
        ("trig", "trig"),
        ("jsonld", "json-ld"),
        ("xml", "xml"),
    ],
)
def test_export_every_format_parses_and_contains_inferred_triples(
    cli: Cli, tiny_root: Path, fmt: str, rdflib_format: str
) -> None:
    result = cli("--root", tiny_root, "export", "--format", fmt)
    assert result.returncode == 0, result.stderr
    graph = Graph() if fmt not in {"nq", "trig"} else __import__("rdflib").Dataset()
    graph.parse(data=result.stdout, format=rdflib_format)
    triples = {
        (str(s), str(p), str(o)) for s, p, o, *_ in (graph.quads() if fmt in {"nq", "trig"} else graph)
    }
    # prp-trp over prp-spo1: the group is part of the organisation through the sector.
    assert (
        "http://example.org/id/group",
        "http://example.org/tiny#partOf",
        "http://example.org/id/org",
    ) in triples


def test_export_asserted_has_no_inferred_triples_and_writes_file(cli: Cli, tiny_root: Path) -> None:
    out = tiny_root / "build" / "asserted.nt"
    result = cli("--root", tiny_root, "export", "--asserted", "--format", "nt", "-o", out)
    assert result.returncode == 0, result.stderr
    text = out.read_text()
    assert "<http://example.org/id/group> <http://example.org/tiny#unitOf>" in text
    assert "<http://example.org/tiny#partOf> <http://example.org/id/org>" not in text


def test_export_refuses_to_overwrite_an_input_file(cli: Cli, tiny_root: Path) -> None:
    source = tiny_root / "graph" / "units.ttl"
    before = source.read_text()
    result = cli("--root", tiny_root, "export", "--format", "nt", "-o", source)
    assert result.returncode == 2
    assert source.read_text() == before


@pytest.mark.parametrize(
    "fmt,expected",
    [
        ("table", "http://example.org/id/group"),
        ("csv", "org,unit,label"),
        ("tsv", "?org\t?unit\t?label"),
        ("json", '"vars":["org","unit","label"]'),
        ("xml", '<variable name="org"/>'),
    ],
)
def test_query_catalogue_name_in_every_format(cli: Cli, tiny_root: Path, fmt: str, expected: str) -> None:
    result = cli("--root", tiny_root, "query", "01-units", "--format", fmt)
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout
    assert "A study group" in result.stdout and "A sector" in result.stdout


def test_query_with_an_unknown_or_mismatched_format_is_an_error(cli: Cli, tiny_root: Path) -> None:
    """Issue 13: `-f foo` no longer prints a table in silence; --limit only cuts the table."""
    unknown = cli("--root", tiny_root, "query", "01-units", "--format", "foo")
    assert unknown.returncode == 2 and "invalid choice: 'foo'" in unknown.stderr
    limited = cli("--root", tiny_root, "query", "01-units", "-f", "json", "--limit", "1")
    assert limited.returncode == 2 and "LIMIT" in limited.stderr
    graph = cli("--root", tiny_root, "query", "CONSTRUCT WHERE { ?s ?p ?o }", "-f", "csv")
    assert graph.returncode == 2 and "unknown RDF format 'csv'" in graph.stderr
    assert "Traceback" not in unknown.stderr + limited.stderr + graph.stderr


def test_query_text_over_the_inferred_graph_including_property_chain(tiny_root: Path) -> None:
    result = run_cli(
        "--root",
        tiny_root,
        "query",
        "SELECT ?g WHERE { <http://example.org/id/group> <http://example.org/tiny#serves> ?g } ORDER BY ?g",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    values = [b["g"]["value"] for b in json.loads(result.stdout)["results"]["bindings"]]
    assert values == ["http://example.org/id/goal-1", "http://example.org/id/target-1"]


def test_query_file_and_parameter_binding(cli: Cli, tiny_root: Path) -> None:
    result = cli(
        "--root",
        tiny_root,
        "query",
        "01-units",
        "--param",
        "org=http://example.org/id/sector",
        "--format",
        "csv",
    )
    assert result.returncode == 0, result.stderr
    assert "A study group" in result.stdout and "A sector" not in result.stdout
    from_file = cli("--root", tiny_root, "query", tiny_root / "queries" / "02-goals-served.rq")
    assert from_file.returncode == 0 and "goal-1" in from_file.stdout


@pytest.mark.parametrize(
    "query,fragment",
    [
        ("SELECT * WHERE { ?s ?p }", "malformed query"),
        ("INSERT DATA { <http://a> <http://b> <http://c> }", "read-only"),
        ("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }", "SERVICE"),
        ("missing-file.rq", "no such query file"),
    ],
)
def test_bad_queries_exit_2_with_a_clear_message(
    cli: Cli, tiny_root: Path, query: str, fragment: str
) -> None:
    result = cli("--root", tiny_root, "query", query)
    assert result.returncode == 2
    assert fragment in result.stderr and "Traceback" not in result.stderr


def test_queries_lists_the_catalogue(tiny_root: Path) -> None:
    result = run_cli("--root", tiny_root, "queries")
    assert result.returncode == 0
    assert "01-units" in result.stdout and "org:iri" in result.stdout


def test_explain_transitive_triple_down_to_asserted_facts(tiny_root: Path) -> None:
    result = run_cli(
        "--root",
        tiny_root,
        "explain",
        "<http://example.org/id/group>",
        "<http://example.org/tiny#partOf>",
        "<http://example.org/id/org>",
        "--format",
        "json",
    )
    assert result.returncode == 0, result.stderr
    tree = json.loads(result.stdout)
    assert tree["rule"] == "prp-trp" and not tree["asserted"]

    def leaves(node: dict) -> list[dict]:  # type: ignore[type-arg]
        return [node] if not node.get("premises") else [leaf for p in node["premises"] for leaf in leaves(p)]

    assert all(leaf["asserted"] for leaf in leaves(tree))


def test_explain_of_an_asserted_or_unknown_triple_is_a_clear_error(cli: Cli, tiny_root: Path) -> None:
    result = cli(
        "--root",
        tiny_root,
        "explain",
        "<http://example.org/id/org>",
        "<http://example.org/tiny#partOf>",
        "<http://example.org/id/group>",
    )
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_explain_as_text_with_bare_iris(cli: Cli, tiny_root: Path) -> None:
    result = cli(
        "--root",
        tiny_root,
        "explain",
        "http://example.org/id/group",
        "http://example.org/tiny#partOf",
        "http://example.org/id/org",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].endswith("[by prp-trp]") and "<http://example.org/id/group>" in lines[0]
    assert any(line.startswith("  ") and line.endswith("[asserted]") for line in lines[1:])


def test_explain_of_an_unreadable_term_says_how_to_write_one(cli: Cli, tiny_root: Path) -> None:
    result = cli("--root", tiny_root, "explain", "nope:x", "a", "<http://example.org/tiny#Unit>")
    assert result.returncode == 2
    assert "cannot read the subject 'nope:x'" in result.stderr
    assert "hint: write <http://…>, a prefixed name with one of: " in result.stderr


def test_fmt_check_reports_and_fmt_rewrites_preserving_header_and_graph(tiny_root: Path) -> None:
    data = tiny_root / "graph" / "units.ttl"
    before = Graph().parse(data)
    data.write_text(data.read_text().replace("    ", "  "), encoding="utf-8")
    check = run_cli("--root", tiny_root, "fmt", "--check")
    assert check.returncode == 1 and "units.ttl" in check.stdout
    assert run_cli("--root", tiny_root, "fmt").returncode == 0
    assert run_cli("--root", tiny_root, "fmt", "--check").returncode == 0
    text = data.read_text()
    assert text.startswith("# Placeholder data for tests")
    from rdflib.compare import isomorphic

    assert isomorphic(before, Graph().parse(data))


def test_inconsistent_graph_fails_build_and_validate_with_exit_1(cli: Cli, tiny_root: Path) -> None:
    (tiny_root / "ontology" / "disjoint.ttl").write_text(
        "@prefix ex: <http://example.org/tiny#> .\n"
        "@prefix owl: <http://www.w3.org/2002/07/owl#> .\n"
        "ex:Unit owl:disjointWith ex:Goal .\n",
        encoding="utf-8",
    )
    (tiny_root / "graph" / "clash.ttl").write_text(
        "@prefix ex: <http://example.org/tiny#> .\n<http://example.org/id/sector> a ex:Goal .\n",
        encoding="utf-8",
    )
    for command in ("build", "validate"):
        result = cli("--root", tiny_root, command)
        assert result.returncode == 1, (command, result.stderr)
        assert "inconsistent" in result.stderr and "http://example.org/id/sector" in result.stderr
    assert _cache_entries(tiny_root) == []


def _break_group_unit(root: Path) -> Path:
    data = root / "graph" / "units.ttl"
    data.write_text(
        data.read_text()
        .replace("    ex:unitOf id:sector .", "    .")
        .replace("ex:serves id:target-1 ;", "ex:serves id:target-1"),
        encoding="utf-8",
    )
    return data


def test_validate_machine_formats(cli: Cli, tiny_root: Path) -> None:
    _break_group_unit(tiny_root)
    as_json = cli("--root", tiny_root, "validate", "--format", "json")
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    result = report["results"][0]
    assert result["focus_node"] == "http://example.org/id/group"
    assert result["file"] == "graph/units.ttl" and isinstance(result["line"], int)
    github = cli("--root", tiny_root, "validate", "--format", "github")
    assert github.stdout.startswith("::error file=graph/units.ttl,line=")
    junit_file = tiny_root / "report.xml"
    junit = cli("--root", tiny_root, "validate", "--format", "junit", "-o", junit_file)
    assert junit.returncode == 1
    import xml.etree.ElementTree as ET

    assert ET.parse(junit_file).getroot().iter("failure")


def test_validate_inferred_graph(cli: Cli, tiny_root: Path) -> None:
    # The group's unit is only reachable by inference: asserted validation fails S02 ...
    data = tiny_root / "graph" / "units.ttl"
    data.write_text(
        data.read_text().replace("ex:unitOf id:sector .", "ex:partOf id:sector .")
        + "\n<http://example.org/tiny#hasUnit> <http://www.w3.org/2002/07/owl#"
        "inverseOf> <http://example.org/tiny#unitOf> .\n"
        "id:sector ex:hasUnit id:group .\n",
        encoding="utf-8",
    )
    assert cli("--root", tiny_root, "validate").returncode == 1
    # ... while the inferred graph has id:group ex:unitOf id:sector (prp-inv2) and conforms.
    inferred = cli("--root", tiny_root, "validate", "--inferred")
    assert inferred.returncode == 0, inferred.stdout + inferred.stderr


def test_build_refuses_data_that_violates_the_shapes_printing_the_report(cli: Cli, tiny_root: Path) -> None:
    _break_group_unit(tiny_root)
    result = cli("--root", tiny_root, "build")
    assert result.returncode == 1
    assert "http://example.org/id/group" in result.stdout and "units.ttl" in result.stdout
    assert "error: SHACL validation failed: 1 violation(s)" in result.stderr
    assert _cache_entries(tiny_root) == []


def test_a_param_without_a_value_is_an_error(cli: Cli, tiny_root: Path) -> None:
    result = cli("--root", tiny_root, "query", "01-units", "--param", "org")
    assert result.returncode == 2
    assert "bad --param 'org'" in result.stderr and "NAME=VALUE" in result.stderr


def test_fmt_refuses_to_rewrite_a_project_it_may_not_write(
    cli: Cli, tiny_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("os.access", lambda *_args, **_kwargs: False)  # as root, chmod is no test
    result = cli("--root", tiny_root, "fmt")
    assert result.returncode == 2 and "it is not writable" in result.stderr
    assert "--root DIR" in result.stderr


@pytest.mark.parametrize(
    ("raised", "code", "said"),
    [
        (KeyboardInterrupt, 130, "interrupted\n"),
        (BrokenPipeError, 0, ""),  # `itugraph queries | head`: the reader left, nothing to say
    ],
)
def test_an_interrupt_or_a_closed_pipe_ends_the_command_without_a_traceback(
    cli: Cli,
    tiny_root: Path,
    monkeypatch: pytest.MonkeyPatch,
    raised: type[BaseException],
    code: int,
    said: str,
) -> None:
    def interrupted(_folder: Path) -> None:
        raise raised

    monkeypatch.setattr("itugraph.catalogue.load_catalogue", interrupted)
    result = cli("--root", tiny_root, "queries")
    assert (result.returncode, result.stderr) == (code, said)


def test_serve_passes_only_the_options_given(
    cli: Cli, tiny_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[Path, dict[str, object]]] = []
    monkeypatch.setattr(
        "itugraph.web.serve.serve", lambda project, overrides: calls.append((project.root, overrides))
    )
    result = cli("--root", tiny_root, "serve", "--port", "8123", "--http-workers", "1", "--timeout", "2.5")
    assert result.returncode == 0
    assert calls == [(tiny_root.resolve(), {"PORT": 8123, "HTTP_WORKERS": 1, "QUERY_TIMEOUT": 2.5})]


def test_the_table_view_of_ask_construct_and_a_cut_select(cli: Cli, tiny_root: Path) -> None:
    ask = cli("--root", tiny_root, "query", "ASK { ?s ?p ?o }")
    assert (ask.returncode, ask.stdout) == (0, "true\n")
    graph = cli(
        "--root", tiny_root, "query", "CONSTRUCT WHERE { <http://example.org/id/org> ?p ?o }"
    )  # the table is Turtle
    assert graph.returncode == 0 and '"The Organisation"@en' in graph.stdout
    cut = cli("--root", tiny_root, "query", "01-units", "--limit", "1")
    lines = cut.stdout.splitlines()
    assert lines[0].split() == ["org", "unit", "label"] and set(lines[1]) == {"-", " "}
    assert lines[2].split()[-1] == "group@en"
    assert lines[-1] == "(1 row, truncated at the result limit)"
    whole = cli("--root", tiny_root, "query", "01-units").stdout.splitlines()
    assert whole[-1] == "(2 rows)"


_SIZE_SHAPE = """\
@prefix ex: <http://example.org/tiny#> .
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
ex:UnitSize a sh:NodeShape ; sh:targetClass ex:Unit ;
    sh:property [ sh:path ex:size ; sh:datatype xsd:integer ] .
"""


def test_an_ill_typed_literal_is_a_datatype_result_not_a_stop(cli: Cli, tiny_root: Path) -> None:
    """SHACL reports it (with file and line); the OWL 2 RL inconsistency it also is follows."""
    (tiny_root / "shapes" / "size.ttl").write_text(_SIZE_SHAPE, encoding="utf-8")
    data = tiny_root / "graph" / "units.ttl"
    data.write_text(
        data.read_text() + '\nid:group ex:size "large"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
    )
    as_json = cli("--root", tiny_root, "validate", "--format", "json")
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    (result,) = [r for r in report["results"] if r["constraint"] == "DatatypeConstraintComponent"]
    assert result["focus_node"] == "http://example.org/id/group"
    assert result["value"] == '"large"^^<http://www.w3.org/2001/XMLSchema#integer>'
    assert result["file"] == "graph/units.ttl" and isinstance(result["line"], int)
    assert [i["rule"] for i in report["inconsistencies"]] == ["dt-not-type"]
    as_text = cli("--root", tiny_root, "validate")
    assert as_text.returncode == 1
    assert "graph/units.ttl:" in as_text.stdout and "OWL 2 RL inconsistencies" in as_text.stdout
    assert "inconsistent" in as_text.stderr


def test_validate_prints_json_on_every_exit_code(cli: Cli, tiny_root: Path) -> None:
    data = tiny_root / "graph" / "units.ttl"
    data.write_text(data.read_text() + "\nid:broken ex:p .\n", encoding="utf-8")
    broken = cli("--root", tiny_root, "validate", "--format", "json")
    assert broken.returncode == 2
    error = json.loads(broken.stdout)["error"]
    assert error["code"] == "RDF_SYNTAX_ERROR" and error["exit_code"] == 2
    assert "units.ttl:" in error["message"] and error["hint"]
    assert "syntax error" in broken.stderr  # the message stays on stderr too
    out = tiny_root / "report.json"
    to_file = cli("--root", tiny_root, "validate", "--format", "json", "-o", out)
    assert to_file.returncode == 2 and json.loads(out.read_text())["error"]["code"] == "RDF_SYNTAX_ERROR"
    assert cli("--root", tiny_root, "validate").stdout == ""  # text: the error on stderr only


def test_malformed_and_unsupported_shapes_are_json_errors(cli: Cli, tiny_root: Path) -> None:
    shapes = tiny_root / "shapes" / "sparql.ttl"
    shapes.write_text(
        "@prefix ex: <http://example.org/tiny#> .\n@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "ex:Minus a sh:NodeShape ; sh:targetClass ex:Unit ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { $this ?p ?o MINUS { $this ?p 1 } }" ] .\n',
        encoding="utf-8",
    )
    malformed = cli("--root", tiny_root, "validate", "--format", "json")
    assert malformed.returncode == 2
    error = json.loads(malformed.stdout)["error"]
    assert (
        error["code"] == "SHAPES_ERROR" and "tiny#Minus>" in error["message"] and "MINUS" in error["message"]
    )
    shapes.write_text(
        "@prefix ex: <http://example.org/tiny#> .\n@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        "ex:Reads a sh:NodeShape ; sh:targetClass ex:Unit ; sh:sparql [ sh:select "
        '"SELECT $this WHERE { GRAPH $shapesGraph { $currentShape ?p 42 } }" ] .\n',
        encoding="utf-8",
    )
    assert (
        cli("--root", tiny_root, "validate", "--format", "json").returncode == 0
    )  # the default engine reads it
    unsupported = cli("--root", tiny_root, "validate", "--format", "json", "--engine", "pyshacl")
    assert unsupported.returncode == 2
    error = json.loads(unsupported.stdout)["error"]
    assert (
        error["code"] == "SHAPES_UNSUPPORTED"
        and "Reads" in error["message"]
        and "$shapesGraph" in error["message"]
    )
    assert "Traceback" not in unsupported.stderr
