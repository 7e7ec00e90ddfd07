"""Why an inferred triple holds: term parsing and rendering around the reasoner's ``explain``.

The derivation tree itself comes from ``itugraph.reasoning`` (recorded while the closure
was computed and cached with the build); this module turns user input (``<iri>``,
``prefix:local`` or N-Triples literals) into terms and the tree into text or JSON.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import re
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph as ox

from itugraph.build import Build, build, load_rule_derivations
from itugraph.errors import InputError
from itugraph.load import Triple
from itugraph.namespaces import PREFIXES
from itugraph.project import Project
from itugraph.results import compact

if TYPE_CHECKING:
    from itugraph.reasoning import Derivations, Explanation

_PREFIXED = re.compile(r"^(?P<prefix>[A-Za-z][\w.-]*)?:(?P<local>[\w.\-/%]*)$")


def parse_term(text: str, *, position: str) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """A term from ``<iri>``, ``prefix:local``, a bare ``http(s)://`` IRI or an N-Triples literal."""
    text = text.strip()
    if text == "a" and position == "predicate":
        return ox.NamedNode(PREFIXES["rdf"] + "type")
    if (match := _PREFIXED.match(text)) and (match["prefix"] or "") in PREFIXES:
        return ox.NamedNode(PREFIXES[match["prefix"] or ""] + match["local"])
    if re.match(r"^https?://\S+$", text):
        text = f"<{text}>"
    try:
        parsed = list(ox.parse(f"<urn:s> <urn:p> {text} .", format=ox.RdfFormat.N_TRIPLES))
        term = parsed[0].object
        assert not isinstance(term, ox.Triple)
        return term
    except SyntaxError:
        known = ", ".join(PREFIXES)
        raise InputError(
            f"cannot read the {position} {text!r}",
            hint=f"write <http://…>, a prefixed name with one of: {known}, or an N-Triples literal",
        ) from None


def parse_triple(subject: str, predicate: str, obj: str) -> Triple:
    return (
        parse_term(subject, position="subject"),  # type: ignore[return-value]
        parse_term(predicate, position="predicate"),
        parse_term(obj, position="object"),
    )


def explain_triple(built: Build, triple: Triple) -> Explanation:
    """The derivation tree of ``triple`` in ``built`` (``.to_dict()`` is its stable JSON form).

    Triples a SHACL rule derived (``sh:rule``) are inputs of the reasoner, so its tree
    ends there: they are shown with the rule's name instead of as asserted.
    """
    from itugraph.reasoning import Explanation, explain

    by_rule = _rule_derivations(built.rule_derivations_path)
    key = (str(triple[0]), str(triple[1]), str(triple[2]))
    if key in by_rule:
        return Explanation(key, by_rule[key], asserted=False)
    return _mark_rule_leaves(explain(load_derivations(built.derivations_path), triple), by_rule)


def _mark_rule_leaves(tree: Explanation, by_rule: dict[tuple[str, str, str], str]) -> Explanation:
    premises = [_mark_rule_leaves(p, by_rule) for p in tree.premises]
    if tree.asserted and tree.triple in by_rule:
        return dataclasses.replace(tree, rule=by_rule[tree.triple], asserted=False, premises=premises)
    return dataclasses.replace(tree, premises=premises)


@functools.lru_cache(maxsize=2)
def _rule_derivations(path: Path) -> dict[tuple[str, str, str], str]:
    return load_rule_derivations(path)


@functools.lru_cache(maxsize=2)
def load_derivations(path: Path) -> Derivations:
    """The derivations of a build, read once per process (a build never changes)."""
    from itugraph.reasoning import Derivations

    if not path.exists():
        raise InputError(
            "this build has no derivations (it was made with the owlrl engine)",
            hint="run `itugraph build --engine native --force`",
        )
    return Derivations.load(path)


def render_text(tree: Explanation, depth: int = 0) -> str:
    """An indented tree: each inferred triple with its rule, asserted leaves marked."""
    triple = " ".join(_short(t) for t in tree.triple)
    mark = "asserted" if tree.asserted else f"by {tree.rule}"
    lines = [f"{'  ' * depth}{triple}   [{mark}]"]
    for premise in tree.premises:
        lines.append(render_text(premise, depth + 1).rstrip("\n"))
    return "\n".join(lines) + "\n"


def explain_command(project: Project, subject: str, predicate: str, obj: str, fmt: str) -> int:
    """The ``itugraph explain`` command body."""
    triple = parse_triple(subject, predicate, obj)
    tree = explain_triple(build(project, validate=False), triple)
    print(
        json.dumps(tree.to_dict(), indent=2, ensure_ascii=False) if fmt == "json" else render_text(tree),
        end="" if fmt != "json" else "\n",
    )
    return 0


def _short(term: str) -> str:
    if term.startswith("<") and term.endswith(">"):
        return compact(ox.NamedNode(term[1:-1]))
    return term
