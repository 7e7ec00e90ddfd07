"""The one SPARQL lexer of itugraph, and every operation that reads query text by tokens.

The engine (pyoxigraph) would execute ``SERVICE <url>`` by fetching the URL, and it
reports an update sent to the query parser only as a syntax error. Both need a
decision of ours first; the query page binds parameters in the WHERE group; the SHACL
engine puts a focus pattern first in a constraint's WHERE group and pre-binds ``$this``.
All of that reads the text through the lexer below, which skips comments, strings,
IRIs and prefixed names (a keyword or a brace inside them must not count).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import urljoin

from itugraph.errors import QueryTooDeepError, ServiceRefusedError, UpdateRefusedError

#: How deep ``{…}``, ``(…)`` and ``[…]`` may nest in a query (``ITUGRAPH_MAX_QUERY_DEPTH`` on
#: the server). pyoxigraph's parser recurses: it crashes the process (a stack overflow) from
#: about 3,000 levels, and nested collections take it 1.7 s at 100 levels, 48 s at 300.
MAX_QUERY_DEPTH = 64
_OPENING, _CLOSING = frozenset("{(["), frozenset("})]")

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<pname>(?:[A-Za-z_][\w.-]*)?:[^\s{}()<>,;"\'\[\]]*)
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)

_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})


class Token(NamedTuple):
    """One lexical token: its kind (``word``, ``var``, ``iri``, ``pname``, ``string``,
    ``other``), its text and its offset in the query."""

    kind: str
    text: str
    start: int


def tokens(text: str) -> list[Token]:
    """The tokens of ``text``, comments dropped.

    >>> [t.text for t in tokens('SELECT * { ?s <http://x/#SERVICE> "SERVICE" } # SERVICE')]
    ['SELECT', '*', '{', '?s', '<http://x/#SERVICE>', '"SERVICE"', '}']
    >>> [t.kind for t in tokens("?s ex:where _:b :x")]
    ['var', 'pname', 'pname', 'pname']
    """
    found: list[Token] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind != "comment":
            found.append(Token(kind, match.group(), match.start()))
    return found


class QueryText:
    """A query's text lexed once: every check below reads the same token list.

    The endpoint needs four facts per request (update? SERVICE endpoints? query form?
    cache key?); lexing once instead of four times is measurable on cheap queries.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokens(text)

    @functools.cached_property
    def form(self) -> str | None:
        """The query form keyword (select/ask/construct/describe), or None."""
        for kind, value, _ in self.tokens:
            if kind == "word" and value.upper() in _QUERY_FORMS:
                return value.lower()
        return None

    @functools.cached_property
    def is_update(self) -> bool:
        """Whether an update keyword comes before any query form keyword."""
        for kind, value, _ in self.tokens:
            word = value.upper()
            if kind == "word" and word in _QUERY_FORMS:
                return False
            if kind == "word" and word in _UPDATE_KEYWORDS:
                return True
        return False

    @functools.cached_property
    def service_iris(self) -> list[str | None]:
        """The endpoint of every ``SERVICE`` clause (``None`` when it is a variable)."""
        toks = self.tokens
        found: list[str | None] = []
        for index, (kind, value, _) in enumerate(toks):
            if kind != "word" or value.upper() != "SERVICE":
                continue
            rest = toks[index + 1 : index + 3]
            if rest and rest[0].kind == "word" and rest[0].text.upper() == "SILENT":
                rest = rest[1:]
            target = rest[0] if rest else Token("other", "", 0)
            found.append(target.text[1:-1] if target.kind == "iri" else None)
        return found

    @functools.cached_property
    def has_dataset(self) -> bool:
        """Whether the query names its dataset (``FROM`` / ``FROM NAMED``).

        >>> QueryText("SELECT * FROM <http://e/g> { ?s ?p ?o }").has_dataset
        True
        >>> QueryText("PREFIX ex: <http://e/> SELECT * { ?s ex:FROM 'FROM' }").has_dataset
        False
        """
        return any(kind == "word" and value.upper() == "FROM" for kind, value, _ in self.tokens)

    @functools.cached_property
    def depth(self) -> int:
        """How deep brackets nest, outside strings, IRIs and comments.

        >>> QueryText("SELECT * { ?s ?p ?o FILTER((1) = '((((') }").depth
        3
        """
        deepest = level = 0
        for kind, value, _ in self.tokens:
            if kind == "other" and value in _OPENING:
                level += 1
                deepest = max(deepest, level)
            elif kind == "other" and value in _CLOSING:
                level -= 1
        return deepest

    @functools.cached_property
    def normalised(self) -> str:
        """Comments dropped and whitespace collapsed (a result-cache key)."""
        return " ".join(token.text for token in self.tokens)


