"""Canonical Turtle for data files: ``itugraph fmt`` rewrites, ``--check`` only reports.

The body is rdflib's ``longturtle`` serialisation (sorted subjects, one predicate per
line), so a diff shows only real changes. The leading ``#`` comment block, which names
the file's sources, is kept. A file is rewritten only when the new text parses to an
isomorphic graph, and atomically, so ``fmt`` can never lose data.
"""

from __future__ import annotations

import collections
import fnmatch
import os
import tomllib
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph
from rdflib.compare import isomorphic, to_canonical_graph

from itugraph.errors import InputError, RdfSyntaxError, SourceLocation
from itugraph.load import parse_file
from itugraph.namespaces import PREFIXES
from itugraph.project import Project


@dataclass(frozen=True)
class FmtResult:
    path: Path
    changed: bool


def excluded_patterns(project: Project) -> list[str]:
    """``[tool.itugraph] fmt-exclude`` globs (relative to the root) from ROOT/pyproject.toml.

    Files copied unchanged from an upstream source (the UN SDG KOS) are listed there.
    """
    config = project.root / "pyproject.toml"
    if not config.is_file():
        return []
    data = tomllib.loads(config.read_text(encoding="utf-8"))
    return list(data.get("tool", {}).get("itugraph", {}).get("fmt-exclude", []))


def turtle_files(project: Project) -> list[Path]:
    """The data folder's Turtle files that ``fmt`` owns (exclusions removed)."""
    patterns = excluded_patterns(project)
    files = [p for p in project.data_files() if p.suffix == ".ttl"]
    return [
        p
        for p in files
        if not any(fnmatch.fnmatch(str(p.relative_to(project.root)), pat) for pat in patterns)
    ]


def canonical_text(path: Path) -> str:
    """The canonical form of one Turtle file: its header comment, then longturtle."""
    text = _read(path)
    graph = _canonical_blank_nodes(_parse(path, text))
    for name, iri in PREFIXES.items():
        graph.bind(name, iri, override=False, replace=False)
    header = _header(text)
    body = graph.serialize(format="longturtle")
    return (header + "\n" if header else "") + body.strip() + "\n"


def _canonical_blank_nodes(graph: Graph) -> Graph:
    """The same graph with blank nodes named from their content (rdflib's canonical labels).

    longturtle orders a resource's nested ``[ … ]`` values by blank-node label; labels are
    fresh on every parse, so two claims of one resource could swap places on each run and
    ``fmt --check`` would never pass. Canonical labels make the order a function of content.
    """
    canonical = Graph()
    for prefix, namespace in graph.namespaces():
        canonical.bind(prefix, namespace, override=True, replace=True)
    for triple in to_canonical_graph(graph):
        canonical.add(triple)
    return canonical


def format_files(paths: list[Path], *, check: bool) -> list[FmtResult]:
    """Canonicalise ``paths``; with ``check`` nothing is written."""
    results = []
    for path in paths:
        new = canonical_text(path)
        changed = new != path.read_text(encoding="utf-8", errors="replace")  # a BOM is a change
        if changed and not check:
            _write_safely(path, new)
        results.append(FmtResult(path, changed))
    return results


def _header(text: str) -> str:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line.rstrip())
    return "\n".join(lines) + ("\n" if lines else "")


def _read(path: Path) -> str:
    """The file's text once the loader accepts it, so ``fmt`` refuses what every other command
    refuses, with the same line and column (rdflib takes IRIs with spaces, then cannot write
    them back); a UTF-8 byte order mark is dropped."""
    collections.deque(parse_file(path), maxlen=0)
    return path.read_text(encoding="utf-8-sig")


def _parse(path: Path, text: str) -> Graph:
    try:
        return Graph().parse(data=text, format="turtle", publicID=path.resolve().as_uri())
    except Exception as exc:  # rdflib raises many unrelated types for bad syntax
        # rdflib's BadSyntax knows the 0-based line and why; other errors only their text.
        lines = getattr(exc, "lines", None)
        line = lines + 1 if isinstance(lines, int) else None
        why = getattr(exc, "_why", None) or str(exc).splitlines()[0]
        raise RdfSyntaxError(SourceLocation(path, line), str(why)) from None


def _write_safely(path: Path, new: str) -> None:
    if not isomorphic(_parse(path, _read(path)), _parse(path, new)):
        raise InputError(
            f"{path}: canonical form would change the graph; file left as it was",
            hint="report this as a bug in `itugraph fmt`",
        )
    tmp = path.with_name(f".{path.name}.{os.getpid()}.fmt")
    tmp.write_text(new, encoding="utf-8")
    os.replace(tmp, path)
