"""First derivations of inferred triples: kept compact, saved and loaded fast, explained.

A :class:`Derivations` holds, for every derived fact, the rule that first produced it and
its premise facts, down to asserted facts (which have no rule). Terms are kept as
N-Triples strings and facts as int arrays, so the file is a small header plus raw
arrays: loading it is a few ``array.frombytes`` calls, and the term and fact lookup
tables are only built when ``explain`` or ``in`` first needs them.
"""

from __future__ import annotations

import json
import os
import tempfile
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from itugraph.reasoning.engine import Engine, Fact
from itugraph.reasoning.errors import DerivationsFileError, NotInferredError

MAGIC = b"ITUGRAPH-DERIVATIONS 1\n"
_ARRAYS = ("facts", "rule", "inferred", "start", "premises")


@dataclass
class Derivations:
    """Why each inferred triple holds (first derivation only), by fact index.

    ``facts`` is flat (s, p, o term indexes); ``rule[i]`` indexes ``rules`` or is -1 for
    an asserted fact; the premises of fact i are ``premises[start[i]:start[i + 1]]``.
    """

    terms: list[str]
    rules: list[str]
    facts: array = field(default_factory=lambda: array("i"))
    rule: array = field(default_factory=lambda: array("h"))
    inferred: array = field(default_factory=lambda: array("b"))
    start: array = field(default_factory=lambda: array("q", [0]))
    premises: array = field(default_factory=lambda: array("i"))
    _term_ids: dict[str, int] | None = None
    _fact_ids: dict[tuple[int, int, int], int] | None = None

    # --- building ---------------------------------------------------------------------------

    @classmethod
    def from_engine(cls, e: Engine, inferred: set[Fact]) -> Derivations:
        """Every derived fact with its first derivation, plus the asserted premises.

        Term indexes are the engine's own ids, so no remapping pass is needed; asserted
        facts get an index the first time they appear as a premise.
        """
        derived = list(e.derivations)
        index = {fact: i for i, fact in enumerate(derived)}
        order = list(derived)

        def at(fact: Fact) -> int:
            i = index.get(fact)
            if i is None:
                i = index[fact] = len(order)
                order.append(fact)
            return i

        rule_index: dict[str, int] = {}
        rules = array("h", [rule_index.setdefault(d[0], len(rule_index)) for d in e.derivations.values()])
        starts = array("q", [0])
        premises = array("i")
        for _, prem in e.derivations.values():
            premises.extend([at(p) for p in prem])
            starts.append(len(premises))
        extra = len(order) - len(derived)
        rules.extend([-1] * extra)
        starts.extend([len(premises)] * extra)
        return cls(
            terms=[str(t) for t in e.terms],
            rules=sorted(rule_index, key=rule_index.__getitem__),
            facts=array("i", [tid for fact in order for tid in fact]),
            rule=rules,
            inferred=array("b", [fact in inferred for fact in order]),
            start=starts,
            premises=premises,
        )

    # --- files --------------------------------------------------------------------------------

    def save(self, path: Path | str) -> None:
        """Write atomically (temp file + rename): an interrupted build leaves no half file."""
        path = Path(path)
        header = {
            "rules": self.rules,
            "terms": len(self.terms),
            "lengths": {name: len(getattr(self, name)) for name in _ARRAYS},
        }
        head = json.dumps(header).encode()
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(MAGIC + len(head).to_bytes(8, "little") + head)
                terms = "\n".join(self.terms).encode()
                out.write(len(terms).to_bytes(8, "little") + terms)
                for name in _ARRAYS:
                    out.write(getattr(self, name).tobytes())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    @classmethod
    def load(cls, path: Path | str) -> Derivations:
        """Read a file written by :meth:`save` (raises DerivationsFileError if unusable)."""
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise DerivationsFileError(f"{path}: cannot read derivations: {exc}") from None
        if not data.startswith(MAGIC):
            raise DerivationsFileError(
                f"{path}: not a derivations file of this version", hint="rebuild with `itugraph build`"
            )
        try:
            return cls._parse(data, len(MAGIC))
        except (ValueError, KeyError, EOFError) as exc:
            raise DerivationsFileError(
                f"{path}: truncated derivations file ({exc})", hint="rebuild with `itugraph build`"
            ) from None

    @classmethod
    def _parse(cls, data: bytes, pos: int) -> Derivations:
        size = int.from_bytes(data[pos : pos + 8], "little")
        header = json.loads(data[pos + 8 : pos + 8 + size])
        pos += 8 + size
        size = int.from_bytes(data[pos : pos + 8], "little")
        text = data[pos + 8 : pos + 8 + size].decode()
        terms = text.split("\n") if text else []
        pos += 8 + size
        out = cls(terms=terms, rules=header["rules"])
        for name in _ARRAYS:
            arr = getattr(out, name)
            del arr[:]
            end = pos + header["lengths"][name] * arr.itemsize
            if end > len(data):
                raise EOFError(name)
            arr.frombytes(data[pos:end])
            pos = end
        if len(terms) != header["terms"]:
            raise ValueError("term count")
        return out

    # --- lookups ------------------------------------------------------------------------------

    def __len__(self) -> int:
        return sum(self.inferred)

    def __contains__(self, triple: object) -> bool:
        """Whether ``triple`` (pyoxigraph terms) is an inferred-only triple recorded here."""
        index = self.index_of(triple)
        return index is not None and bool(self.inferred[index])

    def index_of(self, triple: object) -> int | None:
        """The fact index of ``triple`` (terms or N-Triples strings), if recorded."""
        if self._term_ids is None:
            self._term_ids = {t: i for i, t in enumerate(self.terms)}
        try:
            key = tuple(self._term_ids[str(term)] for term in triple)  # type: ignore[attr-defined]
        except (KeyError, TypeError):
            return None
        if self._fact_ids is None:
            f = self.facts
            self._fact_ids = {(f[i], f[i + 1], f[i + 2]): i // 3 for i in range(0, len(f), 3)}
        return self._fact_ids.get(key)  # type: ignore[arg-type]

    def triple_at(self, index: int) -> tuple[str, str, str]:
        f = self.facts
        return (self.terms[f[3 * index]], self.terms[f[3 * index + 1]], self.terms[f[3 * index + 2]])

    def derivation_at(self, index: int) -> tuple[str | None, list[int]]:
        """(rule id or None for an asserted fact, premise fact indexes)."""
        rule = self.rule[index]
        premises = list(self.premises[self.start[index] : self.start[index + 1]])
        return (None if rule < 0 else self.rules[rule]), premises


@dataclass
class Explanation:
    """A derivation tree: a triple, the rule that gave it, and the trees of its premises."""

    triple: tuple[str, str, str]
    rule: str | None
    asserted: bool
    premises: list[Explanation] = field(default_factory=list)
    cycle: bool = False

    def to_dict(self) -> dict[str, object]:
        """Stable JSON form: ``{"triple": [s, p, o], "rule", "asserted", "premises"}``."""
        out: dict[str, object] = {
            "triple": list(self.triple),
            "rule": self.rule,
            "asserted": self.asserted,
            "premises": [p.to_dict() for p in self.premises],
        }
        if self.cycle:
            out["cycle"] = True
        return out

    def rules(self) -> set[str]:
        """Every rule used anywhere in the tree (handy in tests and summaries)."""
        found = {self.rule} if self.rule else set()
        for premise in self.premises:
            found |= premise.rules()
        return found


def explain(derivations: Derivations, triple: object) -> Explanation:
    """The derivation tree of an inferred triple, down to asserted triples.

    Raises :class:`NotInferredError` when ``triple`` is not an inferred-only triple.
    """
    index = derivations.index_of(triple)
    if index is None or not derivations.inferred[index]:
        shown = " ".join(str(t) for t in triple)  # type: ignore[attr-defined]
        raise NotInferredError(
            f"{shown} is not an inferred triple",
            hint="it is asserted, junk, or does not follow from the graph",
        )
    return _tree(derivations, index, frozenset())


def _tree(d: Derivations, index: int, path: frozenset[int]) -> Explanation:
    rule, premises = d.derivation_at(index)
    node = Explanation(d.triple_at(index), rule, rule is None)
    if index in path:
        node.cycle = True  # cannot happen with first derivations; kept as a guard
        return node
    inner = path | {index}
    node.premises = [_tree(d, p, inner) for p in premises]
    return node
