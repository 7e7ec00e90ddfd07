"""``itugraph fmt``: one canonical text per graph, whatever the blank-node labels of a parse."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import isomorphic

from itugraph.errors import InputError, RdfSyntaxError
from itugraph.fmt import FmtResult, canonical_text, excluded_patterns, format_files, turtle_files
from itugraph.project import Project
from tests.helpers import REPO

CLAIMS = """PREFIX itu: <https://w3id.org/itugraph/def/itu#>
PREFIX dcterms: <http://purl.org/dc/terms/>
PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>
<https://w3id.org/itugraph/id/initiative/gca> itu:hasClaim
  [ itu:claimProperty itu:launchYear ; itu:claimValue "2008"^^xsd:gYear ] ,
  [ itu:claimProperty itu:launchYear ; itu:claimValue "2007"^^xsd:gYear ] ,
  [ itu:claimProperty itu:launchDate ; itu:claimValue "2007-05-17"^^xsd:date ] .
"""


def test_nested_blank_nodes_keep_their_order_across_runs(tmp_path: Path) -> None:
    """Two claims of one resource used to swap places on every run (labels b9/b10)."""
    path = tmp_path / "claims.ttl"
    path.write_text(CLAIMS, encoding="utf-8")
    first = canonical_text(path)
    for _ in range(5):
        path.write_text(first, encoding="utf-8")
        assert canonical_text(path) == first
    reordered = (
        CLAIMS.replace('"2008"', '"TMP"')
        .replace('"2007"^^xsd:gYear', '"2008"^^xsd:gYear')
        .replace('"TMP"', '"2007"')
    )
    path.write_text(reordered, encoding="utf-8")
    assert canonical_text(path) == first


# --- the files fmt owns, check and rewrite, errors -------------------------------------------

DATA = """# Source: a page that lists them.
# Second header line.
@prefix ex: <http://example.org/> .
ex:b ex:p "2" .   ex:a   ex:p "1" ;
  ex:q ex:b .
"""


def _project(root: Path, pyproject: str | None = None) -> Project:
    for folder in ("ontology", "graph/upstream"):
        (root / folder).mkdir(parents=True)
    (root / "graph" / "data.ttl").write_text(DATA, encoding="utf-8")
    (root / "graph" / "upstream" / "copied.ttl").write_text(DATA, encoding="utf-8")
    (root / "graph" / "other.nt").write_text("<http://e/a> <http://e/p> <http://e/b> .\n", encoding="utf-8")
    if pyproject is not None:
        (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    return Project.at(root)


def test_fmt_owns_the_data_turtle_files_except_the_excluded(tmp_path: Path) -> None:
    project = _project(tmp_path, '[tool.itugraph]\nfmt-exclude = ["graph/upstream/*"]\n')
    assert excluded_patterns(project) == ["graph/upstream/*"]
    assert turtle_files(project) == [tmp_path / "graph" / "data.ttl"]


def test_without_pyproject_or_its_table_nothing_is_excluded(tmp_path: Path) -> None:
    bare = _project(tmp_path / "bare")
    assert excluded_patterns(bare) == []
    assert [p.name for p in turtle_files(bare)] == ["data.ttl", "copied.ttl"]
    other = _project(tmp_path / "other", "[tool.ruff]\nline-length = 100\n")
    assert excluded_patterns(other) == []


def test_the_repository_excludes_the_upstream_sdg_files() -> None:
    project = Project.at(REPO)
    assert excluded_patterns(project) == ["graph/sdg/*"]
    assert not any(p.is_relative_to(REPO / "graph" / "sdg") for p in turtle_files(project))


def test_check_reports_rewrite_writes_and_both_keep_graph_and_header(tmp_path: Path) -> None:
    path = _project(tmp_path).data_dir / "data.ttl"
    before = Graph().parse(path)
    (checked,) = format_files([path], check=True)
    assert checked == FmtResult(path, changed=True)
    assert path.read_text(encoding="utf-8") == DATA  # --check writes nothing
    (rewritten,) = format_files([path], check=False)
    assert rewritten.changed
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# Source: a page that lists them.\n# Second header line.\n\n")
    assert text.index("ex:a") < text.index("ex:b")  # sorted subjects
    assert isomorphic(before, Graph().parse(path))
    assert format_files([path], check=True) == [FmtResult(path, changed=False)]  # a fixpoint
    assert [p.name for p in path.parent.iterdir() if p.name.startswith(".")] == []


def test_a_file_without_header_gets_none(tmp_path: Path) -> None:
    path = tmp_path / "bare.ttl"
    path.write_text('<http://e/a> <http://e/p> "x" .\n', encoding="utf-8")
    assert canonical_text(path) == 'PREFIX ns1: <http://e/>\n\nns1:a\n    ns1:p "x" ;\n.\n'


def test_a_syntax_error_names_the_file_and_nothing_is_written(tmp_path: Path) -> None:
    path = tmp_path / "broken.ttl"
    path.write_text('@prefix ex: <http://e/> .\nex:a ex:p "open .\n', encoding="utf-8")
    with pytest.raises(RdfSyntaxError) as caught:
        format_files([path], check=False)
    assert caught.value.location.path == path and str(caught.value).startswith(f"{path}:2:11: ")
    assert path.read_text(encoding="utf-8").endswith('"open .\n')


def test_a_canonical_form_that_would_change_the_graph_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safety net of ``fmt``: a rewrite is checked isomorphic before it replaces a file."""
    path = _project(tmp_path).data_dir / "data.ttl"
    monkeypatch.setattr(
        "itugraph.fmt.canonical_text", lambda _path: '<http://example.org/a> <http://example.org/p> "9" .\n'
    )
    with pytest.raises(InputError, match="canonical form would change the graph") as caught:
        format_files([path], check=False)
    assert "bug" in (caught.value.hint or "")
    assert path.read_text(encoding="utf-8") == DATA
