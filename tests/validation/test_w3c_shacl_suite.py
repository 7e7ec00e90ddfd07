"""The W3C SHACL test suite (core and SPARQL), each entry a project run by ``itugraph validate``.

Every ``sht:Validate`` entry of ``tests/w3c_shacl/`` (see its ``SOURCE.md``) becomes a
project in ``tmp_path`` and goes through :func:`itugraph.cli.main` in this process, exactly
as ``itugraph --root R validate --format json [--engine pyshacl]`` runs it; a few entries
also go through a real ``itugraph`` process. The JSON report is compared with the expected
``sh:ValidationReport`` (see ``w3c_suite`` for what is compared); an entry expecting
``sht:Failure`` (malformed shapes) must exit 2 with a JSON error naming the problem.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import run_cli, run_main
from tests.validation import w3c_suite
from tests.validation.w3c_suite import SuiteEntry

ENTRIES = w3c_suite.entries()
ENGINES = ("sparql", "pyshacl")

#: Entries an engine does not pass, with the reason (strict: a pass fails the test). None:
#: both engines pass every entry.
KNOWN_FAILURES: dict[tuple[str, str], str] = {}

#: Entries where an engine must refuse the shapes as the spec requires of a processor
#: without an optional feature: SHACL §5.3.1, "Processors that do not support the
#: variable shapesGraph MUST report a failure if they encounter a query that references
#: this variable" (pyshacl does not support it; the default engine does).
UNSUPPORTED: dict[tuple[str, str], str] = {
    ("pyshacl", "sparql/pre-binding/shapesGraph-001"): "$shapesGraph",
}


def _cases() -> list[object]:
    cases = []
    for engine in ENGINES:
        for entry in ENTRIES:
            reason = KNOWN_FAILURES.get((engine, entry.id))
            marks = [pytest.mark.xfail(reason=reason, strict=True)] if reason else []
            cases.append(pytest.param(engine, entry, id=f"{engine}:{entry.id}", marks=marks))
    return cases


def test_the_suite_is_complete() -> None:
    """All 120 ``sht:Validate`` entries of core and SPARQL are read, each id once."""
    ids = [e.id for e in ENTRIES]
    assert len(ids) == 120 and len(set(ids)) == 120
    assert {i.split("/")[0] for i in ids} == {"core", "sparql"}
    assert sum(e.failure for e in ENTRIES) == 7


@pytest.mark.parametrize(("engine", "entry"), _cases())
def test_entry(engine: str, entry: SuiteEntry, tmp_path: Path) -> None:
    root = w3c_suite.write_project(entry, tmp_path / "project")
    run = run_main("--root", root, "validate", "--format", "json", "--engine", engine)
    document = json.loads(run.stdout)  # JSON on every exit code
    assert "Traceback" not in run.stderr
    if entry.failure:
        assert run.returncode == 2, run.stdout
        assert document["error"]["code"] == "SHAPES_ERROR"
        assert "malformed" in document["error"]["message"]
        return
    if (engine, entry.id) in UNSUPPORTED:
        assert run.returncode == 2, run.stdout
        assert document["error"]["code"] == "SHAPES_UNSUPPORTED"
        assert UNSUPPORTED[engine, entry.id] in document["error"]["message"]
        assert "TestShape" in document["error"]["message"]  # the shape is named
        return
    assert "error" not in document, document["error"]
    want = w3c_suite.expected(entry, entry.project_data(root))
    assert w3c_suite.differences(document, want, w3c_suite.shape_ids(entry.shapes)) == []
    assert run.returncode == (1 if document["failed"] else 0)
    violations = any(key[2] == "Violation" for key in want.results)
    assert document["failed"] == (violations or bool(document["inconsistencies"]))


@pytest.mark.parametrize(
    "entry_id",
    [
        "core/property/datatype-ill-formed",
        "sparql/pre-binding/unsupported-sparql-001",
        "core/node/xone-duplicate",
    ],
)
def test_entries_through_a_real_process(entry_id: str, tmp_path: Path) -> None:
    """A few entries through the installed command, to prove the in-process path is the CLI's."""
    entry = next(e for e in ENTRIES if e.id == entry_id)
    root = w3c_suite.write_project(entry, tmp_path / "project")
    run = run_cli("--root", root, "validate", "--format", "json")
    document = json.loads(run.stdout)
    assert "Traceback" not in run.stderr
    if entry.failure:
        assert run.returncode == 2 and document["error"]["code"] == "SHAPES_ERROR"
        return
    want = w3c_suite.expected(entry, entry.project_data(root))
    assert w3c_suite.differences(document, want, w3c_suite.shape_ids(entry.shapes)) == []
    assert run.returncode == (1 if document["failed"] else 0)
    violations = any(key[2] == "Violation" for key in want.results)
    assert document["failed"] == (violations or bool(document["inconsistencies"]))
