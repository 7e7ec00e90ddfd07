"""``sh:pattern`` means SPARQL ``REGEX`` (XPath ``fn:matches``) in both engines.

The compiled engine hands the pattern and ``sh:flags`` to oxigraph's ``REGEX``; for
pyshacl (Python's ``re.search`` with only ``i``/``m``) the shapes carry the rewritten
pattern of :func:`~itugraph.validation.pyshacl_input.python_pattern`. Here oxigraph is the
oracle for the rewrite, on the cases where XPath and Python differ.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from itugraph.validation.pyshacl_input import python_pattern
from itugraph.validation.sparql_terms import pattern_regex, string

PATTERNS = ["^\\S(.*\\S)?$", "b", "^a$", "a.b", "A B", "[$]x$", "a+b"]
FLAGS = ["", "s", "i", "m", "x", "q", "si"]
TEXTS = ["abc", "a\nb", "abc\n", "xaby", "a b", "$x", "a+b", "AB", "ab\ncd", " a", "a\n"]


def _xpath(pattern: str, flags: str, text: str) -> bool:
    regex, kept = pattern_regex(pattern, flags)
    answer = ox.Store().query(f"ASK {{ FILTER(REGEX({string(text)}, {string(regex)}, {string(kept)})) }}")
    return bool(answer)


def _python(pattern: str, flags: str, text: str) -> bool:
    re_flags = (re.I if "i" in flags else 0) | (re.M if "m" in flags else 0)
    return re.search(python_pattern(pattern, flags), text, re_flags) is not None


@pytest.mark.parametrize("flags", FLAGS)
@pytest.mark.parametrize("pattern", PATTERNS)
def test_the_pyshacl_rewrite_matches_what_xpath_matches(pattern: str, flags: str) -> None:
    assert [_python(pattern, flags, t) for t in TEXTS] == [_xpath(pattern, flags, t) for t in TEXTS]


def test_a_pattern_matches_anywhere_unless_anchored() -> None:
    """The W3C suite's pattern-001: ``sh:pattern "b"`` accepts "abc" (pyshacl 0.40's reading too)."""
    assert _xpath("b", "", "abc") and not _xpath("^b", "", "abc")
