"""What the pyoxigraph store changes in the literals it holds, and how validation copes.

Oxigraph stores numeric, boolean and date literals as values (oxigraph/oxigraph#526): a
valid ``"4.0"^^xsd:decimal`` comes back as ``"4"^^xsd:decimal``, and every derived
integer type collapses into ``xsd:integer`` (``"1"^^xsd:byte`` → ``"1"^^xsd:integer``,
``"300"^^xsd:byte`` too). SHACL compares RDF terms, so the SPARQL engine must know:

* which stored literal stands for which literal of the data, to report the data's term
  (the report of ``sh:targetNode 4.0`` names ``4.0``, not ``4``);
* which datatypes the store rewrites into another, so that ``sh:datatype`` on them (or on
  the type they become) is left to pyshacl, which sees the data's terms.

Both come from one round trip of the data's distinct typed literals through a scratch
store (0.3 s for the ITU graph's 1,900); a data graph of canonical literals changes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from itugraph.load import Triple

_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@dataclass(frozen=True)
class StoredLiterals:
    """The literals the store holds differently from the data."""

    #: Stored literal → the data's literal it stands for, when exactly one does.
    originals: dict[ox.Literal, ox.Literal] = field(default_factory=dict)
    #: Datatype IRIs the store turns into another, and the ones they become.
    rewritten_datatypes: frozenset[str] = frozenset()


def stored_literals(triples: Iterable[Triple], constants: Iterable[ox.Literal] = ()) -> StoredLiterals:
    """How the store changes the typed literals of ``triples`` and the shapes' ``constants``
    (``sh:targetNode`` values, written into the store too); see the module docstring."""
    literals = list(
        {
            o
            for o in [*(o for _s, _p, o in triples), *constants]
            if isinstance(o, ox.Literal) and not o.language and o.datatype.value != _XSD_STRING
        }
    )
    if not literals:
        return StoredLiterals()
    scratch = ox.Store()
    predicate = ox.NamedNode("urn:itugraph:validation:literal")
    scratch.bulk_extend(
        ox.Quad(ox.NamedNode(f"urn:itugraph:validation:literal:{i}"), predicate, literal)
        for i, literal in enumerate(literals)
    )
    stands_for: dict[ox.Literal, set[ox.Literal]] = defaultdict(set)
    kept: set[ox.Literal] = set()
    datatypes: set[str] = set()
    for quad in scratch:
        original = literals[int(quad.subject.value.rsplit(":", 1)[-1])]
        stored = quad.object
        assert isinstance(stored, ox.Literal)
        if stored == original:
            kept.add(stored)
            continue
        stands_for[stored].add(original)
        if stored.datatype != original.datatype:
            datatypes |= {stored.datatype.value, original.datatype.value}
    originals = {
        stored: next(iter(found))
        for stored, found in stands_for.items()
        if len(found) == 1 and stored not in kept
    }
    return StoredLiterals(originals, frozenset(datatypes))