def is_update(text: str) -> bool:
    """Whether ``text`` is a SPARQL Update request rather than a query.

    >>> is_update("PREFIX ex: <http://e/> INSERT DATA { ex:a ex:b ex:c }")
    True
    >>> is_update("SELECT * { ?s ?p 'DELETE' }")
    False
    """
    return QueryText(text).is_update


def service_iris(text: str) -> list[str | None]:
    """The endpoint of every ``SERVICE`` clause (``None`` when it is a variable).

    >>> service_iris("SELECT * { SERVICE SILENT <http://a/> { ?s ?p ?o } }")
    ['http://a/']
    """
    return QueryText(text).service_iris


def check_query_text(
    query: str | QueryText,
    *,
    service_allow: frozenset[str] = frozenset(),
    max_depth: int = MAX_QUERY_DEPTH,
) -> None:
    """Refuse updates, SERVICE calls outside ``service_allow`` and brackets nested deeper
    than ``max_depth`` (0: no limit) before execution."""
    lexed = query if isinstance(query, QueryText) else QueryText(query)
    if max_depth and lexed.depth > max_depth:
        raise QueryTooDeepError(
            f"the query nests brackets {lexed.depth} levels deep; the limit is {max_depth}",
            hint="flatten the query (UNION, VALUES or a sequence instead of nesting), or ask the "
            "operator to raise ITUGRAPH_MAX_QUERY_DEPTH",
        )
    if lexed.is_update:
        raise UpdateRefusedError(
            "SPARQL Update is not accepted: this endpoint is read-only",
            hint="send a SELECT, ASK, CONSTRUCT or DESCRIBE query",
        )
    for iri in lexed.service_iris:
        if iri is None or iri not in service_allow:
            shown = f"<{iri}>" if iri else "a variable endpoint"
            raise ServiceRefusedError(
                f"SERVICE {shown} is not allowed: federated queries are off on this server",
                hint="query without SERVICE, or ask the operator to add the endpoint to "
                "ITUGRAPH_SERVICE_ALLOW",
            )


def query_form(text: str) -> str | None:
    """The query form keyword (select/ask/construct/describe), or None if there is none.

    >>> query_form("PREFIX ex: <http://e/> CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    'construct'
    """
    return QueryText(text).form


def where_brace(text: str) -> int | None:
    """The offset of the ``{`` that opens a query's WHERE group, or None if not found.

    >>> where_brace('PREFIX ex: <http://e.org/#> SELECT * { ?s ex:where "WHERE {" }')
    37
    >>> where_brace("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }")
    29
    >>> where_brace("CONSTRUCT { ?s ?p ?o } { ?s ?p ?o }")
    23
    >>> where_brace("SELECT * WHERE { { SELECT ?x WHERE { ?x ?p ?o } } }")
    15
    """
    depth = 0
    form: str | None = None
    after_where = False
    top_groups: list[int] = []
    for kind, value, start in tokens(text):
        if kind == "word" and depth == 0:
            word = value.upper()
            if form is None and word not in {"PREFIX", "BASE"}:
                form = word
            after_where = word == "WHERE"
        elif value == "{" and kind == "other":
            if depth == 0:
                if after_where:
                    return start
                top_groups.append(start)
            depth += 1
        elif value == "}" and kind == "other":
            depth = max(0, depth - 1)
    # Without the WHERE keyword: CONSTRUCT's group follows its template; others come first.
    index = 1 if form == "CONSTRUCT" else 0
    return top_groups[index] if len(top_groups) > index else None


#: A prefixed name's local part may escape these characters with a backslash (PN_LOCAL_ESC).
_LOCAL_ESCAPE = re.compile(r"\\([_~.\-!$&'()*+,;=/?#@%])")


