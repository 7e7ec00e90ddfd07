"""Assertions shared by the reasoning tests: set comparison with a readable diff."""

from __future__ import annotations

from collections.abc import Iterable

from itugraph.load import Triple


def show(triples: Iterable[Triple]) -> list[str]:
    """Triples as sorted N-Triples lines (what a diff should read like)."""
    return sorted(" ".join(str(term) for term in t) + " ." for t in triples)


def assert_same_closure(native: set[Triple], reference: set[Triple], *, limit: int = 40) -> None:
    """Set equality, failing with "only in native / only in owlrl" lines."""
    only_native, only_reference = native - reference, reference - native
    if only_native or only_reference:
        lines = [f"native: {len(native)} inferred, owlrl: {len(reference)} inferred"]
        lines += ["only in native:"] + [f"  {t}" for t in show(only_native)[:limit]]
        lines += ["only in owlrl:"] + [f"  {t}" for t in show(only_reference)[:limit]]
        raise AssertionError("\n".join(lines))
