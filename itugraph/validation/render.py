"""Report renderers: human text, JSON, GitHub Actions annotations and JUnit XML.

Each format serves one reader: ``text`` a maintainer in a terminal (grouped by file,
then resource, with ``file:line`` they can click), ``json`` scripts (the keys listed in
:data:`JSON_RESULT_KEYS` are a stable interface), ``github`` the pull-request diff view,
``junit`` CI test-report tabs. One name → function table, as for RDF formats.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from itertools import groupby

from itugraph.errors import InputError, ItuGraphError
from itugraph.validation.model import SEVERITIES, ValidationReport, ValidationResult
from itugraph.validation.terms import compact, display_value

#: Keys of each object in the ``results`` array of the JSON format, in output order.
JSON_RESULT_KEYS: tuple[str, ...] = (
    "shape_id",
    "severity",
    "focus_node",
    "path",
    "value",
    "message",
    "file",
    "line",
    "constraint",
    "owner",
)
#: Top-level keys of the JSON format, in output order.
JSON_KEYS: tuple[str, ...] = (
    "conforms",
    "failed",
    "strict",
    "inferred",
    "summary",
    "results",
    "inconsistencies",
    "stats",
)

_GITHUB_LEVEL = {"Violation": "error", "Warning": "warning", "Info": "notice"}


def render(report: ValidationReport, fmt: str) -> str:
    """``report`` in format ``fmt`` (``text``, ``json``, ``github`` or ``junit``)."""
    try:
        renderer = RENDERERS[fmt]
    except KeyError:
        raise InputError(
            f"unknown report format {fmt!r}", hint=f"use one of: {', '.join(RENDERERS)}"
        ) from None
    return renderer(report)


def summary_line(report: ValidationReport) -> str:
    """One line: the counts, the size of what was checked, and the verdict."""
    counts = ", ".join(_plural(report.count(s), s.lower()) for s in SEVERITIES)
    resources = len({r.focus_node for r in report.results})
    verdict = (
        "FAILED"
        if report.failed(strict=report.strict)
        else "conforms"
        if report.conforms
        else "passed with warnings or infos"
    )
    mode = "inferred graph" if report.inferred else "asserted graph"
    return (
        f"{counts} on {_plural(resources, 'resource')} — {mode}: "
        f"{_plural(len(report.data_files), 'data file')}, {report.triple_count:,} triples, "
        f"{_plural(report.shape_count, 'shape')}, {report.seconds:.1f} s — {verdict}"
    )


def render_text(report: ValidationReport) -> str:
    """Results grouped by file, then by resource, then a summary line."""
    lines: list[str] = []
    for file, by_file in groupby(report.results, key=lambda r: r.file):
        lines.append(report.display_path(file) or "(resources with no source location)")
        for (focus, line), by_focus in groupby(by_file, key=lambda r: (r.focus_node, r.line)):
            where = f"{report.display_path(file)}:{line}" if file and line else "  -"
            lines.append(f"  {where}  {_display_node(focus, _owner_of(report, focus))}")
            lines.extend(f"    {_text_result(r)}" for r in by_focus)
        lines.append("")
    if report.inconsistencies:
        lines.append("OWL 2 RL inconsistencies")
        lines.extend(f"  [{i.rule}] {i.message}" for i in report.inconsistencies)
        lines.append("")
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render_json(report: ValidationReport) -> str:
    """The report as JSON with the keys in :data:`JSON_KEYS` / :data:`JSON_RESULT_KEYS`."""
    document = {
        "conforms": report.conforms,
        "failed": report.failed(strict=report.strict),
        "strict": report.strict,
        "inferred": report.inferred,
        "summary": {
            "violations": report.count("Violation"),
            "warnings": report.count("Warning"),
            "infos": report.count("Info"),
            "results": len(report.results),
        },
        "results": [_json_result(report, r) for r in report.results],
        "inconsistencies": [
            {"rule": i.rule, "message": i.message, "resources": list(i.resources)}
            for i in report.inconsistencies
        ],
        "stats": {
            "data_files": [report.display_path(p) for p in report.data_files],
            "shapes_files": [report.display_path(p) for p in report.shapes_files],
            "triples": report.triple_count,
            "derived_triples": report.derived_count,
            "shapes": report.shape_count,
            "seconds": round(report.seconds, 3),
        },
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_error(error: ItuGraphError) -> str:
    """The JSON document ``validate --format json`` prints instead of a report it could not make.

    Scripts read the same stream on every exit code: ``{"error": {code, message, hint,
    exit_code}}``, with ``code`` the error class's stable code.
    """
    document = {
        "error": {
            "code": error.code,
            "message": error.message,
            "hint": error.hint,
            "exit_code": error.exit_code,
        }
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def render_github(report: ValidationReport) -> str:
    """One GitHub Actions workflow command per result (``::error file=…,line=…::…``)."""
    lines = [_github_line(report, r) for r in report.results]
    lines.append(summary_line(report))
    return "\n".join(lines) + "\n"


def render_junit(report: ValidationReport) -> str:
    """JUnit XML: one test suite per data file, one test case per shape × focus node.

    A file without results gets one passing case, so CI shows every file was checked.
    Warnings and infos are passing cases (with the message in ``system-out``) unless
    the report is strict, where warnings fail too.
    """
    suites = ET.Element("testsuites", name="itugraph validate")
    by_file: dict[str, list[ValidationResult]] = {report.display_path(p) or "": [] for p in report.data_files}
    for result in report.results:
        by_file.setdefault(report.display_path(result.file) or "(no source location)", []).append(result)
    for name, results in by_file.items():
        _junit_suite(suites, report, name, results)
    _set_counts(suites, list(suites))
    ET.indent(suites)
    body = ET.tostring(suites, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'


RENDERERS: dict[str, Callable[[ValidationReport], str]] = {
    "text": render_text,
    "json": render_json,
    "github": render_github,
    "junit": render_junit,
}


def _text_result(r: ValidationResult) -> str:
    return f"[{r.shape_id}] {r.severity}: {r.message}{_details(r)}"


def _details(r: ValidationResult) -> str:
    details = []
    if r.path:
        details.append(f"path: {_display_path(r.path)}")
    if r.value is not None:
        details.append(f"value: {display_value(r.value)}")
    return f" ({'; '.join(details)})" if details else ""


def _json_result(report: ValidationReport, r: ValidationResult) -> dict[str, object]:
    values: dict[str, object] = {
        "shape_id": r.shape_id,
        "severity": r.severity,
        "focus_node": r.focus_node,
        "path": r.path,
        "value": r.value,
        "message": r.message,
        "file": report.display_path(r.file),
        "line": r.line,
        "constraint": r.constraint,
        "owner": r.owner,
    }
    return {key: values[key] for key in JSON_RESULT_KEYS}


def _github_line(report: ValidationReport, r: ValidationResult) -> str:
    level = _GITHUB_LEVEL.get(r.severity, "error")
    if report.strict and r.severity == "Warning":
        level = "error"
    props = []
    if r.file is not None:
        props.append(f"file={_gh_property(report.display_path(r.file) or '')}")
        if r.line is not None:
            props.append(f"line={r.line}")
    props.append(f"title={_gh_property(r.shape_id)}")
    message = f"{_display_node(r.focus_node, r.owner)}: {r.message}{_details(r)}"
    return f"::{level} {','.join(props)}::{_gh_data(message)}"


def _junit_suite(
    parent: ET.Element, report: ValidationReport, name: str, results: list[ValidationResult]
) -> None:
    suite = ET.SubElement(parent, "testsuite", name=name)
    if not results:
        ET.SubElement(suite, "testcase", classname=name, name="conforms")
    ordered = sorted(results, key=lambda r: (r.shape_id, r.focus_node, r.sort_key))
    for key, group in groupby(ordered, key=lambda r: (r.shape_id, r.focus_node)):
        _junit_case(suite, report, name, key, list(group))
    _set_counts(suite, [suite])


def _junit_case(
    suite: ET.Element,
    report: ValidationReport,
    file: str,
    key: tuple[str, str],
    results: list[ValidationResult],
) -> None:
    first = results[0]
    case = ET.SubElement(suite, "testcase", classname=file, name=f"{key[0]} {key[1]}")
    if first.line is not None:
        case.set("file", file)
        case.set("line", str(first.line))
    text = "\n".join(_text_result(r) for r in results)
    failing = [r for r in results if r.severity == "Violation" or (report.strict and r.severity == "Warning")]
    if failing:
        failure = ET.SubElement(case, "failure", message=failing[0].message, type=failing[0].severity)
        failure.text = f"{file}:{first.line or ''} {first.focus_node}\n{text}"
    else:
        ET.SubElement(case, "system-out").text = text


def _set_counts(element: ET.Element, suites: list[ET.Element]) -> None:
    cases = [c for s in suites for c in s.iter("testcase")]
    element.set("tests", str(len(cases)))
    element.set("failures", str(sum(1 for c in cases if c.find("failure") is not None)))
    element.set("errors", "0")


def _display_node(node: str, owner: str | None = None) -> str:
    if not node.startswith("_:"):
        return compact(node)
    return f"{node} (in {compact(owner)})" if owner else node


def _owner_of(report: ValidationReport, focus: str) -> str | None:
    """The owner IRI of a blank-node focus (the first result about it that names one)."""
    return next((r.owner for r in report.results if r.focus_node == focus and r.owner), None)


def _display_path(path: str) -> str:
    return compact(path) if "://" in path and " " not in path and "<" not in path else path


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}{'' if n == 1 else 's'}"
