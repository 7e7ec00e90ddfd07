"""Renderers: stable JSON keys, GitHub workflow commands, JUnit XML that parses."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable

import pytest

from itugraph.errors import InputError
from itugraph.project import Project
from itugraph.validation import (
    JSON_KEYS,
    JSON_RESULT_KEYS,
    ValidationReport,
    render,
    validate_project,
)


@pytest.fixture
def report(tiny_project: Project) -> ValidationReport:
    return validate_project(tiny_project)


def test_text_groups_by_file_then_resource(report: ValidationReport) -> None:
    text = render(report, "text")
    lines = text.splitlines()
    assert lines[0] == "graph/d.ttl"
    assert lines[1].startswith("  graph/d.ttl:4  <http://ex.org/a>")
    assert "[S01-Super-code] Violation: code must be C1..C11" in text
    assert 'value: "C12"' in text
    assert "2 violations, 1 warning, 0 infos on 2 resources" in lines[-1]
    assert lines[-1].endswith("FAILED")


def test_json_keys_are_stable(report: ValidationReport) -> None:
    document = json.loads(render(report, "json"))
    assert tuple(document) == JSON_KEYS
    assert all(tuple(r) == JSON_RESULT_KEYS for r in document["results"])
    assert document["summary"] == {"violations": 2, "warnings": 1, "infos": 0, "results": 3}
    first = document["results"][0]
    assert first["file"] == "graph/d.ttl" and first["line"] == 4
    assert first["focus_node"] == "http://ex.org/a"


def test_github_annotations(report: ValidationReport) -> None:
    lines = render(report, "github").splitlines()
    annotations = [line for line in lines if line.startswith("::")]
    assert len(annotations) == 3
    assert annotations[0].startswith("::error file=graph/d.ttl,line=4,title=S01-Super::")
    assert annotations[2].startswith("::warning file=graph/d.ttl,line=6,title=S02-Super-ref::")
    assert all("\n" not in a for a in annotations)


def test_github_strict_turns_warnings_into_errors(report: ValidationReport) -> None:
    report.strict = True
    assert "::warning" not in render(report, "github")


def test_github_escapes_newlines_and_percent(make_project: Callable[..., Project]) -> None:
    from itugraph.validation.render import _gh_data, _gh_property

    assert _gh_data("50%\nnext") == "50%25%0Anext"
    assert _gh_property("a:b,c") == "a%3Ab%2Cc"


def test_junit_parses_and_counts(report: ValidationReport) -> None:
    root = ET.fromstring(render(report, "junit"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures")) == ("3", "2")
    suite = root.find("testsuite")
    assert suite is not None and suite.get("name") == "graph/d.ttl"
    failures = [c for c in suite.iter("testcase") if c.find("failure") is not None]
    assert {c.get("name") for c in failures} == {
        "S01-Super http://ex.org/a",
        "S01-Super-code http://ex.org/a",
    }


def test_junit_conforming_file_has_a_passing_case(make_project: Callable[..., Project]) -> None:
    data = '@prefix ex: <http://ex.org/> .\nex:c a ex:Super ; ex:code "C11" .\n'
    root = ET.fromstring(render(validate_project(make_project(data=data)), "junit"))
    assert (root.get("tests"), root.get("failures")) == ("1", "0")


def test_unknown_format(report: ValidationReport) -> None:
    with pytest.raises(InputError, match="unknown report format"):
        render(report, "yaml")
