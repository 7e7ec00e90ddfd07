"""The native OWL 2 RL engine: interned terms, hash indexes and an agenda of new triples.

Every term becomes an int and every triple a tuple of three ints. Triples live in one
set plus two nested indexes (predicate → subject → objects, predicate → object →
subjects). Evaluation is semi-naive in its agenda form: each triple is processed once,
when it is new, and every rule with a premise it matches joins it against the triples
already known. When the last premise of any rule instance arrives, the others are in
the indexes, so the fixpoint is complete without re-scanning the graph as owlrl does.

The rules themselves live in ``rules_*.py``; this module owns the data and the loop.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

import pyoxigraph as ox

from itugraph.errors import Inconsistency
from itugraph.reasoning import vocab as v

Fact = tuple[int, int, int]
Term = ox.NamedNode | ox.BlankNode | ox.Literal
#: How a fact was first derived: the rule id and the premise facts.
Derivation = tuple[str, tuple[Fact, ...]]
Handler = Callable[["Engine", Fact], None]


class PropertyProfile(NamedTuple):
    """The schema of one property, as the instance rules read it."""

    domains: tuple[int, ...]
    ranges: tuple[int, ...]
    supers: tuple[int, ...]
    equivalent_out: tuple[int, ...]
    equivalent_in: tuple[int, ...]
    inverse_out: tuple[int, ...]
    inverse_in: tuple[int, ...]
    characteristics: frozenset[int]
    disjoint: tuple[int, ...]
    restrictions: tuple[int, ...]
    negated: bool
    list_heads: tuple[int, ...]


class ClassProfile(NamedTuple):
    """The schema of one class, as the rules on ``x rdf:type C`` read it."""

    supers: tuple[int, ...]
    equivalent_out: tuple[int, ...]
    equivalent_in: tuple[int, ...]
    disjoint: tuple[int, ...]
    complement: tuple[int, ...]
    is_restriction: bool
    is_filler: bool
    is_intersection: bool
    in_lists: bool
    keys: tuple[int, ...]


_EMPTY: frozenset[int] = frozenset()


class Engine:
    """One closure computation: the facts, their indexes, derivations and inconsistencies."""

    def __init__(self) -> None:
        self.terms: list[Term] = []
        self.ids: dict[Term, int] = {}
        self.literals: set[int] = set()
        for iri in v.VOCAB:
            self.intern(ox.NamedNode(iri))
        self.facts: set[Fact] = set()
        self.sp: dict[int, dict[int, set[int]]] = {}
        self.po: dict[int, dict[int, set[int]]] = {}
        self.derivations: dict[Fact, Derivation] = {}
        self.watched: set[int] = set()
        self.agenda: list[Fact] = []
        self.pending: list[tuple[Fact, str, tuple[Fact, ...]]] = []
        self.errors: dict[tuple[str, tuple[int, ...]], Inconsistency] = {}
        self._heads: dict[int, list[int]] = {}
        self._first: dict[int, int] = {}
        self._rest: dict[int, int] = {}
        self._cells_of: dict[int, list[int]] = {}
        self._prev: dict[int, int] = {}
        #: Per-property and per-class views of the schema, rebuilt after a schema change.
        self.property_cache: dict[int, PropertyProfile] = {}
        self.class_cache: dict[int, ClassProfile] = {}

    # --- terms -------------------------------------------------------------------------

    def intern(self, term: Term) -> int:
        """The id of ``term``, allocating one the first time it is seen."""
        tid = self.ids.get(term)
        if tid is None:
            tid = self.ids[term] = len(self.terms)
            self.terms.append(term)
            if isinstance(term, ox.Literal):
                self.literals.add(tid)
        return tid

    def nt(self, tid: int) -> str:
        """N-Triples form of a term id (for messages and derivation files)."""
        return str(self.terms[tid])

    # --- facts and indexes ---------------------------------------------------------------

    def load(self, triples: Iterable[tuple[Term, Term, Term]]) -> None:
        """Insert the asserted triples (they have no derivation) and queue them."""
        intern = self.intern
        for s, p, o in triples:
            fact = (intern(s), intern(p), intern(o))
            if fact not in self.facts:
                self._insert(fact)
                self.agenda.append(fact)

    def _insert(self, fact: Fact) -> None:
        s, p, o = fact
        self.facts.add(fact)
        by_s = self.sp.get(p)
        if by_s is None:
            by_s = self.sp[p] = {}
            self.po[p] = {}
        objs = by_s.get(s)
        if objs is None:
            by_s[s] = {o}
        else:
            objs.add(o)
        subs = self.po[p].get(o)
        if subs is None:
            self.po[p][o] = {s}
        else:
            subs.add(s)
        if p in v.PROPERTY_AXIOMS:
            self.watched.add(s)
            self.watched.add(o)
            self.property_cache.pop(s, None)
            self.property_cache.pop(o, None)
        elif p == v.TYPE and o in v.CHARACTERISTICS:
            self.watched.add(s)
            self.property_cache.pop(s, None)
        if p in v.CLASS_AXIOMS:
            self.class_cache.pop(s, None)
            self.class_cache.pop(o, None)

    def emit(self, fact: Fact, rule: str, premises: tuple[Fact, ...]) -> None:
        """Queue a conclusion; it is added after the current rule finished iterating."""
        if fact not in self.facts:
            self.pending.append((fact, rule, premises))

    def _flush(self) -> None:
        pending, self.pending = self.pending, []
        for fact, rule, premises in pending:
            if fact in self.facts or fact[1] in self.literals:
                continue  # owlrl never stores a triple with a literal predicate either
            self._insert(fact)
            self.derivations[fact] = (rule, premises)
            self.agenda.append(fact)

    def objects(self, s: int, p: int) -> set[int] | frozenset[int]:
        by_s = self.sp.get(p)
        return by_s.get(s, _EMPTY) if by_s else _EMPTY

    def subjects(self, p: int, o: int) -> set[int] | frozenset[int]:
        by_o = self.po.get(p)
        return by_o.get(o, _EMPTY) if by_o else _EMPTY

    def pairs(self, p: int) -> Iterator[tuple[int, int]]:
        """All (subject, object) of predicate ``p``."""
        for s, objs in self.sp.get(p, {}).items():
            for o in objs:
                yield s, o

    # --- schema views -----------------------------------------------------------------------

    def property_profile(self, p: int) -> PropertyProfile:
        """What the schema says about property ``p`` (cached until it changes)."""
        prof = self.property_cache.get(p)
        if prof is None:
            prof = self.property_cache[p] = PropertyProfile(
                tuple(self.objects(p, v.DOMAIN)),
                tuple(self.objects(p, v.RANGE)),
                tuple(self.objects(p, v.SPO)),
                tuple(self.objects(p, v.EQP)),
                tuple(self.subjects(v.EQP, p)),
                tuple(self.objects(p, v.INVERSE_OF)),
                tuple(self.subjects(v.INVERSE_OF, p)),
                frozenset(self.objects(p, v.TYPE)) & v.CHARACTERISTICS,
                tuple(self.objects(p, v.PROPERTY_DISJOINT) | self.subjects(v.PROPERTY_DISJOINT, p)),
                tuple(self.subjects(v.ON_PROPERTY, p)),
                bool(self.subjects(v.ASSERTION_PROPERTY, p)),
                tuple(self.heads_containing(p)),
            )
        return prof

    def class_profile(self, c: int) -> ClassProfile:
        """What the schema says about class ``c`` (cached until it changes)."""
        prof = self.class_cache.get(c)
        if prof is None:
            prof = self.class_cache[c] = ClassProfile(
                tuple(d for d in self.objects(c, v.SCO) if d != c),
                tuple(d for d in self.objects(c, v.EQC) if d != c),
                tuple(d for d in self.subjects(v.EQC, c) if d != c),
                tuple(self.objects(c, v.DISJOINT_WITH) | self.subjects(v.DISJOINT_WITH, c)),
                tuple(self.objects(c, v.COMPLEMENT_OF) | self.subjects(v.COMPLEMENT_OF, c)),
                c in self.sp.get(v.ON_PROPERTY, ()),
                c in self.po.get(v.SOME_VALUES_FROM, ()) or c in self.po.get(v.ON_CLASS, ()),
                bool(self.objects(c, v.INTERSECTION_OF)),
                bool(self.heads_containing(c)),
                tuple(self.objects(c, v.HAS_KEY)),
            )
        return prof

    # --- lists ------------------------------------------------------------------------------

    def freeze_lists(self) -> None:
        """Snapshot the asserted ``rdf:first``/``rdf:rest`` triples: lists are syntax.

        owl:sameAs can later add ``cell rdf:first b`` next to ``cell rdf:first a``; such
        triples stay in the closure (owlrl derives them too) but rules keep reading each
        list as written, where owlrl would pick one of the values arbitrarily.
        """
        self._first = {s: next(iter(objs)) for s, objs in self.sp.get(v.FIRST, {}).items()}
        self._rest = {s: next(iter(objs)) for s, objs in self.sp.get(v.REST, {}).items()}
        self._cells_of = {}
        for cell, member in self._first.items():
            self._cells_of.setdefault(member, []).append(cell)
        self._prev = {nxt: cell for cell, nxt in self._rest.items()}

    def items(self, head: int) -> list[int]:
        """Members of the asserted RDF list at ``head`` (cycle-safe; stops at a broken cell)."""
        out: list[int] = []
        seen: set[int] = set()
        cell: int | None = head
        while cell is not None and cell != v.NIL and cell not in seen:
            seen.add(cell)
            first = self._first.get(cell)
            if first is None:
                break
            out.append(first)
            cell = self._rest.get(cell)
        return out

    def heads_containing(self, member: int) -> list[int]:
        """Heads of the asserted lists ``member`` is in (cached)."""
        heads = self._heads.get(member)
        if heads is None:
            heads = [self._head_of(cell) for cell in self._cells_of.get(member, ())]
            self._heads[member] = heads
        return heads

    def _head_of(self, cell: int) -> int:
        seen = {cell}
        while (before := self._prev.get(cell)) is not None and before not in seen:
            cell = before
            seen.add(cell)
        return cell

    # --- inconsistencies -----------------------------------------------------------------

    def inconsistent(self, rule: str, message: str, *resources: int) -> None:
        """Record an inconsistency once per rule and resources (messages in N-Triples)."""
        key = (rule, resources)
        if key not in self.errors:
            names = tuple(self.nt(r) for r in resources)
            self.errors[key] = Inconsistency(rule, message.format(*names), names)

    # --- the loop ------------------------------------------------------------------------

    def run(self, dispatch: Callable[[Engine, Fact], None]) -> None:
        """Process the agenda until no rule adds a fact (the fixpoint)."""
        self._flush()
        agenda = self.agenda
        i = 0
        while i < len(agenda):
            dispatch(self, agenda[i])
            i += 1
            if self.pending:
                self._flush()
        self.agenda = []