def rename_iris(text: str, renames: Mapping[str, str]) -> str:
    """``text`` with every IRI term that names a key of ``renames`` written as ``<value>``,
    however the query writes it: in full, relative to its ``BASE``, or as a prefixed name
    (``g:asserted`` after ``PREFIX g: <…/graph/>``). The ``PREFIX``/``BASE`` declarations
    stay as written, and strings and comments are never touched.

    >>> q = "PREFIX g: <http://e/> SELECT * FROM g:a { GRAPH <http://e/a> { ?s ?p 'g:a' } }"
    >>> rename_iris(q, {"http://e/a": "http://e/a/v/1"})
    "PREFIX g: <http://e/> SELECT * FROM <http://e/a/v/1> { GRAPH <http://e/a/v/1> { ?s ?p 'g:a' } }"
    >>> rename_iris("BASE <http://e/> PREFIX : <> ASK { GRAPH :a {} GRAPH <a> {} }", {"http://e/a": "x:b"})
    'BASE <http://e/> PREFIX : <> ASK { GRAPH <x:b> {} GRAPH <x:b> {} }'
    """
    lexed = tokens(text)
    prefixes: dict[str, str] = {}
    base = ""
    parts: list[str] = []
    done = 0
    skip = 0  # tokens of a PREFIX or BASE declaration still to pass
    for index, token in enumerate(lexed):
        if skip:
            skip -= 1
            continue
        word = token.text.upper() if token.kind == "word" else ""
        if word == "PREFIX" and _declares(lexed, index, ("pname", "iri")):
            name, iri = lexed[index + 1].text, lexed[index + 2].text
            prefixes[name[:-1]] = urljoin(base, iri[1:-1])
            skip = 2
            continue
        if word == "BASE" and _declares(lexed, index, ("iri",)):
            base = urljoin(base, lexed[index + 1].text[1:-1])
            skip = 1
            continue
        named, length = _iri_of(token, prefixes, base)
        if named is not None and named in renames:
            parts += [text[done : token.start], f"<{renames[named]}>"]
            done = token.start + length
    return "".join(parts) + text[done:]


def _declares(lexed: list[Token], index: int, kinds: tuple[str, ...]) -> bool:
    """Whether the tokens after ``index`` are of ``kinds`` (a declaration's name and IRI)."""
    following = lexed[index + 1 : index + 1 + len(kinds)]
    if [t.kind for t in following] != list(kinds):
        return False
    return kinds[0] != "pname" or following[0].text.endswith(":")


def _iri_of(token: Token, prefixes: Mapping[str, str], base: str) -> tuple[str | None, int]:
    """The absolute IRI a token writes and how many of its characters do (a prefixed name
    the lexer read with the ``.`` that ends a triple: the dot is no part of the name)."""
    if token.kind == "iri":
        return urljoin(base, token.text[1:-1]), len(token.text)
    if token.kind != "pname":
        return None, 0
    name = token.text.rstrip(".")
    prefix, _, local = name.partition(":")
    if prefix not in prefixes:
        return None, 0
    return prefixes[prefix] + _LOCAL_ESCAPE.sub(r"\1", local), len(name)


def _insert_after(text: str, token: Token, pattern: str) -> str:
    at = token.start + 1
    return f"{text[:at]} {pattern} {text[at:]}"


def inject(select: str, pattern: str) -> str:
    """``select`` with ``pattern`` as the first element of its outer WHERE group.

    The outer group is the first ``{`` outside parentheses (projection expressions may
    hold ``EXISTS { … }``).

    >>> inject("SELECT (EXISTS { ?a ?b ?c } AS ?e) WHERE { ?s ?p ?o }", "?s a ?t .")
    'SELECT (EXISTS { ?a ?b ?c } AS ?e) WHERE { ?s a ?t .  ?s ?p ?o }'
    """
    depth = 0
    for token in tokens(select):
        if token.kind != "other":
            continue
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.text == "{" and depth == 0:
            return _insert_after(select, token, pattern)
    raise ValueError("no WHERE group found")


def inject_where(construct: str, pattern: str) -> str:
    """``construct`` with ``pattern`` first in its WHERE group (the group after the template).

    >>> inject_where("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "?s a ?t .")
    'CONSTRUCT { ?s ?p ?o } WHERE { ?s a ?t .  ?s ?p ?o }'
    """
    depth = 0
    groups = 0
    for token in tokens(construct):
        if token.kind != "other":
            continue
        if token.text in "({":
            if token.text == "{" and depth == 0:
                groups += 1
                if groups == 2:
                    return _insert_after(construct, token, pattern)
            depth += 1
        elif token.text in ")}":
            depth -= 1
    raise ValueError("no WHERE group found after the CONSTRUCT template")


