"""A client of the W3C protocols of an external triple store: SPARQL 1.1 Query and Update
over HTTP, and the Graph Store HTTP Protocol (GSP) to replace, add to and delete graphs.

Only the standards, so any SPARQL 1.1 store works (Oxigraph server, Virtuoso, Fuseki,
GraphDB…). Transient failures (a 5xx answer, a refused or reset connection, a time-out)
are retried with exponential backoff; anything else fails at once with the store's own
message. Credentials go to the store as HTTP Basic or Digest authentication (whichever it
asks for, :mod:`itugraph.http_auth`) and never into a message: errors name a store by its
URL only.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from itugraph.errors import InputError, StoreError
from itugraph.http_auth import Authenticator

#: The environment variables holding the store's user and password (``--credentials FILE``
#: is the other way; never the command line, where ``ps`` and shell history show them).
USER_ENV = "ITUGRAPH_STORE_USER"
PASSWORD_ENV = "ITUGRAPH_STORE_PASSWORD"

#: HTTP statuses worth another attempt: the store is overloaded, restarting, or behind a
#: proxy that lost it for a moment.
TRANSIENT_STATUSES = frozenset({500, 502, 503, 504})
SPARQL_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"


@dataclass(frozen=True)
class Credentials:
    """A user and password for one store; ``repr`` never shows the password."""

    user: str
    password: str = field(repr=False)


def check_store_url(url: str, option: str) -> str:
    """``url`` if it is an absolute http(s) URL without a user or password in it."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise InputError(
            f"{option} {url!r} is not an http(s) URL", hint=f"e.g. {option} http://127.0.0.1:7878/store"
        )
    if parts.username is not None or parts.password is not None:
        raise InputError(
            f"{option} has a user or password in its URL; credentials never go on the command line",
            hint=f"set {USER_ENV} and {PASSWORD_ENV}, or pass --credentials FILE",
        )
    return url


def load_credentials(
    url: str, file: Path | None, environ: dict[str, str] | None = None
) -> Credentials | None:
    """The credentials for the store at ``url``: from ``file`` (a JSON object mapping URL
    prefixes to ``{"user": …, "password": …}``; the longest matching prefix wins), else
    from the environment, else None (the store is open)."""
    if file is not None:
        table = _read_credentials_file(file)
        matches = [prefix for prefix in table if url.startswith(prefix)]
        if matches:
            return table[max(matches, key=len)]
    env = os.environ if environ is None else environ
    user = env.get(USER_ENV)
    if user:
        return Credentials(user, env.get(PASSWORD_ENV, ""))
    return None


def _read_credentials_file(file: Path) -> dict[str, Credentials]:
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read the credentials file {file}: {exc.strerror}") from None
    except ValueError:
        raise InputError(
            f"the credentials file {file} is not JSON",
            hint='write {"http://store.example:8890/": {"user": "…", "password": "…"}}',
        ) from None
    if not isinstance(data, dict) or not all(
        isinstance(v, dict) and isinstance(v.get("user"), str) and isinstance(v.get("password", ""), str)
        for v in data.values()
    ):
        raise InputError(
            f"the credentials file {file} must map URL prefixes to user and password",
            hint='write {"http://store.example:8890/": {"user": "…", "password": "…"}}',
        )
    return {prefix: Credentials(v["user"], v.get("password", "")) for prefix, v in data.items()}


@dataclass(frozen=True)
class Retry:
    """How often and how patiently transient failures are retried."""

    attempts: int = 5
    #: Seconds before the second attempt; doubled before each next one.
    backoff: float = 0.5
    #: Seconds one request may take (a large chunk on a slow store needs a generous one).
    timeout: float = 120.0


