"""Table 4 of OWL 2 Profiles §4.3: the semantics of equality (eq-*).

eq-ref is not materialised: ``x owl:sameAs x`` is junk to users, and every rule that
could consume it either excludes the reflexive case (as owlrl does) or is covered here
(eq-diff1 on ``x owl:differentFrom x``). The engine refuses input that uses
``owl:sameAs`` as a subject or object (``check_same_as_vocabulary``), the one place
where a reflexive sameAs triple could feed another rule.
"""

from __future__ import annotations

from itugraph.reasoning import vocab as v
from itugraph.reasoning.engine import Engine, Fact
from itugraph.reasoning.errors import UnsupportedConstructError


def on_same_as(e: Engine, t: Fact) -> None:
    """A new ``x owl:sameAs y`` as the sameAs premise of every eq-* rule."""
    x, _, y = t
    if x == y:
        return
    # RULE eq-sym
    e.emit((y, v.SAME_AS, x), "eq-sym", (t,))
    # RULE eq-trans
    for z in e.objects(y, v.SAME_AS):
        if z != x:
            e.emit((x, v.SAME_AS, z), "eq-trans", (t, (y, v.SAME_AS, z)))
    for w in e.subjects(v.SAME_AS, x):
        if w != y:
            e.emit((w, v.SAME_AS, y), "eq-trans", ((w, v.SAME_AS, x), t))
    _replace_all(e, t)
    _check_different(e, x, y)


def _replace_all(e: Engine, t: Fact) -> None:
    """eq-rep-s/p/o with ``t`` as the sameAs premise: copy every triple that uses x."""
    x, _, y = t
    for p, by_s in e.sp.items():
        # RULE eq-rep-s
        for o in by_s.get(x, ()):
            e.emit((y, p, o), "eq-rep-s", (t, (x, p, o)))
        # RULE eq-rep-o
        for s in e.po[p].get(x, ()):
            e.emit((s, p, y), "eq-rep-o", (t, (s, p, x)))
    # RULE eq-rep-p
    for s, o in e.pairs(x):
        e.emit((s, y, o), "eq-rep-p", (t, (s, x, o)))


def replace_in(e: Engine, t: Fact, same: dict[int, set[int]]) -> None:
    """eq-rep-s/p/o with ``t`` as the replaced triple (``same`` is the sameAs index)."""
    s, p, o = t
    for s2 in same.get(s, ()):
        if s2 != s:
            e.emit((s2, p, o), "eq-rep-s", ((s, v.SAME_AS, s2), t))
    for p2 in same.get(p, ()):
        if p2 != p:
            e.emit((s, p2, o), "eq-rep-p", ((p, v.SAME_AS, p2), t))
    for o2 in same.get(o, ()):
        if o2 != o:
            e.emit((s, p, o2), "eq-rep-o", ((o, v.SAME_AS, o2), t))


def _check_different(e: Engine, x: int, y: int) -> None:
    # RULE eq-diff1
    if (x, v.DIFFERENT_FROM, y) in e.facts or (y, v.DIFFERENT_FROM, x) in e.facts:
        e.inconsistent("eq-diff1", "{0} is both owl:sameAs and owl:differentFrom {1}", *sorted((x, y)))
    for head in e.heads_containing(x):
        for node in _all_different_nodes(e, head):
            if y in e.items(head):
                _diff23(e, node, x, y)


def on_different_from(e: Engine, t: Fact) -> None:
    """eq-diff1 with the differentFrom premise (reflexive sameAs is implicit: eq-ref)."""
    x, _, y = t
    # RULE eq-diff1
    if x == y or (x, v.SAME_AS, y) in e.facts or (y, v.SAME_AS, x) in e.facts:
        e.inconsistent("eq-diff1", "{0} is both owl:sameAs and owl:differentFrom {1}", *sorted((x, y)))


def _all_different_nodes(e: Engine, head: int) -> list[int]:
    nodes = list(e.subjects(v.MEMBERS, head)) + list(e.subjects(v.DISTINCT_MEMBERS, head))
    return [n for n in nodes if (n, v.TYPE, v.ALL_DIFFERENT) in e.facts]


def _diff23(e: Engine, node: int, x: int, y: int) -> None:
    # RULE eq-diff2
    # RULE eq-diff3
    e.inconsistent(
        "eq-diff2", "{1} and {2} are owl:sameAs but members of owl:AllDifferent {0}", node, *sorted((x, y))
    )


def on_all_different(e: Engine, node: int) -> None:
    """eq-diff2/eq-diff3 for every pair of members of an owl:AllDifferent node."""
    for pred in (v.MEMBERS, v.DISTINCT_MEMBERS):
        for head in e.objects(node, pred):
            members = e.items(head)
            for i, zi in enumerate(members):
                for zj in members[i + 1 :]:
                    if zi != zj and (zi, v.SAME_AS, zj) in e.facts:
                        _diff23(e, node, zi, zj)


def check_same_as_vocabulary(e: Engine) -> None:
    """Refuse axioms about owl:sameAs itself (they would need eq-ref materialised)."""
    if any(v.SAME_AS in by_s for by_s in e.sp.values()) or any(v.SAME_AS in by_o for by_o in e.po.values()):
        raise UnsupportedConstructError(
            "the input states axioms about owl:sameAs itself (it appears as a subject or object)",
            hint="itugraph does not reason over statements about the OWL vocabulary; "
            "remove them (see docs/reasoning.md)",
        )