def substitute_this(query: str, node_text: str) -> str:
    """``query`` with every ``$this``/``?this`` replaced by ``node_text`` (an IRI or literal).

    Pre-binding as SHACL defines it reaches into sub-SELECTs, which pyoxigraph's
    ``substitutions`` (SEP-0007) does not; a textual replacement outside strings, IRIs
    and comments does, and is exact for IRIs and literals (not for blank nodes).

    >>> substitute_this('SELECT ?this { $this ?p "?this" } # ?this', "<http://e/a>")
    'SELECT <http://e/a> { <http://e/a> ?p "?this" } # ?this'
    """
    parts: list[str] = []
    done = 0
    for kind, value, start in tokens(query):
        if kind == "var" and value[1:] == "this":
            parts += [query[done:start], node_text]
            done = start + len(value)
    return "".join(parts) + query[done:]


#: Clauses whose variables may only be replaced by a bracketed expression (``(<iri>)``).
_EXPRESSION_LISTS = frozenset({"GROUP", "ORDER"})
#: Words that end a ``GROUP BY``/``ORDER BY`` list.
_AFTER_LISTS = frozenset({"HAVING", "LIMIT", "OFFSET", "ORDER", "VALUES", "GROUP"})


def prebind(query: str, name: str, term: str) -> str:
    """``query`` with variable ``name`` pre-bound to ``term`` (an IRI or literal, SPARQL text).

    SHACL's pre-binding (appendix A, #pre-binding) replaces the variable by its value everywhere, nested
    groups and sub-SELECTs included, while the solutions still bind it; pyoxigraph's
    ``substitutions`` only joins the value in, so a ``FILTER`` in a nested group never sees
    it. Textually: in a projection ``?x`` becomes ``(term AS ?x)``, in ``GROUP BY`` and
    ``ORDER BY`` ``(term)``, ``bound(?x)`` becomes ``(true)``, elsewhere ``term``; a
    sub-SELECT returns it under a name of its own (the outer projection binds ``?x``).

    >>> prebind("SELECT $this WHERE { { FILTER ($this = <a>) } } GROUP BY $this", "this", "<a>")
    'SELECT (<a> AS ?this) WHERE { { FILTER (<a> = <a>) } } GROUP BY (<a>)'
    >>> prebind("SELECT $this { { SELECT $this { } } }", "this", "<a>")
    'SELECT (<a> AS ?this) { { SELECT (<a> AS ?this_prebound_2) { } } }'
    >>> prebind("SELECT (COUNT(?this) AS ?n) { ?this ?p ?o FILTER bound( $this ) }", "this", "<a>")
    'SELECT (COUNT((<a>)) AS ?n) { <a> ?p ?o FILTER (true) }'
    """
    lexed = tokens(query)
    parts: list[str] = []
    done = 0
    clause = None  # "SELECT" in a projection, "GROUP"/"ORDER" in their lists, else None
    depth = 0  # parentheses inside a projection: (COUNT(?x) AS ?n) holds expressions
    selects = 0
    for index, (kind, value, start) in enumerate(lexed):
        word = value.upper() if kind == "word" else None
        if word == "SELECT" or word in _EXPRESSION_LISTS:
            clause, depth = word, 0
            selects += word == "SELECT"
        elif word == "WHERE" or (kind == "other" and value in "{}") or (word in _AFTER_LISTS):
            clause = None
        elif kind == "other" and value in "()":
            depth += 1 if value == "(" else -1
        if word == "BOUND" and _is_bound_call(lexed, index, name):
            end = lexed[index + 3]
            parts += [query[done:start], "(true)"]
            done = end.start + 1
        elif kind == "var" and value[1:] == name and start >= done:
            if clause == "SELECT" and depth == 0:
                # A sub-SELECT returns the value under another name: ?name in scope below
                # would clash with the outer projection's (term AS ?name).
                alias = name if selects == 1 else f"{name}_prebound_{selects}"
                replacement = f"({term} AS ?{alias})"
            else:
                replacement = f"({term})" if clause else term
            parts += [query[done:start], replacement]
            done = start + len(value)
    return "".join(parts) + query[done:]


def _is_bound_call(lexed: list[Token], index: int, name: str) -> bool:
    """Whether tokens from ``index`` read ``BOUND ( ?name )``."""
    call = [t.text for t in lexed[index + 1 : index + 4]]
    return (
        len(call) == 3 and call[0] == "(" and call[1][1:] == name and call[1][:1] in "?$" and call[2] == ")"
    )
