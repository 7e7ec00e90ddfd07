"""Comparing two validation reports result for result: the SPARQL engine against pyshacl.

Results are compared as a multiset of (shape_id, severity, focus_node, path, value), with
blank-node labels replaced (each run parses the files anew, so labels differ). Messages
are compared too wherever pyshacl's message comes from an ``sh:message`` of the shapes
(filled templates included); pyshacl's own generic wording for shapes without a
message is not copied by the SPARQL engine.
"""

from __future__ import annotations

import re
from collections import Counter

from rdflib import Graph, Literal
from rdflib.namespace import SH

from itugraph.validation import ValidationReport, ValidationResult

Key = tuple[str, str, str, str | None, str | None]
_BNODE = re.compile(r"_:[A-Za-z0-9]+")


def key(result: ValidationResult) -> Key:
    """What must be equal between the engines, blank-node labels aside."""
    return (
        result.shape_id,
        result.severity,
        _BNODE.sub("_:b", result.focus_node),
        result.path,
        _BNODE.sub("_:b", result.value) if result.value else None,
    )


def templates(shapes: Graph) -> list[re.Pattern[str]]:
    """Each ``sh:message`` of the shapes as a regex (``{?var}``/``{$var}`` match anything)."""
    found = []
    for message in set(shapes.objects(None, SH.message)):
        if isinstance(message, Literal):
            parts = re.split(r"\{[?$]\w+\}", str(message))
            found.append(re.compile(".*".join(re.escape(p) for p in parts) + r"\Z", re.S))
    return found


def differences(fast: ValidationReport, reference: ValidationReport, shapes: Graph) -> list[str]:
    """Human-readable differences; empty when the engines agree."""
    problems = []
    fast_keys, reference_keys = Counter(map(key, fast.results)), Counter(map(key, reference.results))
    for k in sorted((fast_keys - reference_keys).elements(), key=str):
        problems.append(f"only the SPARQL engine: {k}")
    for k in sorted((reference_keys - fast_keys).elements(), key=str):
        problems.append(f"only pyshacl: {k}")
    if problems:
        return problems
    patterns = templates(shapes)
    fast_messages = {(key(r), r.message) for r in fast.results}
    for result in reference.results:
        if (
            any(p.match(result.message) for p in patterns)
            and (key(result), result.message) not in fast_messages
        ):
            problems.append(f"message differs for {key(result)}: pyshacl says {result.message!r}")
    return problems