class ProtocolClient:
    """Requests to one store's query, update and graph-store endpoints."""

    def __init__(
        self,
        *,
        query_url: str,
        gsp_url: str | None = None,
        update_url: str | None = None,
        credentials: Credentials | None = None,
        retry: Retry | None = None,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.query_url = query_url
        self.gsp_url = gsp_url
        self.update_url = update_url
        self._retry = retry or Retry()
        self._on_retry = on_retry
        self._opener = urllib.request.build_opener()
        self._auth = Authenticator(credentials.user, credentials.password) if credentials else None

    # --- Graph Store HTTP Protocol -----------------------------------------------------

    def put_graph(self, graph: str, ntriples: bytes) -> None:
        """Replace ``graph`` with the triples (GSP PUT)."""
        self._send("PUT", self._graph_url(graph), ntriples, {"Content-Type": N_TRIPLES})

    def post_graph(self, graph: str, ntriples: bytes) -> None:
        """Add the triples to ``graph`` (GSP POST: an RDF merge)."""
        self._send("POST", self._graph_url(graph), ntriples, {"Content-Type": N_TRIPLES})

    def delete_graph(self, graph: str) -> None:
        """Drop ``graph``: by SPARQL Update when an update URL is given, else by GSP
        DELETE. A graph that is not there is no error."""
        if self.update_url:
            self.update(f"DROP SILENT GRAPH <{graph}>")
            return
        self._send("DELETE", self._graph_url(graph), None, {}, missing_ok=True)

    def _graph_url(self, graph: str) -> str:
        if not self.gsp_url:
            raise InputError("no Graph Store Protocol URL given", hint="pass --to GSP_URL")
        separator = "&" if "?" in self.gsp_url else "?"
        return f"{self.gsp_url}{separator}{urllib.parse.urlencode({'graph': graph})}"

    # --- SPARQL 1.1 Query and Update ---------------------------------------------------

    def select(self, sparql: str) -> list[dict[str, ox.NamedNode | ox.BlankNode | ox.Literal]]:
        """The rows of a SELECT query, each a mapping of variable name to term."""
        body = self.query_bytes(sparql, SPARQL_JSON)
        try:
            solutions = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except (SyntaxError, ValueError) as exc:
            raise StoreError(f"{self.query_url} sent unreadable SPARQL JSON results: {exc}") from None
        assert isinstance(solutions, ox.QuerySolutions)
        names = [v.value for v in solutions.variables]
        return [
            {name: term for name, term in zip(names, row, strict=True) if term is not None}
            for row in solutions
        ]

    def count(self, graph: str) -> int:
        """Triples in ``graph``, counted by the store."""
        rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}")
        value = rows[0].get("n") if rows else None
        return int(value.value) if isinstance(value, ox.Literal) else 0

    def query_bytes(
        self,
        sparql: str,
        accept: str,
        *,
        default_graphs: list[str] | None = None,
        named_graphs: list[str] | None = None,
        timeout: float | None = None,
    ) -> bytes:
        """The store's answer to ``sparql`` (POSTed as a form, so any length goes)."""
        fields = [("query", sparql)]
        fields += [("default-graph-uri", g) for g in default_graphs or []]
        fields += [("named-graph-uri", g) for g in named_graphs or []]
        return self._send(
            "POST",
            self.query_url,
            urllib.parse.urlencode(fields).encode(),
            {"Content-Type": "application/x-www-form-urlencoded", "Accept": accept},
            timeout=timeout,
        )

    def update(self, sparql: str) -> None:
        """Run a SPARQL Update at the update URL."""
        if not self.update_url:
            raise InputError("no SPARQL Update URL given", hint="pass --update-url URL")
        self._send(
            "POST",
            self.update_url,
            urllib.parse.urlencode({"update": sparql}).encode(),
            {"Content-Type": "application/x-www-form-urlencoded"},
        )

    # --- transport -------------------------------------------------------------------

    def _send(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        *,
        missing_ok: bool = False,
        timeout: float | None = None,
    ) -> bytes:
        """One request, retried on transient failures; the answer's body."""
        retry = self._retry
        delay = retry.backoff
        for attempt in range(1, retry.attempts + 1):
            try:
                return self._once(method, url, body, headers, missing_ok, timeout or retry.timeout)
            except _TransientError as exc:
                if attempt == retry.attempts:
                    raise StoreError(
                        f"{method} {_shown(url)} failed {attempt} times; last: {exc}",
                        hint="check that the store is running and reachable, then run the command again",
                    ) from None
                if self._on_retry is not None:
                    self._on_retry(f"{method} {_shown(url)}: {exc}; retrying in {delay:g} s")
                time.sleep(delay)
                delay *= 2
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(
        self,
        method: str,
        url: str,
        body: bytes | None,
        headers: dict[str, str],
        missing_ok: bool,
        timeout: float,
    ) -> bytes:
        auth = self._auth
        if auth is not None and not auth.known and body:
            self._learn_challenge(url, timeout)
        for fresh_challenge in (False, True):
            sent = dict(headers)
            value = auth.header(method, url) if auth is not None else None
            if value:
                sent["Authorization"] = value
            try:
                return self._open(method, url, body, sent, timeout)
            except urllib.error.HTTPError as error:
                challenged = error.code == 401 and auth is not None and not fresh_challenge
                if challenged and auth is not None and auth.learn(error.headers.get("WWW-Authenticate")):
                    error.close()
                    continue  # a first or a stale challenge: once more, authenticated
                return _refused(error, method, url, missing_ok)
        raise AssertionError("unreachable")  # pragma: no cover

    def _open(
        self, method: str, url: str, body: bytes | None, headers: dict[str, str], timeout: float
    ) -> bytes:
        request = urllib.request.Request(url, data=body, method=method, headers=headers)
        try:
            with self._opener.open(request, timeout=timeout) as reply:
                data: bytes = reply.read()
                return data
        except urllib.error.HTTPError:
            raise  # an answer, for the caller to read (HTTPError is also a URLError)
        except (TimeoutError, urllib.error.URLError, http.client.HTTPException, ConnectionError) as exc:
            reason = getattr(exc, "reason", exc)
            raise _TransientError(str(reason) or type(exc).__name__) from None

    def _learn_challenge(self, url: str, timeout: float) -> None:
        """A GET without a body, for the store's ``401`` challenge before a large body is
        sent (a store that refuses it unread would cut the upload: a broken pipe)."""
        assert self._auth is not None
        try:
            self._open("GET", url, None, {}, timeout)
        except urllib.error.HTTPError as error:
            if error.code == 401:
                self._auth.learn(error.headers.get("WWW-Authenticate"))
            error.close()


