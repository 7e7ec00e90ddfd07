"""Evaluating a SHACL-SPARQL constraint once for all focus nodes, when that is provably safe.

pyshacl runs each ``sh:select`` once per focus node with ``$this`` pre-bound. The SPARQL
engine instead puts the focus nodes in a named graph and injects, as the first element
of the query's outer group, the pattern ``GRAPH <focus> { <shape> <focusOf> ?this }``:
one query whose solutions are the union of the per-node ones. That holds when:

* ``$this`` is **projected** (results must say which focus node they are about);
* no ``LIMIT``/``OFFSET`` (they would cut across focus nodes);
* with aggregates, ``$this`` is a ``GROUP BY`` key (groups then never mix focus nodes);
* every **expression** that mentions ``$this`` (``FILTER``, ``BIND``, an ``OPTIONAL``'s
  condition, ``EXISTS`` inside them) sits where ``$this`` is certainly bound: on the left
  spine of the outer group (where the injected focus pattern is joined first) or over a
  pattern that binds it in every solution;
* ``$this`` does not occur in a sub-``SELECT``, the right side of a ``MINUS`` or
  ``VALUES`` (their scoping differs between pre-binding and a join).

Under these conditions substituting a certainly-bound variable commutes with the join
(the standard SPARQL algebra result behind SEP-0007 pre-binding): BGPs, joins, unions
and optionals only match ``?this`` against the focus graph's values, and every
expression sees the same value of ``?this`` as with pre-binding. A query that fails a
condition is evaluated per focus node instead (still in pyoxigraph, with the SEP-0007
``substitutions`` pyoxigraph offers), never silently batched.
"""

from __future__ import annotations

import re

from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from itugraph import sparql_text

THIS = Variable("this")
_SAFE_ANYWHERE = {"BGP"}
_MODIFIERS = {
    "Project",
    "Distinct",
    "Reduced",
    "OrderBy",
    "Slice",
    "Extend",
    "Filter",
    "AggregateJoin",
    "Group",
}


def batch_refusal(select: str, prefixes: dict[str, str]) -> str | None:
    """Why ``select`` cannot be evaluated once for all focus nodes, or None when it can."""
    try:
        algebra = prepareQuery(select, initNs=prefixes).algebra
    except Exception as exc:  # rdflib raises bare Exception for unknown prefixes
        return f"rdflib cannot parse it ({exc})"
    if THIS not in (algebra.get("PV") or []):
        return "$this is not projected"
    return _top_refusal(algebra["p"]) or _injected_refusal(select, prefixes)


#: A stand-in for the focus pattern the engine injects (any GRAPH pattern binding ?this).
_FOCUS_STAND_IN = "GRAPH <urn:x:focus> { <urn:x:shape> <urn:x:focusOf> ?this }"
#: Modifiers above the pattern whose expressions see whole solutions or groups.
_PEELED = {"Project", "Distinct", "Reduced", "OrderBy", "Slice", "ToMultiSet"}


def _injected_refusal(select: str, prefixes: dict[str, str]) -> str | None:
    """The query *with the focus pattern injected*: is ``$this`` bound wherever it is used?

    rdflib's algebra of the bare query flattens a group that holds one nested group, so
    ``{ { FILTER($this = …) } }`` looks like a FILTER of the outer group; after injection
    the nested group is a pattern joined with the focus pattern, and its FILTER is seen
    to run where ``?this`` is unbound (pre-binding would have bound it).
    """
    try:
        algebra = prepareQuery(sparql_text.inject(select, _FOCUS_STAND_IN), initNs=prefixes).algebra
    except Exception as exc:  # as in batch_refusal
        return f"rdflib cannot parse it with the focus pattern ({exc})"
    return _refusal(_below_modifiers(algebra["p"]), top=False)


def _below_modifiers(node: object) -> object:
    """The pattern under the solution modifiers; with aggregates, the pattern grouped
    (the BINDs and FILTERs above a ``Group`` are its projection and HAVING)."""
    top = node
    while isinstance(node, CompValue) and node.name in _MODIFIERS:
        if node.name == "Group":
            return node["p"]
        node = node["p"]
    node = top
    while isinstance(node, CompValue) and node.name in _PEELED:
        node = node["p"]
    return node


