"""The shapes graph rewritten so that pyshacl 0.40 reads it as SHACL does.

``--engine pyshacl`` is the reference the compiled engine is tested against, and both
must give the W3C SHACL test suite's answers. Where pyshacl reads a shape otherwise, the
copy of the shapes graph handed to it is rewritten, never the user's files:

* ``sh:prefixes`` also takes the ``sh:declare`` values of the ``owl:imports`` closure of
  its values (§5.2.1; the suite's ``prefixes-001``): they are copied onto each value;
* a boolean parameter takes effect on ``true`` only: ``"1"^^xsd:boolean`` is dropped
  (``uniqueLang-002``);
* ``sh:pattern`` is XPath's ``fn:matches`` (§4.4.2) and pyshacl runs Python's
  ``re.search`` with only the ``i``/``m`` flags: the ``s``, ``x`` and ``q`` flags become
  inline flags or an escaped pattern, and, without ``m``, ``$`` becomes ``\\Z`` (Python's
  ``$`` also matches before a final newline, XPath's does not).
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal
from rdflib.namespace import SH

from itugraph.validation.compiler import imports_closure, is_true

_BOOLEAN_PARAMETERS = (SH.uniqueLang, SH.closed, SH.deactivated, SH.qualifiedValueShapesDisjoint)


def as_specified(shapes: Graph) -> Graph:
    """``shapes`` (a copy the caller owns, changed in place) as pyshacl should read it."""
    _declare_imported_prefixes(shapes)
    _drop_non_true_flags(shapes)
    _rewrite_patterns(shapes)
    return shapes


def _declare_imported_prefixes(shapes: Graph) -> None:
    for ontology in set(shapes.objects(None, SH.prefixes)):
        for imported in imports_closure(shapes, [ontology])[1:]:
            for declaration in list(shapes.objects(imported, SH.declare)):
                shapes.add((ontology, SH.declare, declaration))


def _drop_non_true_flags(shapes: Graph) -> None:
    for parameter in _BOOLEAN_PARAMETERS:
        for node, value in list(shapes.subject_objects(parameter)):
            if isinstance(value, Literal) and value.toPython() is True and not is_true(value):
                shapes.remove((node, parameter, value))


def _rewrite_patterns(shapes: Graph) -> None:
    for shape, pattern in list(shapes.subject_objects(SH.pattern)):
        flags = str(shapes.value(shape, SH.flags) or "")
        python = python_pattern(str(pattern), flags)
        if python != str(pattern):
            shapes.remove((shape, SH.pattern, pattern))
            shapes.add((shape, SH.pattern, Literal(python)))


def python_pattern(pattern: str, flags: str) -> str:
    """The Python regex that ``re.search`` with pyshacl's ``i``/``m`` handling makes behave
    as XPath's ``fn:matches(pattern, flags)``.

    >>> python_pattern("^a.b$", "s")
    '(?s)^a.b\\\\Z'
    >>> python_pattern("a+b", "q")
    'a\\\\+b'
    >>> python_pattern("^[$]x$", "m")
    '^[$]x$'
    """
    if "q" in flags:
        return re.escape(pattern)
    inline = "".join(f for f in "sx" if f in flags)
    body = pattern if "m" in flags else _end_anchors(pattern)
    return f"(?{inline}){body}" if inline else body


def _end_anchors(pattern: str) -> str:
    """Each unescaped ``$`` outside ``[...]`` as ``\\Z`` (the end of the string only)."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if in_class:
            in_class = ch != "]"
        elif ch == "[":
            in_class = True
            if pattern[i + 1 : i + 2] == "]":  # a literal ] first in the class
                out.append("[]")
                i += 2
                continue
        elif ch == "$":
            out.append("\\Z")
            i += 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)