def _refused(error: urllib.error.HTTPError, method: str, url: str, missing_ok: bool) -> bytes:
    """What a store's error answer means: nothing (a missing graph to drop), another try
    (5xx), or a StoreError with the store's own explanation."""
    detail = _store_message(error)
    if error.code == 404 and missing_ok:
        return b""
    if error.code in TRANSIENT_STATUSES:
        raise _TransientError(f"HTTP {error.code} {detail}")
    raise StoreError(
        f"{method} {_shown(url)} was refused: HTTP {error.code} {detail}", hint=_hint(error.code)
    )


class _TransientError(Exception):
    """A failure that another attempt may not meet."""


def _shown(url: str) -> str:
    """``url`` as messages show it: without its query string (graph names are long)."""
    return url.split("?", 1)[0]


def _store_message(error: urllib.error.HTTPError) -> str:
    """The first line of the store's own explanation, short enough for one message."""
    try:
        text = error.read(2000).decode("utf-8", "replace")
    except OSError:
        text = ""
    if "html" in (error.headers.get("Content-Type") or "").lower():
        text = re.sub(r"<[^>]*>", " ", text)
    words = " ".join(text.split())
    return f"({error.reason}): {words[:300]}" if words else f"({error.reason})"


def _hint(status: int) -> str:
    if status in {401, 403}:
        return (
            f"check the store's user and password ({USER_ENV}/{PASSWORD_ENV} or --credentials) "
            "and that this user may write graphs"
        )
    if status == 404:
        return (
            "check the endpoint URL (e.g. Oxigraph: /store, /query, /update; "
            "Virtuoso: /sparql-graph-crud-auth)"
        )
    return "see the store's log for the cause"
