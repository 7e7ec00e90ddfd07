"""Lexical checks on SPARQL text made before a query reaches the engine.

The engine (pyoxigraph) would execute ``SERVICE <url>`` by fetching the URL, and it
reports an update sent to the query parser only as a syntax error. Both need a
decision of ours first, so we scan the text with a small lexer that skips strings,
IRIs and comments (a keyword inside a literal must not count).
"""

from __future__ import annotations

import functools
import re

from itugraph.errors import ServiceRefusedError, UpdateRefusedError

_TOKEN = re.compile(
    r"""
    (?P<comment>\#[^\n]*)
  | (?P<string>'''(?:[^'\\]|\\.|'(?!''))*'''|\"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
      |'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*")
  | (?P<iri><[^<>"{}|^`\\\s]*>)
  | (?P<word>[A-Za-z_][A-Za-z0-9_-]*)
  | (?P<var>[?$][A-Za-z0-9_]+)
  | (?P<other>\S)
    """,
    re.VERBOSE | re.DOTALL,
)

_UPDATE_KEYWORDS = frozenset(
    {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
)
_QUERY_FORMS = frozenset({"SELECT", "CONSTRUCT", "ASK", "DESCRIBE"})


def tokens(text: str) -> list[tuple[str, str]]:
    """(kind, text) tokens of ``text``, comments dropped.

    >>> tokens('SELECT * { ?s <http://x/#SERVICE> "SERVICE" } # SERVICE')[:3]
    [('word', 'SELECT'), ('other', '*'), ('other', '{')]
    """
    found: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "other"
        if kind != "comment":
            found.append((kind, match.group()))
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
        for kind, value in self.tokens:
            if kind == "word" and value.upper() in _QUERY_FORMS:
                return value.lower()
        return None

    @functools.cached_property
    def is_update(self) -> bool:
        """Whether an update keyword comes before any query form keyword."""
        for kind, value in self.tokens:
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
        for index, (kind, value) in enumerate(toks):
            if kind != "word" or value.upper() != "SERVICE":
                continue
            rest = toks[index + 1 : index + 3]
            if rest and rest[0][0] == "word" and rest[0][1].upper() == "SILENT":
                rest = rest[1:]
            target = rest[0] if rest else ("other", "")
            found.append(target[1][1:-1] if target[0] == "iri" else None)
        return found

    @functools.cached_property
    def has_dataset(self) -> bool:
        """Whether the query names its dataset (``FROM`` / ``FROM NAMED``).

        >>> QueryText("SELECT * FROM <http://e/g> { ?s ?p ?o }").has_dataset
        True
        >>> QueryText("PREFIX ex: <http://e/> SELECT * { ?s ex:FROM 'FROM' }").has_dataset
        False
        """
        previous = ("other", "")
        for kind, value in self.tokens:
            if kind == "word" and value.upper() == "FROM" and previous[1] != ":":
                return True
            previous = (kind, value)
        return False

    @functools.cached_property
    def normalised(self) -> str:
        """Comments dropped and whitespace collapsed (a result-cache key)."""
        return " ".join(value for _kind, value in self.tokens)


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


def check_query_text(query: str | QueryText, *,
                     service_allow: frozenset[str] = frozenset()) -> None:
    """Refuse updates and SERVICE calls outside ``service_allow`` before execution."""
    lexed = query if isinstance(query, QueryText) else QueryText(query)
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


def normalise(text: str) -> str:
    """The query with comments dropped and whitespace collapsed (a result-cache key)."""
    return QueryText(text).normalised
