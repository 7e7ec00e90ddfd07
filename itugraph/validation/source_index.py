"""Where each subject is defined: file and line, for reports people can act on.

rdflib and pyoxigraph drop source positions once triples are parsed, but a validation
message is only useful if it says ``graph/wsis.ttl:42``. So we re-read the Turtle
(and N-Triples, TriG, which share its lexical grammar) with a small tokenizer that
knows just enough: ``@prefix``/``PREFIX``, ``@base``/``BASE``, prefixed names, IRIs,
strings (including multi-line ones) and comments, and the ``.``/``;``/``,``/``[]``
structure. The parser has already accepted these files, so the tokenizer can be lenient.

A subject may be described in several files; the location we report is the first
block that gives it a type (``a`` or ``rdf:type``), which is where a reader expects
the resource to be "defined", else its first occurrence.

>>> import tempfile, pathlib
>>> f = pathlib.Path(tempfile.mkdtemp()) / "x.ttl"
>>> _ = f.write_text('@prefix ex: <http://ex.org/> .\\n# ex:no a ex:C .\\nex:a a ex:C .\\n')
>>> SourceIndex.build([f]).locate("http://ex.org/a").line
3
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin

from itugraph.errors import SourceLocation
from itugraph.namespaces import RDF

#: The suffixes whose files share the Turtle lexical grammar (JSON-LD, RDF/XML are not indexed).
INDEXED_SUFFIXES = frozenset({".ttl", ".turtle", ".nt", ".trig"})

RDF_TYPE = RDF + "type"

_PN_CHARS_BASE = (
    "A-Za-z\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u02ff\u0370-\u037d\u037f-\u1fff\u200c-\u200d"
    "\u2070-\u218f\u2c00-\u2fef\u3001-\ud7ff\uf900-\ufdcf\ufdf0-\ufffd"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00b7\u0300-\u036f\u203f-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_PN_PREFIX = f"[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*[{_PN_CHARS}])?"
_PN_LOCAL = f"(?:[{_PN_CHARS_U}:0-9]|{_PLX})(?:(?:[{_PN_CHARS}.:]|{_PLX})*(?:[{_PN_CHARS}:]|{_PLX}))?"

_TOKEN = re.compile(
    "|".join(
        [
            r"(?P<ws>\s+)",
            r"(?P<comment>#[^\n\r]*)",
            r'(?P<long>"""(?:(?:"|"")?(?:[^"\\]|\\.))*"""' + r"|'''(?:(?:'|'')?(?:[^'\\]|\\.))*''')",
            r'(?P<string>"(?:[^"\\\n\r]|\\.)*"' + r"|'(?:[^'\\\n\r]|\\.)*')",
            r"(?P<iri><(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)",
            r"(?P<at>@[A-Za-z]+(?:-[A-Za-z0-9]+)*)",
            r"(?P<bnode>_:[^\s.;,\[\]()<>\"']+(?:\.[^\s.;,\[\]()<>\"']+)*)",
            f"(?P<pname>(?:{_PN_PREFIX})?:(?:{_PN_LOCAL})?)",
            r"(?P<number>[+-]?(?:\d+\.\d*[eE][+-]?\d+|\.?\d+[eE][+-]?\d+|\d*\.\d+|\d+))",
            r"(?P<word>[A-Za-z][A-Za-z0-9_-]*)",
            r"(?P<punct>\^\^|[.;,\[\]()\{\}])",
            r"(?P<other>.)",
        ]
    ),
    re.DOTALL,
)

_ESCAPED_LOCAL = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")
_UCHAR = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")


@dataclass(frozen=True)
class Token:
    """One lexical token: its kind (the regex group name), its text and its 1-based line."""

    kind: str
    text: str
    line: int


@dataclass(frozen=True)
class Occurrence:
    """A subject at the head of a statement: its IRI, line, and whether the block types it."""

    iri: str
    line: int
    typed: bool


def tokenize(text: str) -> Iterator[Token]:
    """Tokens of Turtle-family ``text``, without whitespace and comments, with their lines."""
    line = 1
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        value = match.group()
        if kind not in ("ws", "comment"):
            yield Token(kind, value, line)
        line += value.count("\n")


@dataclass
class _Parser:
    """A lenient statement-level reader that records subject occurrences.

    It tracks only what decides whether a token heads a statement: directives, the
    ``.`` that ends a statement, bracket depth (``[]``/``()`` never hold a subject
    we index) and TriG graph blocks. A subject candidate is kept ``pending`` for one
    token because ``<g> {`` names a graph rather than a subject.
    """

    base: str
    prefixes: dict[str, str] = field(default_factory=dict)
    found: list[Occurrence] = field(default_factory=list)
    depth: int = 0
    at_subject: bool = True
    expect_predicate: bool = False
    pending: Occurrence | None = None
    directive: list[Token] | None = None

    def feed(self, tokens: Iterable[Token]) -> list[Occurrence]:
        for token in tokens:
            self._step(token)
        self._commit()
        return self.found

    def _step(self, token: Token) -> None:
        if self.directive is not None:
            self._directive_token(token)
        elif self._starts_directive(token):
            self.directive = [token]
        elif token.kind == "punct" and token.text in "{}":
            self.pending = None
            self._new_statement()
        elif token.kind == "word" and token.text.upper() == "GRAPH" and self.at_subject:
            return
        else:
            self._commit()
            self._structure(token)

    def _structure(self, token: Token) -> None:
        if token.kind == "punct" and token.text in "[(":
            self.depth += 1
            self.at_subject = False
        elif token.kind == "punct" and token.text in "])":
            self.depth = max(0, self.depth - 1)
        elif self.depth:
            return
        elif token.kind == "punct" and token.text == ".":
            self._new_statement()
        elif token.kind == "punct" and token.text == ";":
            self.expect_predicate = True
        elif self.at_subject and token.kind in ("iri", "pname"):
            self._subject(token)
        elif self.expect_predicate:
            self._predicate(token)

    def _subject(self, token: Token) -> None:
        iri = self.resolve(token)
        self.at_subject = False
        self.expect_predicate = True
        if iri is not None:
            self.pending = Occurrence(iri, token.line, typed=False)

    def _commit(self) -> None:
        """Record the pending subject once the next token shows it heads a statement."""
        if self.pending is not None:
            self.found.append(self.pending)
            self.pending = None

    def _predicate(self, token: Token) -> None:
        self.expect_predicate = False
        is_type = (token.kind == "word" and token.text == "a") or (
            token.kind in ("iri", "pname") and self.resolve(token) == RDF_TYPE
        )
        if is_type and self.found:
            last = self.found[-1]
            self.found[-1] = Occurrence(last.iri, last.line, typed=True)

    def _new_statement(self) -> None:
        self.at_subject = True
        self.expect_predicate = False
        self.depth = 0

    def _starts_directive(self, token: Token) -> bool:
        if token.kind == "at":
            return token.text in ("@prefix", "@base")
        return token.kind == "word" and token.text.upper() in ("PREFIX", "BASE") and self.at_subject

    def _directive_token(self, token: Token) -> None:
        assert self.directive is not None
        self.directive.append(token)
        if token.kind != "iri":
            return
        keyword = self.directive[0].text.lstrip("@").upper()
        iri = urljoin(self.base, _unescape_iri(token.text[1:-1]))
        if keyword == "BASE":
            self.base = iri
        elif len(self.directive) >= 3 and self.directive[1].kind == "pname":
            self.prefixes[self.directive[1].text[:-1]] = iri
        self.directive = None
        self._new_statement()

    def resolve(self, token: Token) -> str | None:
        """The absolute IRI of an IRI or prefixed-name token (None for an unknown prefix)."""
        if token.kind == "iri":
            return urljoin(self.base, _unescape_iri(token.text[1:-1]))
        prefix, _, local = token.text.partition(":")
        namespace = self.prefixes.get(prefix)
        if namespace is None:
            return None
        return namespace + _ESCAPED_LOCAL.sub(r"\1", local)


def _unescape_iri(text: str) -> str:
    return _UCHAR.sub(lambda m: chr(int(m.group(1) or m.group(2), 16)), text)


def subject_occurrences(path: Path) -> list[Occurrence]:
    """Every statement subject of a Turtle/N-Triples/TriG file, in order, with lines."""
    text = path.read_text(encoding="utf-8", errors="replace")
    return _Parser(base=path.resolve().as_uri()).feed(tokenize(text))


@dataclass
class SourceIndex:
    """IRI → where it is defined, over a list of files (earlier files win ties)."""

    locations: dict[str, SourceLocation] = field(default_factory=dict)

    @classmethod
    def build(cls, paths: Iterable[Path]) -> SourceIndex:
        """Index the subjects of every Turtle-family file in ``paths`` (others are skipped)."""
        typed: dict[str, SourceLocation] = {}
        first: dict[str, SourceLocation] = {}
        for path in paths:
            if path.suffix.lower() not in INDEXED_SUFFIXES or not path.is_file():
                continue
            for occ in subject_occurrences(path):
                first.setdefault(occ.iri, SourceLocation(path, occ.line))
                if occ.typed:
                    typed.setdefault(occ.iri, SourceLocation(path, occ.line))
        return cls({**first, **typed})

    def locate(self, iri: str) -> SourceLocation | None:
        """Where ``iri`` is defined, or None (blank nodes, JSON-LD files, unknown IRIs)."""
        return self.locations.get(iri)

    def __len__(self) -> int:
        return len(self.locations)