def pattern_refusal(query: str, prefixes: dict[str, str]) -> str | None:
    """Why the WHERE pattern of ``query`` (any query form) cannot be batched, or None.

    A CONSTRUCT's output needs no ``$this`` to tell focus nodes apart (the union of the
    per-node graphs is what a rule derives), so only the pattern conditions apply; the
    short form ``CONSTRUCT WHERE`` is refused, because its template is its pattern.
    """
    if re.search(r"\bCONSTRUCT\s+WHERE\b", query, re.IGNORECASE):
        return "CONSTRUCT WHERE short form"
    try:
        algebra = prepareQuery(query, initNs=prefixes).algebra
    except Exception as exc:  # rdflib raises bare Exception for unknown prefixes
        return f"rdflib cannot parse it ({exc})"
    return _top_refusal(algebra["p"])


def _top_refusal(node: CompValue) -> str | None:
    """Peel the solution modifiers above the WHERE pattern, then check the pattern.

    With aggregates, everything above the ``Group`` (HAVING, projected aggregates) sees
    one group at a time, so only the grouping keys matter; without, projected
    expressions behave like BINDs at the end of the outer group.
    """
    where = None
    while isinstance(node, CompValue) and node.name in _MODIFIERS:
        if node.name == "Slice":
            return "LIMIT/OFFSET applies across focus nodes"
        if node.name == "Group":
            if THIS not in (node.get("expr") or []):
                return "aggregates are not grouped by $this"
            return _refusal(node["p"], top=True)
        if node.name in ("Extend", "Filter") and where is None:
            where = node
        node = node["p"]
    return _refusal(where if where is not None else node, top=True)


def _refusal(node: object, *, top: bool) -> str | None:
    """Check one pattern; ``top`` is True on the outer group's left spine."""
    if not isinstance(node, CompValue):
        return None
    name = node.name
    if name in _SAFE_ANYWHERE:
        return None
    if name in ("Filter", "Extend"):
        expr = node["expr"]
        if name == "Extend" and node["var"] == THIS:
            return "BIND assigns $this"
        if _mentions(expr) and not (top or THIS in certainly_bound(node["p"])):
            return f"{'FILTER' if name == 'Filter' else 'BIND'} uses $this where it may be unbound"
        return _refusal(node["p"], top=top)
    if name == "Join":
        return _refusal(node["p1"], top=top) or _refusal(node["p2"], top=False)
    if name == "LeftJoin":
        expr = node.get("expr")
        bound = certainly_bound(node["p1"]) | certainly_bound(node["p2"])
        if expr is not None and _mentions(expr) and not (top or THIS in bound):
            return "an OPTIONAL's FILTER uses $this where it may be unbound"
        return _refusal(node["p1"], top=top) or _refusal(node["p2"], top=False)
    if name == "Union":
        return _refusal(node["p1"], top=False) or _refusal(node["p2"], top=False)
    if name == "Minus":
        # What MINUS removes does not depend on $this when its right side never names it:
        # pre-binding would leave that side unchanged, and the join keeps ?this on the left.
        if _mentions(node["p2"]):
            return "$this occurs inside MINUS"
        return _refusal(node["p1"], top=top)
    if name == "Graph":
        return _refusal(node["p"], top=False)
    if _mentions(node):
        return f"$this occurs inside {name}"
    return None


def certainly_bound(node: object) -> set[Variable]:
    """Variables bound in every solution of ``node`` (a conservative under-approximation)."""
    if not isinstance(node, CompValue):
        return set()
    name = node.name
    if name == "BGP":
        return {t for triple in node["triples"] for t in triple if isinstance(t, Variable)}
    if name == "Join":
        return certainly_bound(node["p1"]) | certainly_bound(node["p2"])
    if name in ("LeftJoin", "Minus"):
        return certainly_bound(node["p1"])
    if name in ("Filter", "Extend", "Graph"):
        return certainly_bound(node["p"])
    if name == "Union":
        return certainly_bound(node["p1"]) & certainly_bound(node["p2"])
    return set()


def _mentions(value: object) -> bool:
    """Whether ``$this`` occurs anywhere in an algebra node or expression."""
    if value == THIS:
        return True
    if isinstance(value, CompValue):
        return any(_mentions(v) for k, v in value.items() if k != "_vars")
    if isinstance(value, list | tuple):
        return any(_mentions(v) for v in value)
    return False
