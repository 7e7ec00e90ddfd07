"""The datatype rules (dt-type2, dt-not-type and owlrl's datatype subsumptions).

owlrl runs these once, over the asserted graph, before its cycles; so does the native
engine, reading owlrl's own tables (``owlrl.XsdDatatypes``, ``owlrl.AxiomaticTriples``,
``owlrl.DatatypeHandling``) so both engines agree on which literals are valid. Most of
what these rules add is junk (literal subjects, facts about XSD itself); they matter
because ``"5"^^xsd:integer rdf:type xsd:string`` (say, from ``rdfs:range``) then clashes
with the datatype disjointness (cax-dw), which is how owlrl reports ill-typed values.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import Any

import pyoxigraph as ox

from itugraph.reasoning import vocab as v
from itugraph.reasoning.engine import Engine, Fact

_XSD_STRING = v.XSD_NS + "string"
_RDF_LANG_STRING = v.RDF_NS + "langString"


@cache
def _tables() -> tuple[frozenset[str], dict[str, list[str]], list[tuple[str, str]], dict[str, Any]]:
    """owlrl's datatype tables as IRI strings (imported lazily: owlrl pulls in rdflib)."""
    from owlrl.AxiomaticTriples import OWLRL_Datatypes_Disjointness
    from owlrl.DatatypeHandling import AltXSDToPYTHON
    from owlrl.XsdDatatypes import OWL_Datatype_Subsumptions, OWL_RL_Datatypes

    datatypes = frozenset(str(d) for d in OWL_RL_Datatypes)
    subsumptions = {str(k): [str(d) for d in ds] for k, ds in OWL_Datatype_Subsumptions.items()}
    disjoint = [(str(a), str(b)) for a, _, b in OWLRL_Datatypes_Disjointness]
    converters = {str(k): f for k, f in AltXSDToPYTHON.items()}
    return datatypes, subsumptions, disjoint, converters


def typed_datatype(term: object) -> str | None:
    """The datatype IRI owlrl sees on a literal (None for simple and language strings)."""
    if not isinstance(term, ox.Literal) or term.language:
        return None
    iri = term.datatype.value
    return None if iri in (_XSD_STRING, _RDF_LANG_STRING) else iri


def literal_value(term: object) -> Any:
    """The Python value owlrl's converters give a literal (None when there is none)."""
    dt = typed_datatype(term)
    if dt is None:
        return None
    converter = _tables()[3].get(dt)
    assert isinstance(term, ox.Literal)
    try:
        return converter(term.value) if converter else None
    except ValueError:
        return None


def cardinality(term: object) -> int | None:
    """0 or 1 when ``term`` is a literal whose value equals it (as owlrl's ``x.value == n``)."""
    value = literal_value(term)
    if value is None or isinstance(value, bool):
        return None
    for n in (0, 1):
        try:
            if value == n:
                return n
        except TypeError:
            return None
    return None


def one_time(e: Engine, asserted: list[Fact]) -> None:
    """dt-type2, dt-not-type and the datatype subsumptions over the asserted facts."""
    datatypes, subsumptions, disjoint, _ = _tables()
    dt_ids = {e.intern(ox.NamedNode(d)): d for d in datatypes}
    used: set[int] = set()
    for lit, dt in _typed_literals(e, asserted, datatypes).items():
        used.add(dt)
        # RULE dt-type2
        e.emit((lit, v.TYPE, dt), "dt-type2", ())
        _check_lexical(e, lit, dt)
        used |= _subsume(e, lit, dt, subsumptions)
    for s, dts in _explicit(e, asserted, dt_ids).items():
        used |= dts
        for dt in dts:
            used |= _subsume(e, s, dt, subsumptions)
    for a, b in disjoint:
        ia, ib = e.intern(ox.NamedNode(a)), e.intern(ox.NamedNode(b))
        if ia in used and ib in used:
            e.emit((ia, v.DISJOINT_WITH, ib), "dt-diff", ())


def _typed_literals(e: Engine, asserted: list[Fact], datatypes: frozenset[str]) -> dict[int, int]:
    out: dict[int, int] = {}
    for _, _, o in asserted:
        if o in e.literals and o not in out:
            dt = typed_datatype(e.terms[o])
            if dt in datatypes:
                out[o] = e.intern(ox.NamedNode(dt))
    return out


def _explicit(e: Engine, asserted: list[Fact], dt_ids: dict[int, str]) -> dict[int, set[int]]:
    """Resources typed with a datatype, directly or through an asserted owl:sameAs."""
    explicit: dict[int, set[int]] = defaultdict(set)
    for s, p, o in asserted:
        if p == v.TYPE and o in dt_ids and s not in e.literals:
            explicit[s].add(o)
    for s, p, o in asserted:
        if p == v.SAME_AS and o in e.literals:
            dt = typed_datatype(e.terms[o])
            if dt in dt_ids.values():
                explicit[s].add(e.intern(ox.NamedNode(dt)))  # type: ignore[arg-type]
    return explicit


def _subsume(e: Engine, r: int, dt: int, subsumptions: dict[str, list[str]]) -> set[int]:
    added: set[int] = set()
    for sup in subsumptions.get(str(e.terms[dt].value), ()):
        sid = e.intern(ox.NamedNode(sup))
        e.emit((r, v.TYPE, sid), "dt-type2", ((r, v.TYPE, dt),))
        added.add(sid)
    return added


def _check_lexical(e: Engine, lit: int, dt: int) -> None:
    # RULE dt-not-type
    converter = _tables()[3].get(e.terms[dt].value)
    if converter is None:
        return
    try:
        converter(e.terms[lit].value)
    except ValueError:
        e.inconsistent("dt-not-type", "{0} is not a valid value of its datatype {1}", lit, dt)
