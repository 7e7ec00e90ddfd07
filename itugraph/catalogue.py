"""The named queries of ``queries/*.rq``: their headers, parameters and safe binding.

A header is a block of ``# key: value`` comment lines at the top of the file::

    # title: ITU's roles in the WSIS Action Lines
    # description: Which Action Lines does ITU lead-facilitate?
    # param: topic iri https://w3id.org/itugraph/id/policy-topic/cybersecurity
    # returns: actionLine, label, role
    # report: yes          (optional: `itugraph report` runs it as a section)

Parameters are bound as typed RDF terms through the engine's substitution mechanism
(SEP-0007), never spliced into the query text, so a value cannot change the query. The
engine binds only projected variables, so a parameterised SELECT lists each parameter in
its SELECT clause (or uses ``SELECT *``): every answer row then says what it answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

import pyoxigraph as ox

from itugraph.errors import InputError
from itugraph.namespaces import XSD

_HEADER = re.compile(r"^#\s*(?P<key>[a-z-]+)\s*:\s*(?P<value>.*?)\s*$")
PARAM_TYPES = ("iri", "string", "integer", "decimal", "boolean", "date")


@dataclass(frozen=True)
class Parameter:
    """One ``# param: NAME TYPE [DEFAULT]`` line."""

    name: str
    type: str
    default: str | None = None

    def bind(self, raw: str) -> ox.NamedNode | ox.Literal:
        """The typed term for a raw string value, or an :class:`InputError` saying why not."""
        try:
            converter: Callable[[str], ox.NamedNode | ox.Literal] = _CONVERTERS[self.type]
            return converter(raw)
        except (ValueError, InvalidOperation, SyntaxError):
            raise InputError(
                f"parameter {self.name!r} must be {_article(self.type)} {self.type}, got {raw!r}",
                hint=f"pass {self.name}=<{self.type}>",
            ) from None


@dataclass(frozen=True)
class NamedQuery:
    """A query of the catalogue: its name (file stem), header and text."""

    name: str
    path: Path
    text: str
    title: str
    description: str = ""
    returns: tuple[str, ...] = ()
    parameters: tuple[Parameter, ...] = field(default_factory=tuple)
    #: ``# report: yes``: ``itugraph report`` runs it as one of its sections.
    report: bool = False

    def bindings(self, raw: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Typed terms for the declared parameters: given values, else defaults.

        Unknown parameter names are ignored, like unknown HTTP query parameters.
        """
        bound: dict[str, ox.NamedNode | ox.Literal] = {}
        for param in self.parameters:
            value = raw.get(param.name, param.default)
            if value is not None and value != "":
                bound[param.name] = param.bind(value)
        return bound

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "returns": list(self.returns),
            "parameters": [{"name": p.name, "type": p.type, "default": p.default} for p in self.parameters],
            "query": self.text,
        }


def load_catalogue(folder: Path) -> dict[str, NamedQuery]:
    """Every ``*.rq`` under ``folder`` by name; a malformed header is an error naming the file."""
    if not folder.is_dir():
        return {}
    return {q.name: q for q in (parse_query_file(p) for p in sorted(folder.rglob("*.rq")))}


def parse_query_file(path: Path) -> NamedQuery:
    """Read one query file and its header."""
    text = path.read_text(encoding="utf-8")
    header: dict[str, list[str]] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        if match := _HEADER.match(line):
            header.setdefault(match["key"], []).append(match["value"])
    params = tuple(_parse_param(path, raw) for raw in header.get("param", []))
    return NamedQuery(
        name=path.stem,
        path=path,
        text=text,
        title=(header.get("title") or [path.stem])[0],
        description=" ".join(header.get("description", [])),
        returns=tuple(v.strip() for v in ",".join(header.get("returns", [])).split(",") if v.strip()),
        parameters=params,
        report=(header.get("report") or ["no"])[0].lower() in {"yes", "true"},
    )


def _parse_param(path: Path, raw: str) -> Parameter:
    parts = raw.split(None, 2)
    if len(parts) < 2 or parts[1] not in PARAM_TYPES:
        raise InputError(
            f"{path}: bad '# param: {raw}' header",
            hint=f"write '# param: NAME TYPE [DEFAULT]' with TYPE one of {', '.join(PARAM_TYPES)}",
        )
    return Parameter(parts[0], parts[1], parts[2] if len(parts) > 2 else None)


def _iri(raw: str) -> ox.NamedNode:
    if not re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:[^\s<>\"{}|^`\\]*$", raw):
        raise ValueError(raw)
    return ox.NamedNode(raw)


def _boolean(raw: str) -> ox.Literal:
    if raw.lower() not in {"true", "false"}:
        raise ValueError(raw)
    return ox.Literal(raw.lower(), datatype=ox.NamedNode(XSD + "boolean"))


_CONVERTERS: dict[str, Callable[[str], ox.NamedNode | ox.Literal]] = {
    "iri": _iri,
    "string": ox.Literal,
    "integer": lambda raw: ox.Literal(str(int(raw)), datatype=ox.NamedNode(XSD + "integer")),
    "decimal": lambda raw: ox.Literal(str(Decimal(raw)), datatype=ox.NamedNode(XSD + "decimal")),
    "boolean": _boolean,
    "date": lambda raw: ox.Literal(date.fromisoformat(raw).isoformat(), datatype=ox.NamedNode(XSD + "date")),
}


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"
