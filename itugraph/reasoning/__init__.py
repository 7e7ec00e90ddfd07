"""OWL 2 RL reasoning: the inferred-only closure of a graph, its inconsistencies and why.

Two engines compute the same closure (W3C OWL 2 Profiles §4.3, tables 4–9):

* ``native`` — this package's forward-chaining semi-naive engine over interned terms
  (``engine.py`` + ``rules_*.py``). It is the one the build uses: it is fast and it
  records each inferred triple's first derivation, which :func:`explain` turns into a
  tree.
* ``owlrl`` — the reference implementation (RDFLib/OWL-RL), kept as the correctness
  oracle in tests (``reference.py``).

Both outputs go through the same junk filter (:func:`is_junk`) and leave out asserted
triples, so they can be compared as sets. See ``docs/reasoning.md``.

>>> import pyoxigraph as ox
>>> ex = "https://example.org/"
>>> has, of = ox.NamedNode(ex + "hasUnit"), ox.NamedNode(ex + "unitOf")
>>> inv = ox.NamedNode("http://www.w3.org/2002/07/owl#inverseOf")
>>> a, b = ox.NamedNode(ex + "a"), ox.NamedNode(ex + "b")
>>> closure = infer([(has, inv, of), (a, has, b)])
>>> [" ".join(map(str, t)) for t in closure.inferred]
['<https://example.org/b> <https://example.org/unitOf> <https://example.org/a>']
>>> explain(closure.derivations, (b, of, a)).rule
'prp-inv1'
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from itugraph.errors import Inconsistency, InputError
from itugraph.load import Triple
from itugraph.reasoning.derivations import Derivations, Explanation, explain
from itugraph.reasoning.errors import (
    DerivationsFileError,
    NotInferredError,
    UnsupportedConstructError,
)
from itugraph.reasoning.junk import is_junk

#: Part of the build cache key: bump whenever the closure, the junk policy or the
#: derivations file format can change.
ENGINE_VERSION = "native-1"

ENGINES = ("native", "owlrl")

__all__ = [
    "ENGINES",
    "ENGINE_VERSION",
    "Closure",
    "Derivations",
    "DerivationsFileError",
    "Explanation",
    "NotInferredError",
    "UnsupportedConstructError",
    "explain",
    "infer",
    "is_junk",
]


@dataclass
class Closure:
    """The result of reasoning: what was inferred, what is contradictory, and why."""

    inferred: set[Triple]
    inconsistencies: list[Inconsistency]
    derivations: Derivations | None
    engine: str


def infer(asserted: Iterable[Triple], *, engine: str = "native") -> Closure:
    """The OWL 2 RL closure of ``asserted``, inferred-only and junk-filtered.

    Inconsistencies are returned, not raised: the caller decides (the build raises
    :class:`~itugraph.errors.InconsistencyError`). Raises
    :class:`UnsupportedConstructError` if the native engine meets input it cannot
    reason over exactly.
    """
    if engine == "native":
        return _native(asserted)
    if engine == "owlrl":
        from itugraph.reasoning.reference import closure

        inferred, errors = closure(asserted)
        return Closure(inferred, errors, None, "owlrl")
    raise InputError(f"unknown reasoning engine {engine!r}", hint=f"use one of: {', '.join(ENGINES)}")


def _native(asserted: Iterable[Triple]) -> Closure:
    from itugraph.reasoning.junk import JunkIds
    from itugraph.reasoning.native import run

    e = run(asserted)
    junk = JunkIds(e.terms)  # type: ignore[arg-type]
    kept = {fact for fact in e.derivations if not junk(fact)}
    terms = e.terms
    inferred: set[Triple] = {(terms[s], terms[p], terms[o]) for s, p, o in kept}  # type: ignore[misc]
    derivations = Derivations.from_engine(e, kept)
    return Closure(inferred, list(e.errors.values()), derivations, "native")
