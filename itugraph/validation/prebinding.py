"""The rules SHACL sets on SHACL-SPARQL queries so that pre-binding is well defined.

SHACL's appendix "Pre-binding of Variables in SPARQL Queries" (#pre-binding): a
query must not contain ``MINUS``, a federated query (``SERVICE``) or ``VALUES``; must not
assign a *potentially pre-bound variable* with ``AS`` (in ``BIND`` or a projection); and
each sub-``SELECT`` must return every potentially pre-bound variable (``$shapesGraph``
and ``$currentShape`` excepted). A shapes graph breaking them is malformed: validating
it would give engine-dependent answers (the W3C suite's ``unsupported-sparql-*`` and
``pre-binding-006`` entries expect a failure).

The checks read the query through the one SPARQL lexer (:mod:`itugraph.sparql_text`), so
keywords inside strings, IRIs and comments do not count.
"""

from __future__ import annotations

from itugraph.sparql_text import Token, tokens

#: Keywords the spec forbids anywhere in a SHACL-SPARQL query, and how to say it.
_FORBIDDEN = {"MINUS": "MINUS", "SERVICE": "a federated query (SERVICE)", "VALUES": "VALUES"}
#: Pre-bound variables a sub-SELECT need not return (§5.3.1: they are optional).
_OPTIONAL_IN_SUBQUERIES = frozenset({"shapesGraph", "currentShape"})


def prebinding_problems(query: str, prebound: frozenset[str]) -> list[str]:
    """What in ``query`` breaks the pre-binding rules, for the variables ``prebound``.

    >>> prebinding_problems("SELECT $this { $this ?p ?o MINUS { $this ?p 1 } }", frozenset({"this"}))
    ['MINUS is not allowed in a SHACL-SPARQL query (SHACL appendix A, pre-binding)']
    >>> prebinding_problems("SELECT $this { BIND(1 AS $this) }", frozenset({"this"}))
    ['$this is pre-bound and cannot be assigned with AS (SHACL appendix A, pre-binding)']
    >>> prebinding_problems("SELECT $this { $this ?p ?o { SELECT ?o { ?o ?q ?r } } }", frozenset({"this"}))
    ['a sub-SELECT must return the pre-bound variable $this (SHACL appendix A, pre-binding)']
    """
    lexed = tokens(query)
    problems: list[str] = []
    for index, token in enumerate(lexed):
        word = token.text.upper() if token.kind == "word" else ""
        if word in _FORBIDDEN:
            problems.append(
                f"{_FORBIDDEN[word]} is not allowed in a SHACL-SPARQL query (SHACL appendix A, pre-binding)"
            )
        elif word == "AS" and index + 1 < len(lexed) and _name(lexed[index + 1]) in prebound:
            name = _name(lexed[index + 1])
            problems.append(
                f"${name} is pre-bound and cannot be assigned with AS (SHACL appendix A, pre-binding)"
            )
        elif word == "SELECT" and _nested(lexed, index):
            returned = _returned(lexed, index)
            for name in sorted(prebound - _OPTIONAL_IN_SUBQUERIES - returned):
                problems.append(
                    f"a sub-SELECT must return the pre-bound variable ${name} (SHACL appendix A, pre-binding)"
                )
    return list(dict.fromkeys(problems))


def _name(token: Token) -> str | None:
    return token.text[1:] if token.kind == "var" else None


def _nested(lexed: list[Token], index: int) -> bool:
    """Whether the SELECT at ``index`` is inside a group (a sub-SELECT)."""
    depth = 0
    for token in lexed[:index]:
        if token.kind == "other" and token.text in "{}":
            depth += 1 if token.text == "{" else -1
    return depth > 0


def _returned(lexed: list[Token], index: int) -> set[str]:
    """The variables the sub-SELECT at ``index`` returns (``*``: those its patterns bind)."""
    returned: set[str] = set()
    depth = 0
    position = index + 1
    while position < len(lexed):
        token = lexed[position]
        if depth == 0 and (token.text == "{" or token.text.upper() == "WHERE"):
            break
        if token.text == "(":
            depth += 1
        elif token.text == ")":
            depth -= 1
        elif token.text == "*" and depth == 0:
            return _bound_in_group(lexed, position + 1)
        elif token.kind == "var" and (depth == 0 or lexed[position - 1].text.upper() == "AS"):
            returned.add(token.text[1:])
        position += 1
    return returned


def _bound_in_group(lexed: list[Token], start: int) -> set[str]:
    """Variables of the group after ``start`` outside FILTER expressions (which bind none)."""
    names: set[str] = set()
    depth = 0
    skip_until: int | None = None  # inside a FILTER's expression: the depth it ends at
    for position in range(start, len(lexed)):
        token = lexed[position]
        if token.text in "{(":
            depth += 1
        elif token.text in "})":
            depth -= 1
            if skip_until is not None and depth <= skip_until:
                skip_until = None
            if depth <= 0 and token.text == "}":
                break
        elif token.kind == "word" and token.text.upper() == "FILTER" and skip_until is None:
            skip_until = depth
        elif token.kind == "var" and skip_until is None:
            names.add(token.text[1:])
    return names
